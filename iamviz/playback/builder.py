"""Turning trust-engine decisions into steps: the shared machinery of every scenario, built-in or found.

A :class:`StoryBuilder` keeps the clock and the steps of one story. Its :meth:`assume` asks the trust engine
(``evaluate_assume_role``) and, when STS would say yes, issues fake credentials; :meth:`use` checks a call made
with those credentials against the role's permission policies (``evaluate_identity``). Nothing is scripted: change
a policy and the steps change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.identity import evaluate_identity
from iamviz.analysis.trust import AssumeRoleRequest, evaluate_assume_role
from iamviz.errors import InputError
from iamviz.model import Snapshot
from iamviz.playback import events
from iamviz.playback.steps import STS_NODE_ID, ApiCall, Credentials, Step, StepKind, fake_credentials, iso

DEFAULT_DURATION = 3600


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """Credentials in hand, with the role they belong to (what a USE step acts with)."""

    credentials: Credentials
    role_arn: str
    role_id: str | None
    mfa: bool = False


class StoryBuilder:
    """Collects the steps of one scenario; every decision comes from the analysis engine."""

    def __init__(self, snapshot: Snapshot, *, start: datetime) -> None:
        self.snapshot = snapshot
        self.clock = start
        self.steps: list[Step] = []
        self.stopped = False

    def _tick(self, seconds: int) -> str:
        self.clock += timedelta(seconds=seconds)
        return iso(self.clock)

    def _role(self, role_arn: str):
        account = self.snapshot.account(role_arn.split(":")[4]) if role_arn.count(":") >= 5 else None
        role = account.roles_by_arn.get(role_arn) if account else None
        if role is None:
            raise InputError(f"the scenario needs role {role_arn}, which the loaded accounts do not hold")
        return account, role

    def narrate(
        self,
        *,
        title: str,
        caption: str,
        actor: str,
        actor_label: str,
        target: str = "",
        target_label: str = "",
        seconds: int = 5,
        event: dict[str, Any] | None = None,
    ) -> None:
        """A step with no authorization decision (someone signs in, a trigger fires)."""
        if self.stopped:
            return
        time = self._tick(seconds)
        self.steps.append(
            Step(
                index=len(self.steps),
                kind=StepKind.SIGN_IN,
                title=title,
                caption=caption,
                actor=actor,
                actor_label=actor_label,
                target=target or actor,
                target_label=target_label or actor_label,
                event=MappingProxyType(event or {}),
                path=(actor,) if not target else (actor, target),
                time=time,
            )
        )

    def assume(
        self,
        *,
        actor: str,
        actor_label: str,
        caller: str,
        role_arn: str,
        api: str,
        parameters: dict[str, Any],
        request: AssumeRoleRequest,
        identity: dict[str, Any],
        title: str,
        caption: str,
        mfa: bool = False,
        extra_response: dict[str, Any] | None = None,
        seconds: int = 2,
    ) -> Session | None:
        """An ``sts:AssumeRole*`` step; returns the session when STS would issue credentials."""
        if self.stopped:
            return None
        _, role = self._role(role_arn)
        decision = evaluate_assume_role(self.snapshot, request)
        time = self._tick(seconds)
        session: Session | None = None
        credentials: Credentials | None = None
        if decision.allowed:
            duration = request.duration_seconds or DEFAULT_DURATION
            credentials = fake_credentials(
                role_arn=role_arn,
                session_name=request.role_session_name or "session",
                issued_at=self.clock,
                duration_seconds=duration,
                source_identity=request.source_identity,
            )
            session = Session(credentials=credentials, role_arn=role_arn, role_id=role.role_id, mfa=mfa)
            full_caption = caption
            error = None
            response = events.sts_response(credentials, role_id=role.role_id, extra=extra_response)
        else:
            full_caption = f"STS refuses: {deny_reason(decision)}"
            who = identity.get("arn") or identity.get("invokedBy") or identity.get("userName") or caller
            error = ("AccessDenied", f"User: {who} is not authorized to perform: sts:{api} on resource: {role_arn}")
            response = None
            self.stopped = True
        record = events.event(
            time=time,
            source="sts.amazonaws.com",
            name=api,
            identity=identity,
            request=_camel(parameters),
            response=response,
            recipient_account=role_arn.split(":")[4],
            error=error,
            read_only=True,
            resources=[{"accountId": role_arn.split(":")[4], "type": "AWS::IAM::Role", "ARN": role_arn}],
            source_identity=request.source_identity,
        )
        self.steps.append(
            Step(
                index=len(self.steps),
                kind=StepKind.ASSUME,
                title=title,
                caption=full_caption,
                actor=actor,
                actor_label=actor_label,
                target=role_arn,
                target_label=role.name,
                api_call=ApiCall(service="sts", name=api, parameters=tuple(parameters.items())),
                allowed=decision.allowed,
                reasons=decision.reasons,
                statements=tuple(str(ref) for ref in decision.matched_statements),
                decision=decision,
                credentials=credentials,
                event=MappingProxyType(record),
                path=(actor, STS_NODE_ID, role_arn),
                edges=((actor, role_arn),),
                time=time,
            )
        )
        return session

    def use(
        self,
        *,
        session: Session | None,
        principal_arn: str | None = None,
        actor_label: str,
        service: str,
        api: str,
        resource: str,
        resource_label: str,
        parameters: dict[str, Any],
        context: dict[str, Any] | None = None,
        identity: dict[str, Any] | None = None,
        title: str,
        caption: str,
        seconds: int = 20,
        error_code: str = "AccessDenied",
    ) -> bool:
        """A call made with ``session`` (or as ``principal_arn`` itself), checked against its permission policies."""
        if self.stopped:
            return False
        arn = session.credentials.assumed_role_arn if session else principal_arn
        if arn is None:
            raise InputError("a use step needs credentials or a principal")
        owner = session.role_arn if session else arn
        account = self.snapshot.account(owner.split(":")[4])
        if account is None:
            raise InputError(f"the account of {owner} is not loaded")
        action = f"{service}:{api}"
        result = evaluate_identity(account, arn, action, resource, RequestContext.of(context or {}))
        time = self._tick(seconds)
        if session is not None:
            who = events.user_identity_session(
                credentials=session.credentials, role_arn=session.role_arn, role_id=session.role_id, mfa=session.mfa
            )
        else:
            who = identity or {"type": "Unknown", "arn": arn}
        if result.allowed:
            full_caption = caption
            error = None
        else:
            why = result.reasons[0] if result.reasons else "no policy allows it"
            full_caption = f"{actor_label} is refused {action}: {why}"
            error = (
                error_code,
                f"User: {who.get('arn', arn)} is not authorized to perform: {action} on resource: {resource}",
            )
            self.stopped = True
        record = events.event(
            time=time,
            source=f"{service}.amazonaws.com",
            name=api,
            identity=who,
            request=parameters,
            response={} if error is None else None,
            recipient_account=account.account_id,
            error=error,
            source_identity=session.credentials.source_identity if session else None,
        )
        actor = session.role_arn if session else arn
        self.steps.append(
            Step(
                index=len(self.steps),
                kind=StepKind.USE,
                title=title,
                caption=full_caption,
                actor=actor,
                actor_label=actor_label,
                target=resource,
                target_label=resource_label,
                api_call=ApiCall(service=service, name=api, parameters=tuple(parameters.items())),
                allowed=result.allowed,
                reasons=result.reasons,
                statements=tuple(str(ref) for ref in result.statements),
                decision=result,
                credentials=session.credentials if session else None,
                event=MappingProxyType(record),
                path=(actor,),
                time=time,
            )
        )
        return result.allowed


def deny_reason(decision: Any) -> str:
    """The one reason a person needs for a deny: the first failed condition, else the engine's most specific reason."""
    for result in getattr(decision, "condition_results", ()):
        if str(result.verdict) != "true":
            return _sentence(result.reason)
    reasons = list(getattr(decision, "reasons", ()))
    if len(reasons) > 1:
        return _sentence(reasons[1])
    return _sentence(reasons[0]) if reasons else "No statement of the trust policy allows it."


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text if text.endswith((".", "!", "?")) else text + "."


def _camel(parameters: dict[str, Any]) -> dict[str, Any]:
    """``RoleArn`` -> ``roleArn``: CloudTrail logs request parameters in lower camel case."""
    return {key[:1].lower() + key[1:]: value for key, value in parameters.items() if value is not None}
