"""Every request provisioning sends (create, update, destroy; demo and maximal spec) is one real
Cognito would accept according to the botocore service model and the reference's rules."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from tests.provisioning.aws_rules import problems
from tests.provisioning.conftest import DEMO_SPEC, MAXIMAL_SPEC, spec_variant

DEMO_CHANGES = (
    ("minimum_length = 8", "minimum_length = 10"),
    ('mode = "optional"', 'mode = "on"'),
    ('cost-centre = "platform"', 'owner = "identity"'),
    ("Please confirm your e-mail address", "Confirm your address"),
    ('description = "Can use the billing service"', 'description = "Billing"'),
    (
        'access_token_validity = "5m"\nid_token_validity = "5m"\n'
        'auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]\n'
        "prevent_user_existence_errors = true\nenable_token_revocation = true\n"
        'read_attributes = ["email", "email_verified", "name"]\n'
        'write_attributes = ["email", "name"]\n'
        'callback_urls = ["http://localhost:5002/auth/callback"]',
        'access_token_validity = "10m"\nid_token_validity = "5m"\n'
        'auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]\n'
        "prevent_user_existence_errors = true\nenable_token_revocation = true\n"
        'read_attributes = ["email", "email_verified", "name"]\n'
        'write_attributes = ["email", "name"]\n'
        'callback_urls = ["http://localhost:5002/auth/callback", "https://r.example.com/cb"]',
    ),
    ('name = "Bob Example"\ngroups = ["reports"]', 'name = "Robert"\ngroups = ["billing"]'),
)
MAXIMAL_CHANGES = (
    ('mode = "on"', 'mode = "optional"'),
    ("sms = true", "sms = false"),
    ('remember = "always"', 'remember = "off"'),
    ('mechanisms = ["verified_email", "verified_phone_number"]', 'mechanisms = ["admin_only"]'),
    ('reply_to = "support@example.com"', 'reply_to = "help@example.com"'),
    ('default_option = "code"', 'default_option = "link"'),
    ('"Your verification code is {####}"', '"Click {##here##} to verify"'),
    ("password {####}", "temporary password {####}"),
    ('project = "maximal"', 'project = "max"\nteam = "identity"'),
    ("[groups.plain]\n", '[groups.plain]\ndescription = "Plain"\n'),
    ('oauth_flows = ["code", "implicit"]', 'oauth_flows = ["code"]'),
    ('groups = ["staff", "plain"]', 'groups = ["plain"]'),
    ('refresh_token_grace_period = "30s"', 'refresh_token_grace_period = "1m"'),
    ('scopes = ["openid", "email", "profile"]', 'scopes = ["openid", "email"]'),
    ('"COGNITO", "Corp", "CorpSaml", "Google"', '"COGNITO", "Corp", "Google"'),
    (
        'type = "saml"\nmetadata_url = "https://saml.example.com/metadata.xml"\n'
        'idp_sign_out = true\nidentifiers = ["saml.example.com"]\n\n'
        "[identity_providers.CorpSaml.attribute_mapping]\n"
        'email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"\n',
        "remove = true\n",
    ),
)


class Recorder:
    """Records every cognito-idp request before boto3 serialises it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, copy.deepcopy(params)))

    @property
    def operations(self) -> set[str]:
        return {name for name, _ in self.calls}


def run_lifecycle(
    conn: Connection, spec_path: Path, changed_path: Path, outputs_dir: Path
) -> Recorder:
    """Create, re-apply, update every kind of resource, re-apply, destroy; record requests."""
    recorder = Recorder()
    conn.client.meta.events.register("before-parameter-build.cognito-idp", recorder)
    spec, changed = api.load_spec(spec_path), api.load_spec(changed_path)
    api.apply(conn, spec)
    assert api.apply(conn, spec).writes == 0
    assert api.apply(conn, changed).writes > 0
    assert api.apply(conn, changed).writes == 0
    api.write_outputs_for(conn, changed, outputs_dir / "outputs.json")
    assert api.destroy(conn, changed, confirm=lambda _: True)
    return recorder


def assert_all_accepted(conn: Connection, recorder: Recorder) -> None:
    model = conn.client.meta.service_model
    found = [p for name, params in recorder.calls for p in problems(model, name, params)]
    assert found == []


