"""The trust graph's shortcuts change nothing: memoised edges, condition results and callers equal judging anew.

The builder remembers, for one build, the values of edges from callers without a caller side (per statement shape
and caller context), condition results (per condition, context and policy version), grants of conditions that look
at nothing of the caller's (per condition set), and what each principal value names. These tests build the same
snapshots with every such memo switched off and compare every edge, and check the faster constructors
(``RequestContext``, ``caller_for_entity``) against the plain ones.
"""

from __future__ import annotations

from dataclasses import fields

from trust_builders import (
    ACCT,
    OTHER,
    UNLOADED,
    account,
    allow,
    deny,
    doc,
    group,
    managed,
    oidc_arn,
    oidc_provider,
    role,
    role_arn,
    root,
    saml_arn,
    session_arn,
    snapshot,
    tags,
    trust,
    user,
    user_arn,
)

from iamviz.analysis import build_trust_graph
from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.identity import action_matches, action_pattern_matches
from iamviz.analysis.trust import Caller, CallerKind, caller_for_entity
from iamviz.analysis.trust_graph import _Builder
from iamviz.loading import load_paths
from iamviz.model.graph import DecisionKind, EdgeKind
from iamviz.model.policy import parse_policy_document


class _Forgetful(dict):
    """A memo that never remembers: every look-up misses."""

    def __setitem__(self, key, value) -> None:
        pass


class _Unremembering(_Builder):
    """Judges every edge on its own: no edge, grant, condition or principal memo, no shared expansion."""

    def __init__(self, snap) -> None:
        super().__init__(snap, share=False)
        self.plain = _Forgetful()
        self.grant_cache = _Forgetful()
        self.verdicts = _Forgetful()
        self.side_cache = _Forgetful()

    def can_assume_values(self, caller, form, common, via_account_root=False, extra_reasons=(), force=None):
        return self.edge_values(caller, form, common, via_account_root, extra_reasons, force)


def _graph_dump(graph):
    whole = graph.to_networkx()  # account-root expansions made as edges
    nodes = [(node_id, data["node"]) for node_id, data in whole.nodes(data=True)]
    return nodes, list(whole.edges(keys=True, data="edge"))


def _both(snap):
    fast = build_trust_graph(snap)
    slow = _Unremembering(snap).build()
    return _graph_dump(fast), _graph_dump(slow), fast


