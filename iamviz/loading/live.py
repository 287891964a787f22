"""Live capture of AWS accounts with botocore: the only module of iamviz that imports boto3 or botocore.

Credentials follow the AWS CLI's conventions (``--profile`` or ``AWS_PROFILE``, the default chain, ``--region``,
``--endpoint-url``). Only read calls are made, exactly those of :data:`REQUIRED_PERMISSIONS`:

* ``sts:GetCallerIdentity`` (the account ID) and ``iam:GetAccountAuthorizationDetails`` (paginated) are required;
  a failure of either is a :class:`~iamviz.errors.LiveAccountError`;
* ``iam:ListAccountAliases``, ``iam:ListSAMLProviders``, ``iam:ListOpenIDConnectProviders``,
  ``iam:GetOpenIDConnectProvider``, ``organizations:DescribeOrganization`` and ``organizations:ListAccounts`` are
  optional: a denied one is skipped with a warning naming the permission and recorded in :attr:`Account.gaps`.

Throttling is retried by botocore's standard retry mode (exponential backoff with jitter); connect and read
timeouts bound a hung endpoint. Every failure becomes one :class:`LiveAccountError` line a user can act on.
Credentials are never stored: the :class:`~iamviz.model.Account` holds no field for them.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.parsers
import botocore.session
import botocore.utils
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ProxyConnectionError,
    ReadTimeoutError,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from iamviz import __version__
from iamviz.errors import CancelledError, InputError, LiveAccountError
from iamviz.loading.bundle import FORMAT as BUNDLE_FORMAT
from iamviz.loading.bundle import VERSION as BUNDLE_VERSION
from iamviz.loading.bundle import account_entry, utc_now
from iamviz.loading.gaad import GAAD_LISTS, account_from_details
from iamviz.model import Account, OidcProvider, Organization, SamlProvider, Snapshot

_log = logging.getLogger(__name__)

#: Every API action a capture calls: the least-privilege policy for live mode (see :func:`required_policy`).
REQUIRED_PERMISSIONS: tuple[str, ...] = (
    "iam:GetAccountAuthorizationDetails",
    "iam:GetOpenIDConnectProvider",
    "iam:ListAccountAliases",
    "iam:ListOpenIDConnectProviders",
    "iam:ListSAMLProviders",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "sts:GetCallerIdentity",
)

DEFAULT_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
GAAD_PAGE_SIZE = 1000

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"})
_EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
_REJECTED = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "AuthFailure",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "InvalidToken",
    }
)
_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
_FATAL = _EXPIRED | _REJECTED | _THROTTLED
_NOT_IN_ORGANIZATION = "AWSOrganizationsNotInUseException"


def required_policy() -> dict[str, Any]:
    """The least-privilege IAM policy for live mode, as a JSON-ready document."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "IamvizReadOnlyCapture",
                "Effect": "Allow",
                "Action": list(REQUIRED_PERMISSIONS),
                "Resource": "*",
            }
        ],
    }


def available_profiles() -> list[str]:
    """The profiles of the AWS config and credentials files (for the GUI's profile picker)."""
    try:
        return sorted(botocore.session.Session().available_profiles)
    except (BotoCoreError, OSError, ValueError):
        return []


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureProgress:
    """One progress report of a capture: the phase, GAAD pages read so far, and entity counts.

    ``phase`` is one of ``identity``, ``aliases``, ``authorization-details``, ``saml-providers``,
    ``oidc-providers``, ``organization``, ``done``, or ``warning`` (then ``message`` names a skipped permission).
    """

    phase: str
    message: str
    profile: str | None = None
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict, hash=False)

    @property
    def is_warning(self) -> bool:
        """Whether this report is a warning (a skipped optional call)."""
        return self.phase == "warning"


ProgressCallback = Callable[[CaptureProgress], None]
CancelCallback = Callable[[], bool]


