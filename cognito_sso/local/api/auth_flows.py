"""Sign-in through the API: InitiateAuth, AdminInitiateAuth and the challenge responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.client_checks import (
    FLOW_ALLOWED_BY,
    REFRESH_FLOWS,
    check_flow,
    check_secret_hash,
)
from cognito_sso.local.api.lookups import pool_client
from cognito_sso.local.api.params import Params, required_str
from cognito_sso.local.api.registry import intercept
from cognito_sso.local.api.sessions import authentication_result, refresh_tokens
from cognito_sso.local.errors import (
    invalid_parameter,
    not_authorized,
)
from cognito_sso.local.model import Client, Pool
from cognito_sso.local.signin.authenticator import (
    MFA_SETUP,
    NEW_PASSWORD_REQUIRED,
    SESSION_EXPIRED,
    SOFTWARE_TOKEN_MFA,
    AuthResult,
    Challenge,
)
from cognito_sso.local.tokens.claims import ADMIN_SCOPE

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


@intercept("InitiateAuth")
def initiate_auth(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Password and refresh flows for public/app callers."""
    pool, client = pool_client(state, params)
    return _initiate(state, pool, client, params, admin=False)


@intercept("AdminInitiateAuth")
def admin_initiate_auth(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Password and refresh flows for trusted back ends."""
    required_str(params, "UserPoolId")
    pool, client = pool_client(state, params)
    return _initiate(state, pool, client, params, admin=True)


def _initiate(
    state: LocalCognito, pool: Pool, client: Client, params: Params, *, admin: bool
) -> dict[str, Any]:
    flow = required_str(params, "AuthFlow")
    auth_params = params.get("AuthParameters") or {}
    password_flows = (
        {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"} if admin else {"USER_PASSWORD_AUTH"}
    )
    if flow not in password_flows | REFRESH_FLOWS and flow in FLOW_ALLOWED_BY:
        admin_only = {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}
        wrong_side = flow == "USER_PASSWORD_AUTH" if admin else flow in admin_only
        if wrong_side:
            raise invalid_parameter("Initiate Auth method not supported.")
        check_flow(client, flow)
        raise invalid_parameter(f"{flow} is not supported by the local IdP; use a password flow")
    if flow not in FLOW_ALLOWED_BY:
        raise invalid_parameter(f"Invalid AuthFlow {flow}")
    check_flow(client, flow)
    if flow in REFRESH_FLOWS:
        refresh_token = required_str(auth_params, "REFRESH_TOKEN")
        if client.refresh_token_rotation:
            # Cognito refuses REFRESH_TOKEN_AUTH when rotation is on (reference 4 [M]/[D]); the
            # reference gives no error class: [U] InvalidParameterException, the class of its
            # "{FLOW} flow not enabled for this client" (reference 6.4), the nearest case
            raise invalid_parameter(
                "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken"
            )
        session = state.tokens.session_for_refresh_token(refresh_token)
        names = [str(auth_params.get("USERNAME") or "")]
        if session is not None:
            user = state.directory.user_by_sub(session.pool_id, session.sub)
            names += [session.sub, user.username if user else ""]
        check_secret_hash(client, auth_params.get("SECRET_HASH"), names)
        tokens = refresh_tokens(state, client, refresh_token)
        return {"ChallengeParameters": {}, "AuthenticationResult": authentication_result(tokens)}
    username = required_str(auth_params, "USERNAME")
    password = required_str(auth_params, "PASSWORD")
    check_secret_hash(client, auth_params.get("SECRET_HASH"), [username])
    result = state.auth.password(pool, client, username, password)
    return _auth_response(state, pool, client, result)


def _auth_response(
    state: LocalCognito, pool: Pool, client: Client, result: AuthResult
) -> dict[str, Any]:
    if isinstance(result, Challenge):
        return {
            "ChallengeName": result.name,
            "Session": result.session,
            "ChallengeParameters": result.parameters,
        }
    tokens = state.tokens.issue(
        pool=pool, client=client, user=result.user, scopes=[ADMIN_SCOPE], api_flow=True
    )
    return {"ChallengeParameters": {}, "AuthenticationResult": authentication_result(tokens)}


@intercept("RespondToAuthChallenge")
def respond_to_auth_challenge(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Answer NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA or MFA_SETUP."""
    pool, client = pool_client(state, params)
    return _respond(state, pool, client, params)


@intercept("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Admin variant of RespondToAuthChallenge."""
    required_str(params, "UserPoolId")
    pool, client = pool_client(state, params)
    return _respond(state, pool, client, params)


def _respond(state: LocalCognito, pool: Pool, client: Client, params: Params) -> dict[str, Any]:
    name = required_str(params, "ChallengeName")
    responses = params.get("ChallengeResponses") or {}
    session = params.get("Session")
    if not isinstance(session, str) or not session:
        raise not_authorized(SESSION_EXPIRED)
    check_secret_hash(client, responses.get("SECRET_HASH"), [str(responses.get("USERNAME") or "")])
    result: AuthResult
    if name == NEW_PASSWORD_REQUIRED:
        attributes = {
            key.removeprefix("userAttributes."): str(value)
            for key, value in responses.items()
            if key.startswith("userAttributes.")
        }
        result = state.auth.new_password(
            session, required_str(responses, "NEW_PASSWORD"), attributes, client_id=client.id
        )
    elif name == SOFTWARE_TOKEN_MFA:
        code = required_str(responses, "SOFTWARE_TOKEN_MFA_CODE")
        result = state.auth.software_token(session, code, client_id=client.id)
    elif name == MFA_SETUP:
        result = state.auth.complete_mfa_setup(session, client_id=client.id)
    else:
        raise invalid_parameter(f"{name} is not supported by the local IdP")
    return _auth_response(state, pool, client, result)
