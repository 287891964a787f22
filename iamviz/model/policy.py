"""Policy documents, parsed once at the edge into frozen, typed values.

Every shape IAM accepts is read here and nowhere else:

* a document as a JSON object, a JSON string, or a URL-encoded JSON string (the raw IAM API);
* ``Statement`` as one object or a list of them;
* ``Principal`` as ``"*"``, ``{"AWS": "*"}``, ``{"AWS": "ARN" | ["ARN", ...]}``, ``{"AWS": "123456789012"}``
  (the account-ID shorthand), ``{"AWS": "AIDA..."}`` (the unique ID left by a deleted principal),
  ``{"Service": ...}``, ``{"Federated": ...}``, ``{"CanonicalUser": ...}``;
* ``Action``/``NotAction`` and ``Resource``/``NotResource`` as a string or a list;
* ``Condition`` as ``{operator: {key: value | [values]}}``; booleans and numbers become strings.

A shape IAM would reject raises :class:`~iamviz.errors.PolicyError` naming the JSON path. An operator this
module does not know is *not* a parse error: the evaluator judges it UNKNOWN, which never allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from iamviz.errors import PolicyError
from iamviz.model.fast import fast_constructor


class PrincipalKind(StrEnum):
    """What kind of principal a trust statement names."""

    AWS = "aws"
    SERVICE = "service"
    FEDERATED = "federated"
    CANONICAL_USER = "canonical-user"
    ANYONE = "anyone"


_PRINCIPAL_KEYS = {
    "AWS": PrincipalKind.AWS,
    "Service": PrincipalKind.SERVICE,
    "Federated": PrincipalKind.FEDERATED,
    "CanonicalUser": PrincipalKind.CANONICAL_USER,
}

_UNIQUE_ID_PREFIXES = ("AIDA", "AROA", "AGPA", "ANPA", "AIPA", "ANVA", "ASCA", "AKIA", "ASIA", "APKA", "ACCA")


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """One principal named by a statement: ``Principal(kind=PrincipalKind.SERVICE, value="lambda.amazonaws.com")``.

    ``"*"`` and ``{"AWS": "*"}`` both become ``Principal(kind=ANYONE, value="*")``.
    """

    kind: PrincipalKind
    value: str

    @property
    def is_account(self) -> bool:
        """Whether this names a whole account (``arn:aws:iam::ACCT:root`` or the bare 12-digit ID)."""
        if self.kind is not PrincipalKind.AWS:
            return False
        return is_account_id(self.value) or (self.value.startswith("arn:") and self.value.endswith(":root"))

    @property
    def account_id(self) -> str | None:
        """The 12-digit account this principal belongs to, when its value shows one."""
        if self.kind is not PrincipalKind.AWS:
            if self.kind is PrincipalKind.FEDERATED and self.value.startswith("arn:"):
                parts = self.value.split(":", 5)
                return parts[4] if len(parts) == 6 and parts[4] else None
            return None
        if is_account_id(self.value):
            return self.value
        parts = self.value.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and is_account_id(parts[4]):
            return parts[4]
        return None

    @property
    def is_unique_id(self) -> bool:
        """Whether this is a bare unique ID (``AIDA...``, ``AROA...``): a deleted user or role."""
        return self.kind is PrincipalKind.AWS and looks_like_unique_id(self.value)


def is_account_id(text: str) -> bool:
    """Whether ``text`` is a 12-digit AWS account ID."""
    return len(text) == 12 and text.isdigit()


def looks_like_unique_id(text: str) -> bool:
    """Whether ``text`` looks like an IAM unique ID (``AIDA...``, ``AROA...``)."""
    return len(text) >= 16 and text[:4] in _UNIQUE_ID_PREFIXES and text.isalnum() and text == text.upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One condition test: ``Condition(operator="StringEquals", key="sts:ExternalId", values=("x",))``.

    ``operator`` is kept exactly as written, with its ``ForAnyValue:``/``ForAllValues:`` prefix and ``IfExists``
    suffix; :attr:`base_operator`, :attr:`set_operator` and :attr:`if_exists` split it.
    """

    operator: str
    key: str
    values: tuple[str, ...]

    @property
    def set_operator(self) -> str | None:
        """``"ForAnyValue"``, ``"ForAllValues"`` or ``None``."""
        head, sep, _ = self.operator.partition(":")
        return head if sep else None

    @property
    def if_exists(self) -> bool:
        """Whether the operator ends in ``IfExists``."""
        return self.operator.endswith("IfExists") and self.operator != "IfExists"

    @property
    def base_operator(self) -> str:
        """The operator without its set prefix and ``IfExists`` suffix (``StringLike``)."""
        _, sep, tail = self.operator.partition(":")
        name = tail if sep else self.operator
        if name.endswith("IfExists") and name != "IfExists":
            name = name[: -len("IfExists")]
        return name

    @property
    def key_lower(self) -> str:
        """The key in lower case: condition key names are case-insensitive."""
        return self.key.lower()


