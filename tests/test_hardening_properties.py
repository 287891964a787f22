"""Property tests not covered by test_loading_properties.py and test_trust_property.py.

* The loader over *near-valid* documents: a real sample (GAAD and bundle) with keys deleted, types swapped, nulls
  injected, lists and objects traded. Whatever the mutation, the loader returns a snapshot or raises one of the
  project's own errors (an :class:`~iamviz.errors.IamvizError`, in practice an InputError) with a one-line message
  and a JSON path that exists in the mutated document.
* The evaluator over role and caller ARNs that name nothing loaded, or are not ARNs at all: an InputError, nothing
  else; and a trust policy that mixes an unknown-operator statement with others never allows *through* that one.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trust_builders import ACCT, OTHER, account, allow, inline, role, role_arn, snapshot, user, user_arn

from iamviz.analysis.trust import AssumeRoleRequest, evaluate_assume_role
from iamviz.errors import IamvizError, InputError
from iamviz.loading import snapshot_from_json
from iamviz.loading.samples import sample_path
from iamviz.model import parse_policy_document

BUNDLE = json.loads(sample_path("break-glass").read_text(encoding="utf-8"))
GAAD = BUNDLE["accounts"][0]["authorization_details"]

REPLACEMENTS = [
    None,
    0,
    -1,
    1.5,
    True,
    False,
    "",
    "x",
    "*",
    "arn:aws:iam::111122223333:role/x",
    [],
    [None],
    {},
    {"x": 1},
]


def _locations(value: Any, path: tuple = ()) -> list[tuple]:
    """Every location in ``value`` (a tuple of keys and indexes from the root)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_locations(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_locations(child, (*path, index)))
    return found


def _get(root: Any, path: tuple) -> Any:
    for step in path:
        root = root[step]
    return root


def _mutate(root: Any, path: tuple, how: str, replacement: Any) -> Any:
    if not path:
        return replacement if how != "wrap" else [root]
    parent = _get(root, path[:-1])
    key = path[-1]
    current = parent[key]
    if how == "delete":
        del parent[key]
    elif how == "replace":
        parent[key] = copy.deepcopy(replacement)
    elif how == "wrap":  # a value where a list was expected, or the other way round
        parent[key] = current[0] if isinstance(current, list) and current else [current]
    elif how == "stringify":  # a document as a JSON string, as the raw API returns it
        parent[key] = json.dumps(current)
    elif how == "truncate-string" and isinstance(current, str):
        parent[key] = current[: len(current) // 2]
    return root


@st.composite
def mutated(draw, base: Any) -> Any:
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        locations = _locations(document)
        path = draw(st.sampled_from(locations))
        how = draw(st.sampled_from(["delete", "replace", "replace", "wrap", "stringify", "truncate-string"]))
        if how == "delete" and not path:
            how = "replace"
        document = _mutate(document, path, how, draw(st.sampled_from(REPLACEMENTS)))
    return document


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _path_exists(document: Any, json_path: str) -> bool:
    """Whether the error's JSON path points into the document (or at a key missing from an existing object)."""
    assert json_path.startswith("$"), json_path
    node = document
    steps = _STEP.findall(json_path[1:])
    for i, (key, index) in enumerate(steps):
        last = i == len(steps) - 1
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                return False
            node = node[int(index)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, str):  # inside a policy document given as a JSON string
            return True
        else:
            return last and isinstance(node, dict)  # "X is missing" names the missing key
    return True


def _check(document: Any, name: str) -> None:
    try:
        result = snapshot_from_json([document], name=name)
    except IamvizError as exc:
        assert isinstance(exc, InputError), type(exc)
        assert exc.file == name
        assert "\n" not in str(exc)
        if exc.path is not None:
            assert _path_exists(document, exc.path), (exc.path, str(exc))
    else:
        assert result.accounts


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(GAAD))
def test_mutated_gaad_loads_or_raises_an_input_error_at_a_real_path(document):
    _check(document, "mutated-gaad.json")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(BUNDLE))
def test_mutated_bundle_loads_or_raises_an_input_error_at_a_real_path(document):
    _check(document, "mutated-bundle.json")