class _ServiceError(LiveAccountError):
    """An error answer of an AWS service, with its code (so optional calls can decide what to do)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class _DeniedError(_ServiceError):
    """An AccessDenied answer."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _jsonable(value: Any) -> Any:
    """boto3 output as plain JSON values (datetimes as ISO 8601 strings), without ``ResponseMetadata``."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _label(account_id: str, alias: str | None) -> str:
    return f"{account_id} ({alias})" if alias else account_id


def _without_metadata(page: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in page.items() if key != "ResponseMetadata"}


def _iso(value: Any) -> str | None:
    return None if value is None else str(_jsonable(value))


class _Capture:
    """One capture of one account: the clients, the gaps found, and progress/cancel plumbing."""

    def __init__(
        self,
        *,
        session: Any,
        profile: str | None,
        region: str | None,
        endpoint_url: str | None,
        config: Config,
        progress: ProgressCallback | None,
        cancel: CancelCallback | None,
    ) -> None:
        self.session = session
        self.profile = profile
        self.who = f"profile {profile!r}" if profile else "the default AWS credentials"
        self.endpoint = endpoint_url or "AWS"
        self.region = region
        self.endpoint_url = endpoint_url
        self.config = config
        self.max_attempts = int((config.retries or {}).get("total_max_attempts", DEFAULT_MAX_ATTEMPTS))
        self.progress = progress
        self.cancel = cancel
        self.gaps: list[str] = []
        self._clients: dict[str, Any] = {}
        # Answers of a session made by make_session are JSON values already (timestamps as text); of another
        # session (a caller's boto3 session) they hold datetimes, which _jsonable turns into text.
        self.plain = session in _PLAIN_SESSIONS

    # -- plumbing ------------------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = self._guard(f"{service} client", lambda: self._new_client(service))
            if self.cancel is not None:
                # Inside botocore too: before every attempt, and before every backoff sleep of a retry (a throttling
                # storm can sleep up to 20 s a retry), so a cancel never waits for the retries to run out.
                client.meta.events.register("before-send", self._cancel_inside)
                client.meta.events.register("needs-retry", self._cancel_inside)
            self._clients[service] = client
        return self._clients[service]

    def _new_client(self, service: str) -> Any:
        # A botocore session (make_session) or a boto3 one (passed in by a caller).
        create = getattr(self.session, "create_client", None) or self.session.client
        if self.region is None:
            self.region = _session_region(self.session) or DEFAULT_REGION
        return create(service, region_name=self.region, endpoint_url=self.endpoint_url, config=self.config)

    def _cancel_inside(self, **_: Any) -> None:
        self.check_cancel()

    def report(self, phase: str, message: str, *, pages: int = 0, counts: dict[str, int] | None = None) -> None:
        if self.progress is not None:
            self.progress(
                CaptureProgress(phase=phase, message=message, profile=self.profile, pages=pages, counts=counts or {})
            )

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel():
            raise CancelledError(f"capture of {self.who} cancelled; nothing was written")

    def _guard(self, permission: str, func: Callable[[], Any]) -> Any:
        """Call ``func``; turn every botocore failure into one :class:`LiveAccountError` line."""
        self.check_cancel()
        try:
            return func()
        except ClientError as exc:
            raise self._client_error(permission, exc) from None
        except (NoCredentialsError, PartialCredentialsError) as exc:
            where = f" for profile {self.profile!r}" if self.profile else ""
            raise LiveAccountError(
                f"no usable AWS credentials found{where} ({_one_line(exc)}): run `aws configure` or "
                "`aws sso login`, set AWS_PROFILE, or pass --profile"
            ) from None
        except ProfileNotFound as exc:
            raise _profile_not_found(exc) from None
        except (SSOTokenLoadError, UnauthorizedSSOTokenError, TokenRetrievalError, SSOError) as exc:
            login = f"aws sso login --profile {self.profile}" if self.profile else "aws sso login"
            raise LiveAccountError(
                f"the SSO session of {self.who} is missing or expired ({_one_line(exc)}): run `{login}`"
            ) from None
        except CredentialRetrievalError as exc:
            raise LiveAccountError(f"could not get credentials for {self.who}: {_one_line(exc)}") from None
        except ReadTimeoutError:
            raise LiveAccountError(
                f"{self.endpoint} did not answer {permission} within {self.config.read_timeout} s (read timeout); "
                "check the network or the endpoint URL"
            ) from None
        except ConnectTimeoutError:
            raise LiveAccountError(
                f"cannot reach {self.endpoint}: connecting timed out after {self.config.connect_timeout} s; "
                "check the network, proxy or endpoint URL"
            ) from None
        except (EndpointConnectionError, ConnectionClosedError, ProxyConnectionError) as exc:
            raise LiveAccountError(
                f"cannot reach {self.endpoint} ({_one_line(exc)}); check the network, proxy or endpoint URL"
            ) from None
        except BotoCoreError as exc:
            raise LiveAccountError(f"{permission} failed for {self.who}: {_one_line(exc)}") from None

    def _client_error(self, permission: str, exc: ClientError) -> _ServiceError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        detail = _one_line(error.get("Message", "")) or code
        if code in _DENIED:
            return _DeniedError(
                f"{self.who} may not call {permission} ({code}); attach the read-only policy printed by "
                "`iamviz permissions`",
                code=code,
            )
        if code in _EXPIRED:
            return _ServiceError(
                f"the credentials of {self.who} have expired ({code}); refresh them (e.g. `aws sso login`) and retry",
                code=code,
            )
        if code in _REJECTED:
            return _ServiceError(f"AWS rejected the credentials of {self.who} ({code}: {detail})", code=code)
        if code in _THROTTLED:
            attempts = self.max_attempts
            return _ServiceError(
                f"AWS kept throttling {permission} after {attempts} attempts with backoff ({code}); "
                "wait a minute and retry",
                code=code,
            )
        return _ServiceError(f"{permission} failed for {self.who} ({code}: {detail})", code=code)

    def required(self, permission: str, func: Callable[[], Any]) -> Any:
        return self._guard(permission, func)

    def optional(self, permission: str, func: Callable[[], Any], *, tolerate: Iterable[str] = ()) -> Any:
        """Call an optional API: a denial (or another service error) becomes a gap and ``None``."""
        try:
            return self._guard(permission, func)
        except _ServiceError as exc:
            if exc.code in set(tolerate):
                raise _Tolerated(exc.code) from None
            if exc.code in _FATAL:
                raise
            self.skip(permission, exc.code)
        return None

    def skip(self, permission: str, code: str) -> None:
        self.gaps.append(f"{permission} ({code})")
        message = f"skipped {permission} for {self.who} ({code}); the snapshot records the gap"
        _log.warning(message)
        self.report("warning", message)

    # -- the capture ---------------------------------------------------------------------------------------------

    def collect(self) -> _Captured:
        """Make every call of the capture; the answers, unparsed (``authorization_details`` as JSON values)."""
        self.report("identity", f"identifying {self.who}")
        sts = self.client("sts")
        identity = self.required("sts:GetCallerIdentity", sts.get_caller_identity)
        account_id = str(identity["Account"])
        self.report("identity", f"{self.who}: {identity.get('Arn', '?')} in account {account_id}")

        iam = self.client("iam")
        self.report("aliases", "reading the account alias")
        aliases = self.optional("iam:ListAccountAliases", iam.list_account_aliases)
        names = (aliases or {}).get("AccountAliases") or []
        alias = str(names[0]) if names else None

        pages = self.authorization_details(iam)
        saml = self.saml_providers(iam)
        oidc = self.oidc_providers(iam)
        organization = self.organization()
        self.check_cancel()
        return _Captured(
            account_id=account_id,
            alias=alias,
            captured_at=utc_now(),
            source=f"live:{self.profile or 'default'}",
            pages=pages,
            saml_providers=saml,
            oidc_providers=oidc,
            organization=organization,
            gaps=self.gaps,
        )

    def report_done(self, label: str, pages: list[dict[str, Any]], sizes: dict[str, int]) -> None:
        """Report the capture done; the message names ``sizes`` (the model's, or the pages' when not parsed)."""
        self.report(
            "done",
            f"captured account {label}: {sizes['users']} users, {sizes['groups']} groups, "
            f"{sizes['roles']} roles, {sizes['policies']} managed policies",
            pages=len(pages),
            counts=_counts(pages),
        )

    def collect_unparsed(self) -> _Captured:
        """:meth:`collect`, reported done (counts as the pages have them)."""
        captured = self.collect()
        self.report_done(_label(captured.account_id, captured.alias), captured.pages, _counts(captured.pages))
        return captured

    def run(self) -> Account:
        """The capture, parsed into an :class:`Account`."""
        captured = self.collect()
        try:
            account = account_from_details(
                captured.pages,
                account_id=captured.account_id,
                alias=captured.alias,
                captured_at=captured.captured_at,
                source=captured.source,
                saml_providers=captured.saml_providers,
                oidc_providers=captured.oidc_providers,
                organization=captured.organization,
                gaps=captured.gaps,
            )
        except InputError as exc:
            raise LiveAccountError(
                f"account {captured.account_id} returned authorization details iamviz cannot read: {exc}"
            ) from None
        counts = {
            "users": len(account.users),
            "groups": len(account.groups),
            "roles": len(account.roles),
            "policies": len(account.managed_policies),
        }
        self.report_done(account.label, captured.pages, counts)
        return account

    def authorization_details(self, iam: Any) -> list[dict[str, Any]]:
        permission = "iam:GetAccountAuthorizationDetails"
        paginator = iam.get_paginator("get_account_authorization_details")
        iterator: Iterator[dict[str, Any]] = iter(paginator.paginate(PaginationConfig={"PageSize": GAAD_PAGE_SIZE}))
        pages: list[dict[str, Any]] = []
        while True:
            page = self.required(permission, lambda: next(iterator, None))
            if page is None:
                break
            pages.append(_without_metadata(page) if self.plain else _jsonable(page))
            counts = _counts(pages)
            self.report(
                "authorization-details",
                f"authorization details page {len(pages)}: " + ", ".join(f"{v} {k}" for k, v in counts.items()),
                pages=len(pages),
                counts=counts,
            )
        return pages

    def saml_providers(self, iam: Any) -> list[SamlProvider]:
        self.report("saml-providers", "listing SAML providers")
        answer = self.optional("iam:ListSAMLProviders", iam.list_saml_providers)
        return [
            SamlProvider(
                arn=item["Arn"], valid_until=_iso(item.get("ValidUntil")), create_date=_iso(item.get("CreateDate"))
            )
            for item in (answer or {}).get("SAMLProviderList", [])
        ]

    def oidc_providers(self, iam: Any) -> list[OidcProvider]:
        self.report("oidc-providers", "listing OIDC providers")
        answer = self.optional("iam:ListOpenIDConnectProviders", iam.list_open_id_connect_providers)
        providers = []
        for item in (answer or {}).get("OpenIDConnectProviderList", []):
            arn = item["Arn"]
            detail = self.optional(
                "iam:GetOpenIDConnectProvider",
                lambda arn=arn: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn),
            )
            url = (detail or {}).get("Url") or arn.split(":oidc-provider/", 1)[-1]
            providers.append(
                OidcProvider(
                    arn=arn,
                    url=url if url.startswith(("https://", "http://")) else f"https://{url}",
                    client_ids=tuple((detail or {}).get("ClientIDList", ())),
                    thumbprints=tuple((detail or {}).get("ThumbprintList", ())),
                    create_date=_iso((detail or {}).get("CreateDate")),
                )
            )
        return providers

    def organization(self) -> Organization | None:
        self.report("organization", "reading the organization")
        org = self.client("organizations")
        try:
            answer = self.optional(
                "organizations:DescribeOrganization", org.describe_organization, tolerate=(_NOT_IN_ORGANIZATION,)
            )
        except _Tolerated:
            return None  # the account is in no organization: a fact, not a gap
        if not answer:
            return None
        described = answer.get("Organization", {})
        account_ids = self.optional("organizations:ListAccounts", lambda: _list_accounts(org))
        return Organization(
            id=str(described.get("Id", "")),
            management_account_id=described.get("MasterAccountId"),
            account_ids=tuple(account_ids or ()),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Captured:
    """The answers of one capture, before parsing."""

    account_id: str
    alias: str | None
    captured_at: str
    source: str
    pages: list[dict[str, Any]]
    saml_providers: list[SamlProvider]
    oidc_providers: list[OidcProvider]
    organization: Organization | None
    gaps: list[str]

    def bundle_entry(self) -> dict[str, Any]:
        """The account as a bundle holds it (the shape :func:`iamviz.loading.bundle.bundle_data` writes)."""
        return account_entry(
            account_id=self.account_id,
            alias=self.alias,
            captured_at=self.captured_at,
            source=self.source,
            details={key: [item for page in self.pages for item in page.get(key) or ()] for key in GAAD_LISTS},
            saml_providers=self.saml_providers,
            oidc_providers=self.oidc_providers,
            organization=self.organization,
            gaps=self.gaps,
        )


class _Tolerated(Exception):
    """An expected service answer (such as 'not in an organization') on an optional call."""

    def __init__(self, code: str | None) -> None:
        super().__init__(code)
        self.code = code


def _list_accounts(org: Any) -> list[str]:
    return [
        str(account["Id"]) for page in org.get_paginator("list_accounts").paginate() for account in page["Accounts"]
    ]


def _counts(pages: list[dict[str, Any]]) -> dict[str, int]:
    keys = {"users": "UserDetailList", "groups": "GroupDetailList", "roles": "RoleDetailList", "policies": "Policies"}
    return {name: sum(len(page.get(key) or ()) for page in pages) for name, key in keys.items()}


def _profile_not_found(exc: ProfileNotFound) -> LiveAccountError:
    profile = exc.kwargs.get("profile", "?")
    known = ", ".join(available_profiles()) or "none"
    return LiveAccountError(f"AWS profile {profile!r} not found (profiles configured: {known})")


def make_config(
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Config:
    """The botocore configuration of every client: standard retries with backoff, connect and read timeouts."""
    return Config(
        # total_max_attempts counts the first request too; botocore's "max_attempts" would count retries only.
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        user_agent_extra=f"iamviz/{__version__}",
    )


#: The services a capture calls (the only ones its session's model loader lists).
_SERVICES = ("iam", "organizations", "sts")


class _CaptureLoader(botocore.loaders.Loader):
    """botocore's model loader, listing only the services of a capture.

    The stock loader lists every service it knows (about 400 folders, each listed and stat-ed, once per model type)
    only to check that the one asked for exists: some 0.1 s of a capture's start-up.
    """

    def list_available_services(self, type_name: str) -> list[str]:
        return [service for service in _SERVICES if self.list_api_versions(service, type_name)]


def _loader(data_path: str | None) -> botocore.loaders.Loader:
    """:func:`botocore.loaders.create_loader`, with the capture's loader."""
    if data_path is None:
        return _CaptureLoader()
    paths = [str(Path(os.path.expandvars(path)).expanduser()) for path in data_path.split(os.pathsep)]
    return _CaptureLoader(extra_search_paths=paths)


