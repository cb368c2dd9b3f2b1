"""The demo pool's whole provisioning sequence through boto3: realistic answers, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cognito_sso.local.testing import make_cognito_client

INVITATION = """Hello,

an administrator created an SSO Demo account for you.
Username: {username}
Temporary password: {####}
"""


@pytest.fixture
def recorded(local_idp: Any) -> tuple[Any, list[tuple[str, int]]]:
    """A boto3 client that records (operation, HTTP status) of every call."""
    client = make_cognito_client(local_idp.base_url)
    calls: list[tuple[str, int]] = []

    def record(http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        calls.append((model.name, http_response.status_code))

    client.meta.events.register("after-call.cognito-idp", record)
    return client, calls


def full_pool_config(tags: dict[str, str]) -> dict[str, Any]:
    """The updatable part of the demo pool (what provisioning sends on create and update)."""
    return {
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "TemporaryPasswordValidityDays": 1,
            }
        },
        "AutoVerifiedAttributes": ["email"],
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "EmailSubject": "You are invited to SSO Demo",
                "EmailMessage": INVITATION,
                "SMSMessage": "Your username is {username} and temporary password is {####}.",
            },
        },
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
        },
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailSubjectByLink": "Verify your e-mail address for SSO Demo",
            "EmailMessageByLink": "Please confirm your e-mail address: {##Verify Email##}",
        },
        "UserPoolTags": tags,
        "DeviceConfiguration": {
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": True,
        },
        "DeletionProtection": "INACTIVE",
    }


def client_config(port: int) -> dict[str, Any]:
    return {
        "RefreshTokenValidity": 30,
        "AccessTokenValidity": 5,
        "IdTokenValidity": 5,
        "TokenValidityUnits": {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "days",
        },
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "ReadAttributes": ["email", "email_verified", "name"],
        "WriteAttributes": ["email", "name"],
        "CallbackURLs": [f"http://localhost:{port}/auth/callback"],
        "LogoutURLs": [f"http://localhost:{port}/auth/logged-out"],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "SupportedIdentityProviders": ["COGNITO"],
    }


def test_demo_pool_provisioning_sequence(
    local_idp: Any, recorded: tuple[Any, list[tuple[str, int]]]
) -> None:
    idp, calls = recorded
    tags = {"project": "sso-demo", "cost-centre": "platform"}
    name = "sso-demo-sequence"
    assert name not in [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    pool = idp.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ],
        **full_pool_config(tags),
    )["UserPool"]
    pool_id, arn = pool["Id"], pool["Arn"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    assert idp.describe_user_pool_domain(Domain="sso-demo-seq")["DomainDescription"] == {}
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="sso-demo-seq")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "sso-demo-seq"
    for group, precedence in (("billing", 20), ("reports", 30), ("admins", 10)):
        idp.create_group(
            UserPoolId=pool_id, GroupName=group, Precedence=precedence, Description=group
        )
    with pytest.raises(idp.exceptions.GroupExistsException):
        idp.create_group(UserPoolId=pool_id, GroupName="billing")
    clients = {}
    for service, port in (("billing", 5001), ("reports", 5002)):
        created = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=service, GenerateSecret=True, **client_config(port)
        )["UserPoolClient"]
        clients[service] = created["ClientId"]
        assert created["ClientSecret"]

    # second run: describe everything, then send the full desired state again
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["UserPoolTags"] == tags
    assert described["UsernameAttributes"] == ["email"]
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", **full_pool_config(tags))
    after = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert after["UsernameAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert after["Domain"] == "sso-demo-seq"
    assert {a["Name"] for a in after["SchemaAttributes"] if a.get("Required")} >= {"email", "name"}
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == tags
    listed = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert sorted(c["ClientName"] for c in listed) == ["billing", "reports"]
    for service, port in (("billing", 5001), ("reports", 5002)):
        current = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=clients[service])[
            "UserPoolClient"
        ]
        assert current["AccessTokenValidity"] == 5
        updated = idp.update_user_pool_client(
            UserPoolId=pool_id, ClientId=clients[service], ClientName=service, **client_config(port)
        )["UserPoolClient"]
        assert updated["AllowedOAuthFlowsUserPoolClient"] is True
        assert updated["CallbackURLs"] == [f"http://localhost:{port}/auth/callback"]
    idp.update_group(
        UserPoolId=pool_id, GroupName="billing", Precedence=21, Description="Billing users"
    )
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.local",
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )

    # users: invitation, lookups by e-mail in any case, groups
    for email, name_, groups in (
        ("alice@example.com", "Alice Example", ["billing", "reports"]),
        ("bob@example.com", "Bob Example", ["reports"]),
    ):
        with pytest.raises(idp.exceptions.UserNotFoundException):
            idp.admin_get_user(UserPoolId=pool_id, Username=email.upper())
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name_},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )
        username = idp.admin_get_user(UserPoolId=pool_id, Username=email.upper())["Username"]
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email.title(), GroupName=group)
        listed_groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)[
            "Groups"
        ]
        assert sorted(g["GroupName"] for g in listed_groups) == sorted(groups)
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(
            UserPoolId=pool_id, Username="Alice@Example.com", MessageAction="SUPPRESS"
        )
    invitations = [m for m in local_idp.state.outbox.messages() if m["to"] == "alice@example.com"]
    assert invitations[-1]["subject"] == "You are invited to SSO Demo"
    assert re.search(
        r"Username: alice@example\.com\nTemporary password: \S{8,}\n", invitations[-1]["body"]
    )
    found = idp.list_users(UserPoolId=pool_id, Filter='email = "bob@example.com"')["Users"]
    assert len(found) == 1
    members = idp.list_users_in_group(UserPoolId=pool_id, GroupName="reports")["Users"]
    assert len(members) == 2

    # destroy: protection first, then domain, then pool
    idp.update_user_pool(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        **{**full_pool_config(tags), "DeletionProtection": "ACTIVE"},
    )
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.delete_user_pool(UserPoolId=pool_id)
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", **full_pool_config(tags))
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.delete_user_pool(UserPoolId=pool_id)  # domain still attached
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="sso-demo-seq")
    idp.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool(UserPoolId=pool_id)

    server_errors = [(op, status) for op, status in calls if status >= 500]
    assert server_errors == []
    assert len(calls) > 40


def test_client_update_is_a_full_replacement(cognito_client: Any, cognito_factory: Any) -> None:
    pool_id = cognito_factory.pool()
    client = cognito_factory.oauth_client(pool_id)
    updated = cognito_client.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"], ClientName=client["ClientName"]
    )["UserPoolClient"]
    assert updated["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in updated
    described = cognito_client.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"]
    )
    assert described["UserPoolClient"]["ClientSecret"] == client["ClientSecret"]


@pytest.mark.parametrize(
    "validity",
    [
        {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"IdTokenValidity": 25},
        {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    ],
)
def test_token_validity_ranges(
    cognito_client: Any, cognito_factory: Any, validity: dict[str, Any]
) -> None:
    pool_id = cognito_factory.pool()
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as excinfo:
        cognito_client.create_user_pool_client(UserPoolId=pool_id, ClientName="bad", **validity)
    assert excinfo.value.response["Error"]["Message"] == "Invalid range for token validity."


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ({"AuthSessionValidity": 16}, "authSessionValidity"),
        (
            {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 61}},
            "retryGracePeriodSeconds",
        ),
    ],
)
def test_session_and_grace_upper_bounds(
    cognito_client: Any, cognito_factory: Any, setting: dict[str, Any], field: str
) -> None:
    """Reference 5.2: AuthSessionValidity 3-15 minutes, rotation grace 0-60 s (boto3 itself
    only checks the lower bounds)."""
    pool_id = cognito_factory.pool()
    with pytest.raises(cognito_client.exceptions.InvalidParameterException, match=field):
        cognito_client.create_user_pool_client(UserPoolId=pool_id, ClientName="bad", **setting)
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    with pytest.raises(cognito_client.exceptions.InvalidParameterException, match=field):
        cognito_client.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id, ClientName="bad", **setting
        )
    ok = cognito_client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="ok",
        AuthSessionValidity=15,
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 60},
    )["UserPoolClient"]
    assert ok["AuthSessionValidity"] == 15


def test_mfa_rules_of_create_user_pool_and_set_user_pool_mfa_config(
    cognito_client: Any, cognito_factory: Any
) -> None:
    """Reference 5.1: CreateUserPool only knows SMS MFA; "OFF" plus an enabled factor fails."""
    for mode in ("ON", "OPTIONAL"):
        with pytest.raises(cognito_client.exceptions.InvalidParameterException) as excinfo:
            cognito_client.create_user_pool(PoolName="mfa-at-create", MfaConfiguration=mode)
        assert excinfo.value.response["Error"]["Message"] == (
            "SMS configuration and Auto verification for phone_number are required when MFA "
            "is required/optional"
        )
    pool_id = cognito_factory.pool()
    with pytest.raises(cognito_client.exceptions.InvalidParameterException) as excinfo:
        cognito_client.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="OFF",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
    assert excinfo.value.response["Error"]["Message"] == (
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
    )
    cognito_client.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OFF", SoftwareTokenMfaConfiguration={"Enabled": False}
    )
    cognito_client.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    described = cognito_client.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert described["MfaConfiguration"] == "ON"
    assert described["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


_OAUTH = {
    "AllowedOAuthFlowsUserPoolClient": True,
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid"],
}


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({**_OAUTH, "CallbackURLs": ["http://app.example/cb"]}, "InvalidParameterException"),
        ({**_OAUTH, "CallbackURLs": ["https://app.example/cb#x"]}, "InvalidParameterException"),
        ({**_OAUTH, "LogoutURLs": ["/relative"]}, "InvalidParameterException"),
        (
            {**_OAUTH, "CallbackURLs": ["https://a.example/cb"], "DefaultRedirectURI": "https://b"},
            "InvalidParameterException",
        ),
        (
            {"AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"]},
            "InvalidParameterException",
        ),
        (
            {"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            "InvalidParameterException",
        ),
        (
            {**_OAUTH, "AllowedOAuthFlows": ["code", "client_credentials"], "GenerateSecret": True},
            "InvalidOAuthFlowException",
        ),
        (
            {**_OAUTH, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["r/x"]},
            "InvalidOAuthFlowException",
        ),
        ({**_OAUTH, "AllowedOAuthScopes": ["nosuch/scope"]}, "ScopeDoesNotExistException"),
    ],
)
def test_client_oauth_settings_rules(
    cognito_client: Any, cognito_factory: Any, settings: dict[str, Any], error: str
) -> None:
    """Reference 5.2: what AWS refuses in a client's OAuth settings (boto3 lets it through)."""
    pool_id = cognito_factory.pool()
    with pytest.raises(cognito_client.exceptions.ClientError) as created:
        cognito_client.create_user_pool_client(UserPoolId=pool_id, ClientName="bad", **settings)
    assert created.value.response["Error"]["Code"] == error
    client_id = cognito_factory.app_client(pool_id)["ClientId"]
    update = {k: v for k, v in settings.items() if k != "GenerateSecret"}  # create-only
    with pytest.raises(cognito_client.exceptions.ClientError) as updated:
        cognito_client.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id, ClientName="bad", **update
        )
    assert updated.value.response["Error"]["Code"] == error


