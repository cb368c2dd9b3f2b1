"""Tripwires: each moto gap the local IdP patches, asserted to still exist in raw moto.

These tests talk to a fresh moto cognito-idp backend in-process (no HTTP, no local IdP code).
When one fails after a moto upgrade, moto fixed the gap: drop our patch (the message says which).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpBackend
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core import DEFAULT_ACCOUNT_ID

from cognito_sso.base64url import b64url_decode

REGION = "eu-west-1"
PASSWORD = "Passw0rd!Moto"


def still_broken(broken: bool, what: str) -> None:
    assert broken, f"moto fixed {what}: drop our patch"


def raises(call: Callable[[], Any]) -> str | None:
    """The exception class name `call` raises, or None."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - we only name it
        return type(exc).__name__
    return None


@pytest.fixture
def backend() -> CognitoIdpBackend:
    return CognitoIdpBackend(REGION, DEFAULT_ACCOUNT_ID)


def email_pool(backend: CognitoIdpBackend, **extra: Any) -> str:
    config: dict[str, Any] = {
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        **extra,
    }
    return str(backend.create_user_pool("contract", config).id)


def confirmed_user(backend: CognitoIdpBackend, pool_id: str, email: str) -> str:
    user = backend.admin_create_user(pool_id, email, "SUPPRESS", PASSWORD, [])
    backend.admin_set_user_password(pool_id, user.username, PASSWORD, True)
    return str(user.username)


def admin_password_auth(
    backend: CognitoIdpBackend, pool_id: str, client_id: str, email: str
) -> dict[str, Any]:
    """moto's AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH for ``email``."""
    return dict(
        backend.admin_initiate_auth(
            pool_id,
            client_id,
            "ADMIN_USER_PASSWORD_AUTH",
            {"USERNAME": email, "PASSWORD": PASSWORD},
        )
    )


def signed_in_tokens(backend: CognitoIdpBackend, email: str) -> dict[str, Any]:
    """The tokens moto gives a confirmed user of a new email pool (a client without secret)."""
    pool_id = email_pool(backend)
    client = backend.create_user_pool_client(pool_id, False, {"ClientName": "c"})
    confirmed_user(backend, pool_id, email)
    return dict(admin_password_auth(backend, pool_id, client.id, email)["AuthenticationResult"])


