"""iamviz.render: the trust graph drawn with QtGui/QtWidgets graphics items (no windows), themes and export."""

from iamviz.render import _pyside_none  # noqa: F401  (must run before any painting; see the module)
