"""The fast paths of a live capture (issue 8): the raw bundle of ``iamviz snapshot``, botocore's own session with
timestamps read as text, the line-per-entity bundle text, and the CLI's start-up importing only what it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import boto3
import botocore.utils
import pytest
from moto import mock_aws

from iamviz.cli.snapshot import bundle_text
from iamviz.loading import load_file
from iamviz.loading.bundle import bundle_data
from iamviz.loading.live import (
    _jsonable,
    _timestamp_text,
    capture_snapshot,
    capture_snapshot_data,
    make_session,
)

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def account(monkeypatch):
    """A moto account with an alias, a user in a group, roles, a managed policy and both kinds of provider."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_account_alias(AccountAlias="workload")
        iam.create_group(GroupName="ops")
        iam.create_user(UserName="alice")
        iam.add_user_to_group(GroupName="ops", UserName="alice")
        policy = iam.create_policy(
            PolicyName="assume-app",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                }
            ),
        )
        iam.attach_group_policy(GroupName="ops", PolicyArn=policy["Policy"]["Arn"])
        for name in ("app", "deploy"):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.create_saml_provider(Name="ADFS", SAMLMetadataDocument="m" * 1000)
        iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["a" * 40],
        )
        yield


def _timeless(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data.pop("created_at")
    for entry in data["accounts"]:
        entry.pop("captured_at")
    return data


def test_the_raw_bundle_equals_the_bundle_of_the_parsed_capture(account):
    # make_session's botocore session (timestamps read as text) against a boto3 session (datetimes, then _jsonable).
    raw = capture_snapshot_data(title="t")
    parsed = capture_snapshot(session=boto3.Session(region_name="us-east-1"))
    expected = bundle_data(replace(parsed, title="t"))
    assert _timeless(raw.data) == _timeless(expected)
    assert list(raw.data) == list(expected)  # same key order, so the same text
    assert raw.labels == ("123456789012 (workload)",) and raw.warnings == ()
    role = raw.data["accounts"][0]["authorization_details"]["RoleDetailList"][0]
    assert role["CreateDate"].endswith("Z") and isinstance(role["AssumeRolePolicyDocument"], dict)


def test_the_raw_bundle_keeps_an_account_reached_twice_once(account):
    raw = capture_snapshot_data(profiles=[None, None])
    assert len(raw.data["accounts"]) == 1
    assert raw.warnings == (
        "profile 'default' reaches account 123456789012, already captured with profile 'default'; kept once",
    )


def test_make_session_answers_plain_json(account):
    session = make_session(region="eu-west-1")
    assert type(session).__module__.startswith("botocore")
    iam = session.create_client("iam", region_name="us-east-1")
    user = iam.get_user(UserName="alice")["User"]
    assert isinstance(user["CreateDate"], str) and user["CreateDate"].endswith("Z")
    assert session.get_config_variable("region") == "eu-west-1"
    assert session.get_component("data_loader").list_available_services("service-2") == [
        "iam",
        "organizations",
        "sts",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-29T02:21:39Z",
        "2026-11-29T02:21:39.544138Z",
        "2026-11-29T02:21:39.544Z",
        "2026-11-29T02:21:39+02:00",
        "2026-11-29T02:21:39",
        "2026-11-29T02:21:39.123456789Z",  # more digits than datetime holds: botocore's parser
        "Sat, 29 Nov 2026 02:21:39 GMT",
        "1764382899",
        "1764382899.5",
    ],
)
def test_timestamps_read_as_text_match_botocores_parser(text):
    assert _timestamp_text(text) == _jsonable(botocore.utils.parse_timestamp(text))


