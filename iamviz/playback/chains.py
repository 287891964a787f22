"""Animating any chain the chains engine found: each hop is asked of the trust engine again, with a request that
carries what the hop's trust statement asks for (MFA, ExternalId, token claims), and the previous hop's session
as the next caller (role chaining, one-hour sessions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from iamviz.analysis.chains import Chain
from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.trust import AssumeRoleRequest
from iamviz.errors import InputError
from iamviz.model import Snapshot, Statement
from iamviz.model.graph import NodeKind, TrustGraph
from iamviz.playback import events
from iamviz.playback.builder import Session, StoryBuilder
from iamviz.playback.satisfy import satisfying_context
from iamviz.playback.steps import Scenario

_START = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
_MFA_DEVICE = "arn:aws:iam::000000000000:mfa/device"
#: The role name of the caller that stands for a principal of an account that is not loaded.
EXTERNAL_CALLER_ROLE = "some-role"
_API_BY_ACTION = {
    "sts:assumerole": "AssumeRole",
    "sts:assumerolewithsaml": "AssumeRoleWithSAML",
    "sts:assumerolewithwebidentity": "AssumeRoleWithWebIdentity",
}


def _caller_text(graph: TrustGraph, node_id: str) -> tuple[str, dict[str, Any], str]:
    """The caller string for the trust engine, the CloudTrail identity, and a label, for the chain's first node."""
    node = graph.node(node_id)
    if node.kind is NodeKind.SERVICE:
        service = node_id.removeprefix("service:")
        return service, events.user_identity_service(service), node.label
    if node.kind is NodeKind.SAML_PROVIDER:
        return node_id, events.user_identity_saml(provider_arn=node_id, user="federated-user"), node.label
    if node.kind is NodeKind.OIDC_PROVIDER:
        host = node_id.removeprefix("federated:").split("oidc-provider/", 1)[-1]
        return node_id, events.user_identity_web(provider=host, subject="token-subject"), node.label
    if node.kind in (NodeKind.USER, NodeKind.EXTERNAL_PRINCIPAL):
        arn = node.arn or node_id
        user_id = None
        account = graph.snapshot.account(arn.split(":")[4]) if graph.snapshot and arn.count(":") >= 5 else None
        if account and arn in account.users_by_arn:
            user_id = account.users_by_arn[arn].user_id
        return arn, events.user_identity_iam_user(arn=arn, user_id=user_id), node.label
    if node.kind is NodeKind.ROLE:
        arn = node.arn or node_id
        return arn, {"type": "AssumedRole", "arn": arn}, node.label
    if node.kind is NodeKind.EXTERNAL_ACCOUNT and node.account_id:
        # A trust that names an account that is not loaded lets any of its users and roles in whose own policies
        # allow it: the animation plays one role session of that account (its root user cannot assume roles).
        caller = f"arn:aws:iam::{node.account_id}:role/{EXTERNAL_CALLER_ROLE}"
        identity = events.user_identity_account(account_id=node.account_id, caller_arn=caller)
        return caller, identity, f"A role session of account {node.label}"
    raise InputError(f"a chain cannot be animated from {node.label} ({node.kind}): pick a user, role or provider")


def _hop_statement(snapshot: Snapshot, hop: Any) -> Statement | None:
    """The trust statement that grants the hop (``None`` when the role or statement is not in the snapshot)."""
    account = snapshot.account(hop.target.split(":")[4])
    role = account.roles_by_arn.get(hop.target) if account else None
    if role is None or hop.statement_index is None or hop.statement_index >= len(role.trust_policy.statements):
        return None
    return role.trust_policy.statements[hop.statement_index]


def _mfa_keys(statement: Statement | None) -> set[str]:
    """The MFA keys (``aws:MultiFactorAuth*``) the statement's conditions ask the caller to bring."""
    context = satisfying_context(statement.conditions) if statement is not None else {}
    return {key for key in context if key.lower().startswith("aws:multifactorauth")}


