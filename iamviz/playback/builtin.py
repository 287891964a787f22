"""The five role use cases of the seed lesson (plus CI federation), computed over a loaded account.

Each builder reads the story's facts (who acts, which instance, which ExternalId...) from the sample's
``teaching.facts`` block and asks the analysis engine for every decision. A what-if changes the request, never the
answer: the engine decides again. Captions are ours, written for a classroom.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.trust import AssumeRoleRequest
from iamviz.errors import InputError
from iamviz.model import Snapshot
from iamviz.playback import events
from iamviz.playback.builder import StoryBuilder
from iamviz.playback.steps import Scenario, WhatIf, parse_time

Facts = Mapping[str, Any]
_DEFAULT_START = datetime(2026, 11, 21, 9, 0, 0, tzinfo=UTC)


def _name(arn: str) -> str:
    """The last part of an ARN: after the last ``/``, or after the last ``:`` when there is no ``/``."""
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]


def _user_identity(snapshot: Snapshot, arn: str) -> dict[str, Any]:
    account = snapshot.account(arn.split(":")[4])
    user = account.users_by_arn.get(arn) if account else None
    return events.user_identity_iam_user(arn=arn, user_id=user.user_id if user else None)


# --- 1. Lambda execution role -------------------------------------------------------------------------------------

LAMBDA_WHAT_IFS = (
    WhatIf(
        id="other-account",
        label="Invoked from another account",
        description="The same function name in someone else's account: aws:SourceAccount and aws:SourceArn differ.",
    ),
)


def lambda_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["lambda"]
    role_arn = f["role_arn"]
    service = f.get("actor", "lambda.amazonaws.com")
    node = f"service:{service}"
    context = dict(f.get("context", {}))
    if what_if == "other-account":
        foreign = f.get("what_if", {})
        context = {
            "aws:SourceAccount": foreign.get("foreign_source_account", "210987654321"),
            "aws:SourceArn": foreign.get(
                "foreign_source_arn", f["function_arn"].replace(":111122223333:", ":210987654321:")
            ),
        }
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START.replace(hour=6)))
    function = f["function_name"]
    story.narrate(
        title="The function is invoked",
        caption=f"A schedule fires and invokes {function}. The code carries no access keys: "
        "it needs the permissions of its execution role.",
        actor=node,
        actor_label="AWS Lambda",
    )
    session_name = f.get("role_session_name", function)
    session = story.assume(
        actor=node,
        actor_label="AWS Lambda",
        caller=service,
        role_arn=role_arn,
        api="AssumeRole",
        parameters={"RoleArn": role_arn, "RoleSessionName": session_name},
        request=AssumeRoleRequest(
            caller=service,
            role_arn=role_arn,
            context=RequestContext.of(context),
            role_session_name=session_name,
        ),
        identity=events.user_identity_service(service),
        title="Lambda assumes the execution role",
        caption="The role trusts lambda.amazonaws.com, but only when Lambda acts for this account "
        "(aws:SourceAccount). STS issues short-lived credentials to the function's runtime.",
    )
    instance = f["instance_ids"][0]
    story.use(
        session=session,
        actor_label=function,
        service="ec2",
        api=f.get("action", "ec2:StartInstances").split(":", 1)[1],
        resource=f["instance_arns"][0],
        resource_label=f.get("instance_names", {}).get(instance, instance),
        parameters={"instancesSet": {"items": [{"instanceId": i} for i in f["instance_ids"]]}},
        title="The function starts the instances",
        caption=f"With the role's credentials the function calls ec2:StartInstances on {instance}; the role's "
        "permission policy allows it. The credentials expire on their own.",
    )
    return _scenario(
        story,
        name="lambda",
        title="Lambda execution role",
        summary="An AWS service assumes a role on behalf of your function.",
        use_case="lambda",
        options=LAMBDA_WHAT_IFS,
        what_if=what_if,
    )


# --- 2. Break-glass -----------------------------------------------------------------------------------------------

BREAK_GLASS_WHAT_IFS = (
    WhatIf(id="no-mfa", label="Without MFA", description="Wayne calls AssumeRole without SerialNumber and TokenCode."),
    WhatIf(id="stale-mfa", label="MFA two hours old", description="Wayne signed in with MFA two hours ago."),
)


def break_glass_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["break_glass"]
    user_arn = f["actor"]
    user = f.get("actor_name", _name(user_arn))
    role_arn = f["role_arn"]
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START.replace(hour=3)))
    identity = _user_identity(snapshot, user_arn)
    instance_arn = f["instance_arn"]
    instance = f["instance_id"]
    action = f.get("action", "ec2:StopInstances").split(":", 1)[1]
    story.narrate(
        title="3 AM: an incident",
        caption=f"{f.get('incident', 'An instance misbehaves')}. {user} works on the service desk and normally has "
        "read-only access.",
        actor=user_arn,
        actor_label=user,
        seconds=0,
    )
    story.use(
        session=None,
        principal_arn=user_arn,
        actor_label=user,
        identity=identity,
        service="ec2",
        api=action,
        resource=instance_arn,
        resource_label=instance,
        parameters={"instancesSet": {"items": [{"instanceId": instance}]}},
        title=f"{user} tries with his own access",
        caption="",
        error_code="Client.UnauthorizedOperation",
    )
    # The first attempt is expected to fail (read-only); the story goes on to break the glass.
    story.stopped = False
    context: dict[str, Any] = dict(f.get("context", {}))
    parameters: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": f.get("role_session_name", user),
        "DurationSeconds": f.get("duration_seconds", 3600),
        "SerialNumber": f.get("mfa_serial"),
        "TokenCode": f.get("token_code"),
    }
    if what_if == "no-mfa":
        context = {k: v for k, v in context.items() if not k.lower().startswith("aws:multifactorauth")}
        parameters.pop("SerialNumber")
        parameters.pop("TokenCode")
    elif what_if == "stale-mfa":
        context["aws:MultiFactorAuthAge"] = str(f.get("what_if", {}).get("stale_mfa_age_seconds", 7200))
    session = story.assume(
        actor=user_arn,
        actor_label=user,
        caller=user_arn,
        role_arn=role_arn,
        api="AssumeRole",
        parameters=parameters,
        request=AssumeRoleRequest(
            caller=user_arn,
            role_arn=role_arn,
            context=RequestContext.of(context),
            role_session_name=parameters["RoleSessionName"],
            duration_seconds=parameters["DurationSeconds"],
        ),
        identity=identity,
        title=f"{user} breaks the glass",
        caption=f"{user} assumes {_name(role_arn)} with a fresh MFA code. The trust policy names the account and "
        "demands MFA; his group's policy allows this one role. STS issues one hour of credentials.",
        mfa=what_if != "no-mfa",
    )
    story.use(
        session=session,
        actor_label=f"{user} (as {_name(role_arn)})",
        service="ec2",
        api=action,
        resource=instance_arn,
        resource_label=instance,
        parameters={"instancesSet": {"items": [{"instanceId": instance}]}},
        title="The emergency fix",
        caption=f"Now the call succeeds. CloudTrail records the role session '{parameters['RoleSessionName']}', "
        f"so the log shows that {user} stopped the instance, and when.",
        error_code="Client.UnauthorizedOperation",
    )
    return _scenario(
        story,
        name="break-glass",
        title="Break-glass emergency role",
        summary="Read-only staff take elevated rights only in an emergency, with MFA, and the log shows who.",
        use_case="break-glass",
        options=BREAK_GLASS_WHAT_IFS,
        what_if=what_if,
    )


# --- 3. Corporate AD (SAML) ---------------------------------------------------------------------------------------

SAML_WHAT_IFS = (
    WhatIf(
        id="wrong-audience",
        label="Assertion for another service",
        description="The assertion was issued for another service provider: SAML:aud is not the AWS sign-in endpoint.",
    ),
)


def saml_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["saml"]
    assertion = f["assertions"][0]
    provider = f["provider_arn"]
    role_arn = assertion["role_arn"]
    person = assertion["user"]
    context = dict(assertion.get("context", {}))
    if what_if == "wrong-audience":
        context["SAML:aud"] = f.get("what_if", {}).get("other_recipient", "https://sso.example.net/saml/acs")
    tags = tuple((k, v) for k, v in assertion.get("session_tags", {}).items())
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START))
    story.narrate(
        title="Sign-in with the corporate account",
        caption=f"{person} opens the AD FS portal and signs in with the usual Active Directory password. "
        "AD FS answers with a signed SAML assertion that lists the AWS roles she may use.",
        actor=provider,
        actor_label=f.get("idp", "AD FS"),
    )
    duration = int(assertion.get("attributes", {}).get("https://aws.amazon.com/SAML/Attributes/SessionDuration", 3600))
    session = story.assume(
        actor=provider,
        actor_label=person,
        caller=provider,
        role_arn=role_arn,
        api="AssumeRoleWithSAML",
        parameters={
            "RoleArn": role_arn,
            "PrincipalArn": provider,
            "SAMLAssertion": "PHNhbWxwOlJlc3BvbnNlIC4uLg== (base64 of the signed assertion, shortened)",
            "DurationSeconds": duration,
        },
        request=AssumeRoleRequest(
            caller=provider,
            role_arn=role_arn,
            context=RequestContext.of(context),
            role_session_name=person,
            duration_seconds=duration,
            tags=tags,
        ),
        identity=events.user_identity_saml(provider_arn=provider, user=person),
        title="The assertion is exchanged for role credentials",
        caption=f"The browser posts the assertion to AWS. The role trusts the {_name(provider)} provider, and only "
        "for assertions addressed to the AWS sign-in endpoint (SAML:aud). No IAM user exists for her.",
        extra_response={
            "subject": context.get("SAML:sub", person),
            "subjectType": "persistent",
            "issuer": assertion.get("issuer"),
            "audience": context.get("SAML:aud"),
        },
    )
    story.use(
        session=session,
        actor_label=person,
        service="ec2",
        api=f.get("action", "ec2:DescribeInstances").split(":", 1)[1],
        resource="*",
        resource_label="all instances (read)",
        parameters={},
        title="The console opens",
        caption=f"The AWS console opens as {_name(role_arn)}/{person}. What she may do is what the role allows — "
        "here, reading.",
    )
    return _scenario(
        story,
        name="saml",
        title="Corporate AD federation (SAML)",
        summary="Staff sign in with Active Directory through AD FS and get role credentials, no IAM users.",
        use_case="saml",
        options=SAML_WHAT_IFS,
        what_if=what_if,
    )


# --- 4. Web identity (mobile app) -------------------------------------------------------------------------------

WEB_WHAT_IFS = (
    WhatIf(
        id="unauthenticated",
        label="Guest (unauthenticated) identity",
        description="The app user did not sign in: the Cognito token's amr says unauthenticated.",
    ),
    WhatIf(
        id="other-audience",
        label="Token from another app",
        description="The token was issued for another identity pool: the aud claim differs.",
    ),
)


def web_identity_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["web_identity"]
    provider = f.get("actor", "cognito-identity.amazonaws.com")
    node = f"federated:{provider}"
    role_arn = f["role_arn"]
    context = dict(f.get("context", {}))
    claims = dict(f.get("token_claims", {}))
    extra = f.get("what_if", {})
    if what_if == "unauthenticated":
        context[f"{provider}:amr"] = extra.get("unauthenticated_amr", ["unauthenticated"])
        claims["amr"] = context[f"{provider}:amr"]
    elif what_if == "other-audience":
        context[f"{provider}:aud"] = extra.get(
            "other_identity_pool_id", "us-east-1:00000000-0000-0000-0000-000000000000"
        )
        claims["aud"] = context[f"{provider}:aud"]
    subject = claims.get("sub", f.get("identity_id", "sub"))
    rider = f.get("actor_name", "a rider")
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START.replace(hour=18)))
    story.narrate(
        title="A rider signs in",
        caption=f"In the {f.get('app', 'mobile')} app, {rider}. Cognito gives the app an identity and an "
        "OpenID Connect token for it. The app holds no AWS keys.",
        actor=node,
        actor_label="Cognito",
    )
    session_name = f.get("role_session_name", "CognitoIdentityCredentials")
    session = story.assume(
        actor=node,
        actor_label=rider.split(",")[0],
        caller=provider,
        role_arn=role_arn,
        api="AssumeRoleWithWebIdentity",
        parameters={
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "WebIdentityToken": "eyJraWQiOi... (token with claims "
            + ", ".join(
                f"{k}={v if isinstance(v, str) else ','.join(v)}" for k, v in claims.items() if k in ("aud", "amr")
            )
            + ")",
        },
        request=AssumeRoleRequest(
            caller=provider,
            role_arn=role_arn,
            context=RequestContext.of(context),
            role_session_name=session_name,
        ),
        identity=events.user_identity_web(provider=provider, subject=subject),
        title="The token is exchanged for credentials",
        caption="The role trusts Cognito, but only for tokens of this identity pool (aud) whose user signed in "
        "(amr = authenticated). STS returns credentials that expire within the hour.",
        extra_response={"subjectFromWebIdentityToken": subject, "audience": claims.get("aud"), "provider": provider},
    )
    table = f["table_arn"]
    story.use(
        session=session,
        actor_label="the app",
        service="dynamodb",
        api=f.get("action", "dynamodb:PutItem").split(":", 1)[1],
        resource=table,
        resource_label=_name(table),
        parameters={"tableName": _name(table), "key": {"pk": f.get("item_partition_key", subject)}},
        context={
            "dynamodb:LeadingKeys": f.get("item_partition_key", subject),
            f"{provider}:sub": subject,
            f"{provider}:aud": claims.get("aud", ""),
        },
        title="The app saves the trip",
        caption=f"The app writes the trip into {_name(table)}. The policy lets each rider write only items whose "
        "key is their own Cognito identity.",
    )
    return _scenario(
        story,
        name="web-identity",
        title="Web identity federation (mobile app)",
        summary="Millions of app users get AWS credentials through Cognito and a social sign-in, no IAM users.",
        use_case="web-identity",
        options=WEB_WHAT_IFS,
        what_if=what_if,
    )


# --- 4b. CI federation (GitHub Actions OIDC) ----------------------------------------------------------------------

GITHUB_WHAT_IFS = (
    WhatIf(
        id="other-repository",
        label="Token from another repository",
        description="A workflow in a fork or another repository asks for the role: the token's sub differs.",
    ),
)


def github_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["web_identity"]["github"]
    provider_arn = f["provider_arn"]
    host = provider_arn.split("oidc-provider/", 1)[-1]
    role_arn = f["role_arn"]
    context = dict(f.get("context", {}))
    if what_if == "other-repository":
        context[f"{host}:sub"] = "repo:someone-else/fork-of-mobile-backend:ref:refs/heads/main"
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START.replace(hour=14)))
    story.narrate(
        title="A deployment workflow starts",
        caption=f"A push to main starts {f.get('workflow', 'the deploy workflow')} in {f.get('repository')}. "
        "GitHub mints an OIDC token that says which repository and branch is running.",
        actor=provider_arn,
        actor_label="GitHub Actions",
    )
    session_name = f.get("role_session_name", "GitHubActions")
    session = story.assume(
        actor=provider_arn,
        actor_label="GitHub Actions",
        caller=provider_arn,
        role_arn=role_arn,
        api="AssumeRoleWithWebIdentity",
        parameters={
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "WebIdentityToken": f"eyJhbGciOi... (sub={context.get(f'{host}:sub')})",
        },
        request=AssumeRoleRequest(
            caller=provider_arn, role_arn=role_arn, context=RequestContext.of(context), role_session_name=session_name
        ),
        identity=events.user_identity_web(provider=host, subject=context.get(f"{host}:sub", "")),
        title="The token is exchanged for deploy credentials",
        caption="The deploy role trusts GitHub's OIDC provider only for tokens meant for STS (aud) from this "
        "repository's main branch (sub). No long-lived keys sit in the CI secrets.",
    )
    resource = f.get("resource", "*")
    story.use(
        session=session,
        actor_label="the workflow",
        service=f.get("action", "lambda:UpdateFunctionCode").split(":", 1)[0],
        api=f.get("action", "lambda:UpdateFunctionCode").split(":", 1)[1],
        resource=resource,
        resource_label=_name(resource),
        parameters={"functionName": _name(resource)},
        title="The workflow deploys",
        caption=f"The workflow updates {_name(resource)} with the role's credentials.",
    )
    return _scenario(
        story,
        name="github-actions",
        title="CI federation (GitHub Actions OIDC)",
        summary="A CI pipeline gets short-lived deploy credentials from an OIDC token, scoped to one repository.",
        use_case="web-identity",
        options=GITHUB_WHAT_IFS,
        what_if=what_if,
    )


# --- 5. Cross-account partner access ------------------------------------------------------------------------------

CROSS_WHAT_IFS = (
    WhatIf(id="no-external-id", label="Without ExternalId", description="dana calls AssumeRole with no ExternalId."),
    WhatIf(id="wrong-external-id", label="Wrong ExternalId", description="dana passes another customer's ExternalId."),
)


def cross_account_scenario(snapshot: Snapshot, facts: Facts, what_if: str | None = None) -> Scenario:
    f = facts["cross_account"]
    user_arn = f["actor"]
    user = f.get("actor_name", _name(user_arn))
    role_arn = f["role_arn"]
    external_id: str | None = f.get("external_id")
    if what_if == "no-external-id":
        external_id = None
    elif what_if == "wrong-external-id":
        external_id = f.get("what_if", {}).get("wrong_external_id", "wrong-id")
    story = StoryBuilder(snapshot, start=parse_time(f.get("time"), _DEFAULT_START.replace(hour=11)))
    session_name = f.get("role_session_name", user)
    parameters = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": f.get("duration_seconds", 3600),
        "ExternalId": external_id,
    }
    session = story.assume(
        actor=user_arn,
        actor_label=user,
        caller=user_arn,
        role_arn=role_arn,
        api="AssumeRole",
        parameters=parameters,
        request=AssumeRoleRequest(
            caller=user_arn,
            role_arn=role_arn,
            external_id=external_id,
            role_session_name=session_name,
            duration_seconds=parameters["DurationSeconds"],
        ),
        identity=_user_identity(snapshot, user_arn),
        title=f"{user} assumes the partner's role",
        caption=f"The partner's role trusts {user} in your account, with the ExternalId the partner gave you. "
        f"Both sides agree: the trust policy names {user}, and {user}'s own policy allows this role.",
    )
    story.use(
        session=session,
        actor_label=f"{user} (as {_name(role_arn)})",
        service="s3",
        api="PutObject",
        resource=f["object_arn"],
        resource_label=f"s3://{f['bucket']}/{f['object_key']}",
        parameters={"bucketName": f["bucket"], "key": f["object_key"]},
        title="The upload lands in the partner's bucket",
        caption=f"With the partner role's credentials {user} uploads the export into the partner's bucket. "
        "Nobody created an IAM user for her in the partner's account.",
    )
    return _scenario(
        story,
        name="cross-account",
        title="Cross-account partner access",
        summary="Your user takes a role in a partner's account, guarded by an ExternalId, to upload to its S3 bucket.",
        use_case="cross-account",
        options=CROSS_WHAT_IFS,
        what_if=what_if,
    )


# --- registry -------------------------------------------------------------------------------------------------------

Builder = Callable[[Snapshot, Facts, str | None], Scenario]

#: Built-in scenarios: id -> (facts key that must be present, builder). Order is the lesson's order.
BUILTIN: dict[str, tuple[str, Builder]] = {
    "lambda": ("lambda", lambda_scenario),
    "break-glass": ("break_glass", break_glass_scenario),
    "saml": ("saml", saml_scenario),
    "web-identity": ("web_identity", web_identity_scenario),
    "github-actions": ("web_identity", github_scenario),
    "cross-account": ("cross_account", cross_account_scenario),
}


def _scenario(
    story: StoryBuilder,
    *,
    name: str,
    title: str,
    summary: str,
    use_case: str,
    options: tuple[WhatIf, ...],
    what_if: str | None,
) -> Scenario:
    return Scenario(
        id=name if what_if is None else f"{name}:{what_if}",
        title=title,
        summary=summary,
        steps=tuple(story.steps),
        use_case=use_case,
        what_if=_what_if(options, what_if),
        what_ifs=options,
    )


def _what_if(options: tuple[WhatIf, ...], chosen: str | None) -> WhatIf | None:
    if chosen is None:
        return None
    for option in options:
        if option.id == chosen:
            return option
    raise InputError(f"unknown what-if {chosen!r}; choose from {', '.join(o.id for o in options)}")


def available_builtins(facts: Facts | None) -> list[str]:
    """The ids of the built-in scenarios whose facts the loaded sample provides."""
    if not facts:
        return []
    names = []
    for name, (key, _) in BUILTIN.items():
        if key in facts and (name != "github-actions" or "github" in facts.get(key, {})):
            names.append(name)
    return names


def build_builtin(snapshot: Snapshot, facts: Facts, name: str, what_if: str | None = None) -> Scenario:
    """Build one built-in scenario by id (``lambda``, ``break-glass``...), optionally with a what-if."""
    entry = BUILTIN.get(name)
    if entry is None:
        raise InputError(f"unknown scenario {name!r}; choose from {', '.join(BUILTIN)}")
    key, builder = entry
    if key not in facts:
        raise InputError(f"scenario {name!r} needs the classroom sample's facts, which this snapshot lacks")
    try:
        return builder(snapshot, facts, what_if)
    except KeyError as exc:
        raise InputError(f"scenario {name!r}: the sample's facts lack {exc}") from None