def _timestamp_text(text: str) -> str:
    """A timestamp of an answer as the ISO 8601 text a bundle holds (what :func:`_jsonable` makes of a datetime).

    botocore's own parser goes through dateutil, about 0.2 ms a timestamp (a 1,000-role account has over 1,300):
    ISO 8601 text is read by :meth:`datetime.fromisoformat` instead; epoch numbers and anything else still go to
    botocore's parser.
    """
    try:
        float(text)
    except ValueError:
        try:
            return _jsonable(datetime.fromisoformat(text))
        except ValueError:
            pass
    return _jsonable(botocore.utils.parse_timestamp(text))


_Converter = Callable[[Any], Any]
_SKIPPED_LOCATIONS = frozenset({"statusCode", "header", "headers"})


class _Irregular(Exception):
    """An answer the compiled converter does not take on: botocore's own parser reads it instead."""


def _element_name(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]  # botocore strips the namespace, '{...}'


def _compile(shape: Any, parse_timestamp: Callable[[str], Any], active: set[int]) -> _Converter | None:
    """A converter from an XML element to what botocore's query parser makes of it, or None for a shape it does not
    cover (maps, blobs, floats, flattened lists, XML attributes, unions, error shapes, recursion)."""
    kind = shape.type_name
    serialization = shape.serialization
    if serialization.get("flattened") or serialization.get("xmlAttribute"):
        return None
    if kind == "string":
        return lambda node: node.text or ""
    if kind == "boolean":
        return lambda node: node.text == "true"
    if kind in ("integer", "long"):
        return lambda node: int(node.text or "")
    if kind == "timestamp":
        return lambda node: parse_timestamp(node.text or "")
    if id(shape) in active:
        return None
    active.add(id(shape))
    try:
        if kind == "list":
            member = _compile(shape.member, parse_timestamp, active)
            return None if member is None else (lambda node: [member(item) for item in node])
        if kind != "structure" or shape.metadata.get("exception") or getattr(shape, "is_tagged_union", False):
            return None
        members: list[tuple[str, str, _Converter]] = []
        for name, member_shape in shape.members.items():
            if member_shape.serialization.get("location") in _SKIPPED_LOCATIONS or member_shape.serialization.get(
                "eventheader"
            ):
                continue
            convert = _compile(member_shape, parse_timestamp, active)
            if convert is None:
                return None
            members.append((name, member_shape.serialization.get("name") or name, convert))
        return partial(_structure, members)
    finally:
        active.discard(id(shape))


