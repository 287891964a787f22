"""Playback as plain data: every built-in scenario's steps come from the engine's real decisions, and every
what-if ends in the deny for the right reason. No Qt here."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamviz.analysis import build_trust_graph
from iamviz.analysis.chains import find_chains
from iamviz.cli import main
from iamviz.errors import InputError
from iamviz.loading import load_sources
from iamviz.model import Condition
from iamviz.playback import (
    STS_NODE_ID,
    LoopMode,
    PlaybackCursor,
    StepKind,
    available_builtins,
    build_builtin,
    scenario_from_chain,
)
from iamviz.playback.satisfy import satisfying_context


@pytest.fixture(scope="module")
def classroom():
    return load_sources([])


@pytest.fixture(scope="module")
def facts(classroom):
    return classroom.teaching["facts"]


def test_classroom_offers_the_five_use_cases_and_ci(facts):
    assert available_builtins(facts) == [
        "lambda",
        "break-glass",
        "saml",
        "web-identity",
        "github-actions",
        "cross-account",
    ]


@pytest.mark.parametrize("name", ["lambda", "break-glass", "saml", "web-identity", "github-actions", "cross-account"])
def test_each_builtin_ends_with_an_allowed_use_of_the_credentials(classroom, facts, name):
    scenario = build_builtin(classroom, facts, name)
    assume = [s for s in scenario.steps if s.kind is StepKind.ASSUME]
    assert assume, "every use case assumes a role"
    for step in assume:
        assert step.allowed, step.reasons
        assert step.decision.allowed
        assert step.credentials is not None
        assert step.credentials.access_key_id.startswith("ASIA") and len(step.credentials.access_key_id) == 20
        assert "FAKE" in step.credentials.session_token
        assert step.path == (step.actor, STS_NODE_ID, step.target)
        assert step.event["eventSource"] == "sts.amazonaws.com"
        assert step.event["responseElements"]["credentials"]["accessKeyId"] == step.credentials.access_key_id
    last = scenario.final_step
    assert last.kind is StepKind.USE
    assert last.allowed, last.reasons
    assert last.statements, "the use step names the permission statement that allowed it"
    assert last.event["userIdentity"]["type"] == "AssumedRole"
    assert scenario.outcome_allowed


def test_credentials_expire_after_the_requested_duration(classroom, facts):
    step = next(s for s in build_builtin(classroom, facts, "break-glass").steps if s.kind is StepKind.ASSUME)
    issued = datetime.fromisoformat(step.credentials.issued_at.replace("Z", "+00:00"))
    expires = datetime.fromisoformat(step.credentials.expiration.replace("Z", "+00:00"))
    assert (expires - issued).total_seconds() == facts["break_glass"]["duration_seconds"]
    assert step.credentials.seconds_left(issued.astimezone(UTC)) == facts["break_glass"]["duration_seconds"]


def test_break_glass_log_shows_who(classroom, facts):
    scenario = build_builtin(classroom, facts, "break-glass")
    first_try = scenario.steps[1]
    assert first_try.kind is StepKind.USE and not first_try.allowed  # read-only access is not enough
    fix = scenario.final_step
    session = facts["break_glass"]["role_session_name"]
    assert fix.event["userIdentity"]["arn"].endswith(f"/{session}")
    assert fix.event["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "true"


@pytest.mark.parametrize(
    ("name", "what_if", "needle"),
    [
        ("lambda", "other-account", "aws:SourceAccount"),
        ("break-glass", "no-mfa", "aws:MultiFactorAuthPresent"),
        ("break-glass", "stale-mfa", "aws:MultiFactorAuthAge"),
        ("saml", "wrong-audience", "SAML:aud"),
        ("web-identity", "unauthenticated", "amr"),
        ("web-identity", "other-audience", "aud"),
        ("github-actions", "other-repository", ":sub"),
        ("cross-account", "no-external-id", "sts:ExternalId"),
        ("cross-account", "wrong-external-id", "sts:ExternalId"),
    ],
)
def test_each_what_if_ends_in_deny_with_its_reason(classroom, facts, name, what_if, needle):
    scenario = build_builtin(classroom, facts, name, what_if)
    last = scenario.final_step
    assert last.kind is StepKind.ASSUME
    assert not last.allowed
    assert last.credentials is None
    assert needle in last.caption, last.caption
    assert last.event["errorCode"] == "AccessDenied"
    assert not scenario.outcome_allowed


def test_done_wrong_sample_lets_the_what_if_through(facts):
    """Computed, not scripted: without MFA in the trust, the 'without MFA' what-if is no longer refused."""
    wrong = load_sources(["sample:classroom-done-wrong"])
    scenario = build_builtin(wrong, wrong.teaching["facts"], "break-glass", "no-mfa")
    assume = next(s for s in scenario.steps if s.kind is StepKind.ASSUME)
    assert assume.allowed


def test_unknown_scenario_and_what_if_are_input_errors(classroom, facts):
    with pytest.raises(InputError):
        build_builtin(classroom, facts, "teleport")
    with pytest.raises(InputError):
        build_builtin(classroom, facts, "lambda", "no-such-toggle")


def test_real_exports_offer_no_builtins_but_chains(real_world_dir):
    snapshot = load_sources([str(real_world_dir / "cloudsplaining-example-gaad.json")])
    assert available_builtins(snapshot.teaching.get("facts")) == []
    graph = build_trust_graph(snapshot)
    chain = max(find_chains(graph), key=lambda c: len(c.hops))
    assert len(chain.hops) >= 2
    scenario = scenario_from_chain(graph, chain)
    assume = [s for s in scenario.steps if s.kind is StepKind.ASSUME]
    assert len(assume) == len(chain.hops)
    # From the second hop on, the caller is the previous role's session (role chaining).
    assert assume[1].decision is not None
    assert assume[1].api_call.as_dict()["RoleArn"] == chain.hops[1].target


def test_chain_from_the_classroom_carries_the_external_id(classroom):
    graph = build_trust_graph(classroom)
    role = "arn:aws:iam::444455556666:role/PartnerDataUploadRole"
    chain = next(c for c in find_chains(graph, target=role) if "dana" in c.source)
    scenario = scenario_from_chain(graph, chain)
    step = scenario.steps[0]
    assert step.allowed, step.reasons
    assert step.api_call.as_dict()["ExternalId"] == classroom.teaching["facts"]["cross_account"]["external_id"]


def test_satisfying_context_meets_common_trust_conditions():
    conditions = (
        Condition(operator="Bool", key="aws:MultiFactorAuthPresent", values=("true",)),
        Condition(operator="NumericLessThan", key="aws:MultiFactorAuthAge", values=("3600",)),
        Condition(operator="StringLike", key="token.actions.githubusercontent.com:sub", values=("repo:org/*",)),
        Condition(
            operator="ForAnyValue:StringLike", key="cognito-identity.amazonaws.com:amr", values=("authenticated",)
        ),
        Condition(operator="StringNotEquals", key="aws:SourceVpc", values=("vpc-1",)),
        Condition(operator="ArnLike", key="aws:PrincipalArn", values=("arn:aws:iam::1:user/*",)),
    )
    context = satisfying_context(conditions)
    assert context["aws:MultiFactorAuthPresent"] == "true"
    assert int(context["aws:MultiFactorAuthAge"]) < 3600
    assert context["token.actions.githubusercontent.com:sub"] == "repo:org/example"
    assert context["cognito-identity.amazonaws.com:amr"] == ["authenticated"]
    assert "aws:SourceVpc" not in context  # a negated operator is met by leaving the key out
    assert "aws:PrincipalArn" not in context  # derived from the caller by the engine


def test_cursor_steps_loops_and_clamps():
    cursor = PlaybackCursor(count=3)
    assert cursor.at_start
    cursor = cursor.next().next().next()
    assert cursor.index == 2 and cursor.at_end
    assert cursor.next().index == 2  # ONCE stays at the end
    looping = PlaybackCursor(count=3, index=2, loop=LoopMode.LOOP)
    assert looping.next().index == 0
    assert cursor.previous().index == 1
    assert cursor.home().index == 0
    assert cursor.seek(99).index == 2
    assert cursor.restart().index == -1
    assert PlaybackCursor(count=0).next().index == -1


def test_cli_scenarios_json_lists_steps_and_decisions(capsys):
    assert main(["scenarios", "--json", "--chains", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {s["id"] for s in data}
    assert {"lambda", "break-glass:no-mfa", "cross-account:wrong-external-id"} <= ids
    cross = next(s for s in data if s["id"] == "cross-account")
    assert cross["outcome"] == "allow"
    assert cross["steps"][0]["api_call"]["action"] == "sts:AssumeRole"
    assert cross["steps"][0]["credentials"]["access_key_id"].startswith("ASIA")


def test_cli_scenarios_text_and_bad_scenario(capsys):
    assert main(["scenarios", "--scenario", "break-glass", "--what-if", "no-mfa"]) == 0
    out = capsys.readouterr().out
    assert "✗ sts:AssumeRole" in out
    assert main(["scenarios", "--scenario", "nope"]) == 2
    assert "no scenario 'nope'" in capsys.readouterr().err


_ACCOUNT = "arn:aws:iam::111111111111"


def _role(name: str, principal: str, inline: list, *, condition: dict | None = None) -> dict:
    """A role of account 111111111111 whose trust lets ``principal`` call sts:AssumeRole (under ``condition``)."""
    trust = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition is not None:
        trust["Condition"] = condition
    return {
        "RoleName": name,
        "RoleId": "AROA" + name.upper().ljust(16, "0")[:16],
        "Arn": f"{_ACCOUNT}:role/{name}",
        "Path": "/",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
        "RolePolicyList": inline,
        "AttachedManagedPolicies": [],
    }


def _may_assume(target: str) -> list:
    """An inline policy allowing sts:AssumeRole on role ``target`` of account 111111111111."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"{_ACCOUNT}:role/{target}"}
    return [{"PolicyName": "hop", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}]


