"""The moto adapter (`moto_directory.Directory`) in-process: one test per adapter function.

These guard the moto internals the adapter reads and writes; a moto upgrade that moves them
fails here first, with the adapter function named in the test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.model import Client, Pool, User
from cognito_sso.local.moto_adapter.backends import TARGET_PREFIX
from cognito_sso.local.moto_adapter.directory import Directory

REGION = "eu-west-1"
PASSWORD = "Passw0rd!Dir"


def call(directory: Directory, action: str, **params: Any) -> dict[str, Any]:
    status, headers, payload = directory.forward(
        TARGET_PREFIX + action, json.dumps(params).encode(), REGION
    )
    assert status == 200, payload
    assert headers["Content-Type"].startswith("application/x-amz-json")
    return dict(json.loads(payload or b"{}"))


@pytest.fixture
def directory() -> Directory:
    return Directory()


@pytest.fixture
def pool_id(directory: Directory) -> str:
    pool = call(
        directory,
        "CreateUserPool",
        PoolName="adapter",
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 10,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        AdminCreateUserConfig={
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {"EmailSubject": "Hi", "EmailMessage": "{username} {####}"},
        },
        AutoVerifiedAttributes=["email"],
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    )
    return str(pool["UserPool"]["Id"])


@pytest.fixture
def user(directory: Directory, pool_id: str) -> User:
    call(
        directory,
        "AdminCreateUser",
        UserPoolId=pool_id,
        Username="Carol@Example.com",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "name", "Value": "Carol"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    found = directory.find_user(pool_id, "carol@example.com")
    assert found is not None
    return found


def test_forward_errors_keep_the_wire_format(directory: Directory) -> None:
    status, headers, payload = directory.forward(
        TARGET_PREFIX + "DescribeUserPool",
        json.dumps({"UserPoolId": "eu-west-1_missing"}).encode(),
        REGION,
    )
    assert status == 400
    assert headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(payload)["__type"] == "ResourceNotFoundException"


def test_forward_not_implemented_is_a_cognito_error(directory: Directory) -> None:
    with pytest.raises(CognitoError) as excinfo:
        directory.forward(TARGET_PREFIX + "GetUICustomization", b'{"UserPoolId": "x"}', REGION)
    assert excinfo.value.type == "InvalidParameterException"


def test_forward_region_is_pinned(directory: Directory) -> None:
    pool = call(directory, "CreateUserPool", PoolName="pinned")["UserPool"]
    assert pool["Id"].startswith("eu-west-1_")
    assert ":eu-west-1:" in pool["Arn"]


def test_pool(directory: Directory, pool_id: str) -> None:
    pool = directory.pool(pool_id)
    assert isinstance(pool, Pool)
    assert pool.region == REGION and pool.name == "adapter"
    assert pool.username_attributes == ("email",)
    assert pool.case_sensitive is False
    assert "name" in pool.required_attributes
    assert pool.password_policy.minimum_length == 10
    assert pool.password_policy.require_symbols is False
    assert pool.password_policy.temporary_password_validity_days == 3
    assert pool.allow_admin_create_user_only is True
    assert pool.invite_subject == "Hi" and pool.invite_message == "{username} {####}"
    assert pool.auto_verified_attributes == ("email",)
    assert pool.recovery_mechanisms == ("verified_email",)
    assert pool.mfa_configuration == "OFF" and pool.software_token_mfa_enabled is False
    assert pool.domain is None
    call(
        directory,
        "SetUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    call(directory, "CreateUserPoolDomain", UserPoolId=pool_id, Domain="adapter-domain")
    pool = directory.pool(pool_id)
    assert pool.mfa_configuration == "ON" and pool.software_token_mfa_enabled is True
    assert pool.domain == "adapter-domain" == directory.domain_of(pool_id)
    assert directory.domain_owner("adapter-domain") == pool_id
    with pytest.raises(CognitoError):
        directory.pool("eu-west-1_missing")


def test_client(directory: Directory, pool_id: str) -> None:
    created = call(
        directory,
        "CreateUserPoolClient",
        UserPoolId=pool_id,
        ClientName="svc",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
        ReadAttributes=["email", "name"],
        CallbackURLs=["http://localhost:5001/cb"],
        LogoutURLs=["http://localhost:5001/out"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
        AccessTokenValidity=5,
        IdTokenValidity=2,
        RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]
    client = directory.client(created["ClientId"])
    assert isinstance(client, Client)
    assert client.pool_id == pool_id and client.name == "svc"
    assert client.secret == created["ClientSecret"]
    assert client.explicit_auth_flows == frozenset({"ALLOW_USER_PASSWORD_AUTH"})
    assert client.prevent_user_existence_errors is True
    assert client.enable_token_revocation is False
    assert client.read_attributes == frozenset({"email", "name"})
    assert client.callback_urls == ("http://localhost:5001/cb",)
    assert client.logout_urls == ("http://localhost:5001/out",)
    assert client.allowed_oauth_flows == frozenset({"code"})
    assert client.allowed_oauth_scopes == ("openid",)
    assert client.oauth_enabled is True
    assert client.supported_identity_providers == ("COGNITO",)
    assert (client.access_token_seconds, client.id_token_seconds) == (300, 7200)
    assert client.refresh_token_seconds == 7 * 86400
    assert client.refresh_token_rotation is True
    public = directory.client(
        call(directory, "CreateUserPoolClient", UserPoolId=pool_id, ClientName="pub")[
            "UserPoolClient"
        ]["ClientId"]
    )
    assert public.secret is None and public.read_attributes is None
    assert public.enable_token_revocation is True and public.prevent_user_existence_errors is False
    assert (public.access_token_seconds, public.refresh_token_seconds) == (3600, 30 * 86400)
    with pytest.raises(CognitoError):
        directory.client("nope")


def test_find_user_and_user_by_sub(directory: Directory, pool_id: str, user: User) -> None:
    assert user.username == user.sub  # e-mail username pool: Username is the sub
    assert user.status == "FORCE_CHANGE_PASSWORD" and user.enabled
    assert user.attributes["email"] == "Carol@Example.com" and user.attributes["name"] == "Carol"
    for login in ("CAROL@example.com", user.sub, user.username):
        found = directory.find_user(pool_id, login)
        assert found is not None and found.sub == user.sub
    assert directory.find_user(pool_id, "nobody@example.com") is None
    assert directory.user_by_sub(pool_id, user.sub) == user
    assert directory.user_by_sub(pool_id, "00000000-0000-0000-0000-000000000000") is None


def test_alias_attributes_sign_in_only_when_verified(directory: Directory) -> None:
    pool_id = call(directory, "CreateUserPool", PoolName="alias", AliasAttributes=["email"])[
        "UserPool"
    ]["Id"]
    for name, verified in (("dave", "true"), ("erin", "false")):
        call(
            directory,
            "AdminCreateUser",
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": verified},
            ],
        )
    assert directory.find_user(pool_id, "dave@example.com") is not None
    assert directory.find_user(pool_id, "erin@example.com") is None
    assert directory.find_user(pool_id, "DAVE") is None  # case-sensitive pool (API default)
    assert directory.pool(pool_id).case_sensitive is True


def test_passwords_and_status(directory: Directory, pool_id: str, user: User) -> None:
    assert directory.check_password(pool_id, user.username, PASSWORD)
    assert not directory.check_password(pool_id, user.username, PASSWORD + "x")
    before = directory.password_set_at(pool_id, user.username)
    directory.set_password(pool_id, "carol@example.com", "Another!Pass1", permanent=True)
    updated = directory.find_user(pool_id, user.sub)
    assert updated is not None and updated.status == "CONFIRMED"
    assert directory.check_password(pool_id, user.username, "Another!Pass1")
    directory.set_password(pool_id, user.username, "Temp!Again1", permanent=False)
    assert directory.find_user(pool_id, user.sub).status == "FORCE_CHANGE_PASSWORD"  # type: ignore[union-attr]
    assert directory.password_set_at(pool_id, user.username) >= before
    directory.set_status(pool_id, user.username, "RESET_REQUIRED")
    assert directory.find_user(pool_id, user.sub).status == "RESET_REQUIRED"  # type: ignore[union-attr]


def test_update_attributes_and_groups(directory: Directory, pool_id: str, user: User) -> None:
    directory.update_attributes(pool_id, user.username, {"name": "Caroline", "custom:team": "ops"})
    for group, precedence in (("late", 50), ("early", 1)):
        call(directory, "CreateGroup", UserPoolId=pool_id, GroupName=group, Precedence=precedence)
        call(
            directory,
            "AdminAddUserToGroup",
            UserPoolId=pool_id,
            Username=user.username,
            GroupName=group,
        )
    updated = directory.user_by_sub(pool_id, user.sub)
    assert updated is not None
    assert updated.attributes["name"] == "Caroline"
    assert updated.groups == ("early", "late")  # by precedence


def test_totp_and_mfa_preference(directory: Directory, pool_id: str, user: User) -> None:
    assert directory.totp_secret(pool_id, user.username) is None
    directory.set_totp_secret(pool_id, user.username, "JBSWY3DPEHPK3PXP", verified=False)
    assert directory.totp_secret(pool_id, user.username) == "JBSWY3DPEHPK3PXP"
    assert not directory.totp_verified(pool_id, user.username)
    directory.set_totp_secret(pool_id, user.username, None, verified=True)
    assert directory.totp_verified(pool_id, user.username)
    directory.set_mfa_preference(pool_id, user.username, enabled=True, preferred=True)
    current = directory.user_by_sub(pool_id, user.sub)
    assert (
        current is not None
        and current.mfa_totp_enabled
        and current.preferred_mfa == "SOFTWARE_TOKEN_MFA"
    )
    described = call(directory, "AdminGetUser", UserPoolId=pool_id, Username=user.username)
    assert described["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    directory.set_mfa_preference(pool_id, user.username, enabled=False, preferred=False)
    current = directory.user_by_sub(pool_id, user.sub)
    assert current is not None and not current.mfa_totp_enabled and current.preferred_mfa is None


def test_sign_up(directory: Directory, pool_id: str) -> None:
    client_id = call(directory, "CreateUserPoolClient", UserPoolId=pool_id, ClientName="c")[
        "UserPoolClient"
    ]["ClientId"]
    created = directory.sign_up(client_id, "frank@example.com", PASSWORD, {"name": "Frank"})
    assert created.status == "UNCONFIRMED" and created.attributes["email"] == "frank@example.com"


def test_tags(directory: Directory, pool_id: str) -> None:
    arn = directory.pool(pool_id).arn
    directory.tag(arn, {"a": "1", "b": "2"})
    directory.untag(arn, ["a", "missing"])
    assert directory.tags(arn) == {"b": "2"}
    assert directory.describe_pool(pool_id)["UserPoolTags"] == {"b": "2"}
    with pytest.raises(CognitoError):
        directory.tags(arn + "x")


def test_update_user_pool_and_client_fixups(directory: Directory, pool_id: str) -> None:
    status, _, _ = directory.update_user_pool(
        json.dumps({"UserPoolId": pool_id}).encode(), REGION, pool_id
    )
    assert status == 200
    assert directory.pool(pool_id).username_attributes == ("email",)
    assert directory.pool(pool_id).case_sensitive is False
    client_id = call(
        directory,
        "CreateUserPoolClient",
        UserPoolId=pool_id,
        ClientName="keep",
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["https://x/cb"],
    )["UserPoolClient"]["ClientId"]
    status, _, payload = directory.update_user_pool_client(
        json.dumps({"UserPoolId": pool_id, "ClientId": client_id}).encode(),
        REGION,
        pool_id,
        client_id,
    )
    assert status == 200
    client = directory.client(client_id)
    assert client.name == "keep" and client.oauth_enabled is False and client.callback_urls == ()
    assert json.loads(payload)["UserPoolClient"]["ClientName"] == "keep"


def test_deletion_blockers(directory: Directory, pool_id: str) -> None:
    assert directory.deletion_blockers(pool_id) is None
    call(directory, "CreateUserPoolDomain", UserPoolId=pool_id, Domain="blocking")
    assert "domain" in (directory.deletion_blockers(pool_id) or "")


def test_directories_are_isolated_from_each_other() -> None:
    first, second = Directory(), Directory()
    call(first, "CreateUserPool", PoolName="only-in-first")
    assert first.pool_ids() and second.pool_ids() == []
