"""Properties of the condition evaluator over generated conditions and contexts.

* Evaluation never raises, whatever the operator, key, values and context (and never needs its safety net).
* An operator iamviz does not know never yields TRUE, alone or ANDed with others.
* Negating an operator flips TRUE and FALSE and keeps UNKNOWN (for a present, single-valued key).
* IfExists only ever turns a missing key into TRUE; with the key present it changes nothing.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamviz.analysis.conditions import (
    RequestContext,
    Verdict,
    describe_condition,
    evaluate_condition,
    evaluate_conditions,
    is_known_operator,
    requirement_label,
)
from iamviz.model.policy import Condition

BASES = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
]
NEGATIONS = {
    "StringEquals": "StringNotEquals",
    "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
    "StringLike": "StringNotLike",
    "NumericEquals": "NumericNotEquals",
    "DateEquals": "DateNotEquals",
    "IpAddress": "NotIpAddress",
    "ArnLike": "ArnNotLike",
    "ArnEquals": "ArnNotEquals",
}
KEYS = ["x:a", "X:A", "x:b", "aws:username", "aws:TagKeys", "aws:SourceIp", "aws:CurrentTime", "x.example.com:sub"]

# Values that are meaningful to some operator, plus hostile text (variables, wildcards, regex syntax, unicode).
interesting = st.sampled_from(
    [
        "",
        "*",
        "?",
        "a*",
        "a?c",
        "true",
        "FALSE",
        "10",
        "-1.5",
        "1e3",
        "NaN",
        "2025-06-15T12:00:00Z",
        "2025-02-30",
        "1749988800",
        "10.0.0.0/8",
        "10.0.0.1",
        "::1",
        "2001:db8::/32",
        "YQ==",
        "arn:aws:iam::111122223333:role/x",
        "arn:aws:*:*:*:*",
        "arn:*",
        "${aws:username}",
        "${x:a, 'dflt'}",
        "${*}${?}${$}",
        "${",
        "${}",
        "${x:b",
        "[a-z]",
        "(.*)+",
        "\\",
        "é",
    ]
)
text = st.one_of(interesting, st.text(max_size=12))
known_operator = st.builds(
    lambda prefix, base, suffix: f"{prefix}{base}{suffix}",
    st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
    st.sampled_from(BASES),
    st.sampled_from(["", "IfExists"]),
)
unknown_operator = st.one_of(
    st.text(max_size=20).filter(lambda op: not is_known_operator(op)),
    st.builds(lambda b: b + "Z", st.sampled_from(BASES)),
    st.builds(lambda b: "ForEveryValue:" + b, st.sampled_from(BASES)),
)
conditions = st.builds(
    lambda op, key, values: Condition(operator=op, key=key, values=tuple(values)),
    st.one_of(known_operator, unknown_operator),
    st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
    st.lists(text, max_size=3),
)
contexts = st.builds(
    RequestContext.of,
    st.dictionaries(
        st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
        st.one_of(text, st.booleans(), st.integers(), st.lists(text, max_size=3)),
        max_size=5,
    ),
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(conditions, contexts, st.booleans())
def test_evaluation_never_raises_and_always_explains(condition, context, variables):
    result = evaluate_condition(condition, context, policy_variables=variables)
    assert isinstance(result.verdict, Verdict)
    assert result.reason
    assert not result.reason.startswith("internal error"), result.reason
    assert describe_condition(condition)
    assert isinstance(requirement_label(condition.key), str)


@SETTINGS
@given(unknown_operator, st.sampled_from(KEYS), st.lists(text, max_size=3), contexts)
def test_unknown_operator_never_yields_true(operator, key, values, context):
    condition = Condition(operator=operator, key=key, values=tuple(values))
    assert evaluate_condition(condition, context).verdict is Verdict.UNKNOWN
    overall, _ = evaluate_conditions((condition, Condition(operator="Null", key="x:none", values=("true",))), context)
    assert overall is not Verdict.TRUE


@SETTINGS
@given(st.sampled_from(sorted(NEGATIONS)), st.lists(text, min_size=1, max_size=3), text)
def test_negated_operator_is_the_negation_for_a_present_key(base, values, value):
    context = RequestContext.of({"x:k": value})
    positive = evaluate_condition(Condition(operator=base, key="x:k", values=tuple(values)), context).verdict
    negative = evaluate_condition(Condition(operator=NEGATIONS[base], key="x:k", values=tuple(values)), context).verdict
    expected = {Verdict.TRUE: Verdict.FALSE, Verdict.FALSE: Verdict.TRUE, Verdict.UNKNOWN: Verdict.UNKNOWN}[positive]
    assert negative is expected


@SETTINGS
@given(st.sampled_from([b for b in BASES if b != "Null"]), st.lists(text, min_size=1, max_size=3), text)
def test_if_exists_changes_nothing_when_the_key_is_present(base, values, value):
    context = RequestContext.of({"x:k": value})
    plain = evaluate_condition(Condition(operator=base, key="x:k", values=tuple(values)), context).verdict
    guarded = evaluate_condition(Condition(operator=base + "IfExists", key="x:k", values=tuple(values)), context)
    assert guarded.verdict is plain
