"""Trust conditions as the decision sees them (rulebook §6): MFA, ExternalId, federation claims, organizations."""

from __future__ import annotations

from trust_builders import (
    ACCT,
    OTHER,
    TARGET,
    UNLOADED,
    account,
    allow,
    decide,
    deny,
    inline,
    oidc_arn,
    oidc_provider,
    one_role,
    role,
    saml_arn,
    snapshot,
    trust,
    user,
    user_arn,
)

from iamviz.analysis.trust import Outcome

ALICE = user_arn("alice")
ASSUME_ANY = inline(allow(action="sts:AssumeRole", resource="*"))


def _cross_account(policy, *, caller_users=None, org=None, org_accounts=()):
    users = caller_users if caller_users is not None else [user("partner", OTHER, policies=[ASSUME_ANY])]
    return snapshot(
        account(roles=[role("Target", trust_policy=policy)], org=org, org_accounts=org_accounts),
        account(OTHER, users=users, org=org, org_accounts=org_accounts),
    )


PARTNER = user_arn("partner", OTHER)


# --- ExternalId ---------------------------------------------------------------------------------------------------


def test_external_id_must_match_for_cross_account_trust():
    # [CD]: sts:ExternalId, chosen by the third party, stops the cross-account confused deputy; [STSKEYS]: present
    # only when the caller passes ExternalId.
    snap = _cross_account(trust(allow(aws=OTHER, condition={"StringEquals": {"sts:ExternalId": "zebra-42"}})))
    assert decide(snap, PARTNER, TARGET, external_id="zebra-42").allowed
    assert not decide(snap, PARTNER, TARGET, external_id="wrong-id").allowed
    missing = decide(snap, PARTNER, TARGET)
    assert not missing.allowed
    assert any("ExternalId" in r.reason or "externalid" in r.reason.lower() for r in missing.condition_results)


def test_external_id_format_is_validated():
    # botocore AssumeRole ExternalId: 2-1224 characters of [\w+=,.@:/-].
    snap = _cross_account(trust(allow(aws=OTHER)))
    decision = decide(snap, PARTNER, TARGET, external_id="no spaces allowed")
    assert not decision.allowed
    assert any("ExternalId" in r for r in decision.reasons)


# --- cross account ------------------------------------------------------------------------------------------------


def test_cross_account_needs_both_sides():
    # [XACCT]: "The request is allowed only if both evaluations return a decision of Allow."
    policy = trust(allow(aws=PARTNER))
    assert decide(_cross_account(policy), PARTNER, TARGET).allowed
    no_policy = _cross_account(policy, caller_users=[user("partner", OTHER)])
    decision = decide(no_policy, PARTNER, TARGET)
    assert not decision.allowed
    assert "another account" in decision.caller_side


def test_cross_account_explicit_deny_in_caller_policy_wins():
    partner = user("partner", OTHER, policies=[ASSUME_ANY, inline(deny(action="sts:*", resource="*"), name="guard")])
    decision = decide(_cross_account(trust(allow(aws=OTHER)), caller_users=[partner]), PARTNER, TARGET)
    assert not decision.allowed
    assert any(ref.policy == "inline policy 'guard' of user partner" for ref in decision.matched_statements)


def test_unloaded_caller_account_is_an_assumption_not_a_guess():
    snap = snapshot(account(roles=[role("Target", trust_policy=trust(allow(aws=UNLOADED)))]))
    decision = decide(snap, user_arn("vendor", UNLOADED), TARGET)
    assert decision.allowed
    assert any(f"{UNLOADED} is not loaded" in a for a in decision.assumptions)
    assert decision.caller_side.startswith("assumed")


def test_scp_and_session_policy_are_stated_as_assumptions():
    # Rulebook §5: SCPs and RCPs are not part of get-account-authorization-details; state them, never guess silently.
    decision = decide(one_role(trust(allow(aws=ALICE)), users=[user("alice")]), ALICE, TARGET)
    assert any("service control policies" in a for a in decision.assumptions)
    assert any("resource control policies" in a for a in decision.assumptions)


# --- MFA ----------------------------------------------------------------------------------------------------------


MFA_BOOL = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
MFA_IF_EXISTS = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}


def test_mfa_bool_denies_long_term_keys():
    # [GKEYS]: aws:MultiFactorAuthPresent is absent for long-term access keys, "so a plain Bool ... true denies them".
    snap = one_role(trust(allow(aws=ALICE, condition=MFA_BOOL)), users=[user("alice")])
    assert not decide(snap, ALICE, TARGET).allowed
    assert decide(snap, ALICE, TARGET, context={"aws:MultiFactorAuthPresent": "true"}).allowed
    assert not decide(snap, ALICE, TARGET, context={"aws:MultiFactorAuthPresent": "false"}).allowed


