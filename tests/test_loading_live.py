"""Live capture: moto for the loader, botocore's Stubber for pagination and error answers, local sockets for faults."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from iamviz.errors import CancelledError, LiveAccountError
from iamviz.loading.bundle import write_bundle
from iamviz.loading.live import (
    REQUIRED_PERMISSIONS,
    CaptureProgress,
    available_profiles,
    capture_account,
    capture_snapshot,
    make_config,
    required_policy,
)
from iamviz.model import PrincipalKind, Snapshot

MOTO_ACCOUNT = "123456789012"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
READ_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


@pytest.fixture(scope="module")
def seeded():
    """An in-process moto account, seeded once: a user, group, roles, policies, and SAML and OIDC providers."""
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_account_alias(AccountAlias="workload")
        iam.create_group(GroupName="ops")
        iam.create_user(UserName="alice")
        iam.add_user_to_group(UserName="alice", GroupName="ops")
        policy = iam.create_policy(PolicyName="read-s3", PolicyDocument=json.dumps(READ_S3))["Policy"]["Arn"]
        second = json.dumps({**READ_S3, "Statement": [{**READ_S3["Statement"][0], "Action": "s3:*"}]})
        iam.create_policy_version(PolicyArn=policy, PolicyDocument=second, SetAsDefault=False)
        iam.create_role(
            RoleName="app",
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
            MaxSessionDuration=7200,
            Description="the app",
        )
        iam.attach_role_policy(RoleName="app", PolicyArn=policy)
        iam.create_instance_profile(InstanceProfileName="app")
        iam.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app")
        saml = iam.create_saml_provider(Name="ADFS", SAMLMetadataDocument="m" * 1000)["SAMLProviderArn"]
        iam.create_role(
            RoleName="staff",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": saml},
                            "Action": "sts:AssumeRoleWithSAML",
                            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                        }
                    ]
                }
            ),
        )
        iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["a" * 40],
        )
        # One session for the module: a new boto3 session costs about 0.3 s of model loading.
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def aws(seeded):
    """The seeded moto session; event hooks registered through ``hook`` are removed after each test."""
    return seeded


@pytest.fixture
def hook(seeded):
    registered: list[tuple[str, object]] = []

    def register(event: str, handler) -> None:
        seeded.events.register(event, handler)
        registered.append((event, handler))

    yield register
    for event, handler in registered:
        seeded.events.unregister(event, handler)


def test_capture_reads_the_whole_account(aws):
    reports: list[CaptureProgress] = []
    account = capture_account(session=aws, progress=reports.append)
    assert account.account_id == MOTO_ACCOUNT
    assert account.alias == "workload"
    assert account.source == "live:default"
    assert account.captured_at.endswith("Z")
    assert [u.name for u in account.users] == ["alice"] and account.users[0].group_names == ("ops",)
    assert [g.name for g in account.groups] == ["ops"]
    roles = account.roles_by_name
    assert roles["app"].trust_policy.statements[0].principals[0].kind is PrincipalKind.SERVICE
    assert roles["app"].max_session_duration == 7200 and roles["app"].description == "the app"
    assert roles["app"].last_used == ""
    assert roles["staff"].trust_policy.statements[0].conditions[0].key == "SAML:aud"
    policy = account.managed_policies[0]
    assert policy.name == "read-s3"
    assert policy.document.statements[0].actions == ("s3:GetObject",)  # v1 stays default, v2 is not in force
    assert [p.name for p in account.saml_providers] == ["ADFS"]
    oidc = account.oidc_providers[0]
    assert oidc.url == "https://token.actions.githubusercontent.com"
    assert oidc.client_ids == ("sts.amazonaws.com",) and oidc.thumbprints == ("a" * 40,)
    assert account.organization is None  # moto: not in an organization, which is a fact, not a gap
    assert account.gaps == ()
    phases = list(dict.fromkeys(r.phase for r in reports))
    assert phases == [
        "identity",
        "aliases",
        "authorization-details",
        "saml-providers",
        "oidc-providers",
        "organization",
        "done",
    ]
    pages = [r for r in reports if r.phase == "authorization-details"]
    assert pages[-1].pages == 1 and pages[-1].counts == {"users": 1, "groups": 1, "roles": 2, "policies": 1}
    assert account.authorization_details["RoleDetailList"][0]["CreateDate"].endswith("Z")  # JSON-ready


def test_capture_reads_the_organization(aws):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    try:
        account = capture_account(session=aws)
    finally:
        org.delete_organization()
    assert account.organization is not None
    assert account.organization.id.startswith("o-")
    assert account.organization.management_account_id == MOTO_ACCOUNT
    assert MOTO_ACCOUNT in account.organization.account_ids


def _deny(**kwargs):
    name = kwargs["model"].name
    raise ClientError({"Error": {"Code": "AccessDenied", "Message": f"not allowed: {name}"}}, name)


def test_denied_optional_calls_become_gaps_with_warnings(aws, hook):
    hook("before-call.iam.ListSAMLProviders", _deny)
    hook("before-call.organizations.DescribeOrganization", _deny)
    hook("before-call.iam.ListAccountAliases", _deny)
    reports: list[CaptureProgress] = []
    account = capture_account(session=aws, progress=reports.append)
    assert account.gaps == (
        "iam:ListAccountAliases (AccessDenied)",
        "iam:ListSAMLProviders (AccessDenied)",
        "organizations:DescribeOrganization (AccessDenied)",
    )
    assert account.saml_providers == () and account.alias is None
    assert len(account.roles) == 2 and len(account.oidc_providers) == 1  # the rest is still read
    warnings = [r.message for r in reports if r.is_warning]
    assert len(warnings) == 3 and "iam:ListSAMLProviders" in warnings[1]


def test_denied_get_oidc_provider_keeps_the_provider_from_its_arn(aws, hook):
    hook("before-call.iam.GetOpenIDConnectProvider", _deny)
    account = capture_account(session=aws)
    assert account.oidc_providers[0].url == "https://token.actions.githubusercontent.com"
    assert account.oidc_providers[0].client_ids == ()
    assert account.gaps == ("iam:GetOpenIDConnectProvider (AccessDenied)",)


def test_denied_authorization_details_is_a_clear_error(aws, hook):
    hook("before-call.iam.GetAccountAuthorizationDetails", _deny)
    with pytest.raises(LiveAccountError) as info:
        capture_account(session=aws)
    message = str(info.value)
    assert "iam:GetAccountAuthorizationDetails" in message and "AccessDenied" in message
    assert "iamviz permissions" in message and "\n" not in message


def test_only_read_calls_are_made_and_the_policy_covers_every_one(aws, hook):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    calls: list[str] = []

    def record(**kwargs):
        model = kwargs["model"]
        calls.append(f"{model.service_model.signing_name}:{model.name}")

    hook("before-call", record)
    try:
        capture_account(session=aws)
    finally:
        org.delete_organization()
    assert set(calls) == set(REQUIRED_PERMISSIONS)  # every permission used, none missing
    for call in calls:
        action = call.split(":", 1)[1]
        assert action.startswith(("Get", "List", "Describe")), call
    statement = required_policy()["Statement"][0]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert sorted(statement["Action"]) == sorted(REQUIRED_PERMISSIONS)


def test_cancel_stops_the_capture(aws):
    seen: list[str] = []

    def cancel() -> bool:
        return "authorization-details" in seen

    with pytest.raises(CancelledError, match="nothing was written"):
        capture_account(session=aws, progress=lambda r: seen.append(r.phase), cancel=cancel)
    assert "saml-providers" not in seen


def test_planted_credentials_never_reach_the_bundle(aws, monkeypatch, tmp_path):
    secrets = {
        "AWS_ACCESS_KEY_ID": "AKIAPLANTEDFAKE12345",
        "AWS_SECRET_ACCESS_KEY": "plantedSecretKeyDoNotStore0123456789abcd",
        "AWS_SESSION_TOKEN": "plantedSessionTokenDoNotStore",
    }
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    account = capture_account()
    out = tmp_path / "snap.json"
    write_bundle(Snapshot(accounts=(account,)), out)
    data = out.read_bytes()
    for value in secrets.values():
        assert value.encode() not in data
    assert b"plantedSecret" not in data and b"AKIAPLANTED" not in data


def test_two_profiles_reaching_one_account_are_kept_once(aws):
    snapshot = capture_snapshot(profiles=[None, None], session=aws)
    assert len(snapshot.accounts) == 1
    assert "already captured" in snapshot.warnings[0]


# --- credentials and profiles ---------------------------------------------------------------------------------------


@pytest.fixture
def no_credentials(monkeypatch):
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)


def test_missing_credentials(no_credentials):
    with pytest.raises(LiveAccountError, match="no usable AWS credentials found") as info:
        capture_account(endpoint_url="http://127.0.0.1:9", max_attempts=1)
    assert "aws configure" in str(info.value)


def test_unknown_profile(no_credentials, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-west-1\n[default]\nregion = us-east-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert available_profiles() == ["default", "dev"]
    with pytest.raises(LiveAccountError, match=r"AWS profile 'nope' not found \(profiles configured: default, dev\)"):
        capture_account(profile="nope")
    monkeypatch.setenv("AWS_PROFILE", "also-missing")
    with pytest.raises(LiveAccountError, match="'also-missing' not found"):
        capture_account()


def test_retry_configuration():
    config = make_config()
    assert config.retries == {"mode": "standard", "total_max_attempts": 8}
    assert config.connect_timeout == 10 and config.read_timeout == 60


# --- Stubber: pagination and error answers --------------------------------------------------------------------------


_PLAIN = boto3.Session(aws_access_key_id="AKIASTUB", aws_secret_access_key="stub", region_name="us-east-1")


class StubSession:
    """A session whose clients are stubbed with botocore's Stubber."""

    region_name = "us-east-1"

    def __init__(self) -> None:
        self.clients = {name: _PLAIN.client(name) for name in ("sts", "iam", "organizations")}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()

    def client(self, name: str, **_: object):
        return self.clients[name]

    def identity(self) -> None:
        self.stubs["sts"].add_response(
            "get_caller_identity",
            {"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/ci", "UserId": "AIDAX"},
        )