def _crafted():
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    source_account = {"StringEquals": {"aws:SourceAccount": ACCT}}
    team_blue = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    own_name = {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}
    external_id = {"StringEquals": {"sts:ExternalId": "x"}}
    by_variable = {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalServiceName}"}}
    assume_any = managed("AssumeAny", allow(action="sts:AssumeRole", resource="*"))
    no_prod = managed("NoProd", deny(action="sts:*", resource=role_arn("prod-*")))
    users = [
        user("blue", user_tags=tags(team="blue"), managed_arns=[assume_any.arn]),
        user("red", user_tags=tags(team="red"), managed_arns=[assume_any.arn]),
        user("careful", managed_arns=[assume_any.arn, no_prod.arn]),
        user("plain", groups=["ops", "missing"]),
        user("grouped", groups=["ops", "ops"]),
    ]
    roles = [
        # The same service statement shape under two Sids, in two policy versions, and with a Deny.
        role("svc-a", trust_policy=trust(allow(service="lambda.amazonaws.com", condition=source_account, sid="A"))),
        role("svc-b", trust_policy=trust(allow(service="lambda.amazonaws.com", condition=source_account, sid="B"))),
        role("svc-c", trust_policy=trust(allow(service="lambda.amazonaws.com", condition=source_account, sid="A"))),
        role(
            "svc-old",
            trust_policy=doc(
                allow(service="lambda.amazonaws.com", condition=source_account, sid="A"), version="2008-10-17"
            ),
        ),
        # A policy variable: substituted in 2012-10-17 documents only, so the reasons differ.
        role("svc-var", trust_policy=trust(allow(service="lambda.amazonaws.com", condition=by_variable, sid="V"))),
        role(
            "svc-var-old",
            trust_policy=doc(
                allow(service="lambda.amazonaws.com", condition=by_variable, sid="V"), version="2008-10-17"
            ),
        ),
        role(
            "svc-guarded",
            trust_policy=trust(
                allow(service="lambda.amazonaws.com", condition=source_account, sid="A"),
                deny(service="lambda.amazonaws.com", condition={"Bool": {"aws:SecureTransport": "false"}}),
            ),
        ),
        # Conditions that look at nothing of the caller's, for users and roles alike, and one that does.
        role("mfa-1", trust_policy=trust(allow(aws=[user_arn("blue"), role_arn("svc-a")], condition=mfa))),
        role("mfa-2", trust_policy=trust(allow(aws=[user_arn("red"), role_arn("svc-b")], condition=mfa))),
        role("tagged", trust_policy=trust(allow(aws=[user_arn("blue"), user_arn("red")], condition=team_blue))),
        role("session-name", trust_policy=trust(allow(aws=user_arn("blue"), condition=own_name))),
        role(
            "session-name-old",
            trust_policy=doc(allow(aws=user_arn("blue"), condition=own_name), version="2008-10-17"),
        ),
        # Accounts: loaded, unloaded (named twice), another loaded one, and an unknown operator.
        role("prod-root", trust_policy=trust(allow(aws=root()))),
        role("prod-mfa-root", trust_policy=trust(allow(aws=ACCT, condition=mfa))),
        role("ext", trust_policy=trust(allow(aws=[UNLOADED, root(UNLOADED)], condition=external_id))),
        role("ext-odd", trust_policy=trust(allow(aws=UNLOADED, condition={"StringEqualz": {"sts:ExternalId": "x"}}))),
        role("other", trust_policy=trust(allow(aws=root(OTHER)))),
        # Named principals: a session, an unloaded user, a deleted ID (twice), anyone, federated.
        role("by-session", trust_policy=trust(allow(aws=session_arn("svc-a", "s1")))),
        role("by-unloaded", trust_policy=trust(allow(aws=user_arn("ghost", UNLOADED)))),
        role("by-deleted", trust_policy=trust(allow(aws="AROAZZZZZZZZZZZZZZZZZ"), allow(aws="AROAZZZZZZZZZZZZZZZZZ"))),
        role("public", trust_policy=trust(allow(principal="*", condition={"Bool": {"aws:SecureTransport": "true"}}))),
        role(
            "saml",
            trust_policy=trust(
                allow(
                    federated=saml_arn("corp"),
                    action="sts:AssumeRoleWithSAML",
                    condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                )
            ),
        ),
        role(
            "gha",
            trust_policy=trust(
                allow(
                    federated=oidc_arn("token.actions.githubusercontent.com"),
                    action="sts:AssumeRoleWithWebIdentity",
                    condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}},
                )
            ),
        ),
    ]
    other = account(
        OTHER,
        users=[user("visitor", OTHER, managed_arns=[f"arn:aws:iam::{OTHER}:policy/Any"])],
        policies=[managed("Any", allow(action="sts:AssumeRole", resource="*"), account=OTHER)],
    )
    main = account(
        users=users,
        groups=[group("ops")],
        roles=roles,
        policies=[assume_any, no_prod],
        saml=[saml_arn("corp")],
        oidc=[oidc_provider("token.actions.githubusercontent.com")],
    )
    return snapshot(main, other)


