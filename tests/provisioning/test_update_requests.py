"""Update requests always carry the full desired state and keep unmanaged settings (AWS
resets omitted fields), checked against botocore's own parameter validation."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator

from provisioning.aws import input_members
from provisioning.mapping import client_update_request, mfa_request, pool_update_request
from provisioning.spec import Spec, load_spec
from tests.provisioning.conftest import DEMO_SPEC


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
    shape = client.meta.service_model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), report.generate_report()


def described_pool() -> dict[str, Any]:
    return {
        "Id": "eu-west-1_AbC123def",
        "Name": "sso-demo",
        "Arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123def",
        "Policies": {
            "PasswordPolicy": {"MinimumLength": 6},
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:f"},
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "SchemaAttributes": [{"Name": "email", "Required": True}],
        "EmailVerificationMessage": "old {####}",
        "EmailVerificationSubject": "old",
        "SmsVerificationMessage": "sms {####}",
        "VerificationMessageTemplate": {"SmsMessage": "Your code is {####}"},
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


def test_long_text_changes_show_where_they_differ() -> None:
    from provisioning.plan import UPDATE, FieldChange, Plan, ResourceChange, render_plan

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
