"""The IAM condition language: evaluate a policy's ``Condition`` element against a request context.

Semantics follow ``shared/design/iam-trust-semantics.md`` §6 and the AWS documentation it cites:

* key names are case-insensitive; values are compared as each operator says (``StringEquals`` is case-sensitive);
* several keys or operators in one block are ANDed; several values of one key are ORed, and for a negated
  operator (``StringNotEquals``, ``NotIpAddress``, ...) the request value must match *none* of them;
* a key missing from the request makes a positive operator FALSE and a negated operator TRUE; ``...IfExists``
  makes a missing key TRUE; ``Null`` tests presence; ``ForAllValues:`` is TRUE for a missing key or an empty set,
  ``ForAnyValue:`` FALSE;
* policy variables (``${aws:username}``, ``${key, 'default'}``, the escapes ``${*}``, ``${?}``, ``${$}``) are
  substituted in String and ARN values.

Verdicts are three-valued. UNKNOWN means iamviz cannot tell what AWS would decide (an operator it does not know,
a value that does not parse, a policy variable the context cannot resolve); it is combined with Kleene logic and
never counts as a match, so UNKNOWN never allows.

Example::

    >>> from iamviz.model.policy import Condition
    >>> ctx = RequestContext.of({"sts:ExternalId": "zebra-42"})
    >>> evaluate_condition(Condition(operator="StringEquals", key="sts:externalid", values=("zebra-42",)), ctx).verdict
    <Verdict.TRUE: 'true'>
"""

from __future__ import annotations

import base64
import binascii
import calendar
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from iamviz.errors import InputError
from iamviz.model.arn import arn_like
from iamviz.model.policy import Condition
from iamviz.model.wildcard import wildcard_match

__all__ = [
    "CALLER_SUPPLIED_KEYS",
    "PRINCIPAL_DERIVED_KEYS",
    "SERVICE_SUPPLIED_KEYS",
    "ConditionResult",
    "KeySet",
    "RequestContext",
    "Verdict",
    "describe_condition",
    "evaluate_condition",
    "evaluate_conditions",
    "is_known_operator",
    "key_origin",
    "match_policy_pattern",
    "requirement_label",
]


# --------------------------------------------------------------------------------------------------------------------
# Verdicts and three-valued logic
# --------------------------------------------------------------------------------------------------------------------


class Verdict(StrEnum):
    """The outcome of a condition test. UNKNOWN never counts as a match."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, flag: bool) -> Verdict:
        """``Verdict.TRUE`` for ``True``, ``Verdict.FALSE`` for ``False``."""
        return cls.TRUE if flag else cls.FALSE


def _not(verdict: Verdict) -> Verdict:
    return {Verdict.TRUE: Verdict.FALSE, Verdict.FALSE: Verdict.TRUE}.get(verdict, Verdict.UNKNOWN)


def _any(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene OR: TRUE beats UNKNOWN beats FALSE; an empty OR is FALSE."""
    result = Verdict.FALSE
    for verdict in verdicts:
        if verdict is Verdict.TRUE:
            return Verdict.TRUE
        if verdict is Verdict.UNKNOWN:
            result = Verdict.UNKNOWN
    return result


