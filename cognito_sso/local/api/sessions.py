"""Token refresh, sign-out and revocation: GetTokensFromRefreshToken, GlobalSignOut,
AdminUserGlobalSignOut, RevokeToken."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.client_checks import (
    check_client_secret,
    check_flow,
)
from cognito_sso.local.api.lookups import (
    admin_user,
    client_of,
    token_user,
)
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.equal_secrets import equal_secrets
from cognito_sso.local.errors import (
    CognitoError,
    OAuthError,
    not_authorized,
)
from cognito_sso.local.model import Client, TokenSet
from cognito_sso.local.tokens.service import REUSED_REFRESH

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


def authentication_result(tokens: TokenSet) -> dict[str, Any]:
    """Tokens as an `AuthenticationResult`."""
    result: dict[str, Any] = {
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
    }
    if tokens.id_token is not None:
        result["IdToken"] = tokens.id_token
    if tokens.refresh_token is not None:
        result["RefreshToken"] = tokens.refresh_token
    return result


def refresh_tokens(state: LocalCognito, client: Client, refresh_token: str) -> TokenSet:
    """Refresh through the token service, its errors as the JSON API reports them."""
    try:
        return state.tokens.refresh(client=client, refresh_token=refresh_token)
    except OAuthError as error:
        if error.description == REUSED_REFRESH:
            raise CognitoError("RefreshTokenReuseException", REUSED_REFRESH) from None
        raise not_authorized(error.description or "Invalid Refresh Token") from None


@intercept("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Refresh (the only API refresh that rotates refresh tokens)."""
    client = client_of(state, params)
    check_client_secret(client, params.get("ClientSecret"))
    check_flow(client, "REFRESH_TOKEN_AUTH")
    tokens = refresh_tokens(state, client, required_str(params, "RefreshToken"))
    return {"AuthenticationResult": authentication_result(tokens)}


@intercept("GlobalSignOut")
def global_sign_out(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Revoke every session of the token's user, on every client."""
    pool, user, _claims = token_user(state, params.get("AccessToken"))
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}


@intercept("AdminUserGlobalSignOut")
def admin_user_global_sign_out(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Global sign-out by Username (or sub / e-mail, case rules of the pool)."""
    pool, user = admin_user(state, params)
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}


@intercept("RevokeToken")
def revoke_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Revoke a refresh token and its whole family."""
    client = client_of(state, params)
    token = required_str(params, "Token")
    if client.secret is not None:
        secret = params.get("ClientSecret")
        if not equal_secrets(secret, client.secret):
            # [U] the message; the exception class is the one in the API model
            raise CognitoError("UnauthorizedException", "Client authentication failed.")
    try:
        state.tokens.revoke(client=client, refresh_token=token)
    except OAuthError as error:
        if error.error == "unsupported_token_type":
            raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type") from None
        raise CognitoError(
            "UnsupportedOperationException", "Token revocation is not enabled for this app client"
        ) from None
    return {}
