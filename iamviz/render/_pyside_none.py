"""Work around a PySide6 6.12 reference-count bug on CPython < 3.12.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11): many void ``QPainter`` calls (``setPen``, ``setBrush``,
``setRenderHint``, ``drawPath``, ``fillRect``, ...) drop one reference to ``None`` each time. ``None`` starts with a
few thousand references, so rendering a few hundred items is enough for the interpreter to abort with
"none_dealloc: deallocating None" (usually at exit). From CPython 3.12 on, ``None`` is immortal and this is moot.

The workaround gives ``None`` a huge reference count once (``None`` is never freed anyway): about 10^12 leaked
references of head room, days of continuous repainting.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40


def protect_none() -> None:
    """Raise ``None``'s reference count far out of reach of the leak (CPython < 3.12 only; idempotent).

    ``True`` and ``False`` get the same: every emission of a ``Signal(bool)`` (``toggled``, ``triggered``,
    ``clicked``) to a Python slot drops one reference to the bool it carries.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for immortal in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(immortal))  # ob_refcnt is the first field of every PyObject
        if refcount.value < _HEADROOM // 2:
            refcount.value += _HEADROOM


protect_none()