def test_bundle_text_is_the_same_json_one_entity_a_line(account, tmp_path):
    data = capture_snapshot_data().data
    text = bundle_text(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    roles = [line for line in lines if '"RoleName":' in line]
    assert len(roles) == 2 and all(line.startswith('          {"Path"') for line in roles)
    assert '    {\n      "account_id": "123456789012",' in text
    assert bundle_text({"a": [], "b": {}, "c": "é"}) == '{\n  "a": [],\n  "b": {},\n  "c": "é"\n}'
    path = tmp_path / "snap.json"
    path.write_text(text, encoding="utf-8")
    [loaded] = load_file(path).accounts
    assert [r.name for r in loaded.roles] == ["app", "deploy"]
    assert loaded.users[0].group_names == ("ops",) and loaded.alias == "workload"


def test_snapshot_command_imports_only_what_it_needs():
    code = (
        "import sys\n"
        "from iamviz.cli import build_parser, _command_module\n"
        "assert _command_module(['snapshot', '-o', 'x']) == 'snapshot'\n"
        "assert _command_module(['can-assume']) == 'can_assume' and _command_module(['can_assume']) is None\n"
        "build_parser([_command_module(['snapshot'])]).parse_args(['snapshot', '-o', 'x.json'])\n"
        "import iamviz.loading.live\n"
        "roots = ('networkx', 'boto3', 's3transfer', 'PySide6', 'iamviz.analysis', 'iamviz.cli.graph')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(roots))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_help_still_lists_every_command(capsys):
    from iamviz.cli import COMMAND_MODULES, main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in COMMAND_MODULES:
        assert name.replace("_", "-") in out


def test_the_compiled_query_parser_reads_answers_as_botocore_does(account):
    import botocore.parsers

    from iamviz.loading.live import _QueryParser

    session = make_session()
    iam = session.create_client("iam", region_name="us-east-1")
    stock = botocore.parsers.QueryParser(timestamp_parser=_timestamp_text)
    fast = session.get_component("response_parser_factory").create_parser("query")
    assert isinstance(fast, _QueryParser)
    seen: list[tuple[str, bytes]] = []
    iam.meta.events.register(
        "after-call", lambda http_response, model, **_: seen.append((model, http_response.content))
    )
    iam.get_account_authorization_details()
    iam.list_saml_providers()
    iam.get_role(RoleName="app")
    iam.list_account_aliases()
    for model, body in seen:
        answer = {"body": body, "headers": {}, "status_code": 200}
        assert fast._converter(model.output_shape) is not None, model.name  # the compiled path, not a fallback
        assert fast.parse(answer, model.output_shape) == stock.parse(answer, model.output_shape), model.name
    [(gaad, body)] = [item for item in seen if item[0].name == "GetAccountAuthorizationDetails"]
    parsed = fast.parse({"body": body, "headers": {}, "status_code": 200}, gaad.output_shape)
    assert [r["RoleName"] for r in parsed["RoleDetailList"]] == ["app", "deploy"]
    assert parsed["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize(
    "body",
    [
        # A repeated member element: botocore's parser decides (it aggregates the two).
        b"<GetRoleResponse><GetRoleResult><Role><RoleName>a</RoleName><RoleName>b</RoleName><Path>/</Path>"
        b"<RoleId>x</RoleId><Arn>arn:aws:iam::123456789012:role/a</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
        b"</Role></GetRoleResult></GetRoleResponse>",
        # No result wrapper at all.
        b"<GetRoleResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>",
        # A number that is not one.
        b"<GetRoleResponse><GetRoleResult><Role><RoleName>a</RoleName><MaxSessionDuration>x</MaxSessionDuration>"
        b"</Role></GetRoleResult></GetRoleResponse>",
    ],
)
def test_irregular_answers_fall_back_to_botocores_parser(body):
    import botocore.parsers

    session = make_session()
    shape = session.get_service_model("iam").operation_model("GetRole").output_shape
    fast = session.get_component("response_parser_factory").create_parser("query")
    stock = botocore.parsers.QueryParser(timestamp_parser=_timestamp_text)
    answer = {"body": body, "headers": {}, "status_code": 200}
    try:
        expected = stock.parse(answer, shape)
    except Exception as exc:  # botocore's own verdict, which the fast parser must give too
        with pytest.raises(type(exc)):
            fast.parse(answer, shape)
    else:
        assert _plain(fast.parse(answer, shape)) == _plain(expected)


def _plain(value):
    """``value`` with XML elements (which botocore leaves in for a repeated element) as their text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return getattr(value, "text", value)


def test_make_session_captures_make_only_the_read_calls_of_the_policy(account, monkeypatch):
    from iamviz.loading import live

    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    calls: list[str] = []
    made = live.make_session

    def record(model, **_):
        calls.append(f"{model.service_model.service_name}:{model.name}")

    def make(**kwargs):
        session = made(**kwargs)
        session.register("before-call", record)
        return session

    monkeypatch.setattr(live, "make_session", make)
    account = live.capture_account()
    assert account.organization is not None and len(account.roles) == 2
    assert set(calls) == set(live.REQUIRED_PERMISSIONS)  # every permission of the policy used, and nothing else
    assert all(call.split(":")[1].startswith(("Get", "List", "Describe")) for call in calls)
