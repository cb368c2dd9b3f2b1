"""Outputs (masking, atomic 0600 files, AWS URLs), write counting and region resolution."""

from __future__ import annotations

import json
import stat
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.errors import ConfigurationError
from cognito_sso.outputs import (
    OUTPUTS_VERSION,
    PoolOutputs,
    load_outputs,
    read_outputs,
    write_outputs,
)
from cognito_sso.provisioning.aws import (
    Connection,
    ProvisioningError,
    WriteCounter,
    connect,
    is_write_operation,
)
from cognito_sso.provisioning.discovery import discovery_url
from cognito_sso.provisioning.outputs import (
    default_outputs_path,
    dotenv_text,
    hosted_ui_for,
    mask_secret,
    masked,
)
from tests.provisioning.scripted_aws import scripted_cognito

SECRET = "1abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm"
OUTPUTS_JSON: dict[str, Any] = {
    "version": 1,
    "pool_name": "sso-demo",
    "pool_id": "eu-west-1_AbC123def",
    "pool_arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123def",
    "region": "eu-west-1",
    "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123def",
    "hosted_ui_base_url": "https://sso-demo-platform.auth.eu-west-1.amazoncognito.com",
    "endpoint_url": None,
    "groups": ["billing"],
    "services": {
        "billing": {
            "client_id": "client1",
            "client_secret": SECRET,
            "redirect_uri": "http://localhost:5001/auth/callback",
            "logout_uri": "http://localhost:5001/auth/logged-out",
            "scopes": ["openid", "email"],
            "identity_providers": ["COGNITO", "Corp"],
        }
    },
}
OUTPUTS = PoolOutputs.from_json(OUTPUTS_JSON)


def aws_connection(region: str = "eu-west-1") -> Connection:
    return Connection(client=None, region=region, endpoint_url=None, writes=WriteCounter())


def test_hosted_ui() -> None:
    conn = aws_connection()
    assert hosted_ui_for(conn, "sso-demo-platform") == (
        "https://sso-demo-platform.auth.eu-west-1.amazoncognito.com"
    )
    assert hosted_ui_for(conn, None) is None
    local = Connection(None, "eu-west-1", "http://127.0.0.1:9229", WriteCounter())
    assert hosted_ui_for(local, "anything") == "http://127.0.0.1:9229"


def test_secrets_are_masked_to_the_last_four_characters() -> None:
    assert mask_secret(SECRET) == "****" + SECRET[-4:]
    assert mask_secret("short") == "****"
    assert mask_secret(None) is None
    shown = json.dumps(masked(OUTPUTS_JSON))
    assert SECRET not in shown and SECRET[:-4] not in shown
    assert OUTPUTS_JSON["services"]["billing"]["client_secret"] == SECRET  # input untouched
    assert SECRET not in repr(OUTPUTS)  # nor in the record's repr


def test_outputs_file_is_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "out.json"
    write_outputs(path, OUTPUTS)
    assert json.loads(path.read_text(encoding="utf-8")) == OUTPUTS_JSON
    assert read_outputs(path) == OUTPUTS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    write_outputs(path, replace(OUTPUTS, pool_id="other"))  # replaced, permissions reset
    assert json.loads(path.read_text(encoding="utf-8"))["pool_id"] == "other"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.json"]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_outputs(path, OUTPUTS)
    with pytest.raises(TypeError):
        write_outputs(path, replace(OUTPUTS, groups=(object(),)))  # type: ignore[arg-type]
    assert json.loads(path.read_text(encoding="utf-8")) == OUTPUTS_JSON
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_dotenv() -> None:
    text = dotenv_text(OUTPUTS)
    assert "COGNITO_USER_POOL_ID=eu-west-1_AbC123def\n" in text
    assert f"BILLING_COGNITO_CLIENT_SECRET={SECRET}\n" in text
    assert 'BILLING_COGNITO_SCOPES="openid email"\n' in text
    assert 'BILLING_COGNITO_IDENTITY_PROVIDERS="COGNITO Corp"\n' in text
    assert "COGNITO_ENDPOINT_URL=\n" in text