def test_mfa_bool_if_exists_allows_long_term_keys():
    # [GKEYS]: "BoolIfExists ... true allows them" (the key is absent for long-term keys).
    snap = one_role(trust(allow(aws=ALICE, condition=MFA_IF_EXISTS)), users=[user("alice")])
    assert decide(snap, ALICE, TARGET).allowed
    assert not decide(snap, ALICE, TARGET, context={"aws:MultiFactorAuthPresent": "false"}).allowed


def test_mfa_age_numeric_condition():
    # [GKEYS]: aws:MultiFactorAuthAge is present only if MFA was used.
    condition = {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}
    snap = one_role(trust(allow(aws=ALICE, condition=condition)), users=[user("alice")])
    assert decide(snap, ALICE, TARGET, context={"aws:MultiFactorAuthAge": "600"}).allowed
    assert not decide(snap, ALICE, TARGET, context={"aws:MultiFactorAuthAge": "7200"}).allowed
    assert not decide(snap, ALICE, TARGET).allowed


# --- StringLike ---------------------------------------------------------------------------------------------------


def test_string_like_star_and_question_mark_on_session_name():
    # [OPS]: StringLike is case-sensitive; "*" matches any run of characters, "?" exactly one character.
    condition = {"StringLike": {"sts:RoleSessionName": ["ci-*", "adm?n"]}}
    snap = one_role(trust(allow(aws=ALICE, condition=condition)), users=[user("alice")])
    assert decide(snap, ALICE, TARGET, role_session_name="ci-build-7").allowed
    assert decide(snap, ALICE, TARGET, role_session_name="admin").allowed
    assert not decide(snap, ALICE, TARGET, role_session_name="admiin").allowed
    assert not decide(snap, ALICE, TARGET, role_session_name="CI-build").allowed


# --- SAML ---------------------------------------------------------------------------------------------------------


SAML = saml_arn("Okta")


def test_saml_provider_with_audience():
    # [SAML]: trust the saml-provider ARN with sts:AssumeRoleWithSAML and check saml:aud (the Recipient).
    condition = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    snap = snapshot(
        account(
            roles=[
                role(
                    "Target",
                    trust_policy=trust(allow(federated=SAML, action="sts:AssumeRoleWithSAML", condition=condition)),
                )
            ],
            saml=[SAML],
        )
    )
    decision = decide(snap, SAML, TARGET, context={"saml:aud": "https://signin.aws.amazon.com/saml"})
    assert decision.allowed
    assert decision.action == "sts:AssumeRoleWithSAML"
    assert "not needed" in decision.caller_side
    assert not decide(snap, SAML, TARGET, context={"saml:aud": "https://evil.example/saml"}).allowed


def test_saml_caller_with_assume_role_action_does_not_fit():
    # Rulebook §4: a SAML IdP uses sts:AssumeRoleWithSAML.
    snap = one_role(trust(allow(federated=SAML, action="sts:*")))
    decision = decide(snap, SAML, TARGET, action="sts:AssumeRole")
    assert not decision.allowed
    assert any("does not fit" in r for r in decision.reasons)


# --- OIDC: GitHub -------------------------------------------------------------------------------------------------


GITHUB = "token.actions.githubusercontent.com"


def _github(condition):
    policy = trust(allow(federated=oidc_arn(GITHUB), action="sts:AssumeRoleWithWebIdentity", condition=condition))
    return snapshot(account(roles=[role("Target", trust_policy=policy)], oidc=[oidc_provider(GITHUB)]))


def test_github_oidc_sub_and_aud():
    # [OIDC], GitHub Docs: aud is sts.amazonaws.com; sub names repo:ORG/REPO:ref:refs/heads/BRANCH.
    snap = _github(
        {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"},
        }
    )
    good = {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main"}
    decision = decide(snap, oidc_arn(GITHUB), TARGET, context=good)
    assert decision.allowed
    assert decision.action == "sts:AssumeRoleWithWebIdentity"
    fork = {**good, f"{GITHUB}:sub": "repo:evil/app:ref:refs/heads/main"}
    assert not decide(snap, oidc_arn(GITHUB), TARGET, context=fork).allowed
    assert not decide(snap, oidc_arn(GITHUB), TARGET, context={f"{GITHUB}:aud": "sts.amazonaws.com"}).allowed


def test_github_oidc_caller_by_host_resolves_to_the_provider():
    snap = _github({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}})
    assert decide(snap, GITHUB, TARGET, context={f"{GITHUB}:aud": "sts.amazonaws.com"}).allowed