def _role(name: str) -> dict:
    return {
        "RoleName": name,
        "RoleId": f"AROA{name.upper():X<17}",
        "Arn": f"arn:aws:iam::111122223333:role/{name}",
        "Path": "/",
        # The raw API gives URL-encoded documents; botocore's after-call handler decodes them, as for real calls.
        "AssumeRolePolicyDocument": quote(json.dumps(LAMBDA_TRUST)),
    }


def test_authorization_details_pages_are_followed_by_marker():
    session = StubSession()
    session.identity()
    iam = session.stubs["iam"]
    iam.add_response("list_account_aliases", {"AccountAliases": ["stubbed"], "IsTruncated": False})
    iam.add_response(
        "get_account_authorization_details",
        {"RoleDetailList": [_role("one")], "IsTruncated": True, "Marker": "page-2"},
        expected_params={"MaxItems": 1000},
    )
    iam.add_response(
        "get_account_authorization_details",
        {"RoleDetailList": [_role("two")], "UserDetailList": [], "IsTruncated": False},
        expected_params={"MaxItems": 1000, "Marker": "page-2"},
    )
    iam.add_response("list_saml_providers", {"SAMLProviderList": []})
    iam.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []})
    session.stubs["organizations"].add_client_error(
        "describe_organization", service_error_code="AWSOrganizationsNotInUseException", http_status_code=400
    )
    reports: list[CaptureProgress] = []
    account = capture_account(session=session, progress=reports.append)
    assert [r.name for r in account.roles] == ["one", "two"]
    assert account.alias == "stubbed" and account.organization is None and account.gaps == ()
    assert [r.pages for r in reports if r.phase == "authorization-details"] == [1, 2]
    for stub in session.stubs.values():
        stub.assert_no_pending_responses()