def test_dotenv_reads_back_in_a_shell(tmp_path: Path) -> None:
    """`set -a; . file` (the usual way to load it) sees every value whole, comments skipped."""
    path = tmp_path / "out.env"
    path.write_text(dotenv_text(OUTPUTS), encoding="utf-8")
    shell = subprocess.run(
        ["sh", "-c", f'set -a; . "{path}"; printf %s "$BILLING_COGNITO_SCOPES"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout == "openid email"
    assert shell.stderr == ""


@pytest.mark.parametrize(
    ("operation", "write"),
    [
        ("DescribeUserPool", False),
        ("ListTagsForResource", False),
        ("AdminGetUser", False),
        ("AdminListGroupsForUser", False),
        ("GetUserPoolMfaConfig", False),
        ("UpdateUserPool", True),
        ("SetUserPoolMfaConfig", True),
        ("AdminCreateUser", True),
        ("TagResource", True),
        ("DeleteUserPool", True),
    ],
)
def test_write_operations(operation: str, write: bool) -> None:
    assert is_write_operation(operation) is write


def test_region_is_required_for_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(ProvisioningError, match="--region"):
        connect()
    with pytest.raises(ProvisioningError):
        connect(profile="no-such-profile", region="eu-west-1")
    aws = connect(region="eu-central-1")
    assert (aws.region, aws.endpoint_url) == ("eu-central-1", None)
    assert aws.client.meta.endpoint_url == "https://cognito-idp.eu-central-1.amazonaws.com"
    # The issuer is read from discovery at the endpoint boto3 talks to, never assembled.
    assert discovery_url(aws, "eu-central-1_AbC") == (
        "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC"
        "/.well-known/openid-configuration"
    )
    local = connect(endpoint_url="http://127.0.0.1:9229/")
    assert (local.region, local.endpoint_url) == ("eu-west-1", "http://127.0.0.1:9229")


def test_profile_gives_region_and_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(var, raising=False)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile team]\nregion = eu-north-1\n", encoding="utf-8")
    credentials.write_text(
        "[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = s\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    aws = connect(profile="team")
    assert (aws.region, aws.endpoint_url) == ("eu-north-1", None)
    assert aws.client.meta.endpoint_url == "https://cognito-idp.eu-north-1.amazonaws.com"
    assert connect(profile="team", region="us-east-1").region == "us-east-1"  # --region wins
    # The profile's own credentials sign the requests (no dummy ones).
    with scripted_cognito({"ListUserPools": [(200, {"UserPools": []})]}) as (url, script):
        connect(endpoint_url=url, profile="team").client.list_user_pools(MaxResults=60)
    assert "Credential=AKIDTEAM/" in script.authorizations[0]
    assert "/eu-north-1/cognito-idp/" in script.authorizations[0]


def test_endpoint_from_the_environment_is_used_for_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9229/")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    conn = connect(region="eu-west-1")
    assert conn.client.meta.endpoint_url == "http://127.0.0.1:9229/"
    assert conn.endpoint_url == "http://127.0.0.1:9229"
    assert discovery_url(conn, "eu-west-1_AbC") == (
        "http://127.0.0.1:9229/eu-west-1_AbC/.well-known/openid-configuration"
    )
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert connect(region="eu-west-1").endpoint_url is None


def test_outputs_without_a_version_still_load(tmp_path: Path) -> None:
    """Files written before the version field existed are version 1."""
    old = {k: v for k, v in OUTPUTS_JSON.items() if k != "version"}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert read_outputs(path) == OUTPUTS
    assert load_outputs(path, "billing")["COGNITO_CLIENT_SECRET"] == SECRET
    assert load_outputs(path, "billing")["COGNITO_IDENTITY_PROVIDERS"] == ["COGNITO", "Corp"]


def test_outputs_of_a_future_version_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({**OUTPUTS_JSON, "version": OUTPUTS_VERSION + 1}))
    with pytest.raises(ConfigurationError, match=r"version 2.*upgrade cognito-sso"):
        load_outputs(path, "billing")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": "1"}, "version must be a positive integer"),
        ({"issuer": None}, "pool_id and issuer are required"),
        ({"groups": "billing"}, "groups must be a list of strings"),
        ({"services": {"billing": {"client_secret": "x"}}}, "client_id is missing"),
        ({"services": {"billing": {"client_id": 7}}}, "client_id must be a string"),
        ({"services": []}, "services must be a JSON object"),
    ],
)
def test_malformed_outputs_are_explained(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PoolOutputs.from_json({**OUTPUTS_JSON, **change})


def test_default_outputs_path_is_next_to_the_spec(tmp_path: Path) -> None:
    assert default_outputs_path(tmp_path / "pools" / "team.toml") == (
        tmp_path / "pools" / "team.outputs.json"
    )
    assert default_outputs_path("team.toml") == Path("team.outputs.json")
