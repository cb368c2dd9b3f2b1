"""Update requests always carry the full desired state and keep unmanaged settings (AWS
resets omitted fields), checked against botocore's own parameter validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from cognito_sso.provisioning.aws import input_members
from cognito_sso.provisioning.mapping import client_update_request, mfa_request, pool_update_request
from cognito_sso.provisioning.spec import Spec, load_spec
from tests.provisioning.aws_rules import problems
from tests.provisioning.conftest import DEMO_SPEC, spec_variant


@pytest.fixture(scope="module")
def model_client() -> Any:
    return boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(DEMO_SPEC)


def assert_valid(client: Any, operation: str, params: dict[str, Any]) -> None:
    """Valid for botocore and for what AWS itself checks (see aws_rules)."""
    assert problems(client.meta.service_model, operation, params) == []


def described_pool() -> dict[str, Any]:
    return {
        "Id": "eu-west-1_AbC123def",
        "Name": "sso-demo",
        "Arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123def",
        "Policies": {
            "PasswordPolicy": {"MinimumLength": 6, "PasswordHistorySize": 5},
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
            "InviteMessageTemplate": {"SMSMessage": "Hi {username}: {####}"},
        },
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:f"},
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "SchemaAttributes": [{"Name": "email", "Required": True}],
        "EmailVerificationMessage": "old {####}",
        "EmailVerificationSubject": "old",
        "SmsVerificationMessage": "sms {####}",
        "VerificationMessageTemplate": {
            "SmsMessage": "Your code is {####}",
            "EmailMessage": "Your code is {####}",
            "EmailSubject": "Your code",
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False},
        "MfaConfiguration": "OFF",
        "UserPoolTier": "ESSENTIALS",
        "EstimatedNumberOfUsers": 3,
        "Domain": "sso-demo-platform",
    }


def test_pool_update_request_is_full_and_keeps_unmanaged(model_client: Any, spec: Spec) -> None:
    members = input_members(model_client, "UpdateUserPool")
    request = pool_update_request(spec.pool, described_pool(), members)
    assert_valid(model_client, "UpdateUserPool", request)
    assert request["UserPoolId"] == "eu-west-1_AbC123def"
    # unmanaged settings survive the full-replacement update
    assert request["LambdaConfig"] == described_pool()["LambdaConfig"]
    assert request["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    assert request["UserPoolTier"] == "ESSENTIALS"
    assert request["VerificationMessageTemplate"]["SmsMessage"] == "Your code is {####}"
    assert request["Policies"]["PasswordPolicy"]["PasswordHistorySize"] == 5
    invite = request["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert invite["SMSMessage"] == "Hi {username}: {####}"  # not in the spec: kept
    assert invite["EmailSubject"] == "You are invited to SSO Demo"
    # legacy, refused together with TemporaryPasswordValidityDays
    assert "UnusedAccountValidityDays" not in request["AdminCreateUserConfig"]
    # only the link pair (the spec's option): AWS refuses both pairs together
    assert set(request["VerificationMessageTemplate"]) == {
        "DefaultEmailOption",
        "EmailSubjectByLink",
        "EmailMessageByLink",
        "SmsMessage",
    }
    # the whole desired state is sent
    assert request["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert request["MfaConfiguration"] == "OPTIONAL"
    assert request["UserPoolTags"] == {"project": "sso-demo", "cost-centre": "platform"}
    assert request["AutoVerifiedAttributes"] == ["email"]
    assert request["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"] == "verified_email"
    assert request["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert request["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"] is True
    assert request["DeletionProtection"] == "INACTIVE"
    assert request["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    # create-only, read-only and legacy fields are not sent
    for absent in (
        "UsernameAttributes",
        "UsernameConfiguration",
        "Schema",
        "Name",
        "Arn",
        "Domain",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "SmsVerificationMessage",
    ):
        assert absent not in request


def test_mfa_request(model_client: Any, spec: Spec) -> None:
    request = {"UserPoolId": "eu-west-1_AbC123def", **mfa_request(spec.pool)}
    assert_valid(model_client, "SetUserPoolMfaConfig", request)
    assert request["MfaConfiguration"] == "OPTIONAL"
    assert request["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "SmsMfaConfiguration" not in request


def test_client_update_request_is_full_and_keeps_unmanaged(model_client: Any, spec: Spec) -> None:
    described = {
        "UserPoolId": "eu-west-1_AbC123def",
        "ClientId": "abc",
        "ClientName": "billing",
        "ClientSecret": "s3cr3t",
        "AuthSessionValidity": 7,
        "RefreshTokenRotation": {"Feature": "DISABLED"},
        "DefaultRedirectURI": "https://old.example.com/cb",
        "CreationDate": "2026-01-01",
        "AllowedOAuthFlowsUserPoolClient": False,
        "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"],  # legacy names
    }
    members = input_members(model_client, "UpdateUserPoolClient")
    request = client_update_request(spec.clients[0], described, members)
    assert_valid(model_client, "UpdateUserPoolClient", request)
    assert request["ClientId"] == "abc"
    assert request["AuthSessionValidity"] == 7
    assert "ClientSecret" not in request and "GenerateSecret" not in request
    assert "DefaultRedirectURI" not in request  # no longer among the callback URLs
    assert request["AllowedOAuthFlowsUserPoolClient"] is True
    assert request["AccessTokenValidity"] == 5
    assert request["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert request["CallbackURLs"] == ["http://localhost:5001/auth/callback"]
    assert request["PreventUserExistenceErrors"] == "ENABLED"
    assert request["EnableTokenRevocation"] is True
    assert sorted(request["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    ]


def test_long_text_changes_show_where_they_differ() -> None:
    from cognito_sso.provisioning.plan import UPDATE, FieldChange, Plan, ResourceChange, render_plan

    spec = load_spec(DEMO_SPEC)
    old = "x" * 200 + " old ending"
    new = "x" * 200 + " new ending"
    plan = Plan(spec, None, None)
    plan.changes.append(
        ResourceChange(
            "pool", "sso-demo", UPDATE, (FieldChange("invitation.email_message", old, new),)
        )
    )
    line = render_plan(plan)[1]
    assert line.startswith("    invitation.email_message: text changed at character 201: ")
    assert "old ending" in line and "new ending" in line


def test_texts_the_spec_leaves_out_are_kept(model_client: Any, tmp_path: Path) -> None:
    path = spec_variant(
        tmp_path,
        ('email_subject = "Verify your e-mail address for SSO Demo"\n', ""),
        ('email_subject = "You are invited to SSO Demo"\n', ""),
    )
    pool = load_spec(path).pool
    described = described_pool()
    described["VerificationMessageTemplate"] = {
        "DefaultEmailOption": "CONFIRM_WITH_LINK",
        "EmailSubjectByLink": "Console subject",
        "EmailMessageByLink": "old {##Verify##}",
        "EmailMessage": "Your code is {####}",
        "EmailSubject": "Your code",
    }
    described["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailSubject"] = "Welcome!"
    members = input_members(model_client, "UpdateUserPool")
    request = pool_update_request(pool, described, members)
    assert_valid(model_client, "UpdateUserPool", request)
    template = request["VerificationMessageTemplate"]
    assert template["EmailSubjectByLink"] == "Console subject"
    assert template["EmailMessageByLink"] == pool.verification.email_message
    assert "EmailMessage" not in template and "EmailSubject" not in template
    assert request["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailSubject"] == "Welcome!"


def test_switching_the_email_account_drops_the_old_settings(model_client: Any) -> None:
    spec = load_spec(DEMO_SPEC)  # COGNITO_DEFAULT
    described = described_pool()
    developer = {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
        "ConfigurationSet": "set",
    }
    described["EmailConfiguration"] = developer
    members = input_members(model_client, "UpdateUserPool")
    request = pool_update_request(spec.pool, described, members)
    assert request["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    # Same account: unmanaged fields are kept.
    described["EmailConfiguration"] = {**developer, "EmailSendingAccount": "COGNITO_DEFAULT"}
    request = pool_update_request(spec.pool, described, members)
    assert request["EmailConfiguration"]["ConfigurationSet"] == "set"