class Effect(StrEnum):
    """A statement's effect."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One statement of a policy document.

    ``principals`` is ``None`` when the statement has no ``Principal`` element (identity policies), and likewise
    for the other optional elements. ``index`` is the statement's position in its document.
    """

    index: int
    sid: str | None = None
    effect: Effect
    principals: tuple[Principal, ...] | None = None
    not_principals: tuple[Principal, ...] | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        """How a person names this statement: its Sid, or its position."""
        return f"Sid {self.sid!r}" if self.sid else f"statement #{self.index + 1}"


@dataclass(frozen=True, slots=True, kw_only=True, init=False)
class PolicyDocument:
    """A parsed policy document. ``text`` is the document pretty-printed, for display only.

    ``PolicyDocument(version=..., statements=..., text=...)`` as before; the parser passes ``source`` (the decoded
    JSON) instead, and ``text`` is rendered from it on first use: pretty-printing every document of a large
    account while loading it cost more than parsing them.
    """

    version: str | None = None
    statements: tuple[Statement, ...] = ()
    _text: str | None = field(default=None, compare=False, repr=False)
    _source: Any = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        *,
        version: str | None = None,
        statements: tuple[Statement, ...] = (),
        text: str | None = None,
        source: Any = None,
        _text: str | None = None,  # the field names, so that dataclasses.replace() keeps the text
        _source: Any = None,
    ) -> None:
        text = _text if text is None else text
        source = _source if source is None else source
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "statements", statements)
        object.__setattr__(self, "_text", "{}" if text is None and source is None else text)
        object.__setattr__(self, "_source", source)

    @property
    def text(self) -> str:
        """The document pretty-printed (2-space indent, keys in their order)."""
        text = self._text
        if text is None:
            text = render_document(self._source)
            object.__setattr__(self, "_text", text)
        return text


