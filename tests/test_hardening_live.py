"""Faults of live AWS, each through the library and through ``iamviz snapshot``: every call denied in turn, an
expired token mid-pagination, a throttling storm (retried with backoff, then reported), a hung endpoint (read and
connect timeouts), and a cancel or failure at any point leaving no file (the old one, if any, untouched).

test_loading_live.py covers the happy path, pagination, the read-only proof and the missing-credentials line; this
file fills the gaps. Timeouts are kept short through the parameters; nothing sleeps.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto_server import moto_server_url
from test_loading_live import StubSession, _role

from iamviz.cli import main
from iamviz.cli import snapshot as snapshot_cli
from iamviz.errors import LiveAccountError
from iamviz.loading import live, load_file
from iamviz.loading.live import REQUIRED_PERMISSIONS, capture_account

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
REQUIRED = {"sts:GetCallerIdentity", "iam:GetAccountAuthorizationDetails"}
PLAIN = boto3.Session(aws_access_key_id="AKIATEST", aws_secret_access_key="test", region_name="us-east-1")


@pytest.fixture(scope="module")
def moto_session():
    """An in-process moto account in an organization, with an alias, a role, and SAML and OIDC providers."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        iam = session.client("iam")
        iam.create_account_alias(AccountAlias="workload")
        iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.create_saml_provider(Name="ADFS", SAMLMetadataDocument="m" * 1000)
        iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["a" * 40],
        )
        session.client("organizations").create_organization(FeatureSet="ALL")
        yield session


@pytest.fixture
def hooks(moto_session):
    registered: list[tuple[str, object]] = []

    def register(event: str, handler) -> None:
        moto_session.events.register(event, handler)
        registered.append((event, handler))

    yield register
    for event, handler in registered:
        moto_session.events.unregister(event, handler)


@pytest.fixture
def cli_session(moto_session, monkeypatch):
    """``iamviz snapshot`` captures through the moto session (with the test's hooks)."""
    monkeypatch.setattr(live, "make_session", lambda **kwargs: moto_session)
    return moto_session


def _event(permission: str) -> str:
    service, operation = permission.split(":")
    return f"before-call.{service}.{operation}"


def _deny(**kwargs):
    raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied by an SCP"}}, kwargs["model"].name)


def _stderr_lines(capsys) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.splitlines()


# ---- AccessDenied on each call -------------------------------------------------------------------------------------


@pytest.mark.parametrize("permission", REQUIRED_PERMISSIONS)
def test_each_call_denied_in_turn(moto_session, hooks, permission):
    hooks(_event(permission), _deny)
    if permission in REQUIRED:
        with pytest.raises(LiveAccountError) as info:
            capture_account(session=moto_session)
        assert f"may not call {permission} (AccessDenied)" in str(info.value)
        assert "iamviz permissions" in str(info.value)
        return
    account = capture_account(session=moto_session)
    assert account.gaps == (f"{permission} (AccessDenied)",)  # a partial snapshot that states its gap
    assert account.account_id == ACCOUNT and [r.name for r in account.roles] == ["app"]
    assert (account.alias is None) == (permission == "iam:ListAccountAliases")
    assert (account.saml_providers == ()) == (permission == "iam:ListSAMLProviders")
    assert (account.oidc_providers == ()) == (permission == "iam:ListOpenIDConnectProviders")
    assert (account.organization is None) == (permission == "organizations:DescribeOrganization")
    if permission == "organizations:ListAccounts":
        assert account.organization is not None and account.organization.account_ids == ()


@pytest.mark.parametrize("permission", REQUIRED_PERMISSIONS)
def test_each_call_denied_through_the_cli(cli_session, hooks, capsys, tmp_path, permission):
    hooks(_event(permission), _deny)
    out = tmp_path / "snap.json"
    code = main(["snapshot", "-q", "-o", str(out)])
    lines = _stderr_lines(capsys)
    if permission in REQUIRED:
        assert code == 2 and len(lines) == 1 and lines[0].startswith("iamviz: error: ")
        assert permission in lines[0]
        assert list(tmp_path.iterdir()) == []
        return
    assert code == 0
    assert lines == [
        f"iamviz: warning: skipped {permission} for the default AWS credentials (AccessDenied); "
        "the snapshot records the gap"
    ]
    [account] = load_file(out).accounts
    assert account.gaps == (f"{permission} (AccessDenied)",)


def test_every_optional_call_denied_still_gives_a_snapshot(moto_session, hooks):
    for permission in set(REQUIRED_PERMISSIONS) - REQUIRED:
        hooks(_event(permission), _deny)
    account = capture_account(session=moto_session)
    # ListAccounts is never reached when DescribeOrganization is denied; GetOpenIDConnectProvider neither.
    assert set(account.gaps) == {
        "iam:ListAccountAliases (AccessDenied)",
        "iam:ListSAMLProviders (AccessDenied)",
        "iam:ListOpenIDConnectProviders (AccessDenied)",
        "organizations:DescribeOrganization (AccessDenied)",
    }
    assert [r.name for r in account.roles] == ["app"]


