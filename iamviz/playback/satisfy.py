"""What a caller would have to bring to meet a trust statement's conditions: a context that satisfies them.

Used to animate a chain the chains engine found (each hop's request carries such a context) and by the inspector
to say "what would satisfy" an edge. The result is a proposal, not a verdict: the trust engine still decides.
Keys derived from the principal (``aws:PrincipalArn``...) are left to the engine; negated operators are satisfied
by leaving the key out, which AWS evaluates as true for them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from ipaddress import ip_network

from iamviz.analysis.conditions import key_origin
from iamviz.model.policy import Condition

_NEGATED_PREFIXES = ("StringNot", "ArnNot", "NotIpAddress", "NumericNotEquals", "DateNotEquals")


def _example(pattern: str) -> str:
    """A concrete value that matches an IAM wildcard pattern: ``repo:org/*`` -> ``repo:org/example``."""
    return pattern.replace("*", "example").replace("?", "x")


def _numeric(value: str, delta: int) -> str | None:
    try:
        number = Decimal(value) + delta
    except InvalidOperation:
        return None
    return str(max(number, Decimal(0)))


def satisfying_value(condition: Condition) -> str | list[str] | None:
    """A value for ``condition.key`` that meets ``condition``; ``None`` when leaving the key out is best."""
    base = condition.base_operator
    if base.startswith(_NEGATED_PREFIXES) or not condition.values or "${" in condition.values[0]:
        return None
    first = condition.values[0]
    if base == "Null":
        return None if first.lower() == "true" else "present"
    if base in ("StringLike", "ArnLike"):
        value: str | None = _example(first)
    elif base.startswith("Numeric"):
        delta = {"NumericLessThan": -1, "NumericGreaterThan": 1}.get(base, 0)
        value = _numeric(first, delta) if delta or base != "NumericLessThanEquals" else first
        if base in ("NumericLessThanEquals", "NumericGreaterThanEquals", "NumericEquals"):
            value = first
        if value is not None and base == "NumericLessThan":
            value = str(min(Decimal(value), Decimal(60))) if Decimal(first) > 60 else value
    elif base in ("IpAddress",):
        try:
            value = str(next(iter(ip_network(first, strict=False))))
        except ValueError:
            value = None
    else:  # StringEquals(IgnoreCase), ArnEquals, Bool, BinaryEquals, Date*: the policy's own first value
        value = first
    if value is None:
        return None
    return [value] if condition.set_operator else value


def satisfying_context(conditions: tuple[Condition, ...]) -> dict[str, str | list[str]]:
    """A request context that meets every condition the caller controls (keys named as in the policy)."""
    context: dict[str, str | list[str]] = {}
    for condition in conditions:
        if key_origin(condition.key) == "principal":
            continue
        value = satisfying_value(condition)
        if value is not None:
            context.setdefault(condition.key, value)
    return context
