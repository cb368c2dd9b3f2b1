"""Administrators' user calls: AdminCreateUser, passwords, attributes, disabling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.forwarding import forward_json
from cognito_sso.local.api.lookups import (
    admin_user,
    resolve_user,
)
from cognito_sso.local.api.new_users import check_required, temporary_password, username_exists
from cognito_sso.local.api.own_account import update_attributes
from cognito_sso.local.api.params import Params, attributes_of, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import (
    CognitoError,
    not_authorized,
)
from cognito_sso.local.outbox import render
from cognito_sso.local.signin.passwords import validate_password

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


@intercept("AdminCreateUser")
def admin_create_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """AdminCreateUser with Cognito's checks (case-insensitive uniqueness, required attributes,
    temporary-password policy) and the invitation in the outbox."""
    pool = state.directory.pool(required_str(params, "UserPoolId"))
    username = required_str(params, "Username")
    action = params.get("MessageAction")
    attributes = attributes_of(params.get("UserAttributes"))
    temporary = params.get("TemporaryPassword")
    if temporary is not None:
        validate_password(pool.password_policy, str(temporary))
    password = str(temporary) if temporary else temporary_password(pool)
    existing = state.directory.find_user(pool.id, username)
    if action == "RESEND":
        if existing is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        if existing.status != "FORCE_CHANGE_PASSWORD":
            raise CognitoError(
                "UnsupportedUserStateException", "User account already exists"
            )  # [U]
        state.directory.set_password(pool.id, existing.username, password, permanent=False)
        user = existing
    else:
        if existing is not None:
            raise username_exists(pool)
        check_required(pool, username, attributes)
        forwarded = {
            k: v for k, v in params.items() if k not in ("MessageAction", "DesiredDeliveryMediums")
        }
        forwarded["TemporaryPassword"] = password
        created = forward_json(state, "AdminCreateUser", forwarded, pool.region)
        stored = str(created["User"]["Username"])
        state.directory.mark_temporary_password(pool.id, stored)
        user = resolve_user(state, pool.id, stored)
    mediums = params.get("DesiredDeliveryMediums") or ["EMAIL"]  # [U] default SMS, but no SMS here
    email = user.attributes.get("email")
    if action != "SUPPRESS" and email and "EMAIL" in mediums:
        subject = pool.invite_subject or "Your temporary password"
        template = (
            pool.invite_message or "Your username is {username} and temporary password is {####}. "
        )
        state.outbox.send(email, subject, render(template, username=username, code=password))
    described = forward_json(
        state, "AdminGetUser", {"UserPoolId": pool.id, "Username": user.username}, pool.region
    )
    described.pop("PreferredMfaSetting", None)
    described.pop("UserMFASettingList", None)
    described["Attributes"] = described.pop("UserAttributes", [])
    described.setdefault("MFAOptions", [])
    return {"User": described}


@intercept("AdminSetUserPassword")
def admin_set_user_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Set a user's password (policy enforced; temporary ones restart their validity)."""
    pool, user = admin_user(state, params)
    password = required_str(params, "Password")
    validate_password(pool.password_policy, password)
    state.directory.set_password(
        pool.id, user.username, password, permanent=bool(params.get("Permanent"))
    )
    return {}


@intercept("AdminResetUserPassword")
def admin_reset_user_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Force a reset: the user gets a code and must use ConfirmForgotPassword."""
    pool, user = admin_user(state, params)
    if not user.enabled:
        raise not_authorized("User is disabled")
    if user.status not in ("CONFIRMED", "RESET_REQUIRED"):
        raise not_authorized("User password cannot be reset in the current state.")
    state.auth.send_reset_code(pool, user, user.attributes.get("email", user.username))
    state.directory.set_status(pool.id, user.username, "RESET_REQUIRED")
    return {}


@intercept("AdminUpdateUserAttributes")
def admin_update_user_attributes(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Update a user's attributes."""
    pool, user = admin_user(state, params)
    update_attributes(state, pool, user, params.get("UserAttributes"))
    return {}


@intercept("AdminDisableUser")
def admin_disable_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Disable a user; like Cognito, this also revokes every token the user holds."""
    pool, user = admin_user(state, params)
    forward_json(state, "AdminDisableUser", {**params, "Username": user.username}, region)
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}
