"""Calls a signed-in user makes with their access token: GetUser, ChangePassword,
attribute updates and verification, DeleteUser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.forwarding import forward_json
from cognito_sso.local.api.lookups import (
    resolve_user,
    token_user,
)
from cognito_sso.local.api.params import Params, attribute_list, attributes_of, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
    not_authorized,
)
from cognito_sso.local.model import Pool, User
from cognito_sso.local.signin.authenticator import (
    INCORRECT,
)
from cognito_sso.local.signin.passwords import validate_password

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


@intercept("GetUser")
def get_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """The user behind a valid, unrevoked access token."""
    _pool, user, _claims = token_user(state, params.get("AccessToken"))
    settings = ["SOFTWARE_TOKEN_MFA"] if user.mfa_totp_enabled else []
    result: dict[str, Any] = {
        "Username": user.username,
        "UserAttributes": attribute_list(user.attributes),
        "UserMFASettingList": settings,
    }
    if user.preferred_mfa:
        result["PreferredMfaSetting"] = user.preferred_mfa
    return result


@intercept("ChangePassword")
def change_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Change one's own password (previous password checked, policy enforced)."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    previous = params.get("PreviousPassword")
    if not isinstance(previous, str) or not state.directory.check_password(
        pool.id, user.username, previous
    ):
        raise not_authorized(INCORRECT)
    proposed = required_str(params, "ProposedPassword")
    validate_password(pool.password_policy, proposed)
    state.directory.set_password(pool.id, user.username, proposed, permanent=True)
    return {}


@intercept("UpdateUserAttributes")
def update_user_attributes(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Update one's own attributes."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    deliveries = update_attributes(state, pool, user, params.get("UserAttributes"))
    return {"CodeDeliveryDetailsList": deliveries}


def update_attributes(
    state: LocalCognito, pool: Pool, user: User, items: Any
) -> list[dict[str, str]]:
    """Cognito's rules around an attribute update: `sub` is immutable, an e-mail used to sign
    in stays unique (case rules of the pool), and a changed auto-verified e-mail becomes
    unverified and gets a verification code (unless the caller sets `email_verified`)."""
    attributes = attributes_of(items)
    if "sub" in attributes:
        raise invalid_parameter("Cannot modify the non-mutable attribute sub")
    new_email = attributes.get("email")
    old_email = user.attributes.get("email", "")
    changed = new_email is not None and new_email.casefold() != old_email.casefold()
    if changed and new_email:
        other = state.directory.find_user(pool.id, new_email)
        if other is not None and other.sub != user.sub:
            raise CognitoError(
                "AliasExistsException", "An account with the given email already exists."
            )
    verify = (
        changed and "email" in pool.auto_verified_attributes and "email_verified" not in attributes
    )
    if verify:
        attributes["email_verified"] = "false"
    forwarded = {
        "UserPoolId": pool.id,
        "Username": user.username,
        "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()],
    }
    forward_json(state, "AdminUpdateUserAttributes", forwarded, pool.region)
    if not (verify and new_email):
        return []
    updated = resolve_user(state, pool.id, user.sub)
    return [state.auth.send_attribute_code(pool, updated, "email")]


@intercept("DeleteUserAttributes")
def delete_user_attributes(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Delete some of one's own attributes."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    forwarded = {
        "UserPoolId": pool.id,
        "Username": user.username,
        "UserAttributeNames": params.get("UserAttributeNames") or [],
    }
    forward_json(state, "AdminDeleteUserAttributes", forwarded, pool.region)
    return {}


@intercept("DeleteUser")
def delete_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Delete oneself; every session ends."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    state.tokens.global_sign_out(pool.id, user.sub)
    forward_json(
        state, "AdminDeleteUser", {"UserPoolId": pool.id, "Username": user.username}, pool.region
    )
    return {}


@intercept("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Mail a code to verify one's e-mail address."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    delivery = state.auth.send_attribute_code(pool, user, required_str(params, "AttributeName"))
    return {"CodeDeliveryDetails": delivery}


@intercept("VerifyUserAttribute")
def verify_user_attribute(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Verify one's e-mail address with the mailed code."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    state.auth.verify_attribute(
        pool, user, required_str(params, "AttributeName"), required_str(params, "Code")
    )
    return {}