def _all(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene AND: FALSE beats UNKNOWN beats TRUE; an empty AND is TRUE."""
    result = Verdict.TRUE
    for verdict in verdicts:
        if verdict is Verdict.FALSE:
            return Verdict.FALSE
        if verdict is Verdict.UNKNOWN:
            result = Verdict.UNKNOWN
    return result


# --------------------------------------------------------------------------------------------------------------------
# Request context
# --------------------------------------------------------------------------------------------------------------------

ContextValue = str | bool | int | float | Iterable[str | bool | int | float]


def _scalar(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"context key {key!r}: a value must be a string, number or boolean, not {type(value).__name__}")


def _normalise(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bool, int, float)):
        return (_scalar(value, key),)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_scalar(v, key) for v in value))
    if isinstance(value, Iterable):
        return tuple(_scalar(v, key) for v in value)
    raise TypeError(f"context key {key!r}: expected a value or a list of values, not {type(value).__name__}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestContext:
    """The condition keys of one request: immutable, case-insensitive keys, every key multi-valued.

    ``RequestContext.of({"aws:MultiFactorAuthPresent": "true", "aws:TagKeys": ["a", "b"]})``. Booleans become
    ``"true"``/``"false"`` and numbers their decimal text, as IAM sees them. A key with an empty list is present
    with an empty set of values (what ``ForAllValues``/``ForAnyValue`` call an empty data set); ``None`` leaves the
    key out.
    """

    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _index: dict[str, tuple[str, tuple[str, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[str, tuple[str, tuple[str, ...]]] = {}
        for key, values in self.entries:
            if not isinstance(key, str):
                raise TypeError(f"context keys must be strings, not {type(key).__name__}")
            # A plain string is its own one value (what _normalise makes of it, without the checks).
            index[key.lower()] = (key, (values,) if values.__class__ is str else _normalise(key, values))
        ordered = sorted(index.items())  # by lowered key: the keys are unique, so the items never tie
        object.__setattr__(self, "entries", tuple([item for _, item in ordered]))
        object.__setattr__(self, "_index", dict(ordered))

    @classmethod
    def of(cls, mapping: Mapping[str, ContextValue | None] | None = None) -> RequestContext:
        """Build a context from ``{key: value | [values]}``; a later key wins over an earlier one in another case."""
        items = [] if mapping is None else [(k, v) for k, v in mapping.items() if v is not None]
        return cls(entries=tuple(items))

    @classmethod
    def from_pairs(cls, pairs: Iterable[str], *, option: str = "--context") -> RequestContext:
        """Build a context from ``KEY=VALUE`` strings (the CLI's repeated ``--context``).

        A key given more than once (in any case) becomes multi-valued; ``KEY=`` gives the empty string. Raises
        :class:`~iamviz.errors.InputError` naming ``option`` for a pair without ``=`` or with an empty key.

        >>> RequestContext.from_pairs(["aws:TagKeys=a", "AWS:tagkeys=b"]).get("aws:TagKeys")
        ('a', 'b')
        """
        collected: dict[str, tuple[str, list[str]]] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key = key.strip()
            if not sep or not key:
                raise InputError(f"{option} expects KEY=VALUE, got {pair!r}")
            collected.setdefault(key.lower(), (key, []))[1].append(value)
        return cls(entries=tuple((key, tuple(values)) for key, values in collected.values()))

    @classmethod
    def empty(cls) -> RequestContext:
        """A context with no keys."""
        return cls()

    def get(self, key: str) -> tuple[str, ...] | None:
        """The values of ``key`` (any case), or ``None`` when the request does not carry it."""
        found = self._index.get(key.lower())
        return None if found is None else found[1]

    def with_values(self, mapping: Mapping[str, ContextValue | None]) -> RequestContext:
        """A copy with the keys of ``mapping`` set (replacing any spelling of them); ``None`` removes a key."""
        merged = {k.lower(): (k, v) for k, v in self.entries}
        for key, value in mapping.items():
            if value is None:
                merged.pop(key.lower(), None)
            else:
                merged[key.lower()] = (key, value)
        return RequestContext(entries=tuple(merged.values()))

    def without(self, *keys: str) -> RequestContext:
        """A copy without ``keys`` (any case)."""
        drop = {k.lower() for k in keys}
        return RequestContext(entries=tuple((k, v) for k, v in self.entries if k.lower() not in drop))

    def keys(self) -> tuple[str, ...]:
        """The keys as they were spelled when set, sorted case-insensitively."""
        return tuple(key for key, _ in self.entries)

    def items(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``(key, values)`` pairs."""
        return self.entries

    def as_dict(self) -> dict[str, list[str]]:
        """A JSON-friendly copy: ``{key: [values]}``."""
        return {key: list(values) for key, values in self.entries}

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._index

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


# --------------------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionResult:
    """One condition's verdict and, in plain words, why: the key, what the policy expects, what the request has."""

    condition: Condition
    verdict: Verdict
    reason: str

    @property
    def matched(self) -> bool:
        """Whether the verdict is TRUE."""
        return self.verdict is Verdict.TRUE


class _Unknown(Exception):
    """Raised inside the evaluator when a value cannot be judged; becomes an UNKNOWN verdict with its message."""


class _Unresolved(_Unknown):
    """A policy value whose meaning depends on something iamviz cannot resolve: the whole condition is UNKNOWN."""


# --------------------------------------------------------------------------------------------------------------------
# Policy variables
# --------------------------------------------------------------------------------------------------------------------

# A resolved policy value is a tuple of segments (text, literal). ``literal`` text came from a variable or an
# escape and has no wildcard meaning; the policy's own text keeps ``*`` and ``?`` as wildcards (for *Like ops).
Segments = tuple[tuple[str, bool], ...]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE_BODY = re.compile(r"^\s*([^\s,'{}$]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def _resolve(value: str, context: RequestContext) -> Segments:
    """Substitute policy variables in ``value``; raise :class:`_Unknown` when one cannot be resolved."""
    if "${" not in value:
        return ((value, False),)
    segments: list[tuple[str, bool]] = []
    pos = 0
    for match in _VARIABLE.finditer(value):
        if match.start() > pos:
            segments.append((value[pos : match.start()], False))
        segments.append((_variable_value(match.group(1), context), True))
        pos = match.end()
    rest = value[pos:]
    if "${" in rest:
        raise _Unresolved(f"the policy value {value!r} holds an unclosed policy variable '${{'")
    if rest:
        segments.append((rest, False))
    return tuple(segments)


def _variable_value(body: str, context: RequestContext) -> str:
    if body in _ESCAPES:
        return _ESCAPES[body]
    parsed = _VARIABLE_BODY.match(body)
    if parsed is None:
        raise _Unresolved(f"'${{{body}}}' is not a policy variable iamviz can read")
    key, default = parsed.group(1), parsed.group(2)
    values = context.get(key)
    if values is not None and len(values) == 1:
        return values[0]
    if default is not None:
        return default.replace("''", "'")
    if values is None or not values:
        raise _Unresolved(f"the policy variable ${{{key}}} has no value in this request")
    raise _Unresolved(
        f"the policy variable ${{{key}}} has {len(values)} values; AWS cannot substitute a multivalued key"
    )


def _literal_text(segments: Segments) -> str:
    return "".join(text for text, _ in segments)


def _segment_regex(segments: Segments, case_sensitive: bool) -> re.Pattern[str]:
    """An anchored pattern for segments whose literal parts contain ``*`` or ``?`` (from ``${*}``/``${?}``).

    Only used in that rare case; ordinary patterns go through :func:`wildcard_match`. Every character is escaped;
    only ``*``/``?`` of the policy's own text become wildcards.
    """
    parts: list[str] = []
    for text, literal in segments:
        for char in text:
            if not literal and char == "*":
                parts.append(".*")
            elif not literal and char == "?":
                parts.append(".")
            else:
                parts.append(re.escape(char))
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("".join(parts), flags)


def _has_literal_wildcard(segments: Segments) -> bool:
    return any(literal and ("*" in text or "?" in text) for text, literal in segments)


def _like(segments: Segments, value: str, *, case_sensitive: bool = True) -> bool:
    if not _has_literal_wildcard(segments):
        return wildcard_match(_literal_text(segments), value, case_sensitive=case_sensitive)
    return _segment_regex(segments, case_sensitive).fullmatch(value) is not None


def _split_arn_segments(segments: Segments) -> list[Segments]:
    """Split segments at ``:`` into at most six ARN components (the resource keeps any further colons)."""
    components: list[list[tuple[str, bool]]] = [[]]
    for text, literal in segments:
        pieces = text.split(":")
        for i, piece in enumerate(pieces):
            if i > 0:
                if len(components) < 6:
                    components.append([])
                else:
                    components[-1].append((":", True))
            if piece:
                components[-1].append((piece, literal))
    return [tuple(c) for c in components]


def _arn_match(segments: Segments, value: str) -> bool:
    if not _has_literal_wildcard(segments):
        return arn_like(_literal_text(segments), value)
    pattern_parts = _split_arn_segments(segments)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_like(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _arn_policy(value: str, context: RequestContext, variables: bool) -> Segments:
    # [OPS]: "Each of the six colon-delimited components of the ARN is checked separately". A value with fewer
    # components (such as a bare "*") has no documented meaning for an ARN operator, so it is judged UNKNOWN.
    segments = _string_policy(value, context, variables)
    if len(_split_arn_segments(segments)) != 6:
        raise _Unknown(f"the policy value {value!r} is not an ARN (arn:partition:service:region:account:resource)")
    return segments


def _arn_request(value: str) -> str:
    if len(value.split(":", 5)) != 6:
        raise _Unknown(f"the request value {value!r} is not an ARN")
    return value


# --------------------------------------------------------------------------------------------------------------------
# Value parsers (raise _Unknown on a value that does not parse for its operator)
# --------------------------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_EPOCH = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_W3C_YEAR = re.compile(r"^(\d{4})$")
_W3C_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ].*)?$")


def _parse_number(text: str, what: str) -> Decimal:
    if not _NUMBER.match(text):
        raise _Unknown(f"{what} {text!r} is not a number")
    return Decimal(text)


def _parse_date(text: str, what: str) -> Decimal:
    """A date as epoch seconds: W3C ISO 8601 forms (``2025-01-31``, ``2025-01-31T12:00:00Z``, ...) or epoch."""
    if _EPOCH.match(text):
        return Decimal(text)
    moment: datetime | None = None
    try:
        if year := _W3C_YEAR.match(text):
            moment = datetime(int(year.group(1)), 1, 1, tzinfo=UTC)
        elif month := _W3C_MONTH.match(text):
            moment = datetime(int(month.group(1)), int(month.group(2)), 1, tzinfo=UTC)
        elif _W3C_DATE.match(text):
            moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None:
        raise _Unknown(f"{what} {text!r} is not a date (ISO 8601 or epoch seconds)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = calendar.timegm(moment.utctimetuple())
    return Decimal(seconds) + Decimal(moment.microsecond) / Decimal(1_000_000)


def _parse_base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _Unknown(f"{what} {text!r} is not base64") from None


def _parse_network(text: str, what: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise _Unknown(f"{what} {text!r} is not an IP address or CIDR range") from None


def _parse_address(text: str, what: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise _Unknown(f"{what} {text!r} is not an IP address") from None


def _no_variables(value: str, context: RequestContext) -> str:
    return value


# --------------------------------------------------------------------------------------------------------------------
# The operator table
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Operator:
    """How one base operator (without set prefix or IfExists) compares a policy value with a request value.

    ``negated`` operators are the negation of ``positive``: true when the request value matches *none* of the
    policy values.
    """

    name: str
    family: str
    negated: bool
    parse_policy: Callable[[str, RequestContext, bool], Any]
    parse_request: Callable[[str], Any]
    compare: Callable[[Any, Any], bool]
    wording: str


def _string_policy(value: str, context: RequestContext, variables: bool) -> Segments:
    return _resolve(value, context) if variables else ((value, False),)


def _bool_policy(value: str, context: RequestContext, variables: bool) -> str:
    if variables and "${" in value:
        # [OPS] says "You can use a policy variable with the Boolean condition operator"; the policy-variables page
        # says you can't. The documentation contradicts itself, so iamviz does not guess.
        raise _Unresolved(
            f"the Bool value {value!r} holds a policy variable, and the AWS documentation disagrees with itself "
            "on whether Bool substitutes them"
        )
    return value.lower()


def _typed_policy(parser: Callable[[str, str], Any]) -> Callable[[str, RequestContext, bool], Any]:
    # Numeric, Date, Binary and IpAddress take no policy variables ([OPS]): the text is parsed as written.
    return lambda value, _context, _variables: parser(value, "the policy value")


def _typed_request(parser: Callable[[str, str], Any]) -> Callable[[str], Any]:
    return lambda value: parser(value, "the request value")


def _same(value: str) -> str:
    return value


def _equals(segments: Segments, value: str) -> bool:
    return _literal_text(segments) == value


def _equals_ignore_case(segments: Segments, value: str) -> bool:
    return _literal_text(segments).lower() == value.lower()


def _string_like(segments: Segments, value: str) -> bool:
    return _like(segments, value, case_sensitive=True)


def _in_network(network: Any, address: Any) -> bool:
    return address.version == network.version and address in network


def _family(
    family: str,
    parse_policy: Callable[[str, RequestContext, bool], Any],
    parse_request: Callable[[str], Any],
    pairs: Iterable[tuple[str, str | None, Callable[[Any, Any], bool], str]],
) -> dict[str, _Operator]:
    """Operators of one family: ``(name, negated-name or None, compare(policy, request), wording)``."""
    table: dict[str, _Operator] = {}
    for name, negated_name, compare, wording in pairs:
        table[name.lower()] = _Operator(
            name=name,
            family=family,
            negated=False,
            parse_policy=parse_policy,
            parse_request=parse_request,
            compare=compare,
            wording=wording,
        )
        if negated_name:
            table[negated_name.lower()] = _Operator(
                name=negated_name,
                family=family,
                negated=True,
                parse_policy=parse_policy,
                parse_request=parse_request,
                compare=compare,
                wording=wording,
            )
    return table


_NUMERIC_POLICY = _typed_policy(_parse_number)
_NUMERIC_REQUEST = _typed_request(_parse_number)
_DATE_POLICY = _typed_policy(_parse_date)
_DATE_REQUEST = _typed_request(_parse_date)

_OPERATORS: dict[str, _Operator] = {
    **_family(
        "String",
        _string_policy,
        _same,
        [
            ("StringEquals", "StringNotEquals", _equals, "is"),
            ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", _equals_ignore_case, "is (ignoring case)"),
            ("StringLike", "StringNotLike", _string_like, "matches"),
        ],
    ),
    **_family(
        "Numeric",
        _NUMERIC_POLICY,
        _NUMERIC_REQUEST,
        [
            ("NumericEquals", "NumericNotEquals", lambda p, r: r == p, "equals"),
            ("NumericLessThan", None, lambda p, r: r < p, "is less than"),
            ("NumericLessThanEquals", None, lambda p, r: r <= p, "is at most"),
            ("NumericGreaterThan", None, lambda p, r: r > p, "is greater than"),
            ("NumericGreaterThanEquals", None, lambda p, r: r >= p, "is at least"),
        ],
    ),
    **_family(
        "Date",
        _DATE_POLICY,
        _DATE_REQUEST,
        [
            ("DateEquals", "DateNotEquals", lambda p, r: r == p, "is"),
            ("DateLessThan", None, lambda p, r: r < p, "is before"),
            ("DateLessThanEquals", None, lambda p, r: r <= p, "is at or before"),
            ("DateGreaterThan", None, lambda p, r: r > p, "is after"),
            ("DateGreaterThanEquals", None, lambda p, r: r >= p, "is at or after"),
        ],
    ),
    **_family("Bool", _bool_policy, str.lower, [("Bool", None, lambda p, r: r == p, "is")]),
    **_family(
        "Binary",
        _typed_policy(_parse_base64),
        _typed_request(_parse_base64),
        [("BinaryEquals", None, lambda p, r: r == p, "is (byte for byte)")],
    ),
    **_family(
        "IpAddress",
        _typed_policy(_parse_network),
        _typed_request(_parse_address),
        [("IpAddress", "NotIpAddress", _in_network, "is in")],
    ),
    **_family(
        "Arn",
        _arn_policy,
        _arn_request,
        [("ArnLike", "ArnNotLike", _arn_match, "matches"), ("ArnEquals", "ArnNotEquals", _arn_match, "matches")],
    ),
}

_SET_OPERATORS = {"foranyvalue": "ForAnyValue", "forallvalues": "ForAllValues"}
_IF_EXISTS = "ifexists"


def is_known_operator(operator: str) -> bool:
    """Whether iamviz understands ``operator`` (with any ``ForAnyValue:``/``ForAllValues:`` prefix and ``IfExists``)."""
    return not isinstance(_split_operator(operator), str)


@dataclass(frozen=True, slots=True, kw_only=True)
class _ParsedOperator:
    set_operator: str | None
    if_exists: bool
    base: str  # canonical spelling, or "Null"
    spec: _Operator | None  # None for Null


@lru_cache(maxsize=1024)
def _split_operator(operator: str) -> _ParsedOperator | str:
    """Split an operator as written; return an explanation string when it is not one iamviz knows."""
    head, sep, tail = operator.partition(":")
    set_operator = None
    if sep:
        set_operator = _SET_OPERATORS.get(head.strip().lower())
        if set_operator is None:
            return f"unknown set operator {head!r} (expected ForAnyValue or ForAllValues)"
        name = tail
    else:
        name = operator
    lowered = name.lower()
    if_exists = lowered.endswith(_IF_EXISTS) and len(lowered) > len(_IF_EXISTS)
    base = lowered[: -len(_IF_EXISTS)] if if_exists else lowered
    if base == "null":
        if if_exists:
            return "NullIfExists is not an operator: AWS allows IfExists on any operator except Null"
        if set_operator:
            return f"{set_operator}:Null is not an operator AWS documents"
        return _ParsedOperator(set_operator=None, if_exists=False, base="Null", spec=None)
    spec = _OPERATORS.get(base)
    if spec is None:
        return f"unknown condition operator {operator!r}"
    return _ParsedOperator(set_operator=set_operator, if_exists=if_exists, base=spec.name, spec=spec)


# --------------------------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------------------------


def _quote_list(values: Iterable[str], joiner: str = "or") -> str:
    return _join([repr(v) for v in values], joiner)


def _join(quoted: list[str], joiner: str = "or") -> str:
    if not quoted:
        return "nothing"
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def evaluate_condition(
    condition: Condition, context: RequestContext, *, policy_variables: bool = True
) -> ConditionResult:
    """Evaluate one condition test against ``context``.

    Args:
        condition: the operator, key and policy values.
        context: the request's condition keys.
        policy_variables: whether ``${...}`` in String/ARN values are policy variables. AWS substitutes them only
            in documents whose ``Version`` is ``2012-10-17``; pass ``False`` for older documents, where they are
            literal text.

    Returns:
        The verdict and a plain-words reason. Never raises: anything unexpected becomes UNKNOWN.
    """
    try:
        verdict, reason = _evaluate(condition, context, policy_variables)
    except _Unknown as exc:
        verdict, reason = Verdict.UNKNOWN, f"{condition.operator} on {condition.key}: cannot tell: {exc}"
    except Exception as exc:
        verdict, reason = Verdict.UNKNOWN, f"internal error evaluating {condition.operator} on {condition.key}: {exc!r}"
    return ConditionResult(condition=condition, verdict=verdict, reason=reason)


def match_policy_pattern(
    pattern: str,
    value: str,
    context: RequestContext,
    *,
    arn: bool = False,
    case_sensitive: bool = True,
    policy_variables: bool = True,
) -> Verdict:
    """Match ``value`` against a policy pattern that may hold wildcards and policy variables.

    The same rules as the String/ARN condition operators: ``*``/``?`` in the policy's own text are wildcards,
    text from a substituted variable or an escape (``${*}``, ``${?}``, ``${$}``) is literal, and with ``arn=True``
    wildcards never cross ``:``. UNKNOWN when a variable cannot be resolved.

    >>> match_policy_pattern("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x",
    ...                      RequestContext.of({"aws:username": "bob"}), arn=True)
    <Verdict.TRUE: 'true'>
    """
    try:
        segments = _string_policy(pattern, context, policy_variables)
    except _Unknown:
        return Verdict.UNKNOWN
    if arn:
        return Verdict.of(_arn_match(segments, value))
    return Verdict.of(_like(segments, value, case_sensitive=case_sensitive))


def evaluate_conditions(
    conditions: Iterable[Condition], context: RequestContext, *, policy_variables: bool = True
) -> tuple[Verdict, tuple[ConditionResult, ...]]:
    """Evaluate a statement's conditions: every one must hold (AND); FALSE beats UNKNOWN; none at all is TRUE."""
    results = tuple(evaluate_condition(c, context, policy_variables=policy_variables) for c in conditions)
    return _all(r.verdict for r in results), results


def _evaluate(condition: Condition, context: RequestContext, variables: bool) -> tuple[Verdict, str]:
    parsed = _split_operator(condition.operator)
    if isinstance(parsed, str):
        return Verdict.UNKNOWN, f"{parsed}; iamviz treats it as unknown, which never allows"
    key = condition.key
    present = context.get(key)
    if not condition.values:
        return Verdict.UNKNOWN, f"{condition.operator} on {key} lists no values"
    if parsed.spec is None:
        return _evaluate_null(condition, present)
    spec = parsed.spec
    # Resolve the policy values first: an unresolvable policy variable is UNKNOWN, never a silent match or miss.
    policy_raw = [_policy_value(spec, v, context, variables) for v in condition.values]
    expected = _join(
        [_show_policy_value(v, p) for v, p in zip(condition.values, policy_raw, strict=True)],
        "or",
    )
    missing = present is None or not present
    if parsed.set_operator is not None and present is not None and all(v == "" for v in present):
        missing = True  # [MULTI]: "an empty data set (for example, an empty string)"
    if missing:
        return _missing_key(condition, parsed, spec, present, expected)
    if parsed.set_operator is None and len(present) > 1:
        return Verdict.UNKNOWN, (
            f"{key} has {len(present)} values ({_quote_list(present, 'and')}) but {condition.operator} compares one; "
            "AWS says a multivalued key needs ForAnyValue: or ForAllValues:, so iamviz cannot tell"
        )
    per_value: list[tuple[str, Verdict, str | None]] = []
    for value in present:
        per_value.append((value, *_match_one(spec, policy_raw, value)))
    if parsed.set_operator is None:
        value, verdict, problem = per_value[0]
        return verdict, _single_reason(condition, spec, value, verdict, problem, expected)
    if parsed.set_operator == "ForAnyValue":
        verdict = _any(v for _, v, _ in per_value)
    else:
        verdict = _all(v for _, v, _ in per_value)
    return verdict, _set_reason(condition, parsed.set_operator, spec, per_value, verdict, expected)


def _show_policy_value(written: str, parsed: Any) -> str:
    """The policy value as written, plus what its policy variables resolved to."""
    if isinstance(parsed, tuple) and "${" in written:
        return f"{written!r} (= {_literal_text(parsed)!r})"
    return repr(written)


def _policy_value(spec: _Operator, value: str, context: RequestContext, variables: bool) -> Any:
    """A policy value parsed for its operator, or the :class:`_Unknown` that says why it could not be.

    Unresolvable policy variables raise at once (the whole condition is UNKNOWN); a value that does not parse for
    its operator is kept as an error and judged UNKNOWN only where it is compared (values OR, so another value may
    still match).
    """
    try:
        return spec.parse_policy(value, context, variables)
    except _Unresolved:
        raise
    except _Unknown as exc:
        return exc


def _match_one(spec: _Operator, policy_values: list[Any], value: str) -> tuple[Verdict, str | None]:
    """Whether one request value satisfies the operator: OR over the policy values, negated for Not operators."""
    try:
        request = spec.parse_request(value)
    except _Unknown as exc:
        return Verdict.UNKNOWN, str(exc)
    verdicts: list[Verdict] = []
    problem = None
    for policy in policy_values:
        if isinstance(policy, _Unknown):
            verdicts.append(Verdict.UNKNOWN)
            problem = problem or str(policy)
        else:
            verdicts.append(Verdict.of(spec.compare(policy, request)))
    positive = _any(verdicts)
    return (_not(positive) if spec.negated else positive), (problem if positive is Verdict.UNKNOWN else None)


def _missing_key(
    condition: Condition, parsed: _ParsedOperator, spec: _Operator, present: tuple[str, ...] | None, expected: str
) -> tuple[Verdict, str]:
    key = condition.key
    absent = f"{key} is not in the request" if present is None else f"{key} is in the request with no value"
    if parsed.set_operator == "ForAllValues":
        return Verdict.TRUE, (
            f"{absent}; ForAllValues is true when the key is missing or its set is empty "
            f"(so this does not require {expected})"
        )
    if parsed.if_exists:
        return Verdict.TRUE, f"{absent}; {condition.operator} is true when the key is missing (IfExists)"
    if parsed.set_operator == "ForAnyValue":
        return Verdict.FALSE, f"{absent}; ForAnyValue is false when the key is missing or its set is empty"
    if spec.negated:
        return Verdict.TRUE, f"{absent}, so it cannot equal {expected}; a negated operator ({spec.name}) is true"
    return Verdict.FALSE, f"{absent}; the policy expects a value that {spec.wording} {expected} ({spec.name})"


def _describe_values(values: Iterable[str]) -> str:
    return _quote_list(values, "and")


def _single_reason(
    condition: Condition, spec: _Operator, value: str, verdict: Verdict, problem: str | None, expected: str
) -> str:
    has = f"{condition.key} is {value!r}"
    if verdict is Verdict.UNKNOWN:
        return f"{has}; cannot tell whether it satisfies {condition.operator} {expected}: {problem}"
    if spec.negated:
        if verdict is Verdict.TRUE:
            return f"{has}, which matches none of {expected} ({condition.operator}): satisfied"
        return f"{has}, but {condition.operator} requires it to match none of {expected}: not satisfied"
    if verdict is Verdict.TRUE:
        return f"{has}, which {spec.wording} {expected} ({condition.operator}): satisfied"
    return f"{has}, but the policy expects a value that {spec.wording} {expected} ({condition.operator}): not satisfied"


def _set_reason(
    condition: Condition,
    set_operator: str,
    spec: _Operator,
    per_value: list[tuple[str, Verdict, str | None]],
    verdict: Verdict,
    expected: str,
) -> str:
    key = condition.key
    values = [v for v, _, _ in per_value]
    passing = [v for v, ver, _ in per_value if ver is Verdict.TRUE]
    failing = [v for v, ver, _ in per_value if ver is Verdict.FALSE]
    unclear = [(v, p) for v, ver, p in per_value if ver is Verdict.UNKNOWN]
    test = f"{'matches none of' if spec.negated else spec.wording} {expected}"
    head = f"{key} has {_describe_values(values)}; {condition.operator} needs "
    head += "at least one value that " if set_operator == "ForAnyValue" else "every value to be one that "
    head += test
    if verdict is Verdict.TRUE:
        return f"{head}: satisfied by {_describe_values(passing)}"
    if verdict is Verdict.FALSE:
        return f"{head}: not satisfied by {_describe_values(failing)}"
    why = "; ".join(f"{v!r}: {p}" for v, p in unclear if p) or "a value could not be judged"
    return f"{head}: cannot tell ({why})"


def _evaluate_null(condition: Condition, present: tuple[str, ...] | None) -> tuple[Verdict, str]:
    # [OPS]: "true (the key doesn't exist — it is null) or false (the key exists and its value is not null)".
    key = condition.key
    absent = present is None or not present
    verdicts = []
    bad = []
    for value in condition.values:
        wanted = value.strip().lower()
        if wanted == "true":
            verdicts.append(Verdict.of(absent))
        elif wanted == "false":
            verdicts.append(Verdict.of(not absent))
        else:
            verdicts.append(Verdict.UNKNOWN)
            bad.append(value)
    verdict = _any(verdicts)
    state = f"{key} is absent" if absent else f"{key} is present ({_describe_values(present or ())})"
    if verdict is Verdict.UNKNOWN:
        return verdict, f"{state}; Null takes 'true' or 'false', not {_quote_list(bad)}"
    wants = {v.strip().lower() for v in condition.values}
    need = {"true": "absent", "false": "present"}.get(wants.pop(), "") if len(wants) == 1 else "absent or present"
    outcome = "satisfied" if verdict is Verdict.TRUE else "not satisfied"
    return verdict, f"{state}; Null {_quote_list(condition.values)} requires it to be {need}: {outcome}"


# --------------------------------------------------------------------------------------------------------------------
# Where keys come from
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeySet:
    """A case-insensitive set of condition keys with prefix families (``aws:RequestTag/*``).

    ``"AWS:MultiFactorAuthPresent" in CALLER_SUPPLIED_KEYS`` is True; iteration yields the documented spellings,
    families ending in ``*``.
    """

    names: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    web_identity_claims: bool = False
    _lowered: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False, hash=False)
    _lowered_prefixes: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lowered", frozenset(n.lower() for n in self.names))
        object.__setattr__(self, "_lowered_prefixes", tuple(p.lower() for p in self.prefixes))

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        lowered = key.lower()
        if lowered in self._lowered or lowered.startswith(self._lowered_prefixes):
            return True
        return self.web_identity_claims and _is_web_identity_claim(lowered)

    def __iter__(self) -> Iterator[str]:
        yield from self.names
        yield from (f"{p}*" for p in self.prefixes)
        if self.web_identity_claims:
            yield "<oidc-provider-host>:<claim>"

    def __len__(self) -> int:
        return len(self.names) + len(self.prefixes) + int(self.web_identity_claims)


def _is_web_identity_claim(lowered_key: str) -> bool:
    """``token.actions.githubusercontent.com:sub``, ``cognito-identity.amazonaws.com:amr``: a host, then a claim."""
    host, sep, claim = lowered_key.rpartition(":")
    return bool(sep and claim and "." in host and "/" not in host)


#: Keys the caller brings with the request, or that describe how and when it calls ([GKEYS], [STSKEYS]).
CALLER_SUPPLIED_KEYS = KeySet(
    names=(
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "sts:ExternalId",
        "sts:RoleSessionName",
        "sts:SourceIdentity",
        "sts:TransitiveTagKeys",
        "sts:RequestContextProviders",
        "aws:SourceIdentity",
        "aws:TagKeys",
        "aws:SourceIp",
        "aws:VpcSourceIp",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:SecureTransport",
        "aws:RequestedRegion",
        "aws:UserAgent",
        "aws:Referer",
        "aws:TokenIssueTime",
        "aws:FederatedProvider",
        "aws:ViaAWSService",
    ),
    prefixes=("aws:RequestTag/", "saml:", "sts:RequestContext/"),
    web_identity_claims=True,
)

#: Keys AWS derives from the calling principal itself; the caller cannot choose them ([GKEYS]).
PRINCIPAL_DERIVED_KEYS = KeySet(
    names=(
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalType",
        "aws:PrincipalIsAWSService",
        "aws:userid",
        "aws:username",
    ),
    prefixes=("aws:PrincipalTag/",),
)

#: Keys set by an AWS service that calls on a resource owner's behalf: confused-deputy protection ([CD], [GKEYS]).
SERVICE_SUPPLIED_KEYS = KeySet(
    names=(
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
    ),
)

_ORIGINS: tuple[tuple[KeySet, str], ...] = (
    (PRINCIPAL_DERIVED_KEYS, "principal"),
    (SERVICE_SUPPLIED_KEYS, "service"),
    (CALLER_SUPPLIED_KEYS, "caller"),
)


def key_origin(key: str) -> str:
    """Who sets ``key``: ``"caller"`` (brought with the request), ``"principal"`` (derived from who calls),
    ``"service"`` (set by a service calling on someone's behalf) or ``"unknown"``."""
    for keys, origin in _ORIGINS:
        if key in keys:
            return origin
    return "unknown"


# --------------------------------------------------------------------------------------------------------------------
# Labels and plain-words descriptions
# --------------------------------------------------------------------------------------------------------------------

_LABELS = {
    "aws:multifactorauthpresent": "MFA",
    "aws:multifactorauthage": "MFA",
    "sts:externalid": "ExternalId",
    "aws:sourcearn": "SourceArn",
    "aws:sourceaccount": "SourceAccount",
    "aws:sourceorgid": "SourceOrgID",
    "aws:principalorgid": "OrgID",
    "aws:principalorgpaths": "OrgPaths",
    "aws:principalarn": "PrincipalArn",
    "aws:principalaccount": "PrincipalAccount",
    "aws:principaltype": "PrincipalType",
    "aws:sourceip": "SourceIp",
    "sts:rolesessionname": "SessionName",
    "sts:sourceidentity": "SourceIdentity",
    "aws:sourceidentity": "SourceIdentity",
    "aws:currenttime": "time",
    "aws:epochtime": "time",
    "aws:tagkeys": "tags",
    "sts:transitivetagkeys": "tags",
}


def requirement_label(key: str) -> str:
    """A short badge for a condition key: ``MFA``, ``ExternalId``, ``aud``, ``sub``, ``amr``, ``SAML:aud``, ...

    >>> requirement_label("token.actions.githubusercontent.com:sub")
    'sub'
    """
    lowered = key.lower()
    if lowered in _LABELS:
        return _LABELS[lowered]
    prefix, sep, rest = key.partition(":")
    if prefix.lower() == "saml" and sep:
        return f"SAML:{rest}"
    if "/" in rest and prefix.lower() == "aws":
        family, _, name = rest.partition("/")
        return f"tag {name}" if family.lower() in ("principaltag", "requesttag", "resourcetag") else rest
    if _is_web_identity_claim(lowered):
        return key.rpartition(":")[2]
    return rest if sep and rest else key


_WEB_IDENTITY_NAMES = {
    "cognito-identity.amazonaws.com": "Cognito identity token",
    "accounts.google.com": "Google token",
    "graph.facebook.com": "Facebook token",
    "www.amazon.com": "Login with Amazon token",
}

_SUBJECTS = {
    "aws:multifactorauthage": "the time since the caller's MFA sign-in (seconds)",
    "sts:externalid": "the ExternalId",
    "sts:rolesessionname": "the role session name",
    "sts:sourceidentity": "the source identity the caller sets",
    "aws:sourceidentity": "the caller's source identity",
    "sts:transitivetagkeys": "the transitive session tag keys",
    "aws:tagkeys": "the session tag keys",
    "aws:sourcearn": "the ARN of the resource the calling service acts for",
    "aws:sourceaccount": "the account the calling service acts for",
    "aws:sourceorgid": "the organization the calling service acts for",
    "aws:principalorgid": "the caller's organization",
    "aws:principalorgpaths": "the caller's organization path",
    "aws:principalarn": "the caller's ARN",
    "aws:principalaccount": "the caller's account",
    "aws:principaltype": "the caller's principal type",
    "aws:userid": "the caller's user ID",
    "aws:username": "the caller's user name",
    "aws:sourceip": "the caller's IP address",
    "aws:currenttime": "the time of the request",
    "aws:epochtime": "the time of the request",
    "aws:securetransport": "TLS use",
    "saml:aud": "the SAML assertion's audience (Recipient)",
}


def _subject(key: str) -> str:
    lowered = key.lower()
    if lowered in _SUBJECTS:
        return _SUBJECTS[lowered]
    prefix, _, rest = key.partition(":")
    if prefix.lower() == "saml":
        return f"the SAML assertion's {rest}"
    if prefix.lower() == "aws" and "/" in rest:
        family, _, name = rest.partition("/")
        owner = {"principaltag": "the caller's tag", "requesttag": "the session tag", "resourcetag": "the role's tag"}
        if family.lower() in owner:
            return f"{owner[family.lower()]} {name}"
    if _is_web_identity_claim(lowered):
        host, _, claim = key.rpartition(":")
        return f"the {_WEB_IDENTITY_NAMES.get(host.lower(), 'OIDC token')}'s {claim}"
    return key


_PREDICATES_POSITIVE = {
    "StringEquals": "is",
    "StringEqualsIgnoreCase": "is (ignoring case)",
    "StringLike": "matches",
    "NumericEquals": "is",
    "NumericLessThan": "is less than",
    "NumericLessThanEquals": "is at most",
    "NumericGreaterThan": "is greater than",
    "NumericGreaterThanEquals": "is at least",
    "DateEquals": "is",
    "DateLessThan": "is before",
    "DateLessThanEquals": "is at or before",
    "DateGreaterThan": "is after",
    "DateGreaterThanEquals": "is at or after",
    "Bool": "is",
    "BinaryEquals": "is",
    "IpAddress": "is in",
    "ArnLike": "matches",
    "ArnEquals": "matches",
}

_PREDICATES_NEGATED = {
    "StringNotEquals": "is not",
    "StringNotEqualsIgnoreCase": "is not (ignoring case)",
    "StringNotLike": "does not match",
    "NumericNotEquals": "is not",
    "DateNotEquals": "is not",
    "NotIpAddress": "is not in",
    "ArnNotLike": "does not match",
    "ArnNotEquals": "does not match",
}


def _special_description(parsed: _ParsedOperator, condition: Condition) -> str | None:
    """Wording for the conditions people meet most in trust policies."""
    lowered = condition.key_lower
    values = condition.values
    plain = parsed.set_operator is None and not parsed.if_exists
    if lowered == "aws:multifactorauthpresent" and parsed.base == "Bool" and len(values) == 1:
        wants = values[0].lower()
        if wants == "true":
            text = "the caller signed in with MFA"
            return text if plain else f"{text}, or the request carries no MFA information (IfExists)"
        if wants == "false":
            return "the caller did not sign in with MFA"
    if lowered == "aws:multifactorauthpresent" and parsed.base == "Null" and len(values) == 1:
        wants = values[0].lower()
        if wants == "true":
            return "the request carries no MFA information (long-term access keys)"
        if wants == "false":
            return "the request carries MFA information (temporary credentials)"
    if lowered == "sts:externalid" and parsed.base == "StringEquals" and plain:
        return f"the request carries ExternalId {_quote_list(values)}"
    if lowered == "aws:multifactorauthage" and len(values) == 1 and parsed.set_operator is None:
        bound = {"NumericLessThan": "less than", "NumericLessThanEquals": "at most"}.get(parsed.base)
        if bound:
            text = f"the caller signed in with MFA {bound} {values[0]} seconds ago"
            return text if plain else f"{text}, or the request carries no MFA age (IfExists)"
    if plain and parsed.base in ("StringEquals", "StringEqualsIgnoreCase"):
        phrase = {
            "aws:principalorgid": "the caller's account is in organization",
            "aws:sourceaccount": "the calling service acts for account",
            "aws:principalaccount": "the caller is in account",
            "aws:sourceorgid": "the calling service acts for organization",
        }.get(lowered)
        if phrase:
            return f"{phrase} {_quote_list(values)}"
    if plain and lowered == "aws:sourcearn" and parsed.base in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
        return f"the calling service acts for a resource matching {_quote_list(values)}"
    if (
        _is_web_identity_claim(lowered)
        and parsed.base in ("StringEquals", "StringLike")
        and plain
        and len(values) == 1
        and not (parsed.base == "StringLike" and ("*" in values[0] or "?" in values[0]))
    ):
        return f"{_subject(condition.key)} is {values[0]}"
    return None


def describe_condition(condition: Condition) -> str:
    """The condition in plain words: "the caller signed in with MFA", "the request carries ExternalId 'x'".

    Never raises; an operator iamviz does not know is said to be unknown.
    """
    parsed = _split_operator(condition.operator)
    if isinstance(parsed, str):
        return f"{condition.key}: {parsed} (never satisfied in iamviz)"
    special = _special_description(parsed, condition)
    if special is not None:
        return special
    subject = _subject(condition.key)
    values = condition.values
    if parsed.base == "Null":
        wants = {v.lower() for v in values}
        if wants == {"true"}:
            return f"the request does not carry {subject}"
        if wants == {"false"}:
            return f"the request carries {subject}"
        return f"{subject}: Null {_quote_list(values)}"
    negated = parsed.spec is not None and parsed.spec.negated
    verb = (_PREDICATES_NEGATED if negated else _PREDICATES_POSITIVE).get(parsed.base, parsed.base)
    listed = _quote_list(values, "nor" if negated else "or")
    if negated and len(values) > 1:
        verb = {"is not": "is none of", "is not in": "is in none of", "does not match": "matches none of"}.get(
            verb, verb
        )
        listed = _quote_list(values, "or")
    if parsed.set_operator == "ForAnyValue":
        text = f"at least one value of {subject} {verb} {listed}"
    elif parsed.set_operator == "ForAllValues":
        text = f"every value of {subject} {verb} {listed} (also true when there are none)"
    else:
        text = f"{subject} {verb} {listed}"
    if parsed.if_exists:
        text += ", when the request carries it"
    return text