# ---- expired credentials -------------------------------------------------------------------------------------------


def _stub_to_second_page(session: StubSession) -> None:
    session.identity()
    iam = session.stubs["iam"]
    iam.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False})
    iam.add_response(
        "get_account_authorization_details", {"RoleDetailList": [_role("one")], "IsTruncated": True, "Marker": "p2"}
    )


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_a_token_that_expires_mid_pagination(code):
    session = StubSession()
    _stub_to_second_page(session)
    session.stubs["iam"].add_client_error(
        "get_account_authorization_details", service_error_code=code, service_message="The security token expired"
    )
    with pytest.raises(LiveAccountError) as info:
        capture_account(session=session)
    assert f"have expired ({code})" in str(info.value) and "aws sso login" in str(info.value)


def test_an_expired_token_through_the_cli_writes_nothing(monkeypatch, capsys, tmp_path):
    session = StubSession()
    _stub_to_second_page(session)
    session.stubs["iam"].add_client_error("get_account_authorization_details", service_error_code="ExpiredToken")
    monkeypatch.setattr(live, "make_session", lambda **kwargs: session)
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-o", str(out)]) == 2
    lines = _stderr_lines(capsys)
    assert "authorization details page 1" in "\n".join(lines)  # it had started
    assert lines[-1].startswith("iamviz: error: the credentials of the default AWS credentials have expired")
    assert list(tmp_path.iterdir()) == []


# ---- throttling storms ---------------------------------------------------------------------------------------------

THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
    b"</Error><RequestId>r</RequestId></ErrorResponse>"
)


