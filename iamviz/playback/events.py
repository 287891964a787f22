"""CloudTrail-shaped records of the calls a scenario makes (the fields CloudTrail logs, with teaching values).

Shapes follow the CloudTrail record contents reference: ``eventVersion``, ``userIdentity`` (``IAMUser``,
``AssumedRole`` with ``sessionContext``, ``AWSService``, ``SAMLUser``, ``WebIdentityUser``), ``eventSource``,
``eventName``, ``requestParameters``, ``responseElements``, ``errorCode``/``errorMessage`` on a deny, and
``sourceIdentity`` where set.
"""

from __future__ import annotations

from typing import Any

from iamviz.playback.steps import Credentials, fake_unique_suffix

EVENT_VERSION = "1.08"
REGION = "us-east-1"
SOURCE_IP = "203.0.113.24"  # TEST-NET-3: documentation addresses, never a real host


def user_identity_iam_user(*, arn: str, user_id: str | None) -> dict[str, Any]:
    account = arn.split(":")[4]
    return {
        "type": "IAMUser",
        "principalId": user_id or "AIDA" + fake_unique_suffix(arn),
        "arn": arn,
        "accountId": account,
        "accessKeyId": "AKIA" + fake_unique_suffix("user-key", arn)[:16],
        "userName": arn.rsplit("/", 1)[-1],
    }


def user_identity_account(*, account_id: str, caller_arn: str) -> dict[str, Any]:
    """A caller of another AWS account as the role's account's CloudTrail shows it (``AWSAccount``)."""
    return {
        "type": "AWSAccount",
        "principalId": "AROA" + fake_unique_suffix(caller_arn) + ":" + caller_arn.rsplit("/", 1)[-1],
        "accountId": account_id,
    }


def user_identity_service(service: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": service}


def user_identity_saml(*, provider_arn: str, user: str) -> dict[str, Any]:
    return {
        "type": "SAMLUser",
        "principalId": f"{fake_unique_suffix('saml', provider_arn)}:{user}",
        "userName": user,
        "identityProvider": provider_arn.rsplit("/", 1)[-1],
    }


def user_identity_web(*, provider: str, subject: str) -> dict[str, Any]:
    return {
        "type": "WebIdentityUser",
        "principalId": f"{provider}:{subject}",
        "userName": subject,
        "identityProvider": provider,
    }


def user_identity_session(
    *, credentials: Credentials, role_arn: str, role_id: str | None, mfa: bool = False
) -> dict[str, Any]:
    """The identity of a call made with role credentials (``AssumedRole`` with its session context)."""
    account = role_arn.split(":")[4]
    principal = f"{role_id or 'AROA' + fake_unique_suffix(role_arn)}:{credentials.session_name}"
    identity: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": principal,
        "arn": credentials.assumed_role_arn,
        "accountId": account,
        "accessKeyId": credentials.access_key_id,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal.split(":", 1)[0],
                "arn": role_arn,
                "accountId": account,
                "userName": role_arn.rsplit("/", 1)[-1],
            },
            "attributes": {"creationDate": credentials.issued_at, "mfaAuthenticated": "true" if mfa else "false"},
        },
    }
    if credentials.source_identity:
        identity["sessionContext"]["sourceIdentity"] = credentials.source_identity
    return identity


def event(
    *,
    time: str,
    source: str,
    name: str,
    identity: dict[str, Any],
    request: dict[str, Any],
    response: dict[str, Any] | None,
    recipient_account: str,
    error: tuple[str, str] | None = None,
    read_only: bool = False,
    resources: list[dict[str, str]] | None = None,
    source_identity: str | None = None,
    user_agent: str = "aws-cli/2.22.0 Python/3.12.6",
) -> dict[str, Any]:
    """One CloudTrail record."""
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": identity.get("invokedBy", SOURCE_IP),
        "userAgent": identity.get("invokedBy", user_agent),
    }
    if error is not None:
        record["errorCode"], record["errorMessage"] = error
    record["requestParameters"] = request
    record["responseElements"] = response if error is None else None
    if source_identity:
        record["sourceIdentity"] = source_identity
    seed = f"{time}|{source}|{name}|{identity.get('arn', identity.get('invokedBy', ''))}"
    suffix = fake_unique_suffix("event", seed).lower()
    record["requestID"] = f"{suffix[:8]}-{suffix[8:12]}-4{suffix[12:15]}-8{suffix[15:17]}0-000000000000"
    record["eventID"] = f"{suffix[1:9]}-{suffix[9:13]}-4{suffix[13:16]}-9{suffix[14:16]}0-000000000000"
    record["readOnly"] = read_only
    if resources:
        record["resources"] = resources
    record["eventType"] = "AwsApiCall"
    record["managementEvent"] = True
    record["recipientAccountId"] = recipient_account
    return record


def sts_response(credentials: Credentials, *, role_id: str | None, extra: dict[str, Any] | None = None) -> dict:
    """``responseElements`` of a successful AssumeRole* call (the secret is never logged, as in CloudTrail)."""
    role_id = role_id or "AROA" + fake_unique_suffix(credentials.assumed_role_arn)
    response: dict[str, Any] = {
        "credentials": {
            "accessKeyId": credentials.access_key_id,
            "sessionToken": credentials.session_token,
            "expiration": credentials.expiration,
        },
        "assumedRoleUser": {
            "assumedRoleId": f"{role_id}:{credentials.session_name}",
            "arn": credentials.assumed_role_arn,
        },
    }
    if credentials.source_identity:
        response["sourceIdentity"] = credentials.source_identity
    if extra:
        response.update(extra)
    return response
