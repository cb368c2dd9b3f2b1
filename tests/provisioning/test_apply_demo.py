"""Apply the demo spec to the local IdP and check every row of the demo table by describe calls."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cognito_sso.local.server import RunningServer, run_in_thread
from cognito_sso.provisioning import api
from cognito_sso.provisioning.apply import ApplyResult
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.spec import Spec, load_spec
from tests.provisioning.conftest import DEMO_SPEC


@dataclass
class Applied:
    server: RunningServer
    conn: Connection
    spec: Spec
    first: ApplyResult
    second: ApplyResult
    pool_id: str
    outputs_path: Path

    @property
    def client(self) -> Any:
        return self.conn.client


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    server = run_in_thread()
    try:
        conn = api.connect(endpoint_url=server.base_url, region="eu-west-1")
        spec = load_spec(DEMO_SPEC)
        first = api.apply(conn, spec)
        second = api.apply(conn, spec)
        out = tmp_path_factory.mktemp("outputs") / "sso-demo.json"
        api.write_outputs_for(conn, spec, out)
        yield Applied(server, conn, spec, first, second, first.pool_id, out)
    finally:
        server.stop()


def describe_pool(a: Applied) -> dict[str, Any]:
    return dict(a.client.describe_user_pool(UserPoolId=a.pool_id)["UserPool"])


def test_first_apply_creates_everything(applied: Applied) -> None:
    ops = applied.first.operations
    assert ops.count("CreateUserPool") == 1
    assert ops.count("CreateUserPoolClient") == 3  # billing, reports, audit
    assert ops.count("CreateGroup") == 3
    assert ops.count("AdminCreateUser") == 3
    assert "SetUserPoolMfaConfig" in ops and "CreateUserPoolDomain" in ops


def test_second_apply_makes_zero_writes(applied: Applied) -> None:
    assert applied.second.writes == 0
    assert applied.second.operations == []
    assert not applied.second.plan.has_changes
    assert api.render_plan(api.plan(applied.conn, applied.spec)) == ["no changes"]


def test_name_and_sign_in(applied: Applied) -> None:
    pool = describe_pool(applied)
    assert pool["Name"] == "sso-demo"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    # Case-insensitive sign-in names: the invited user is found in any case.
    got = applied.client.admin_get_user(UserPoolId=applied.pool_id, Username="ALICE@Example.COM")
    emails = {a["Name"]: a["Value"] for a in got["UserAttributes"]}
    assert emails["email"] == "alice@example.com"


def test_required_attributes_and_password_policy(applied: Applied) -> None:
    pool = describe_pool(applied)
    required = {a["Name"] for a in pool["SchemaAttributes"] if a.get("Required")}
    assert {"email", "name"} <= required
    assert required - {"email", "name", "sub"} == set()
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert policy["RequireUppercase"] and policy["RequireLowercase"]
    assert policy["RequireNumbers"] and policy["RequireSymbols"]
    assert policy["TemporaryPasswordValidityDays"] == 1


def test_admin_only_and_invitation(applied: Applied) -> None:
    config = describe_pool(applied)["AdminCreateUserConfig"]
    assert config["AllowAdminCreateUserOnly"] is True
    template = config["InviteMessageTemplate"]
    assert template["EmailSubject"] == "You are invited to SSO Demo"
    assert "{username}" in template["EmailMessage"] and "{####}" in template["EmailMessage"]


def test_mfa_totp_optional_no_sms(applied: Applied) -> None:
    mfa = applied.client.get_user_pool_mfa_config(UserPoolId=applied.pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert describe_pool(applied)["MfaConfiguration"] == "OPTIONAL"  # one field, as on AWS
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True
    assert not (mfa.get("SmsMfaConfiguration") or {}).get("SmsConfiguration")
    assert (
        "SmsConfiguration" not in describe_pool(applied)
        or not describe_pool(applied)["SmsConfiguration"]
    )


def test_recovery_verification_and_email(applied: Applied) -> None:
    pool = describe_pool(applied)
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Priority": 1, "Name": "verified_email"}
    ]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"
    template = pool["VerificationMessageTemplate"]
    assert template["DefaultEmailOption"] == "CONFIRM_WITH_LINK"
    assert template["EmailSubjectByLink"] == "Verify your e-mail address for SSO Demo"
    assert "{##Verify Email##}" in template["EmailMessageByLink"]


def test_tags_devices_and_domain(applied: Applied) -> None:
    pool = describe_pool(applied)
    tags = applied.client.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"]
    assert tags == {"project": "sso-demo", "cost-centre": "platform"}
    assert pool["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": True,
    }
    domain = applied.client.describe_user_pool_domain(Domain="sso-demo-platform")
    assert domain["DomainDescription"]["UserPoolId"] == applied.pool_id


def test_groups(applied: Applied) -> None:
    groups = {
        g["GroupName"]: (g.get("Description"), g.get("Precedence"))
        for g in applied.client.list_groups(UserPoolId=applied.pool_id)["Groups"]
    }
    assert groups == {
        "billing": ("Can use the billing service", 20),
        "reports": ("Can use the reports service", 30),
        "admins": ("Administrators of every service", 10),
    }


@pytest.mark.parametrize("service", ["billing", "reports", "audit"])
def test_app_clients(applied: Applied, service: str) -> None:
    port = {"billing": 5001, "reports": 5002, "audit": 5003}[service]
    summaries = applied.client.list_user_pool_clients(UserPoolId=applied.pool_id, MaxResults=60)
    ids = {c["ClientName"]: c["ClientId"] for c in summaries["UserPoolClients"]}
    c = applied.client.describe_user_pool_client(UserPoolId=applied.pool_id, ClientId=ids[service])[
        "UserPoolClient"
    ]
    assert c["ClientSecret"]
    units = c["TokenValidityUnits"]
    assert (c["RefreshTokenValidity"], units["RefreshToken"]) == (30, "days")
    assert (c["AccessTokenValidity"], units["AccessToken"]) == (5, "minutes")
    assert (c["IdTokenValidity"], units["IdToken"]) == (5, "minutes")
    assert sorted(c["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    ]
    assert c["PreventUserExistenceErrors"] == "ENABLED"
    assert c["EnableTokenRevocation"] is True
    assert sorted(c["ReadAttributes"]) == ["email", "email_verified", "name"]
    assert sorted(c["WriteAttributes"]) == ["email", "name"]
    assert c["CallbackURLs"] == [f"http://localhost:{port}/auth/callback"]
    assert c["LogoutURLs"] == [f"http://localhost:{port}/auth/logged-out"]
    assert c["AllowedOAuthFlows"] == ["code"]
    assert c["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(c["AllowedOAuthScopes"]) == sorted(
        ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    )


def test_users_invited_with_groups(applied: Applied) -> None:
    expected = {
        "alice@example.com": ("Alice Example", ["billing", "reports"]),
        "bob@example.com": ("Bob Example", ["reports"]),
        "carol@example.com": ("Carol Example", ["admins"]),
    }
    for email, (name, groups) in expected.items():
        user = applied.client.admin_get_user(UserPoolId=applied.pool_id, Username=email)
        attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert (attrs["email"], attrs["name"]) == (email, name)
        assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
        member_of = applied.client.admin_list_groups_for_user(
            UserPoolId=applied.pool_id, Username=user["Username"]
        )["Groups"]
        assert sorted(g["GroupName"] for g in member_of) == groups


def test_invitations_are_in_the_outbox(applied: Applied) -> None:
    messages = httpx.get(f"{applied.server.base_url}/_outbox.json", timeout=5).json()
    invites = [m for m in messages if m["subject"] == "You are invited to SSO Demo"]
    assert sorted(m["to"] for m in invites) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    for message in invites:
        assert "{####}" not in message["body"] and "{username}" not in message["body"]
        assert "Temporary password: " in message["body"]


def test_outputs_file(applied: Applied) -> None:
    path = applied.outputs_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    base = applied.server.base_url.rstrip("/")
    pool = describe_pool(applied)
    assert data["pool_id"] == applied.pool_id
    assert data["pool_arn"] == pool["Arn"]
    assert data["region"] == "eu-west-1"
    discovered = httpx.get(
        f"{base}/{applied.pool_id}/.well-known/openid-configuration", timeout=5
    ).json()
    assert data["issuer"] == discovered["issuer"] == f"{base}/{applied.pool_id}"
    assert data["hosted_ui_base_url"] == base
    assert data["endpoint_url"] == base
    assert data["groups"] == ["billing", "reports", "admins"]
    assert set(data["services"]) == {"billing", "reports", "audit"}
    for name, port in (("billing", 5001), ("reports", 5002)):
        service = data["services"][name]
        described = applied.client.describe_user_pool_client(
            UserPoolId=applied.pool_id, ClientId=service["client_id"]
        )["UserPoolClient"]
        assert described["ClientName"] == name
        assert service["client_secret"] == described["ClientSecret"]
        assert service["redirect_uri"] == f"http://localhost:{port}/auth/callback"
        assert service["logout_uri"] == f"http://localhost:{port}/auth/logged-out"
        assert service["scopes"] == ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


def test_outputs_file_configures_the_library(applied: Applied) -> None:
    """The library's loader (cognito_sso.config.load_outputs) understands the file."""
    from cognito_sso.config import load_outputs

    data = json.loads(applied.outputs_path.read_text(encoding="utf-8"))
    config = load_outputs(applied.outputs_path, "reports")
    assert config["COGNITO_ISSUER"] == data["issuer"]
    assert config["COGNITO_CLIENT_ID"] == data["services"]["reports"]["client_id"]
    assert config["COGNITO_CLIENT_SECRET"] == data["services"]["reports"]["client_secret"]
    assert config["COGNITO_REDIRECT_URI"] == "http://localhost:5002/auth/callback"
    assert config["COGNITO_LOGOUT_URI"] == "http://localhost:5002/auth/logged-out"
    assert config["COGNITO_ENDPOINT_URL"] == data["endpoint_url"]