def test_throttling_beyond_retries_is_one_clear_line():
    session = StubSession()
    session.identity()
    session.stubs["iam"].add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False})
    session.stubs["iam"].add_client_error(
        "get_account_authorization_details", service_error_code="Throttling", http_status_code=400
    )
    with pytest.raises(LiveAccountError, match=r"kept throttling iam:GetAccountAuthorizationDetails after 8 attempts"):
        capture_account(session=session)


def test_throttling_of_an_optional_call_is_not_hidden_as_a_gap():
    session = StubSession()
    session.identity()
    session.stubs["iam"].add_client_error("list_account_aliases", service_error_code="ThrottlingException")
    with pytest.raises(LiveAccountError, match="throttling iam:ListAccountAliases"):
        capture_account(session=session)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("ExpiredToken", "have expired (ExpiredToken)"),
        ("InvalidClientTokenId", "rejected the credentials"),
        ("SignatureDoesNotMatch", "rejected the credentials"),
        ("AccessDenied", "may not call sts:GetCallerIdentity"),
        ("InternalFailure", "sts:GetCallerIdentity failed"),
    ],
)
def test_identity_errors(code, fragment):
    session = StubSession()
    session.stubs["sts"].add_client_error("get_caller_identity", service_error_code=code, service_message="x\ny")
    with pytest.raises(LiveAccountError) as info:
        capture_account(session=session)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


# --- faults of the network ------------------------------------------------------------------------------------------


def test_unreachable_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LiveAccountError, match=rf"cannot reach http://127\.0\.0\.1:{port}"):
        capture_account(session=_PLAIN, endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1)


def test_hung_endpoint_times_out():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)  # the kernel accepts the connection; nobody ever answers
        port = server.getsockname()[1]
        with pytest.raises(LiveAccountError, match=r"did not answer sts:GetCallerIdentity within 0\.3 s"):
            capture_account(session=_PLAIN, endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1, read_timeout=0.3)


class _ThrottlingHandler(BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
            b"</Error><RequestId>r</RequestId></ErrorResponse>"
        )
        self.send_response(400)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_throttling_storm_is_retried_then_reported():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ThrottlingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(LiveAccountError, match="kept throttling sts:GetCallerIdentity after 2 attempts"):
            capture_account(session=_PLAIN, endpoint_url=url, max_attempts=2)
        assert _ThrottlingHandler.requests == 2  # one call, retried once with backoff
    finally:
        server.shutdown()
        server.server_close()