def test_client_oauth_settings_that_are_fine(cognito_client: Any, cognito_factory: Any) -> None:
    pool_id = cognito_factory.pool()
    cognito_client.create_resource_server(
        UserPoolId=pool_id,
        Identifier="r",
        Name="r",
        Scopes=[{"ScopeName": "x", "ScopeDescription": "x"}],
    )
    for settings in (
        {
            **_OAUTH,
            "CallbackURLs": ["http://localhost:5000/cb", "http://127.0.0.1/cb", "myapp://cb"],
            "LogoutURLs": ["http://[::1]:8000/out", "https://app.example/out"],
            "DefaultRedirectURI": "myapp://cb",
        },
        {
            **_OAUTH,
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": ["r/x"],
            "GenerateSecret": True,
        },
        {"CallbackURLs": ["https://app.example/cb"]},  # stored, hosted UI off
    ):
        cognito_client.create_user_pool_client(UserPoolId=pool_id, ClientName="ok", **settings)


def test_domain_rules(cognito_client: Any, cognito_factory: Any) -> None:
    first = cognito_factory.pool()
    second = cognito_factory.pool()
    cognito_client.create_user_pool_domain(UserPoolId=first, Domain="taken-prefix")
    for pool_id, domain in (
        (second, "taken-prefix"),
        (second, "my-cognito-login"),
        (second, "Bad_Prefix"),
    ):
        with pytest.raises(cognito_client.exceptions.InvalidParameterException):
            cognito_client.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