def test_remembered_edges_equal_edges_judged_anew_on_a_crafted_account():
    fast, slow, graph = _both(_crafted())
    assert fast == slow
    edges = {(e.source, e.target): e for _, _, _, e in fast[1]}
    # The memos were exercised and kept what differs: the Sid in the reasons, the policy version, the caller.
    assert edges[("service:lambda.amazonaws.com", role_arn("svc-a"))].reasons[0].startswith("trust policy Sid 'A'")
    assert edges[("service:lambda.amazonaws.com", role_arn("svc-b"))].reasons[0].startswith("trust policy Sid 'B'")
    new, old = (edges[("service:lambda.amazonaws.com", role_arn(name))] for name in ("svc-var", "svc-var-old"))
    assert new.reasons != old.reasons and any("lambda.amazonaws.com'" in r for r in new.reasons)
    assert (user_arn("blue"), role_arn("tagged")) in edges and (user_arn("red"), role_arn("tagged")) not in edges
    assert edges[(user_arn("blue"), role_arn("session-name"))].decision is DecisionKind.CONDITIONAL
    # An unloaded account: NEEDS_CALLER_POLICY, unless its condition cannot be judged (then UNKNOWN stays).
    assert edges[(root(UNLOADED), role_arn("ext"))].decision is DecisionKind.NEEDS_CALLER_POLICY
    assert edges[(root(UNLOADED), role_arn("ext-odd"))].decision is DecisionKind.UNKNOWN
    assert edges[("deleted:AROAZZZZZZZZZZZZZZZZZ", role_arn("by-deleted"))].decision is DecisionKind.UNKNOWN
    assert (user_arn("careful"), role_arn("prod-root")) not in edges  # its own Deny
    assert (user_arn("visitor", OTHER), role_arn("other")) in edges
    assert graph.edge_count == len(fast[1])


def test_remembered_edges_equal_edges_judged_anew_on_a_generated_account(tmp_path, make_account):
    module = make_account
    path = tmp_path / "account.json"
    module.write(module.generate(roles=200, seed=5), path, indent=None)
    result = load_paths([path])
    assert not result.errors
    fast, slow, _ = _both(result.snapshot)
    assert fast == slow
    assert len(fast[1]) > 150


def test_member_of_edges_and_nodes_are_what_the_graph_api_makes():
    graph = build_trust_graph(_crafted())
    for _, _, key, edge in graph.to_networkx().edges(keys=True, data="edge"):
        assert key == edge.key
    members = list(graph.edges(kind=EdgeKind.MEMBER_OF))
    assert len(members) == 2  # plain -> ops; grouped names ops twice: one edge
    assert all(e.action is None and e.decision is None and e.reasons == () for e in members)
    for node_id, data in graph.nx.nodes(data=True):
        assert data["node"].id == node_id


def test_request_context_keeps_the_last_spelling_sorted_and_plain_strings():
    class Text(str):
        pass

    context = RequestContext.of({"b": "1", "A": ["x", True], "a": Text("y"), "c": 2})
    assert context.entries == (("a", ("y",)), ("b", ("1",)), ("c", ("2",)))
    assert type(context.get("A")[0]) is str
    assert context.get("B") == ("1",) and "C" in context and context.get("d") is None
    assert context == RequestContext.of({"c": "2", "a": "y", "b": "1"})


def test_caller_for_entity_makes_the_constructor_caller():
    snap = _crafted()
    main = snap.accounts[0]
    for entity in (*main.users, *main.roles):
        caller = caller_for_entity(snap, main, entity)
        plain = Caller(**{f.name: getattr(caller, f.name) for f in fields(Caller)})
        assert caller == plain and hash(caller) == hash(plain) and repr(caller) == repr(plain)
        assert caller.entity is entity and caller.account is main
        assert caller.kind is (CallerKind.USER if entity.arn.split(":")[5].startswith("user/") else CallerKind.ROLE)


def test_action_patterns_match_case_insensitively_with_wildcards():
    assert action_pattern_matches("STS:assume*", "sts:AssumeRole")
    assert action_pattern_matches("*", "sts:AssumeRole")
    assert not action_pattern_matches("sts:AssumeRole?", "sts:AssumeRole")
    assert not action_pattern_matches("s3:*", "sts:AssumeRole")
    statement = parse_policy_document(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]}
    ).statements[0]
    assert action_matches(statement, "sts:AssumeRole") and not action_matches(statement, "IAM:PassRole")