def _partner_trust_gaad(principal: str) -> dict:
    """One role trusting ``principal`` (an account not loaded), and a second role the first may assume."""
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            _role("PartnerEntry", principal, _may_assume("Inner")),
            _role("Inner", f"{_ACCOUNT}:role/PartnerEntry", []),
        ],
        "Policies": [],
    }


@pytest.mark.parametrize("principal", ["arn:aws:iam::222222222222:root", "222222222222"])
def test_a_chain_from_an_account_that_is_not_loaded_plays_one_role_session_of_it(principal):
    """IAM: a trust naming an account "delegates" to it: its users and roles whose own policies allow it may assume
    the role; the account root user itself cannot assume roles (IAM UG, id_roles_common-scenarios_aws-accounts and
    id_credentials_temp_request). The chain's first hop is played by a role session of that account."""
    from iamviz.loading import snapshot_from_json
    from iamviz.playback.chains import EXTERNAL_CALLER_ROLE

    graph = build_trust_graph(snapshot_from_json([_partner_trust_gaad(principal)], name="partner"))
    chain = next(c for c in find_chains(graph) if c.source == "arn:aws:iam::222222222222:root")
    assert len(chain.hops) == 2
    scenario = scenario_from_chain(graph, chain)
    first, second = [s for s in scenario.steps if s.kind is StepKind.ASSUME]
    assert first.allowed and second.allowed, (first.reasons, second.reasons)
    assert first.caption.startswith("A role session of account 222222222222 assumes PartnerEntry.")
    assert "not loaded" in first.caption
    assert first.event["userIdentity"]["type"] == "AWSAccount"
    assert first.event["userIdentity"]["accountId"] == "222222222222"
    assert f":role/{EXTERNAL_CALLER_ROLE}" not in json.dumps(second.event["userIdentity"])  # now PartnerEntry's session
    assert second.api_call.as_dict()["RoleArn"].endswith(":role/Inner")