def _structure(members: list[tuple[str, str, _Converter]], node: Any) -> dict[str, Any]:
    children: dict[str, Any] = {}
    for child in node:
        name = _element_name(child.tag)
        if name in children:
            raise _Irregular(name)  # a repeated element: botocore aggregates it in its own way
        children[name] = child
    parsed = {}
    for name, xml_name, convert in members:
        child = children.get(xml_name)
        if child is not None:
            parsed[name] = convert(child)
    return parsed


#: The converter of each output shape (all made with :func:`_timestamp_text`, the only timestamp parser used).
_COMPILED: weakref.WeakKeyDictionary[Any, _Converter | None] = weakref.WeakKeyDictionary()


class _QueryParser(botocore.parsers.QueryParser):
    """botocore's parser of query-protocol answers (IAM, STS), reading an answer through a converter compiled once
    per output shape instead of botocore's walk, which looks every element's handler up by name.

    A 1,000-role account's authorization details: about 0.2 s of botocore's parsing becomes about 0.07 s. Errors,
    shapes the converter does not cover and irregular answers go to botocore's parser, so the result is always the
    same.
    """

    def _converter(self, shape: Any) -> _Converter | None:
        try:
            return _COMPILED[shape]
        except KeyError:
            convert = _compile(shape, self._timestamp_parser, set())
            _COMPILED[shape] = convert
            return convert

    def _do_parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        convert = None if shape is None else self._converter(shape)
        if convert is None:
            return super()._do_parse(response, shape)
        try:
            root = self._parse_xml_string_to_dom(response["body"])
            start = root
            wrapper = shape.serialization.get("resultWrapper")
            if wrapper:
                start = next(child for child in root if _element_name(child.tag) == wrapper)
            parsed = convert(start)
        except Exception:  # botocore's parser reads it again and decides (and raises what it raises)
            return super()._do_parse(response, shape)
        self._inject_response_metadata(root, parsed)
        return parsed