def test_demo_spec_requests_validate_against_the_model(conn: Connection, tmp_path: Path) -> None:
    changed = spec_variant(tmp_path, *DEMO_CHANGES, name="changed")
    recorder = run_lifecycle(conn, DEMO_SPEC, changed, tmp_path)
    assert_all_accepted(conn, recorder)
    assert {
        "CreateUserPool",
        "SetUserPoolMfaConfig",
        "UpdateUserPool",
        "CreateUserPoolDomain",
        "CreateGroup",
        "UpdateGroup",
        "CreateUserPoolClient",
        "UpdateUserPoolClient",
        "AdminCreateUser",
        "AdminUpdateUserAttributes",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "DeleteUserPoolDomain",
        "DeleteUserPool",
    } <= recorder.operations


def test_maximal_spec_requests_validate_against_the_model(
    conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAXIMAL_CORP_SECRET", "corp-secret-value-1234")
    monkeypatch.setenv("MAXIMAL_GOOGLE_SECRET", "google-secret-value-1234")
    base = spec_variant(tmp_path, name="maximal", base=MAXIMAL_SPEC)
    changed = spec_variant(tmp_path, *MAXIMAL_CHANGES, name="maximal-changed", base=MAXIMAL_SPEC)
    recorder = run_lifecycle(conn, base, changed, tmp_path)
    assert_all_accepted(conn, recorder)
    updates = [params for name, params in recorder.calls if name == "UpdateUserPool"]
    assert updates and updates[-1]["VerificationMessageTemplate"]["DefaultEmailOption"] == (
        "CONFIRM_WITH_LINK"
    )
    assert "DeviceConfiguration" not in updates[-1]
    assert {
        "CreateIdentityProvider",
        "UpdateIdentityProvider",
        "DeleteIdentityProvider",
    } <= recorder.operations
    (create,) = [params for name, params in recorder.calls if name == "CreateUserPool"]
    assert create["IssuerConfiguration"] == {"Type": "UPDATED"}
    client_updates = [p for name, p in recorder.calls if name == "UpdateUserPoolClient"]
    assert client_updates[-1]["RefreshTokenRotation"] == {
        "Feature": "ENABLED",
        "RetryGracePeriodSeconds": 60,
    }


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        (
            "UpdateUserPool",
            {
                "UserPoolId": "p",
                "VerificationMessageTemplate": {
                    "DefaultEmailOption": "CONFIRM_WITH_LINK",
                    "EmailMessage": "code {####}",
                    "EmailMessageByLink": "link {##go##}",
                },
            },
            "both the code and the link",
        ),
        (
            "UpdateUserPool",
            {
                "UserPoolId": "p",
                "EmailVerificationMessage": "code {####}",
                "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
            },
            "legacy verification fields",
        ),
        ("UpdateUserPool", {"UserPoolId": "p", "Name": "x"}, "Unknown parameter"),
        ("UpdateUserPool", {"UserPoolId": "p", "MfaConfiguration": "MAYBE"}, "not one of"),
        (
            "UpdateUserPoolClient",
            {
                "UserPoolId": "p",
                "ClientId": "c",
                "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
            },
            "legacy flows mixed",
        ),
        (
            "UpdateUserPoolClient",
            {"UserPoolId": "p", "ClientId": "c", "AllowedOAuthFlows": ["code"]},
            "AllowedOAuthFlowsUserPoolClient false",
        ),
        (
            "CreateUserPoolClient",
            {
                "UserPoolId": "p",
                "ClientName": "c",
                "AccessTokenValidity": 2,
                "TokenValidityUnits": {"AccessToken": "days"},
            },
            "out of range",
        ),
        ("CreateUserPool", {"PoolName": "p", "MfaConfiguration": "ON"}, "without SmsConfiguration"),
        (
            "SetUserPoolMfaConfig",
            {
                "UserPoolId": "p",
                "MfaConfiguration": "OFF",
                "SoftwareTokenMfaConfiguration": {"Enabled": True},
            },
            "MFA OFF",
        ),
        ("CreateUserPoolDomain", {"UserPoolId": "p", "Domain": "Not_Valid"}, "does not match"),
    ],
)
def test_the_checker_catches_what_aws_refuses(
    conn: Connection, operation: str, params: dict[str, Any], expected: str
) -> None:
    found = problems(conn.client.meta.service_model, operation, params)
    assert any(expected in p for p in found), found