def test_scenarios_lists_chains_from_an_account_that_is_not_loaded(tmp_path, capsys):
    path = tmp_path / "partner.json"
    path.write_text(json.dumps(_partner_trust_gaad("arn:aws:iam::222222222222:root")), encoding="utf-8")
    assert main(["scenarios", str(path)]) == 0
    out = capsys.readouterr().out
    assert "A role session of account 222222222222 assumes PartnerEntry" in out


def _mfa_chain_gaad() -> dict:
    """alice may assume Hop (no condition), Hop's session may assume Vault, whose trust demands MFA."""
    return {
        "UserDetailList": [
            {
                "UserName": "alice",
                "UserId": "AIDAALICE00000000000",
                "Arn": f"{_ACCOUNT}:user/alice",
                "Path": "/",
                "UserPolicyList": _may_assume("Hop"),
            }
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            _role("Hop", f"{_ACCOUNT}:user/alice", _may_assume("Vault")),
            _role("Vault", f"{_ACCOUNT}:role/Hop", [], condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        ],
        "Policies": [],
    }


def test_a_chain_presents_mfa_once_at_its_first_call_and_the_sessions_carry_it():
    """STS AssumeRole: SerialNumber is "the identification number of the MFA device that is associated with the
    user who is making the AssumeRole call" (a role session has none); aws:MultiFactorAuthPresent of a session
    made with MFA stays in the sessions chained from it. So the user signs in with MFA at the first hop, and the
    hop into the MFA-guarded role brings no device of its own."""
    from iamviz.loading import snapshot_from_json

    graph = build_trust_graph(snapshot_from_json([_mfa_chain_gaad()], name="mfa-chain"))
    chain = next(c for c in find_chains(graph, target="arn:aws:iam::111111111111:role/Vault") if len(c.hops) == 2)
    first, second = [s for s in scenario_from_chain(graph, chain).steps if s.kind is StepKind.ASSUME]
    assert first.allowed and second.allowed, (first.reasons, second.reasons)
    assert first.api_call.as_dict()["SerialNumber"] == "arn:aws:iam::111111111111:mfa/alice"
    assert "signing in with MFA for a later hop" in first.caption
    assert "SerialNumber" not in second.api_call.as_dict() and "TokenCode" not in second.api_call.as_dict()
    assert "with MFA from the sign-in that began the chain (role sessions carry it)" in second.caption
    assert "bringing MFA" not in second.caption


def test_a_role_of_another_account_that_starts_a_chain_sends_no_mfa_device():
    """A role (session) has no MFA device to name in SerialNumber; MFA comes from the sign-in behind it."""
    from iamviz.loading import snapshot_from_json

    document = _mfa_chain_gaad()
    vault = document["RoleDetailList"][1]["AssumeRolePolicyDocument"]["Statement"][0]
    vault["Principal"] = {"AWS": "arn:aws:iam::222222222222:role/partner"}
    graph = build_trust_graph(snapshot_from_json([document], name="mfa-partner"))
    vault = "arn:aws:iam::111111111111:role/Vault"
    chain = next(c for c in find_chains(graph, target=vault) if c.source == "arn:aws:iam::222222222222:role/partner")
    (step,) = [s for s in scenario_from_chain(graph, chain).steps if s.kind is StepKind.ASSUME]
    assert step.allowed, step.reasons
    assert "SerialNumber" not in step.api_call.as_dict()
    assert "with MFA from the sign-in that began its session" in step.caption
