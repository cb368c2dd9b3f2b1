"""Other settings the spec can express, applied to the local IdP."""

from __future__ import annotations

from pathlib import Path

from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.plan import CONFLICT
from cognito_sso.provisioning.spec import Spec, load_spec
from tests.provisioning.conftest import spec_variant

SES = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"


def test_developer_email_and_code_verification(conn: Connection, tmp_path: Path) -> None:
    path = spec_variant(
        tmp_path,
        (
            'sending_account = "COGNITO_DEFAULT"\n',
            f'sending_account = "DEVELOPER"\nsource_arn = "{SES}"\n'
            'from = "SSO Demo <no-reply@example.com>"\nreply_to = "support@example.com"\n',
        ),
        ('default_option = "link"', 'default_option = "code"'),
        ("SSO Demo: {##Verify Email##}", "SSO Demo with the code {####}"),
    )
    spec = load_spec(path)
    result = api.apply(conn, spec)
    pool = conn.client.describe_user_pool(UserPoolId=result.pool_id)["UserPool"]
    assert pool["EmailConfiguration"] == {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": SES,
        "From": "SSO Demo <no-reply@example.com>",
        "ReplyToEmailAddress": "support@example.com",
    }
    template = pool["VerificationMessageTemplate"]
    assert template["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert (
        template["EmailMessage"]
        == "Please confirm your e-mail address for SSO Demo with the code {####}"
    )
    assert api.apply(conn, spec).writes == 0


def test_domain_prefix_used_by_another_pool_is_a_conflict(
    conn: Connection, demo_spec: Spec, tmp_path: Path
) -> None:
    api.apply(conn, demo_spec)
    other = load_spec(spec_variant(tmp_path, ('name = "sso-demo"', 'name = "other-pool"')))
    plan = api.plan(conn, other)
    conflict = plan.change("domain", "sso-demo-platform")
    assert conflict is not None and conflict.action == CONFLICT
    assert "already used by user pool" in conflict.note
    before = conn.writes.count
    try:
        api.apply(conn, other)
    except api.ReplacementRequired:
        pass
    else:
        raise AssertionError("apply must refuse a domain conflict")
    assert conn.writes.count == before


def test_pool_without_optional_sections(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text(
        '[pool]\nname = "minimal"\n\n[clients.api]\ngenerate_secret = false\n', encoding="utf-8"
    )
    spec = load_spec(path)
    first = api.apply(conn, spec)
    assert first.operations == ["CreateUserPool", "CreateUserPoolClient"]
    assert api.apply(conn, spec).writes == 0
    data = api.outputs(conn, spec)
    assert data.services["api"].client_secret is None
    assert data.groups == ()


def test_turning_mfa_and_device_remembering_off(
    conn: Connection, demo_spec: Spec, tmp_path: Path
) -> None:
    pool_id = api.apply(conn, demo_spec).pool_id
    off = load_spec(
        spec_variant(
            tmp_path,
            ('mode = "optional"\ntotp = true', 'mode = "off"\ntotp = false'),
            (
                'remember = "user_opt_in"\nchallenge_required_on_new_device = true',
                'remember = "off"',
            ),
        )
    )
    plan = api.plan(conn, off)
    change = plan.change("pool", "sso-demo")
    assert change is not None
    assert {f.key: (f.old, f.new) for f in change.fields} == {
        "mfa.mode": ("optional", "off"),
        "mfa.totp": (True, False),
        "devices.remember": ("user_opt_in", "off"),
        "devices.challenge_required_on_new_device": (True, False),
    }
    result = api.apply(conn, off)
    assert result.operations == ["SetUserPoolMfaConfig", "UpdateUserPool"]
    assert conn.client.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    assert not conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"].get(
        "DeviceConfiguration"
    )
    assert api.apply(conn, off).writes == 0
    # and back on again
    back = api.apply(conn, demo_spec)
    assert back.operations == ["SetUserPoolMfaConfig", "UpdateUserPool"]
    assert api.apply(conn, demo_spec).writes == 0


def test_users_in_a_plain_username_pool(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "plain.toml"
    path.write_text(
        '[pool]\nname = "plain"\n\n[groups.staff]\n\n'
        '[users.dave]\nemail = "dave@example.com"\ngroups = ["staff"]\n',
        encoding="utf-8",
    )
    spec = load_spec(path)
    pool_id = api.apply(conn, spec).pool_id
    user = conn.client.admin_get_user(UserPoolId=pool_id, Username="dave")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == "dave@example.com"
    assert api.apply(conn, spec).writes == 0


def test_sms_mfa_with_an_sms_role(conn: Connection, tmp_path: Path) -> None:
    role = "arn:aws:iam::123456789012:role/cognito-sms"
    spec = load_spec(
        spec_variant(
            tmp_path,
            ("sms = false", f'sms = true\n\n[pool.sms]\nrole_arn = "{role}"\nexternal_id = "x1"'),
        )
    )
    pool_id = api.apply(conn, spec).pool_id
    mfa = conn.client.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SmsMfaConfiguration"]["SmsConfiguration"]["SnsCallerArn"] == role
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True
    pool = conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["SmsConfiguration"] == {"SnsCallerArn": role, "ExternalId": "x1"}
    assert api.apply(conn, spec).writes == 0