def scenario_from_chain(graph: TrustGraph, chain: Chain, *, session_prefix: str = "iamviz-demo") -> Scenario:
    """A scenario that walks ``chain`` hop by hop, every hop decided by the trust engine."""
    snapshot: Snapshot | None = graph.snapshot
    if snapshot is None:
        raise InputError("the trust graph has no snapshot to evaluate against")
    story = StoryBuilder(snapshot, start=_START)
    caller, identity, label = _caller_text(graph, chain.source)
    actor = chain.source
    session: Session | None = None
    # MFA is presented once, by the IAM user who starts the chain, at its first call (AssumeRole's SerialNumber is
    # the caller's own device; a role session has none); the sessions that follow carry aws:MultiFactorAuthPresent
    # from it. A chain that starts at a role (or an account's role session) carries it from that session's sign-in.
    origin = graph.node(chain.source)
    user_origin = origin.kind is NodeKind.USER or (
        origin.kind is NodeKind.EXTERNAL_PRINCIPAL and ":user/" in (origin.arn or chain.source)
    )
    session_origin = not user_origin and origin.kind in (
        NodeKind.ROLE,
        NodeKind.EXTERNAL_ACCOUNT,
        NodeKind.EXTERNAL_PRINCIPAL,  # a role (or role session) of another account
    )
    user_brings_mfa = user_origin and any(_mfa_keys(_hop_statement(snapshot, hop)) for hop in chain.hops)
    for number, hop in enumerate(chain.hops):
        role_arn = hop.target
        account = snapshot.account(role_arn.split(":")[4])
        role = account.roles_by_arn.get(role_arn) if account else None
        if role is None:
            raise InputError(f"role {role_arn} of the chain is not in the loaded accounts")
        statement = _hop_statement(snapshot, hop)
        context = satisfying_context(statement.conditions if statement else ())
        session_name = f"{session_prefix}-{number + 1}"
        chained = session is not None
        api = _API_BY_ACTION.get((hop.action or "sts:AssumeRole").lower(), "AssumeRole")
        request = AssumeRoleRequest(
            caller=caller,
            role_arn=role_arn,
            action=hop.action,
            context=RequestContext.of(context),
            role_session_name=session_name,
            duration_seconds=3600,
        )
        parameters: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": 3600}
        for key, value in context.items():
            if key.lower() == "sts:externalid":
                parameters["ExternalId"] = value
        hop_mfa = bool(_mfa_keys(statement))
        if user_origin:
            present, carried = number == 0 and user_brings_mfa, chained and hop_mfa
        elif session_origin:
            present, carried = False, hop_mfa
        else:  # a service or a federated caller: the request itself would have to bring it
            present, carried = hop_mfa and not chained, chained and hop_mfa
        if present:
            device = f"arn:aws:iam::{caller.split(':')[4]}:mfa/{label}" if user_origin else _MFA_DEVICE
            parameters["SerialNumber"] = device
            parameters["TokenCode"] = "123456"
        needs = ", ".join(r for r in hop.requirements if not (carried and r == "MFA"))
        began = "the chain" if chained else "its session"
        caption = (
            f"{label} assumes {role.name}"
            + (f", bringing {needs}" if needs else "")
            + (f", with MFA from the sign-in that began {began} (role sessions carry it)" if carried else "")
            + (", signing in with MFA for a later hop" if present and not hop_mfa else "")
            + (". This is role chaining: the new session lasts at most one hour." if chained else ".")
        )
        if number == 0 and graph.node(chain.source).kind is NodeKind.EXTERNAL_ACCOUNT:
            caption += (
                f" The trust names the whole account; that account is not loaded, so this holds only if the "
                f"session's own policies there allow sts:AssumeRole on {role.name} too."
            )
        session = story.assume(
            actor=actor,
            actor_label=label,
            caller=caller,
            role_arn=role_arn,
            api=api,
            parameters=parameters,
            request=request,
            identity=identity,
            title=f"Hop {number + 1}: {role.name}",
            caption=caption,
            mfa=present or carried or (session is not None and session.mfa),
        )
        if session is None:
            break
        caller = session.credentials.assumed_role_arn
        identity = events.user_identity_session(
            credentials=session.credentials, role_arn=role_arn, role_id=role.role_id, mfa=session.mfa
        )
        label = f"{role.name} session"
        actor = role_arn
    if session is not None:
        story.narrate(
            title="Who am I now?",
            caption=f"sts:GetCallerIdentity (which needs no permission) now answers "
            f"{session.credentials.assumed_role_arn}: everything this role may do, the chain's first principal may do.",
            actor=session.role_arn,
            actor_label=session.role_arn.rsplit("/", 1)[-1],
        )
    first = graph.node(chain.source).label
    last = graph.node(chain.target).label
    return Scenario(
        id=f"chain:{chain.source}->{chain.target}",
        title=f"{first} → {last}",
        summary=f"A path of {len(chain.hops)} hop(s) the chains engine found in the loaded account.",
        steps=tuple(story.steps),
    )