class _ParserFactory(botocore.parsers.ResponseParserFactory):
    """Answers of the query protocol through :class:`_QueryParser`; timestamps as text (:func:`_timestamp_text`)."""

    def __init__(self) -> None:
        super().__init__()
        self.set_parser_defaults(timestamp_parser=_timestamp_text)

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "query":
            return _QueryParser(timestamp_parser=_timestamp_text)
        return super().create_parser(protocol_name)


#: The sessions made by :func:`make_session`, whose answers hold timestamps as text.
_PLAIN_SESSIONS: weakref.WeakSet[Any] = weakref.WeakSet()


def _session_region(session: Any) -> str | None:
    region = getattr(session, "region_name", None)  # a boto3 session
    if region is None and hasattr(session, "get_config_variable"):
        region = session.get_config_variable("region")
    return region


def make_session(*, profile: str | None = None, region: str | None = None) -> Any:
    """A botocore session following the AWS CLI's conventions (``AWS_PROFILE`` when no profile is given).

    botocore's own session, not boto3's (whose import also loads s3transfer), with a model loader that lists only
    the capture's services, and timestamps kept as ISO 8601 text.
    """
    try:
        session = botocore.session.Session(profile=profile)
        if region:
            session.set_config_variable("region", region)
        session.register_component("data_loader", _loader(session.get_config_variable("data_path")))
        session.register_component("response_parser_factory", _ParserFactory())
        _PLAIN_SESSIONS.add(session)
        return session
    except ProfileNotFound as exc:
        raise _profile_not_found(exc) from None
    except BotoCoreError as exc:
        raise LiveAccountError(f"cannot set up AWS access: {_one_line(exc)}") from None


