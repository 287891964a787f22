"""What an animation shows, step by step, as plain data: scenarios, steps, API calls, credentials, events.

Nothing here knows about Qt or timing. A :class:`Scenario` is a tuple of :class:`Step`; each step says who acts,
which API call it makes with which parameters, what it targets, the engine's decision with its reasons, the
temporary credentials STS issues, a caption, and the CloudTrail-shaped event the call would log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

STS_NODE_ID = "sts:token-service"
"""The id the renderer gives the STS hub it draws between caller and role during playback."""


class StepKind(StrEnum):
    """What happens in a step."""

    SIGN_IN = "sign-in"  # a person or a trigger starts the story (no AWS authorization involved)
    ASSUME = "assume"  # an sts:AssumeRole* call
    USE = "use"  # a call made with credentials, checked against the caller's permission policies


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """An AWS API call: ``ApiCall(service="sts", name="AssumeRole", parameters=(("RoleArn", "arn:..."),))``."""

    service: str
    name: str
    parameters: tuple[tuple[str, Any], ...] = ()

    @property
    def action(self) -> str:
        """The IAM action: ``sts:AssumeRole``."""
        return f"{self.service}:{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.parameters)


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    """Temporary credentials as STS would return them; every secret part is visibly fake."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    issued_at: str
    expiration: str
    duration_seconds: int
    session_name: str
    assumed_role_arn: str
    source_identity: str | None = None

    def seconds_left(self, now: datetime) -> int:
        """Seconds until expiry at ``now`` (never negative)."""
        expires = datetime.fromisoformat(self.expiration.replace("Z", "+00:00"))
        return max(0, int((expires - now).total_seconds()))


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step of a scenario.

    ``actor`` and ``target`` are trust-graph node ids; ``path`` the node ids to light up (the STS hub is
    :data:`STS_NODE_ID`); ``edges`` the (source, target) pairs of graph edges involved. ``allowed`` is the
    outcome; ``reasons`` the engine's reasons in plain words; ``statements`` the policy statements that decided.
    ``decision`` holds the engine's full result object for inspection (a trust Decision or an IdentityResult).
    """

    index: int
    kind: StepKind
    title: str
    caption: str
    actor: str
    actor_label: str
    target: str
    target_label: str
    api_call: ApiCall | None = None
    allowed: bool = True
    reasons: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    decision: Any = field(default=None, compare=False, repr=False)
    credentials: Credentials | None = None
    event: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    path: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    time: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """A variation of a scenario that a teacher can switch on: ``WhatIf(id="no-mfa", label="Without MFA")``."""

    id: str
    label: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A named sequence of steps. ``what_if`` is the variation it was built with, if any."""

    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    use_case: str | None = None
    what_if: WhatIf | None = None
    what_ifs: tuple[WhatIf, ...] = ()

    @property
    def outcome_allowed(self) -> bool:
        """Whether the story ends well: its last step was allowed (earlier, expected refusals do not count)."""
        return bool(self.steps) and self.steps[-1].allowed

    @property
    def final_step(self) -> Step:
        return self.steps[-1]


# --- fake but well-formed values --------------------------------------------------------------------------------

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


FAKE_KEY_SUFFIX = "FAKE"
"""Every access key ID the player shows ends in this, so even the ticket's ``ASIA…FAKE`` says it is not real."""


def fake_access_key_id(*parts: str) -> str:
    """An ``ASIA...FAKE`` access key ID, 20 characters, deterministic for ``parts``; visibly not a real key."""
    digest = _digest("key", *parts)
    return "ASIA" + "".join(_KEY_ALPHABET[b % 32] for b in digest[:12]) + FAKE_KEY_SUFFIX


def fake_unique_suffix(*parts: str) -> str:
    """A deterministic 17-character upper-case suffix for IDs such as ``AROA...``."""
    digest = _digest("id", *parts)
    return "".join(_KEY_ALPHABET[b % 32] for b in digest[:17])


def fake_credentials(
    *,
    role_arn: str,
    session_name: str,
    issued_at: datetime,
    duration_seconds: int,
    source_identity: str | None = None,
) -> Credentials:
    """Credentials that look like STS's but can never work: the token and secret say FAKE."""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    role_name = role_arn.rsplit("/", 1)[-1]
    key = fake_access_key_id(role_arn, session_name, issued_at.isoformat())
    expiration = issued_at + timedelta(seconds=duration_seconds)
    return Credentials(
        access_key_id=key,
        secret_access_key="FAKE-SECRET-for-teaching-only/" + key[-8:].lower(),
        session_token="FAKE-SESSION-TOKEN-iamviz-" + fake_unique_suffix("token", key).lower() + "…",
        issued_at=iso(issued_at),
        expiration=iso(expiration),
        duration_seconds=duration_seconds,
        session_name=session_name,
        assumed_role_arn=f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
        source_identity=source_identity,
    )


def iso(moment: datetime) -> str:
    """``2026-11-21T03:12:44Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None, default: datetime) -> datetime:
    """Parse an ISO time from the sample facts, or return ``default``."""
    if not text:
        return default
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