def test_update_user_pool_wipes_username_attributes(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    backend.update_user_pool(pool_id, {"UserPoolId": pool_id, "Policies": {}})
    config = backend.describe_user_pool(pool_id).to_json(extended=True)
    still_broken(
        config.get("UsernameAttributes") is None and config.get("UsernameConfiguration") is None,
        "UpdateUserPool keeping UsernameAttributes/UsernameConfiguration",
    )


def test_case_insensitive_usernames_ignored(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    backend.admin_create_user(pool_id, "Alice@Example.com", "SUPPRESS", PASSWORD, [])
    still_broken(
        raises(lambda: backend.admin_get_user(pool_id, "alice@example.com")) == "UserNotFoundError",
        "case-insensitive lookup (UsernameConfiguration.CaseSensitive=false)",
    )
    duplicate = raises(
        lambda: backend.admin_create_user(pool_id, "ALICE@example.com", "SUPPRESS", PASSWORD, [])
    )
    still_broken(duplicate is None, "case-insensitive uniqueness of usernames")


def test_required_attributes_not_enforced(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(
        backend,
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )
    created = raises(
        lambda: backend.admin_create_user(pool_id, "noname@example.com", "SUPPRESS", PASSWORD, [])
    )
    still_broken(created is None, "required attributes on AdminCreateUser")


def test_temporary_password_policy_not_enforced(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    created = raises(
        lambda: backend.admin_create_user(pool_id, "weak@example.com", "SUPPRESS", "x", [])
    )
    still_broken(created is None, "the password policy on AdminCreateUser's TemporaryPassword")


def test_sign_up_allowed_when_admin_create_only(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client = backend.create_user_pool_client(pool_id, False, {"ClientName": "c"})
    result = raises(lambda: backend.sign_up(client.id, "self@example.com", PASSWORD, []))
    still_broken(result is None, "AllowAdminCreateUserOnly refusing SignUp")


def test_client_settings_not_enforced(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    client = backend.create_user_pool_client(
        pool_id,
        True,
        {
            "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "ENABLED",
            "AccessTokenValidity": 5,
            "IdTokenValidity": 5,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes"},
        },
    )
    confirmed_user(backend, pool_id, "flow@example.com")
    wrong_hash = base64.b64encode(hmac.new(b"nope", b"x", hashlib.sha256).digest()).decode()
    result = backend.admin_initiate_auth(
        pool_id,
        client.id,
        "ADMIN_USER_PASSWORD_AUTH",
        {"USERNAME": "flow@example.com", "PASSWORD": PASSWORD, "SECRET_HASH": wrong_hash},
    )
    still_broken("AuthenticationResult" in result, "ExplicitAuthFlows / SECRET_HASH checks")
    still_broken(
        result["AuthenticationResult"]["ExpiresIn"] == 3600,
        "token lifetimes from the client settings",
    )
    unknown = raises(
        lambda: backend.admin_initiate_auth(
            pool_id,
            client.id,
            "ADMIN_USER_PASSWORD_AUTH",
            {"USERNAME": "ghost@example.com", "PASSWORD": PASSWORD},
        )
    )
    still_broken(unknown == "UserNotFoundError", "PreventUserExistenceErrors=ENABLED")


def test_totp_secret_is_fixed_and_codes_unchecked(backend: CognitoIdpBackend) -> None:
    access = signed_in_tokens(backend, "totp@example.com")["AccessToken"]
    secret = backend.associate_software_token(access, "")["SecretCode"]
    still_broken(secret == "asdfasdfasdf", "per-user TOTP secrets")
    verified = raises(lambda: backend.verify_software_token(access, "", "000000", "device"))
    still_broken(verified is None, "TOTP code verification")


def test_moto_signs_with_a_shared_fixed_key(backend: CognitoIdpBackend) -> None:
    header = signed_in_tokens(backend, "key@example.com")["IdToken"].split(".")[0]
    decoded = b64url_decode(header)
    still_broken(
        b'"kid":"dummy"' in decoded.replace(b" ", b""),
        "per-pool signing keys (we mint our own tokens)",
    )


def test_temporary_password_never_expires(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend, Policies={"PasswordPolicy": {"TemporaryPasswordValidityDays": 1}})
    client = backend.create_user_pool_client(pool_id, False, {"ClientName": "c"})
    user = backend.admin_create_user(pool_id, "old@example.com", "SUPPRESS", PASSWORD, [])
    user.create_date = user.create_date.replace(year=user.create_date.year - 1)
    result = admin_password_auth(backend, pool_id, client.id, "old@example.com")
    still_broken(
        result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", "TemporaryPasswordValidityDays"
    )


@pytest.mark.parametrize(
    "action",
    [
        "list_tags_for_resource",
        "tag_resource",
        "untag_resource",
        "revoke_token",
        "get_tokens_from_refresh_token",
    ],
)
def test_actions_moto_does_not_implement(action: str) -> None:
    still_broken(not hasattr(CognitoIdpResponse, action), f"the {action} action")


def test_update_user_pool_client_merges_instead_of_replacing(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    client = backend.create_user_pool_client(
        pool_id,
        False,
        {
            "ClientName": "c",
            "AllowedOAuthFlowsUserPoolClient": True,
            "CallbackURLs": ["https://a/cb"],
        },
    )
    backend.update_user_pool_client(pool_id, client.id, {"ClientName": "c"})
    config = backend.describe_user_pool_client(pool_id, client.id).extended_config
    still_broken(
        config.get("AllowedOAuthFlowsUserPoolClient") is True
        and config.get("CallbackURLs") == ["https://a/cb"],
        "UpdateUserPoolClient full replacement of omitted fields",
    )


def test_deletion_protection_not_enforced(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend, DeletionProtection="ACTIVE")
    still_broken(
        raises(lambda: backend.delete_user_pool(pool_id)) is None, "DeletionProtection=ACTIVE"
    )


def test_domain_prefix_can_be_taken_twice(backend: CognitoIdpBackend) -> None:
    first, second = email_pool(backend), email_pool(backend)
    backend.create_user_pool_domain(first, "shared-prefix")
    taken = raises(lambda: backend.create_user_pool_domain(second, "shared-prefix"))
    still_broken(taken is None, "one user pool per domain prefix")


def test_token_validity_ranges_not_checked(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    created = raises(
        lambda: backend.create_user_pool_client(
            pool_id,
            False,
            {
                "ClientName": "c",
                "AccessTokenValidity": 1,
                "TokenValidityUnits": {"AccessToken": "seconds"},
            },
        )
    )
    still_broken(created is None, "token validity range checks")


def test_update_user_pool_can_turn_mfa_on(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    backend.update_user_pool(pool_id, {"MfaConfiguration": "ON"})
    described = backend.describe_user_pool(pool_id).to_json(extended=True)
    still_broken(described["MfaConfiguration"] == "ON", "UpdateUserPool refusing to turn MFA on")


def test_client_secrets_are_uuids(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    secret = backend.create_user_pool_client(pool_id, True, {"ClientName": "c"}).secret
    still_broken(len(secret) == 36 and secret.count("-") == 4, "Cognito-shaped client secrets")


def test_pool_ids_are_not_cognito_shaped(backend: CognitoIdpBackend) -> None:
    pool_id = email_pool(backend)
    still_broken(
        len(pool_id.split("_", 1)[1]) == 32, "Cognito-shaped pool ids (<region>_<9 alphanumerics>)"
    )