def _new_capture(
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    session: Any = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> _Capture:
    return _Capture(
        session=session if session is not None else make_session(profile=profile, region=region),
        profile=profile or os.environ.get("AWS_PROFILE") or None,
        region=region,
        endpoint_url=endpoint_url,
        config=make_config(max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout),
        progress=progress,
        cancel=cancel,
    )


def capture_account(
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    session: Any = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Account:
    """Capture one account with read-only calls.

    Args:
        profile: AWS CLI profile; ``None`` uses ``AWS_PROFILE`` or the default credential chain.
        region: region for the clients (IAM is global; default: the profile's region, else us-east-1).
        endpoint_url: another endpoint for every service (a moto server, LocalStack).
        progress: called with a :class:`CaptureProgress` at every phase, GAAD page and warning.
        cancel: called before every request; returning True stops the capture with :class:`CancelledError`.
        session: a ready boto3 or botocore session (tests); by default :func:`make_session` makes one from
            ``profile`` and ``region``.
        max_attempts: attempts per call, retries included (standard retry mode, exponential backoff).
        connect_timeout: seconds to wait for a connection.
        read_timeout: seconds to wait for an answer.

    Raises:
        LiveAccountError: no credentials, unknown profile, unreachable endpoint, expired token, throttling beyond
            the retries, or a denied required call.
        CancelledError: ``cancel`` returned True.
    """
    return _new_capture(
        profile=profile,
        region=region,
        endpoint_url=endpoint_url,
        progress=progress,
        cancel=cancel,
        session=session,
        max_attempts=max_attempts,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    ).run()


def _once_per_account(
    profiles: Iterable[str | None], capture: Callable[[str | None], Any]
) -> tuple[list[Any], tuple[str, ...]]:
    """``capture(profile)`` for each profile (each result has an ``account_id``), an account reached twice kept once."""
    results: list[Any] = []
    seen: dict[str, str | None] = {}
    warnings: list[str] = []
    for profile in profiles:
        result = capture(profile)
        if result.account_id in seen:
            warnings.append(
                f"profile {profile or 'default'!r} reaches account {result.account_id}, already captured with "
                f"profile {seen[result.account_id] or 'default'!r}; kept once"
            )
            continue
        seen[result.account_id] = profile
        results.append(result)
    return results, tuple(warnings)


def capture_snapshot(
    *,
    profiles: Iterable[str | None] = (None,),
    region: str | None = None,
    endpoint_url: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    **options: Any,
) -> Snapshot:
    """Capture one account per profile (``None``: the default chain) into one snapshot.

    Two profiles that reach the same account give it once, with a warning.
    """
    accounts, warnings = _once_per_account(
        profiles,
        lambda profile: capture_account(
            profile=profile, region=region, endpoint_url=endpoint_url, progress=progress, cancel=cancel, **options
        ),
    )
    return Snapshot(accounts=tuple(accounts), warnings=warnings)


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotData:
    """A capture as the JSON object of a version-1 bundle, not parsed into the model.

    Attributes:
        data: the bundle's JSON object (what :func:`iamviz.loading.bundle.bundle_data` gives for the same capture,
            the authorization details as AWS answered them).
        labels: each account as ``111111111111 (alias)``, or its bare ID (as :attr:`Account.label`).
        warnings: accounts reached by more than one profile.
    """

    data: dict[str, Any]
    labels: tuple[str, ...]
    warnings: tuple[str, ...]


def capture_snapshot_data(
    *,
    profiles: Iterable[str | None] = (None,),
    region: str | None = None,
    endpoint_url: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    title: str | None = None,
    **options: Any,
) -> SnapshotData:
    """:func:`capture_snapshot` for writing a bundle straight away (``iamviz snapshot``): the answers are not
    parsed into the model, which reading the bundle does (and checks) anyway.

    Same arguments as :func:`capture_account` (``title`` goes into the bundle); same errors.
    """
    captured, warnings = _once_per_account(
        profiles,
        lambda profile: _new_capture(
            profile=profile, region=region, endpoint_url=endpoint_url, progress=progress, cancel=cancel, **options
        ).collect_unparsed(),
    )
    data: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "generator": f"iamviz {__version__}",
        "created_at": utc_now(),
    }
    if title:
        data["title"] = title
    data["accounts"] = [item.bundle_entry() for item in captured]
    labels = tuple(_label(item.account_id, item.alias) for item in captured)
    return SnapshotData(data=data, labels=labels, warnings=warnings)
