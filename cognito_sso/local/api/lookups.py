"""The pool, client and user a JSON API call names (by id, Username or access token)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.client_checks import check_secret_hash
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
    not_authorized,
    resource_not_found,
)
from cognito_sso.local.model import Client, Pool, User
from cognito_sso.local.tokens.claims import require_scope

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


def client_of(state: LocalCognito, params: Mapping[str, Any]) -> Client:
    """The app client named by `ClientId`."""
    return state.directory.client(required_str(params, "ClientId"))


def pool_client(state: LocalCognito, params: Mapping[str, Any]) -> tuple[Pool, Client]:
    """The client named by `ClientId` and its pool (which must match `UserPoolId` if given)."""
    client = client_of(state, params)
    pool_id = params.get("UserPoolId")
    if pool_id is not None and pool_id != client.pool_id:
        raise resource_not_found(f"User pool client {client.id} does not exist.")
    return state.directory.pool(client.pool_id), client


def user_call(state: LocalCognito, params: Mapping[str, Any]) -> tuple[Pool, Client, str]:
    """Pool, client and `Username` of an unauthenticated user call (SignUp, ForgotPassword...),
    its `SecretHash` checked."""
    pool, client = pool_client(state, params)
    username = required_str(params, "Username")
    check_secret_hash(client, params.get("SecretHash"), [username])
    return pool, client, username


def token_user(state: LocalCognito, access_token: Any) -> tuple[Pool, User, Mapping[str, Any]]:
    """The user behind an access token that may call user-pool APIs."""
    if not isinstance(access_token, str):
        raise not_authorized("Invalid Access Token")
    claims = state.tokens.check_access_token(access_token)
    require_scope(claims)
    pool_id = state.tokens.pool_id_of(claims)
    user = state.directory.user_by_sub(pool_id, str(claims.get("sub")))
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    if not user.enabled:
        raise not_authorized("User is disabled.")
    return state.directory.pool(pool_id), user, claims


def resolve_user(state: LocalCognito, pool_id: str, username: Any) -> User:
    """The pool's user named by `username` (Username, e-mail or sub, the pool's case rules)."""
    if not isinstance(username, str) or not username:
        raise invalid_parameter("Missing required parameter Username")
    user = state.directory.find_user(pool_id, username)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user


def admin_user(state: LocalCognito, params: Params) -> tuple[Pool, User]:
    """Pool and user named by an admin call's `UserPoolId` and `Username`."""
    pool = state.directory.pool(required_str(params, "UserPoolId"))
    return pool, resolve_user(state, pool.id, params.get("Username"))