class _Storm(BaseHTTPRequestHandler):
    """Answers the first ``throttle`` requests with Throttling, then forwards to ``upstream`` (a moto server)."""

    throttle = 0
    upstream: str | None = None
    seen = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        cls = type(self)
        with cls.lock:
            cls.seen += 1
            throttled = cls.seen <= cls.throttle or cls.upstream is None
        if throttled:
            self._answer(400, {"Content-Type": "text/xml"}, THROTTLED)
            return
        host, port = cls.upstream.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        connection.request("POST", self.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        kept = {k: v for k, v in answer.getheaders() if k.lower() in ("content-type", "x-amzn-requestid")}
        connection.close()
        self._answer(answer.status, kept, data)

    def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def storm():
    handler = type("Storm", (_Storm,), {"seen": 0, "throttle": 0, "upstream": None, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def sleeps(monkeypatch):
    """botocore's retry sleeps, recorded instead of slept."""
    import botocore.endpoint

    recorded: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", recorded.append)
    return recorded


def test_a_throttling_storm_is_retried_with_growing_backoff_then_reported(storm, sleeps):
    with pytest.raises(LiveAccountError, match="kept throttling sts:GetCallerIdentity after 5 attempts"):
        capture_account(session=PLAIN, endpoint_url=storm.url, max_attempts=5)
    assert storm.seen == 5
    assert len(sleeps) == 4
    for attempt, delay in enumerate(sleeps):
        assert 0 < delay <= 2**attempt, sleeps  # exponential backoff with full jitter, base 1 s for throttling


@pytest.fixture(scope="module")
def moto_server():
    with moto_server_url() as url:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        iam.create_role(RoleName="storm-survivor", AssumeRolePolicyDocument=json.dumps(TRUST))
        yield url


def test_a_storm_that_passes_is_ridden_out(storm, sleeps, moto_server):
    storm.throttle, storm.upstream = 3, moto_server
    account = capture_account(session=PLAIN, endpoint_url=storm.url, max_attempts=5)
    assert "storm-survivor" in account.roles_by_name
    assert len(sleeps) == 3  # three throttled answers, three backoffs, then the capture went on


def test_throttling_through_the_cli_honours_max_attempts(storm, sleeps, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-q", "--endpoint-url", storm.url, "--max-attempts", "3", "-o", str(out)]) == 2
    assert _stderr_lines(capsys) == [
        "iamviz: error: AWS kept throttling sts:GetCallerIdentity after 3 attempts with backoff (Throttling); "
        "wait a minute and retry"
    ]
    assert storm.seen == 3 and len(sleeps) == 2
    assert list(tmp_path.iterdir()) == []


# ---- hung endpoints ------------------------------------------------------------------------------------------------


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    server.close()


def test_a_hung_endpoint_times_out_after_each_attempt(silent_server, sleeps):
    url, held = silent_server
    with pytest.raises(LiveAccountError, match=r"did not answer sts:GetCallerIdentity within 0\.2 s"):
        capture_account(session=PLAIN, endpoint_url=url, max_attempts=2, read_timeout=0.2)
    assert len(held) == 2  # the read timeout is retried once, on a new connection


def test_a_hung_endpoint_through_the_cli(silent_server, sleeps, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    url, _ = silent_server
    out = tmp_path / "snap.json"
    args = ["snapshot", "-q", "--endpoint-url", url, "--read-timeout", "0.2", "--max-attempts", "1", "-o", str(out)]
    assert main(args) == 2
    [line] = _stderr_lines(capsys)
    assert line.startswith(f"iamviz: error: {url} did not answer sts:GetCallerIdentity within 0.2 s (read timeout)")
    assert list(tmp_path.iterdir()) == []


def test_a_connect_timeout_is_one_clear_line(sleeps):
    # A listener whose accept queue is full drops new SYNs: the connection neither succeeds nor is refused.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    address = server.getsockname()
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(address)
            fillers.append(filler)
        probe = socket.socket()
        probe.settimeout(0.2)
        try:
            probe.connect(address)
        except TimeoutError:
            pass
        else:
            pytest.skip("this kernel accepts past a full backlog; no way to hang a connect locally")
        finally:
            probe.close()
        with pytest.raises(LiveAccountError, match=r"connecting timed out after 0\.2 s"):
            capture_account(
                session=PLAIN, endpoint_url=f"http://{address[0]}:{address[1]}", max_attempts=1, connect_timeout=0.2
            )
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_cli_network_defaults_match_the_live_module():
    assert snapshot_cli.DEFAULT_MAX_ATTEMPTS == live.DEFAULT_MAX_ATTEMPTS
    assert snapshot_cli.DEFAULT_CONNECT_TIMEOUT == live.DEFAULT_CONNECT_TIMEOUT
    assert snapshot_cli.DEFAULT_READ_TIMEOUT == live.DEFAULT_READ_TIMEOUT


@pytest.mark.parametrize("args", [["--max-attempts", "0"], ["--read-timeout", "-1"], ["--connect-timeout", "nan"]])
def test_bad_network_options_are_usage_errors(capsys, tmp_path, args):
    with pytest.raises(SystemExit) as info:
        main(["snapshot", "-o", str(tmp_path / "x.json"), *args])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# ---- cancel and failure leave nothing half written ------------------------------------------------------------------


def _interrupt(**kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_during_a_capture_writes_nothing(cli_session, hooks, capsys, tmp_path):
    hooks("before-call.iam.ListSAMLProviders", _interrupt)  # after the authorization details were read
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-o", str(out)]) == 130
    assert _stderr_lines(capsys)[-1] == "iamviz: interrupted"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_keeps_the_previous_snapshot_intact(cli_session, hooks, capsys, tmp_path):
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-q", "-o", str(out)]) == 0
    before = out.read_bytes()
    hooks("before-call.organizations.DescribeOrganization", _interrupt)
    assert main(["snapshot", "-q", "-o", str(out)]) == 130
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]


def test_ctrl_c_while_writing_leaves_no_temporary_file(cli_session, capsys, tmp_path, monkeypatch):
    import os

    def interrupted_fsync(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-q", "-o", str(out)]) == 130
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_callback_mid_capture_leaves_nothing(moto_session, tmp_path):
    from iamviz.errors import CancelledError
    from iamviz.loading.live import capture_snapshot

    phases: list[str] = []
    with pytest.raises(CancelledError):
        capture_snapshot(
            session=moto_session,
            progress=lambda report: phases.append(report.phase),
            cancel=lambda: "oidc-providers" in phases,
        )
    assert "organization" not in phases


def test_a_second_profile_failing_writes_nothing(moto_session, monkeypatch, capsys, tmp_path):
    def session_for(*, profile=None, region=None):
        if profile == "broken":
            raise LiveAccountError("AWS profile 'broken' not found (profiles configured: good)")
        return moto_session

    monkeypatch.setattr(live, "make_session", session_for)
    out = tmp_path / "snap.json"
    assert main(["snapshot", "-q", "--profile", "good", "--profile", "broken", "-o", str(out)]) == 2
    assert _stderr_lines(capsys) == ["iamviz: error: AWS profile 'broken' not found (profiles configured: good)"]
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_one_line(cli_session, capsys, tmp_path):
    target = tmp_path / "no-such-folder" / "snap.json"
    assert main(["snapshot", "-q", "-o", str(target)]) == 2
    [line] = _stderr_lines(capsys)
    assert line.startswith(f"iamviz: error: {target}: cannot write: the folder")
    assert not target.parent.exists()


def test_cancel_reaches_inside_a_throttling_storm(storm, sleeps):
    from iamviz.errors import CancelledError

    def cancel() -> bool:
        return storm.seen >= 2  # after the second throttled answer, before its backoff sleep

    with pytest.raises(CancelledError, match="nothing was written"):
        capture_account(session=PLAIN, endpoint_url=storm.url, max_attempts=8, cancel=cancel)
    assert storm.seen == 2 and len(sleeps) == 1  # the retries did not run out: the cancel cut them short