def test_mutations_do_reach_the_error_paths():
    """The mutations are not all harmless: the strategy above really exercises the errors."""
    trust = GAAD["RoleDetailList"][0]
    assert "AssumeRolePolicyDocument" in trust
    broken = _mutate(copy.deepcopy(GAAD), ("RoleDetailList", 0, "AssumeRolePolicyDocument", "Statement"), "replace", 1)
    try:
        snapshot_from_json([broken], name="b.json")
    except InputError as exc:
        assert exc.path == "$.RoleDetailList[0].AssumeRolePolicyDocument.Statement"
    else:
        raise AssertionError("a numeric Statement loaded")


# ---- the evaluator -------------------------------------------------------------------------------------------------

ASSUME = inline(allow(action="sts:*", resource="*"))
TRUST_ANYONE_IN_ACCOUNT = parse_policy_document(
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}]}
)
SNAPSHOT = snapshot(
    account(users=[user("alice", policies=[ASSUME])], roles=[role("Target", trust_policy=TRUST_ANYONE_IN_ACCOUNT)]),
    account(OTHER, users=[user("bob", OTHER, policies=[ASSUME])]),
)
ARN_LIKE = st.one_of(
    st.sampled_from(
        [
            role_arn("Missing"),
            role_arn("Target", "999999999999"),
            role_arn("Target", OTHER),
            f"arn:aws:iam::{ACCT}:user/alice",
            f"arn:aws:iam::{ACCT}:role/",
            "arn:aws:iam::aws:role/Target",
            "arn:aws:s3:::bucket",
            "arn:aws:iam:::role/Target",
            "Target",
            "",
            "*",
        ]
    ),
    st.text(max_size=30),
    st.builds(lambda tail: f"arn:aws:iam::{ACCT}:{tail}", st.text(max_size=20)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARN_LIKE)
def test_a_role_that_is_not_loaded_is_an_input_error(role_text):
    request = AssumeRoleRequest(caller=user_arn("alice"), role_arn=role_text)
    try:
        decision = evaluate_assume_role(SNAPSHOT, request)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert role_text == role_arn("Target")  # only the loaded role gives a decision
        assert decision.allowed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARN_LIKE | st.sampled_from([user_arn("alice"), user_arn("bob", OTHER), "lambda.amazonaws.com"]))
def test_any_caller_text_gives_a_decision_or_an_input_error(caller):
    try:
        decision = evaluate_assume_role(SNAPSHOT, AssumeRoleRequest(caller=caller, role_arn=role_arn("Target")))
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert decision.reasons
        if decision.allowed:  # only principals of the trusted account get in
            assert f":{ACCT}:" in caller


OTHER_STATEMENTS = st.lists(
    st.fixed_dictionaries(
        {
            "Effect": st.sampled_from(["Allow", "Deny"]),
            "Principal": st.sampled_from(
                [{"AWS": OTHER}, {"Service": "ec2.amazonaws.com"}, {"AWS": user_arn("bob", OTHER)}]
            ),
            "Action": st.sampled_from(["sts:AssumeRole", "sts:TagSession", "sts:*"]),
        }
    ),
    max_size=3,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["StringSortOf", "ForSomeValues:StringEquals", "StringEqualz", "DateIsh", "ArnLikeIfExist"]),
    OTHER_STATEMENTS,
    st.integers(0, 3),
    st.booleans(),
)
def test_an_unknown_operator_never_allows_even_among_other_statements(operator, others, position, context_holds):
    unknown = {
        "Effect": "Allow",
        "Principal": {"AWS": ACCT},
        "Action": "sts:AssumeRole",
        "Condition": {operator: {"aws:PrincipalTag/team": "ops"}},
    }
    statements = list(others)
    statements.insert(min(position, len(statements)), unknown)
    target = role("Target", trust_policy=parse_policy_document({"Statement": statements}))
    snap = snapshot(account(users=[user("alice", policies=[ASSUME])], roles=[target]))
    context = {"aws:PrincipalTag/team": "ops"} if context_holds else {}
    from iamviz.analysis.conditions import RequestContext

    request = AssumeRoleRequest(
        caller=user_arn("alice"), role_arn=role_arn("Target"), context=RequestContext.of(context)
    )
    decision = evaluate_assume_role(snap, request)
    assert not decision.allowed  # no other statement names alice's account
