"""TOTP: AssociateSoftwareToken, VerifySoftwareToken and the MFA preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.lookups import (
    admin_user,
    token_user,
)
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
)
from cognito_sso.local.model import Pool, User

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


@intercept("AssociateSoftwareToken")
def associate_software_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """A fresh per-user TOTP secret (by access token, or within an MFA_SETUP session)."""
    session = params.get("Session")
    if params.get("AccessToken") is None and isinstance(session, str):
        return {"SecretCode": state.auth.mfa_setup_secret(session), "Session": session}
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    return {"SecretCode": state.auth.new_totp_secret(pool.id, user)}


@intercept("VerifySoftwareToken")
def verify_software_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Check the first code of a new TOTP secret."""
    code = required_str(params, "UserCode")
    session = params.get("Session")
    if params.get("AccessToken") is None and isinstance(session, str):
        state.auth.verify_mfa_setup(session, code, keep_session=True)
        return {"Status": "SUCCESS", "Session": session}
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    if not state.auth.verify_totp(pool.id, user, code):
        raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch")
    # [U] verifying registers the authenticator; SetUserMFAPreference switches it on
    state.directory.set_totp_secret(pool.id, user.username, None, verified=True)
    return {"Status": "SUCCESS"}


def _set_mfa_preference(state: LocalCognito, pool: Pool, user: User, params: Params) -> None:
    settings = params.get("SoftwareTokenMfaSettings")
    if not isinstance(settings, dict):
        return
    enabled = bool(settings.get("Enabled", False))
    preferred = bool(settings.get("PreferredMfa", False))
    if enabled and not state.directory.totp_verified(pool.id, user.username):
        raise invalid_parameter("User has not verified software token mfa")
    state.directory.set_mfa_preference(pool.id, user.username, enabled=enabled, preferred=preferred)


@intercept("SetUserMFAPreference")
def set_user_mfa_preference(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Enable/disable TOTP for oneself."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    _set_mfa_preference(state, pool, user, params)
    return {}


@intercept("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Enable/disable TOTP for a user."""
    pool, user = admin_user(state, params)
    _set_mfa_preference(state, pool, user, params)
    return {}