def test_github_oidc_without_sub_condition_still_allows():
    # Rulebook §11.2: an existing trust without sub is evaluable (allow); findings raise the risk.
    snap = _github({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}})
    assert decide(snap, oidc_arn(GITHUB), TARGET, context={f"{GITHUB}:aud": "sts.amazonaws.com"}).allowed


# --- Cognito ------------------------------------------------------------------------------------------------------


COGNITO = "cognito-identity.amazonaws.com"


def test_cognito_aud_and_amr():
    # [STSKEYS]: cognito-identity.amazonaws.com:aud is the identity pool; :amr is multivalued ("authenticated" plus
    # the login provider, or "unauthenticated").
    condition = {
        "StringEquals": {f"{COGNITO}:aud": "us-east-1:pool-1"},
        "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
    }
    policy = trust(allow(federated=COGNITO, action="sts:AssumeRoleWithWebIdentity", condition=condition))
    snap = one_role(policy)
    signed_in = {f"{COGNITO}:aud": "us-east-1:pool-1", f"{COGNITO}:amr": ["authenticated", "accounts.google.com"]}
    assert decide(snap, COGNITO, TARGET, context=signed_in).allowed
    guest = {f"{COGNITO}:aud": "us-east-1:pool-1", f"{COGNITO}:amr": ["unauthenticated"]}
    assert not decide(snap, COGNITO, TARGET, context=guest).allowed
    other_pool = {**signed_in, f"{COGNITO}:aud": "us-east-1:pool-2"}
    assert not decide(snap, COGNITO, TARGET, context=other_pool).allowed


def test_cognito_is_a_web_identity_not_a_service():
    decision = decide(one_role(trust(allow(service=COGNITO))), COGNITO, TARGET)
    assert not decision.allowed
    assert decision.action == "sts:AssumeRoleWithWebIdentity"


# --- organizations ------------------------------------------------------------------------------------------------


def test_principal_org_id_is_derived_from_the_caller_account():
    # [GKEYS]: aws:PrincipalOrgID is present only if the caller's account is in an organization.
    policy = trust(allow(aws="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
    inside = _cross_account(policy, org="o-abc123", org_accounts=(ACCT, OTHER))
    assert decide(inside, PARTNER, TARGET).allowed
    outside = _cross_account(policy)
    decision = decide(outside, PARTNER, TARGET)
    assert not decision.allowed


def test_principal_org_id_from_context_cannot_be_forged_when_known():
    policy = trust(allow(aws="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
    snap = _cross_account(policy, org="o-other", org_accounts=(ACCT, OTHER))
    decision = decide(snap, PARTNER, TARGET, context={"aws:PrincipalOrgID": "o-abc123"})
    assert not decision.allowed
    assert any("replaced" in a for a in decision.assumptions)


def test_principal_arn_condition_with_wildcard():
    # [PRIN]: use "AWS": "*" or the account plus ArnLike aws:PrincipalArn for name patterns.
    policy = trust(allow(aws=ACCT, condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:user/ci-*"}}))
    users = [
        user("ci-bot", policies=[ASSUME_ANY], user_id="AIDACIBOT00000000000"),
        user("alice", policies=[ASSUME_ANY]),
    ]
    snap = one_role(policy, users=users)
    assert decide(snap, user_arn("ci-bot"), TARGET).allowed
    assert not decide(snap, ALICE, TARGET).allowed


def test_principal_tag_condition_uses_the_users_tags():
    from trust_builders import tags

    policy = trust(allow(aws=ACCT, condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}}))
    ops = user("olga", policies=[ASSUME_ANY], user_tags=tags(team="ops"))
    dev = user("dave", policies=[ASSUME_ANY], user_tags=tags(team="dev"))
    snap = one_role(policy, users=[ops, dev])
    assert decide(snap, user_arn("olga"), TARGET).allowed
    assert not decide(snap, user_arn("dave"), TARGET).allowed


# --- unknown ------------------------------------------------------------------------------------------------------


def test_unknown_operator_never_allows_and_says_so():
    # Issue 3: "An operator or form it does not know makes that statement's result unknown, which never allows."
    snap = one_role(
        trust(allow(aws=ALICE, condition={"StringSortOf": {"aws:username": "alice"}})), users=[user("alice")]
    )
    decision = decide(snap, ALICE, TARGET)
    assert decision.outcome is Outcome.DENY
    assert any("could not be judged" in r for r in decision.reasons)


def test_unknown_operator_in_deny_blocks():
    snap = one_role(trust(allow(aws=ALICE), deny(aws="*", condition={"Mystery": {"k": "v"}})), users=[user("alice")])
    decision = decide(snap, ALICE, TARGET)
    assert not decision.allowed
    assert any("could not be judged" in r for r in decision.reasons)