def render_document(data: Any) -> str:
    """A decoded policy document as the pretty-printed text :attr:`PolicyDocument.text` shows."""
    try:
        return json.dumps(data, indent=2, sort_keys=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(data)


class _StrictJsonError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _StrictJsonError(f"duplicate key {_clip(key)!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise _StrictJsonError(f"{name} is not valid JSON")


def _clip(value: Any, limit: int = 80) -> Any:
    """``value`` itself, or a long string cut to ``limit`` characters, for error messages."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def decode_document(raw: Any, *, path: str = "$") -> dict[str, Any]:
    """Turn a document given as an object, a JSON string or a URL-encoded JSON string into a dict."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith(("%7B", "%7b")) or ("%22" in text and not text.startswith("{")):
            text = unquote(text)
        try:
            # Strict: a duplicate key ("Effect": "Deny", "Effect": "Allow") must not silently read as the last one.
            decoded = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
        except (json.JSONDecodeError, RecursionError, _StrictJsonError) as exc:
            raise PolicyError(f"policy document is not valid JSON ({exc})", path=path) from None
        if not isinstance(decoded, dict):
            raise PolicyError(f"policy document must be a JSON object, not {_type_name(decoded)}", path=path)
        return decoded
    raise PolicyError(f"policy document must be a JSON object or string, not {_type_name(raw)}", path=path)


def parse_policy_document(raw: Any, *, path: str = "$") -> PolicyDocument:
    """Parse a policy document in any accepted form (see the module docstring)."""
    data = raw if type(raw) is dict else decode_document(raw, path=path)
    document = try_parse_policy_document(data)
    return document if document is not None else _parse_document_carefully(data, path)


def try_parse_policy_document(data: Any) -> PolicyDocument | None:
    """A decoded document of the usual shape parsed, or ``None`` (then :func:`parse_policy_document` decides).

    Equal to what :func:`parse_policy_document` returns for it whenever it is not ``None``; quicker, since it names
    no JSON path (loaders call it first, and the careful parser only for what it refuses).
    """
    if type(data) is not dict:
        return None
    version = data.get("Version")
    items = data.get("Statement")
    if type(items) is dict:
        items = (items,)
    elif type(items) is not list or not items:
        return None
    if version is not None and type(version) is not str:
        return None
    statements = []
    for index, item in enumerate(items):
        statement = _quick_statement(item, index)
        if statement is None:
            return None
        statements.append(statement)
    return _new_document(version, tuple(statements), None, data)


def _parse_document_carefully(data: dict[str, Any], path: str) -> PolicyDocument:
    """:func:`parse_policy_document` checking every element in turn: the first problem raises, at its JSON path."""
    version = data.get("Version")
    if version is not None and not isinstance(version, str):
        raise PolicyError(f"Version must be a string, not {_type_name(version)}", path=f"{path}.Version")
    if "Statement" not in data:
        raise PolicyError("policy document has no Statement", path=path)
    raw_statements = data["Statement"]
    if isinstance(raw_statements, dict):
        items = [raw_statements]
        item_paths = [f"{path}.Statement"]
    elif isinstance(raw_statements, list):
        items = raw_statements
        item_paths = [f"{path}.Statement[{i}]" for i in range(len(items))]
    else:
        raise PolicyError(
            f"Statement must be an object or a list, not {_type_name(raw_statements)}", path=f"{path}.Statement"
        )
    if not items:
        raise PolicyError("Statement is empty", path=f"{path}.Statement")
    pairs = enumerate(zip(items, item_paths, strict=True))
    statements = tuple(parse_statement(item, index=i, path=item_path) for i, (item, item_path) in pairs)
    return PolicyDocument(version=version, statements=statements, source=data)


def parse_statement(raw: Any, *, index: int, path: str) -> Statement:
    """Parse one statement object."""
    statement = _quick_statement(raw, index)
    return statement if statement is not None else _parse_statement_carefully(raw, index=index, path=path)


def _parse_statement_carefully(raw: Any, *, index: int, path: str) -> Statement:
    """:func:`parse_statement` checking every element in turn: the first problem raises, at its JSON path."""
    if not isinstance(raw, dict):
        raise PolicyError(f"a statement must be an object, not {_type_name(raw)}", path=path)
    effect_raw = raw.get("Effect")
    if effect_raw not in ("Allow", "Deny"):
        raise PolicyError(f'Effect must be "Allow" or "Deny", not {_clip(effect_raw)!r}', path=f"{path}.Effect")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"Sid must be a string, not {_type_name(sid)}", path=f"{path}.Sid")
    if "Action" in raw and "NotAction" in raw:
        raise PolicyError("a statement cannot hold both Action and NotAction", path=path)
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyError("a statement cannot hold both Principal and NotPrincipal", path=path)
    return Statement(
        index=index,
        sid=sid or None,
        effect=Effect(effect_raw),
        principals=_principals(raw, "Principal", path),
        not_principals=_principals(raw, "NotPrincipal", path),
        actions=_strings(raw, "Action", path),
        not_actions=_strings(raw, "NotAction", path),
        resources=_strings(raw, "Resource", path),
        not_resources=_strings(raw, "NotResource", path),
        conditions=_conditions(raw.get("Condition"), f"{path}.Condition"),
    )


# --- the happy path ---------------------------------------------------------------------------------------------
# Documents of the usual shape are parsed below without building a JSON path or an error message, with the values
# made by fast_constructor and the principals and conditions shared (they are frozen, and the same few recur in
# thousands of statements). Anything unusual makes a _quick_* function return None, and the careful parser above
# parses it again from the start: it accepts exactly what it accepted before and names the first problem. The
# quick functions may refuse more than the careful ones (then the careful result counts), never less.

_MISSING: Any = object()
_CACHE_LIMIT = 100_000
_new_document = fast_constructor(PolicyDocument)
_new_statement = fast_constructor(Statement)
_new_principal = fast_constructor(Principal)
_new_condition = fast_constructor(Condition)
_EFFECTS = {"Allow": Effect.ALLOW, "Deny": Effect.DENY}
_ANYONE = Principal(kind=PrincipalKind.ANYONE, value="*")
_PRINCIPAL_CACHE: dict[tuple[str, str], Principal] = {}
_CONDITION_CACHE: dict[tuple[str, str, tuple[str, ...]], Condition] = {}


def _quick_statement(raw: Any, index: int) -> Statement | None:
    """One statement of the usual shape, or ``None`` (see above)."""
    if type(raw) is not dict:
        return None
    get = raw.get
    effect_raw = get("Effect")
    if type(effect_raw) is not str:
        return None
    effect = _EFFECTS.get(effect_raw)
    sid = get("Sid")
    if effect is None or (sid is not None and type(sid) is not str):
        return None
    principals = not_principals = actions = not_actions = resources = not_resources = None
    value = get("Principal", _MISSING)
    if value is not _MISSING and (principals := _quick_principals(value)) is None:
        return None
    value = get("NotPrincipal", _MISSING)
    if value is not _MISSING and (principals is not None or (not_principals := _quick_principals(value)) is None):
        return None
    value = get("Action", _MISSING)
    if type(value) is str:
        actions = (value,)
    elif value is not _MISSING and (actions := _quick_strings(value)) is None:
        return None
    value = get("NotAction", _MISSING)
    if value is not _MISSING and (actions is not None or (not_actions := _quick_strings(value)) is None):
        return None
    value = get("Resource", _MISSING)
    if type(value) is str:
        resources = (value,)
    elif value is not _MISSING and (resources := _quick_strings(value)) is None:
        return None
    value = get("NotResource", _MISSING)
    if value is not _MISSING and (not_resources := _quick_strings(value)) is None:
        return None
    value = get("Condition")
    conditions = () if value is None else _quick_conditions(value)
    if conditions is None:
        return None
    return _new_statement(
        index,
        sid or None,
        effect,
        principals,
        not_principals,
        actions,
        not_actions,
        resources,
        not_resources,
        conditions,
    )


def _quick_strings(value: Any) -> tuple[str, ...] | None:
    if type(value) is str:
        return (value,)
    if type(value) is not list:
        return None
    for item in value:
        if type(item) is not str:
            return None
    return tuple(value)


def _quick_principals(value: Any) -> tuple[Principal, ...] | None:
    if value == "*" and type(value) is str:
        return (_ANYONE,)
    if type(value) is not dict or not value:
        return None
    result = []
    for key, names in value.items():
        if key not in _PRINCIPAL_KEYS:
            return None
        for name in (names,) if type(names) is str else names if type(names) is list else (0,):
            if type(name) is not str:
                return None
            principal = _PRINCIPAL_CACHE.get((key, name))
            if principal is None:
                kind = _PRINCIPAL_KEYS[key]
                if kind is PrincipalKind.AWS and name == "*":
                    principal = _ANYONE
                else:
                    principal = _new_principal(kind, name)
                if len(_PRINCIPAL_CACHE) >= _CACHE_LIMIT:
                    _PRINCIPAL_CACHE.clear()
                _PRINCIPAL_CACHE[key, name] = principal
            result.append(principal)
    return tuple(result)


def _quick_conditions(raw: Any) -> tuple[Condition, ...] | None:
    if type(raw) is not dict:
        return None
    result = []
    for operator, block in raw.items():
        if type(block) is not dict:
            return None
        for key, values in block.items():
            if type(values) is list:
                parsed = tuple(values)
                for value in parsed:
                    if type(value) is not str:
                        parsed = tuple(_quick_condition_value(v) for v in parsed)
                        if None in parsed:
                            return None
                        break
            else:
                single = _quick_condition_value(values)
                if single is None:
                    return None
                parsed = (single,)
            condition = _CONDITION_CACHE.get((operator, key, parsed))
            if condition is None:
                condition = _new_condition(operator, key, parsed)
                if len(_CONDITION_CACHE) >= _CACHE_LIMIT:
                    _CONDITION_CACHE.clear()
                _CONDITION_CACHE[operator, key, parsed] = condition
            result.append(condition)
    return tuple(result)


def _quick_condition_value(value: Any) -> str | None:
    """What :func:`_condition_value` makes of ``value``, or ``None`` for what it refuses (or might)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    return None


def parse_principal_block(raw: Any, *, path: str) -> tuple[Principal, ...]:
    """Parse the value of a ``Principal`` or ``NotPrincipal`` element.

    Accepted: ``"*"``; ``{"AWS": "*"}``; ``{"AWS"|"Service"|"Federated"|"CanonicalUser": str | [str, ...]}``
    with several keys allowed. Anything else raises :class:`PolicyError`.
    """
    if raw == "*":
        return (Principal(kind=PrincipalKind.ANYONE, value="*"),)
    if not isinstance(raw, dict):
        raise PolicyError(f'a principal must be "*" or an object, not {_type_name(raw)}', path=path)
    if not raw:
        raise PolicyError("a principal object must name at least one principal", path=path)
    result: list[Principal] = []
    for key, values in raw.items():
        kind = _PRINCIPAL_KEYS.get(key)
        if kind is None:
            raise PolicyError(
                f"unknown principal type {_clip(key)!r} (expected AWS, Service, Federated or CanonicalUser)",
                path=f"{path}.{key}",
            )
        for value in _string_list(values, path=f"{path}.{key}"):
            if kind is PrincipalKind.AWS and value == "*":
                result.append(Principal(kind=PrincipalKind.ANYONE, value="*"))
            else:
                result.append(Principal(kind=kind, value=value))
    return tuple(result)


def _principals(raw: dict[str, Any], name: str, path: str) -> tuple[Principal, ...] | None:
    if name not in raw:
        return None
    return parse_principal_block(raw[name], path=f"{path}.{name}")


def _strings(raw: dict[str, Any], name: str, path: str) -> tuple[str, ...] | None:
    if name not in raw:
        return None
    return tuple(_string_list(raw[name], path=f"{path}.{name}"))


def _string_list(value: Any, *, path: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise PolicyError(f"expected a string, not {_type_name(item)}", path=f"{path}[{i}]")
            out.append(item)
        return out
    raise PolicyError(f"expected a string or a list of strings, not {_type_name(value)}", path=path)


def _condition_value(value: Any, *, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise PolicyError(f"a condition value must be a string, number or boolean, not {_type_name(value)}", path=path)


def _conditions(raw: Any, path: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise PolicyError(f"Condition must be an object, not {_type_name(raw)}", path=path)
    result: list[Condition] = []
    for operator, block in raw.items():
        if not isinstance(block, dict):
            raise PolicyError(
                f"the block of condition operator {_clip(operator)!r} must be an object, not {_type_name(block)}",
                path=f"{path}.{operator}",
            )
        for key, values in block.items():
            where = f"{path}.{operator}.{key}"
            if isinstance(values, list):
                parsed = tuple(_condition_value(v, path=f"{where}[{i}]") for i, v in enumerate(values))
            else:
                parsed = (_condition_value(values, path=where),)
            result.append(Condition(operator=operator, key=key, values=parsed))
    return tuple(result)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
