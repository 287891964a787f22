"""Fast positional constructors for the model's frozen, slotted dataclasses.

Loading a large account makes hundreds of thousands of model objects, and the trust graph as many edges; a frozen
dataclass's keyword ``__init__`` goes through ``object.__setattr__`` once per field, which dominated both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A positional constructor for a slotted dataclass that writes its fields straight into the slots.

    ``fast_constructor(Tag)("team", "data") == Tag(key="team", value="data")``, with the values in field order.
    It makes the same object the generated ``__init__`` makes (a class with ``__post_init__`` gets its keyword
    constructor, called positionally; for
    :class:`PolicyDocument`, whose fields are ``version, statements, _text, _source``, give ``_text=None`` and the
    decoded ``_source``), at a fifth of the cost: a frozen dataclass's ``__init__`` parses keywords and goes through
    ``object.__setattr__`` once per field, which dominated loading the hundreds of thousands of values of a large
    account. Loaders use it on their happy path only, after checking every value's type. A class that gains a field
    gets a constructor that takes one more value (and every call with the old count fails loudly).

    How: the object is made as an instance of a mutable twin class with the very same slots, filled by plain
    attribute stores (which Python specialises for slots), and then given its real class (``__class__``
    assignment, which Python allows between classes of identical layout). Where that is refused, each slot is set
    through its descriptor instead.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    slot = {name: klass.__dict__[name] for klass in reversed(cls.__mro__) for name in names if name in klass.__dict__}
    if hasattr(cls, "__post_init__") or not all(hasattr(slot.get(name), "__set__") for name in names):

        def keyword(*args: Any) -> _T:
            return cls(**dict(zip(names, args, strict=True)))

        return keyword
    values = ", ".join(f"v{i}" for i in range(len(names)))
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    slots = cls.__dict__.get("__slots__")
    if cls.__bases__ == (object,) and isinstance(slots, tuple) and sorted(slots) == sorted(names):
        namespace["twin"] = type(f"_{cls.__name__}Under_construction", (), {"__slots__": slots})
        body = "".join(f"    obj.{name} = v{i}\n" for i, name in enumerate(names)) + "    obj.__class__ = cls\n"
        exec(f"def new_{cls.__name__}({values}):\n    obj = new(twin)\n{body}    return obj\n", namespace)
        construct = namespace[f"new_{cls.__name__}"]
        try:
            if type(construct(*names)) is cls:
                return construct
        except TypeError:  # a layout Python will not swap
            pass
    # One descriptor call per slot, as dataclasses' own __init__ does through object.__setattr__.
    namespace.update({f"set{i}": slot[name].__set__ for i, name in enumerate(names)})
    body = "".join(f"    set{i}(obj, v{i})\n" for i in range(len(names)))
    exec(f"def new_{cls.__name__}({values}):\n    obj = new(cls)\n{body}    return obj\n", namespace)
    return namespace[f"new_{cls.__name__}"]
