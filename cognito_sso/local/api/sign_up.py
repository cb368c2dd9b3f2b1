"""Self-service accounts: SignUp, its confirmation and the forgotten-password flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.lookups import user_call
from cognito_sso.local.api.new_users import check_required, username_exists
from cognito_sso.local.api.params import Params, attributes_of, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
    not_authorized,
)
from cognito_sso.local.signin.passwords import validate_password

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


@intercept("SignUp")
def sign_up(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Self sign-up (refused when the pool allows admin-created users only)."""
    pool, client, username = user_call(state, params)
    if pool.allow_admin_create_user_only:
        raise not_authorized("SignUp is not permitted for this user pool")
    password = required_str(params, "Password")
    if state.directory.find_user(pool.id, username) is not None:
        raise username_exists(pool)
    validate_password(pool.password_policy, password)
    attributes = attributes_of(params.get("UserAttributes"))
    check_required(pool, username, attributes)
    user = state.directory.sign_up(client.id, username, password, attributes)
    result: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
    delivery = state.auth.send_confirmation_code(pool, user, username, client_id=client.id)
    if delivery is not None:
        result["CodeDeliveryDetails"] = delivery
    return result


@intercept("ConfirmSignUp")
def confirm_sign_up(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Confirm a self-signed-up user with the mailed code."""
    pool, client, username = user_call(state, params)
    state.auth.confirm_sign_up(pool, client, username, required_str(params, "ConfirmationCode"))
    return {}


@intercept("ResendConfirmationCode")
def resend_confirmation_code(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Mail a new sign-up confirmation code."""
    pool, client, username = user_call(state, params)
    user = state.directory.find_user(pool.id, username)
    if user is None:
        if client.prevent_user_existence_errors:
            return {
                "CodeDeliveryDetails": {
                    "Destination": "x***@x***",
                    "DeliveryMedium": "EMAIL",
                    "AttributeName": "email",
                }
            }
        raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
    if user.status != "UNCONFIRMED":
        raise invalid_parameter("User is already confirmed.")
    delivery = state.auth.send_confirmation_code(pool, user, username, client_id=client.id)
    if delivery is None:
        raise invalid_parameter("Auto verification not turned on.")
    return {"CodeDeliveryDetails": delivery}


@intercept("ForgotPassword")
def forgot_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Mail a password-reset code."""
    pool, client, username = user_call(state, params)
    return {"CodeDeliveryDetails": state.auth.forgot_password(pool, client, username)}


@intercept("ConfirmForgotPassword")
def confirm_forgot_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Set a new password with the mailed code."""
    pool, client, username = user_call(state, params)
    state.auth.confirm_forgot_password(
        pool,
        client,
        username,
        required_str(params, "ConfirmationCode"),
        required_str(params, "Password"),
    )
    return {}
