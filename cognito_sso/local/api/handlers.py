"""The cognito-idp JSON 1.1 API at `POST /`: intercepted actions and forwarding to moto.

Errors leave in the real wire format (HTTP 400, `x-amzn-ErrorType`, `{"__type","message"}`),
so boto3 raises the same exception classes it would against AWS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import OperationModel, OperationNotFoundError, ServiceModel
from botocore.session import get_session
from botocore.validate import ParamValidator
from flask import Request, Response

from cognito_sso.local.errors import (
    CognitoError,
    OAuthError,
    invalid_parameter,
    not_authorized,
    resource_not_found,
)
from cognito_sso.local.model import VALIDITY_UNIT_SECONDS, Client, Pool, TokenSet, User
from cognito_sso.local.moto_adapter.directory import TARGET_PREFIX
from cognito_sso.local.outbox import render
from cognito_sso.local.signin.authenticator import (
    INCORRECT,
    MFA_SETUP,
    NEW_PASSWORD_REQUIRED,
    SESSION_EXPIRED,
    SOFTWARE_TOKEN_MFA,
    AuthResult,
    Challenge,
    missing_required,
    validate_password,
)
from cognito_sso.local.tokens.service import ADMIN_SCOPE, REUSED_REFRESH, require_scope
from cognito_sso.local.web.client_auth import equal_secrets
from cognito_sso.urls import redirect_url_problem

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito

log = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY_BYTES = 1024 * 1024
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/cognito-idp/")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

Params = dict[str, Any]
Handler = Callable[["LocalCognito", Params, str], Mapping[str, Any]]

#: Actions we answer ourselves instead of forwarding them to moto (registered below).
INTERCEPTS: dict[str, Handler] = {}


def intercept(action: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the implementation of a JSON API action."""

    def register(handler: Handler) -> Handler:
        INTERCEPTS[action] = handler
        return handler

    return register


@cache
def service_model() -> ServiceModel:
    """botocore's model of cognito-idp (used to validate requests like AWS does)."""
    return get_session().get_service_model("cognito-idp")


def error_response(error: CognitoError) -> Response:
    """A CognitoError in the JSON 1.1 wire format."""
    body = json.dumps({"__type": error.type, "message": error.message})
    return Response(
        body,
        status=error.status,
        content_type=JSON_CONTENT_TYPE,
        headers={"x-amzn-ErrorType": error.type},
    )


def handle_json_api(state: LocalCognito, request: Request) -> Response:
    """Answer one `POST /` call of the cognito-idp JSON API."""
    try:
        action, params = _parse(request)
        region = _region(state, request, params)
        handler = INTERCEPTS.get(action)
        if handler is not None:
            with state.lock:
                result = handler(state, params, region)
            return Response(json.dumps(result), status=200, content_type=JSON_CONTENT_TYPE)
        with state.lock:
            _resolve_username(state, params)
            body = json.dumps(params).encode()
            status, headers, payload = state.directory.forward(TARGET_PREFIX + action, body, region)
        headers.pop("Content-Type", None)
        return Response(payload, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)
    except CognitoError as error:
        return error_response(error)
    except Exception:  # never a 500 HTML page; details go to the log, not the client
        log.exception("internal error in the cognito-idp JSON API")
        return error_response(CognitoError("InternalErrorException", "Internal error", 500))


def _resolve_username(state: LocalCognito, params: Params) -> None:
    """Admin calls name users by Username; honour the pool's case rules, e-mail and sub
    (moto only matches the exact stored Username or e-mail)."""
    pool_id, username = params.get("UserPoolId"), params.get("Username")
    if not isinstance(pool_id, str) or not isinstance(username, str):
        return
    if not state.directory.pool_exists(pool_id):
        return
    user = state.directory.find_user(pool_id, username)
    if user is not None:
        params["Username"] = user.username


def _parse(request: Request) -> tuple[str, Params]:
    target = request.headers.get("X-Amz-Target", "")
    if not target.startswith(TARGET_PREFIX):
        raise CognitoError("UnknownOperationException", "Missing or unknown X-Amz-Target")
    action = target.removeprefix(TARGET_PREFIX)
    try:
        operation: OperationModel = service_model().operation_model(action)
    except OperationNotFoundError:
        raise CognitoError("UnknownOperationException", f"Unknown operation {action}") from None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise CognitoError("SerializationException", "Request body too large")
    raw = request.get_data(cache=False)
    try:
        params = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise CognitoError("SerializationException", "Request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise CognitoError("SerializationException", "Request body must be a JSON object")
    _validate(operation, params)
    return action, params


def _validate(operation: OperationModel, params: Params) -> None:
    """Type and required-member checks from the service model (unknown members ignored)."""
    if operation.input_shape is None:
        return
    report = ParamValidator().validate(params, operation.input_shape)
    errors = [e for e in getattr(report, "_errors", []) if e[0] != "unknown field"]
    if not errors:
        return
    kind, name, _details = errors[0]
    if kind == "invalid type":
        raise CognitoError("SerializationException", f"Invalid type for parameter {name}")
    raise invalid_parameter(
        f"{len(errors)} validation error(s) detected: {kind} for parameter {name or 'input'}"
    )


def _region(state: LocalCognito, request: Request, params: Params) -> str:
    """The region a call is for: from the pool id, the client, the signature, or the default."""
    pool_id = params.get("UserPoolId")
    if isinstance(pool_id, str) and "_" in pool_id:
        candidate = pool_id.split("_", 1)[0]
        if _REGION.match(candidate):
            return candidate
    client_id = params.get("ClientId")
    if isinstance(client_id, str):
        with state.lock:
            try:
                return state.directory.pool(state.directory.client(client_id).pool_id).region
            except CognitoError:
                pass
    match = _CREDENTIAL_REGION.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1)
    return state.default_region


# ====================================================================== helpers
_DEFAULT_FLOWS = frozenset({"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"})
_LEGACY_FLOWS = frozenset({"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"})
#: AuthFlow -> the ExplicitAuthFlows values that allow it
_FLOW_ALLOWED_BY = {
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "USER_AUTH": {"ALLOW_USER_AUTH"},
}
_REFRESH_FLOWS = frozenset({"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"})


def _str(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def _client(state: LocalCognito, params: Mapping[str, Any]) -> Client:
    return state.directory.client(_str(params, "ClientId"))


def _pool_client(state: LocalCognito, params: Mapping[str, Any]) -> tuple[Pool, Client]:
    client = _client(state, params)
    pool_id = params.get("UserPoolId")
    if pool_id is not None and pool_id != client.pool_id:
        raise resource_not_found(f"User pool client {client.id} does not exist.")
    return state.directory.pool(client.pool_id), client


def _user_call(state: LocalCognito, params: Mapping[str, Any]) -> tuple[Pool, Client, str]:
    """Pool, client and `Username` of an unauthenticated user call (SignUp, ForgotPassword...),
    its `SecretHash` checked."""
    pool, client = _pool_client(state, params)
    username = _str(params, "Username")
    _check_secret_hash(client, params.get("SecretHash"), [username])
    return pool, client, username


def _check_flow(client: Client, flow: str) -> None:
    enabled = client.explicit_auth_flows or _DEFAULT_FLOWS
    allowed = _FLOW_ALLOWED_BY.get(flow, set())
    legacy_refresh = flow in _REFRESH_FLOWS and bool(enabled & _LEGACY_FLOWS)
    if not (enabled & allowed) and not legacy_refresh:
        raise invalid_parameter(f"{flow} flow not enabled for this client")


def _check_secret_hash(client: Client, provided: Any, usernames: Sequence[str]) -> None:
    """SECRET_HASH = base64(HMAC-SHA256(client secret, username + client id))."""
    if client.secret is None:
        return
    if not isinstance(provided, str) or not provided:
        raise not_authorized(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    for username in usernames:
        if not username:
            continue
        digest = hmac.new(
            client.secret.encode(), (username + client.id).encode(), hashlib.sha256
        ).digest()
        if equal_secrets(provided, base64.b64encode(digest).decode()):
            return
    raise not_authorized(f"Unable to verify secret hash for client {client.id}")


def _check_client_secret(client: Client, provided: Any) -> None:
    if client.secret is None:
        return
    if not equal_secrets(provided, client.secret):
        raise CognitoError(
            "NotAuthorizedException", f"Unable to verify secret for client {client.id}"
        )


def _authentication_result(tokens: TokenSet) -> dict[str, Any]:
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
    return {"ChallengeParameters": {}, "AuthenticationResult": _authentication_result(tokens)}


def _refresh(state: LocalCognito, client: Client, refresh_token: str) -> TokenSet:
    try:
        return state.tokens.refresh(client=client, refresh_token=refresh_token)
    except OAuthError as error:
        if error.description == REUSED_REFRESH:
            raise CognitoError("RefreshTokenReuseException", REUSED_REFRESH) from None
        raise not_authorized(error.description or "Invalid Refresh Token") from None


def _token_user(state: LocalCognito, access_token: Any) -> tuple[Pool, User, Mapping[str, Any]]:
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


def _resolve_user(state: LocalCognito, pool_id: str, username: Any) -> User:
    if not isinstance(username, str) or not username:
        raise invalid_parameter("Missing required parameter Username")
    user = state.directory.find_user(pool_id, username)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user


def _admin_user(state: LocalCognito, params: Params) -> tuple[Pool, User]:
    """Pool and user named by an admin call's `UserPoolId` and `Username`."""
    pool = state.directory.pool(_str(params, "UserPoolId"))
    return pool, _resolve_user(state, pool.id, params.get("Username"))


def _attributes(items: Any) -> dict[str, str]:
    if not items:
        return {}
    return {str(a["Name"]): str(a.get("Value", "")) for a in items}


def _attribute_list(attributes: Mapping[str, str]) -> list[dict[str, str]]:
    ordered = {"sub": attributes["sub"]} if "sub" in attributes else {}
    ordered.update(attributes)
    return [{"Name": k, "Value": v} for k, v in ordered.items()]


def _forward_json(state: LocalCognito, action: str, params: Params, region: str) -> dict[str, Any]:
    status, _headers, payload = state.directory.forward(
        TARGET_PREFIX + action, json.dumps(params).encode(), region
    )
    return _moto_reply(status, payload)


def _moto_reply(status: int, payload: bytes) -> dict[str, Any]:
    """moto's JSON answer, or its error raised as a `CognitoError`."""
    body = json.loads(payload or b"{}")
    if status != 200:
        raise CognitoError(
            str(body.get("__type", "InternalErrorException")), str(body.get("message", "")), status
        )
    return dict(body)


# ====================================================================== sign-in
@intercept("InitiateAuth")
def initiate_auth(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Password and refresh flows for public/app callers."""
    pool, client = _pool_client(state, params)
    return _initiate(state, pool, client, params, admin=False)


@intercept("AdminInitiateAuth")
def admin_initiate_auth(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Password and refresh flows for trusted back ends."""
    _str(params, "UserPoolId")
    pool, client = _pool_client(state, params)
    return _initiate(state, pool, client, params, admin=True)


def _initiate(
    state: LocalCognito, pool: Pool, client: Client, params: Params, *, admin: bool
) -> dict[str, Any]:
    flow = _str(params, "AuthFlow")
    auth_params = params.get("AuthParameters") or {}
    password_flows = (
        {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"} if admin else {"USER_PASSWORD_AUTH"}
    )
    if flow not in password_flows | _REFRESH_FLOWS and flow in _FLOW_ALLOWED_BY:
        admin_only = {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}
        wrong_side = flow == "USER_PASSWORD_AUTH" if admin else flow in admin_only
        if wrong_side:
            raise invalid_parameter("Initiate Auth method not supported.")
        _check_flow(client, flow)
        raise invalid_parameter(f"{flow} is not supported by the local IdP; use a password flow")
    if flow not in _FLOW_ALLOWED_BY:
        raise invalid_parameter(f"Invalid AuthFlow {flow}")
    _check_flow(client, flow)
    if flow in _REFRESH_FLOWS:
        refresh_token = _str(auth_params, "REFRESH_TOKEN")
        if client.refresh_token_rotation:
            # [U] Cognito refuses REFRESH_TOKEN_AUTH when rotation is on
            raise invalid_parameter(
                "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken"
            )
        session = state.tokens.session_for_refresh_token(refresh_token)
        names = [str(auth_params.get("USERNAME") or "")]
        if session is not None:
            user = state.directory.user_by_sub(session.pool_id, session.sub)
            names += [session.sub, user.username if user else ""]
        _check_secret_hash(client, auth_params.get("SECRET_HASH"), names)
        tokens = _refresh(state, client, refresh_token)
        return {"ChallengeParameters": {}, "AuthenticationResult": _authentication_result(tokens)}
    username = _str(auth_params, "USERNAME")
    password = _str(auth_params, "PASSWORD")
    _check_secret_hash(client, auth_params.get("SECRET_HASH"), [username])
    result = state.auth.password(pool, client, username, password)
    return _auth_response(state, pool, client, result)


@intercept("RespondToAuthChallenge")
def respond_to_auth_challenge(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Answer NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA or MFA_SETUP."""
    pool, client = _pool_client(state, params)
    return _respond(state, pool, client, params)


@intercept("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Admin variant of RespondToAuthChallenge."""
    _str(params, "UserPoolId")
    pool, client = _pool_client(state, params)
    return _respond(state, pool, client, params)


def _respond(state: LocalCognito, pool: Pool, client: Client, params: Params) -> dict[str, Any]:
    name = _str(params, "ChallengeName")
    responses = params.get("ChallengeResponses") or {}
    session = params.get("Session")
    if not isinstance(session, str) or not session:
        raise not_authorized(SESSION_EXPIRED)
    _check_secret_hash(client, responses.get("SECRET_HASH"), [str(responses.get("USERNAME") or "")])
    result: AuthResult
    if name == NEW_PASSWORD_REQUIRED:
        attributes = {
            key.removeprefix("userAttributes."): str(value)
            for key, value in responses.items()
            if key.startswith("userAttributes.")
        }
        result = state.auth.new_password(
            session, _str(responses, "NEW_PASSWORD"), attributes, client_id=client.id
        )
    elif name == SOFTWARE_TOKEN_MFA:
        code = _str(responses, "SOFTWARE_TOKEN_MFA_CODE")
        result = state.auth.software_token(session, code, client_id=client.id)
    elif name == MFA_SETUP:
        result = state.auth.complete_mfa_setup(session, client_id=client.id)
    else:
        raise invalid_parameter(f"{name} is not supported by the local IdP")
    return _auth_response(state, pool, client, result)


@intercept("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Refresh (the only API refresh that rotates refresh tokens)."""
    client = _client(state, params)
    _check_client_secret(client, params.get("ClientSecret"))
    _check_flow(client, "REFRESH_TOKEN_AUTH")
    tokens = _refresh(state, client, _str(params, "RefreshToken"))
    return {"AuthenticationResult": _authentication_result(tokens)}


# ====================================================================== access-token calls
@intercept("GetUser")
def get_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """The user behind a valid, unrevoked access token."""
    _pool, user, _claims = _token_user(state, params.get("AccessToken"))
    settings = ["SOFTWARE_TOKEN_MFA"] if user.mfa_totp_enabled else []
    result: dict[str, Any] = {
        "Username": user.username,
        "UserAttributes": _attribute_list(user.attributes),
        "UserMFASettingList": settings,
    }
    if user.preferred_mfa:
        result["PreferredMfaSetting"] = user.preferred_mfa
    return result


@intercept("GlobalSignOut")
def global_sign_out(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Revoke every session of the token's user, on every client."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}


@intercept("AdminUserGlobalSignOut")
def admin_user_global_sign_out(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Global sign-out by Username (or sub / e-mail, case rules of the pool)."""
    pool, user = _admin_user(state, params)
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}


@intercept("RevokeToken")
def revoke_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Revoke a refresh token and its whole family."""
    client = _client(state, params)
    token = _str(params, "Token")
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


@intercept("ChangePassword")
def change_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Change one's own password (previous password checked, policy enforced)."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    previous = params.get("PreviousPassword")
    if not isinstance(previous, str) or not state.directory.check_password(
        pool.id, user.username, previous
    ):
        raise not_authorized(INCORRECT)
    proposed = _str(params, "ProposedPassword")
    validate_password(pool.password_policy, proposed)
    state.directory.set_password(pool.id, user.username, proposed, permanent=True)
    return {}


@intercept("UpdateUserAttributes")
def update_user_attributes(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Update one's own attributes."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    deliveries = _update_attributes(state, pool, user, params.get("UserAttributes"))
    return {"CodeDeliveryDetailsList": deliveries}


@intercept("AdminUpdateUserAttributes")
def admin_update_user_attributes(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Update a user's attributes."""
    pool, user = _admin_user(state, params)
    _update_attributes(state, pool, user, params.get("UserAttributes"))
    return {}


def _update_attributes(
    state: LocalCognito, pool: Pool, user: User, items: Any
) -> list[dict[str, str]]:
    """Cognito's rules around an attribute update: `sub` is immutable, an e-mail used to sign
    in stays unique (case rules of the pool), and a changed auto-verified e-mail becomes
    unverified and gets a verification code (unless the caller sets `email_verified`)."""
    attributes = _attributes(items)
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
    _forward_json(state, "AdminUpdateUserAttributes", forwarded, pool.region)
    if not (verify and new_email):
        return []
    updated = _resolve_user(state, pool.id, user.sub)
    return [state.auth.send_attribute_code(pool, updated, "email")]


@intercept("DeleteUserAttributes")
def delete_user_attributes(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Delete some of one's own attributes."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    forwarded = {
        "UserPoolId": pool.id,
        "Username": user.username,
        "UserAttributeNames": params.get("UserAttributeNames") or [],
    }
    _forward_json(state, "AdminDeleteUserAttributes", forwarded, pool.region)
    return {}


@intercept("DeleteUser")
def delete_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Delete oneself; every session ends."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    state.tokens.global_sign_out(pool.id, user.sub)
    _forward_json(
        state, "AdminDeleteUser", {"UserPoolId": pool.id, "Username": user.username}, pool.region
    )
    return {}


# ====================================================================== TOTP
@intercept("AssociateSoftwareToken")
def associate_software_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """A fresh per-user TOTP secret (by access token, or within an MFA_SETUP session)."""
    session = params.get("Session")
    if params.get("AccessToken") is None and isinstance(session, str):
        return {"SecretCode": state.auth.mfa_setup_secret(session), "Session": session}
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    return {"SecretCode": state.auth.new_totp_secret(pool.id, user)}


@intercept("VerifySoftwareToken")
def verify_software_token(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Check the first code of a new TOTP secret."""
    code = _str(params, "UserCode")
    session = params.get("Session")
    if params.get("AccessToken") is None and isinstance(session, str):
        state.auth.verify_mfa_setup(session, code, keep_session=True)
        return {"Status": "SUCCESS", "Session": session}
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
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
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    _set_mfa_preference(state, pool, user, params)
    return {}


@intercept("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Enable/disable TOTP for a user."""
    pool, user = _admin_user(state, params)
    _set_mfa_preference(state, pool, user, params)
    return {}


# ====================================================================== sign-up & recovery
@intercept("SignUp")
def sign_up(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Self sign-up (refused when the pool allows admin-created users only)."""
    pool, client, username = _user_call(state, params)
    if pool.allow_admin_create_user_only:
        raise not_authorized("SignUp is not permitted for this user pool")
    password = _str(params, "Password")
    if state.directory.find_user(pool.id, username) is not None:
        raise _username_exists(pool)
    validate_password(pool.password_policy, password)
    attributes = _attributes(params.get("UserAttributes"))
    _check_required(pool, username, attributes)
    user = state.directory.sign_up(client.id, username, password, attributes)
    result: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
    delivery = state.auth.send_confirmation_code(pool, user, username, client_id=client.id)
    if delivery is not None:
        result["CodeDeliveryDetails"] = delivery
    return result


@intercept("ConfirmSignUp")
def confirm_sign_up(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Confirm a self-signed-up user with the mailed code."""
    pool, client, username = _user_call(state, params)
    state.auth.confirm_sign_up(pool, client, username, _str(params, "ConfirmationCode"))
    return {}


@intercept("ForgotPassword")
def forgot_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Mail a password-reset code."""
    pool, client, username = _user_call(state, params)
    return {"CodeDeliveryDetails": state.auth.forgot_password(pool, client, username)}


@intercept("ConfirmForgotPassword")
def confirm_forgot_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Set a new password with the mailed code."""
    pool, client, username = _user_call(state, params)
    state.auth.confirm_forgot_password(
        pool, client, username, _str(params, "ConfirmationCode"), _str(params, "Password")
    )
    return {}


# ====================================================================== admin user management
def _username_exists(pool: Pool) -> CognitoError:
    if "email" in pool.username_attributes:
        return CognitoError(
            "UsernameExistsException", "An account with the given email already exists."
        )
    if "phone_number" in pool.username_attributes:
        return CognitoError(
            "UsernameExistsException", "An account with the given phone_number already exists."
        )
    return CognitoError("UsernameExistsException", "User account already exists")


def _check_required(pool: Pool, username: str, attributes: Mapping[str, str]) -> None:
    filled = dict(attributes)
    for name in pool.username_attributes:
        if name == "email" and "@" in username:
            filled.setdefault("email", username)
        elif name == "phone_number" and username.startswith("+"):
            filled.setdefault("phone_number", username)
    missing = missing_required(pool, filled)
    if missing:
        raise invalid_parameter(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required"
        )


def _temporary_password(pool: Pool) -> str:
    """A random password that satisfies the pool's policy."""
    policy = pool.password_policy
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(max(policy.minimum_length, 12)))
    return (
        core
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + "!"
    )


@intercept("AdminCreateUser")
def admin_create_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """AdminCreateUser with Cognito's checks (case-insensitive uniqueness, required attributes,
    temporary-password policy) and the invitation in the outbox."""
    pool = state.directory.pool(_str(params, "UserPoolId"))
    username = _str(params, "Username")
    action = params.get("MessageAction")
    attributes = _attributes(params.get("UserAttributes"))
    temporary = params.get("TemporaryPassword")
    if temporary is not None:
        validate_password(pool.password_policy, str(temporary))
    password = str(temporary) if temporary else _temporary_password(pool)
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
            raise _username_exists(pool)
        _check_required(pool, username, attributes)
        forwarded = {
            k: v for k, v in params.items() if k not in ("MessageAction", "DesiredDeliveryMediums")
        }
        forwarded["TemporaryPassword"] = password
        created = _forward_json(state, "AdminCreateUser", forwarded, pool.region)
        stored = str(created["User"]["Username"])
        state.directory.mark_temporary_password(pool.id, stored)
        user = _resolve_user(state, pool.id, stored)
    mediums = params.get("DesiredDeliveryMediums") or ["EMAIL"]  # [U] default SMS, but no SMS here
    email = user.attributes.get("email")
    if action != "SUPPRESS" and email and "EMAIL" in mediums:
        subject = pool.invite_subject or "Your temporary password"
        template = (
            pool.invite_message or "Your username is {username} and temporary password is {####}. "
        )
        state.outbox.send(email, subject, render(template, username=username, code=password))
    described = _forward_json(
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
    pool, user = _admin_user(state, params)
    password = _str(params, "Password")
    validate_password(pool.password_policy, password)
    state.directory.set_password(
        pool.id, user.username, password, permanent=bool(params.get("Permanent"))
    )
    return {}


@intercept("AdminResetUserPassword")
def admin_reset_user_password(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Force a reset: the user gets a code and must use ConfirmForgotPassword."""
    pool, user = _admin_user(state, params)
    if not user.enabled:
        raise not_authorized("User is disabled")
    if user.status not in ("CONFIRMED", "RESET_REQUIRED"):
        raise not_authorized("User password cannot be reset in the current state.")
    state.auth.send_reset_code(pool, user, user.attributes.get("email", user.username))
    state.directory.set_status(pool.id, user.username, "RESET_REQUIRED")
    return {}


# ====================================================================== pools & tags
@intercept("UpdateUserPool")
def update_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """UpdateUserPool that keeps the create-only settings (moto wipes them)."""
    pool_id = _str(params, "UserPoolId")
    state.directory.pool(pool_id)
    status, _headers, payload = state.directory.update_user_pool(
        json.dumps(params).encode(), region, pool_id
    )
    return _moto_reply(status, payload)


@intercept("ListTagsForResource")
def list_tags_for_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Tags of a user pool."""
    return {"Tags": state.directory.tags(_str(params, "ResourceArn"))}


@intercept("TagResource")
def tag_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Add tags to a user pool."""
    tags = params.get("Tags") or {}
    state.directory.tag(_str(params, "ResourceArn"), {str(k): str(v) for k, v in tags.items()})
    return {}


@intercept("UntagResource")
def untag_resource(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Remove tags from a user pool."""
    keys = params.get("TagKeys") or []
    state.directory.untag(_str(params, "ResourceArn"), [str(k) for k in keys])
    return {}


# ====================================================================== clients, domains, pools
_VALIDITY_LIMITS = {
    # field: (unit key, default unit, min seconds, max seconds)
    "AccessTokenValidity": ("AccessToken", "hours", 300, 86400),
    "IdTokenValidity": ("IdToken", "hours", 300, 86400),
    "RefreshTokenValidity": ("RefreshToken", "days", 3600, 3650 * 86400),
}
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _check_token_validity(params: Params) -> None:
    """Token validities (reference 3.4), AuthSessionValidity and the rotation grace period."""
    units = params.get("TokenValidityUnits") or {}
    for name, (unit_key, default_unit, low, high) in _VALIDITY_LIMITS.items():
        value = params.get(name)
        if value is None or (name == "RefreshTokenValidity" and value == 0):
            continue  # RefreshTokenValidity 0 means the 30-day default
        seconds = int(value) * VALIDITY_UNIT_SECONDS.get(
            str(units.get(unit_key) or default_unit), 0
        )
        if not low <= seconds <= high:
            raise invalid_parameter("Invalid range for token validity.")
    # boto3 checks only the lower bounds of these two; AWS refuses values above the model's
    # upper bounds ([U] the exact wording, AWS's usual validation message shape)
    session = params.get("AuthSessionValidity")
    if isinstance(session, int) and not 3 <= session <= 15:
        raise invalid_parameter(
            f"1 validation error detected: Value '{session}' at 'authSessionValidity' failed "
            "to satisfy constraint: Member must have value less than or equal to 15"
        )
    grace = (params.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds")
    if isinstance(grace, int) and not 0 <= grace <= 60:
        raise invalid_parameter(
            f"1 validation error detected: Value '{grace}' at "
            "'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 60"
        )


@intercept("CreateUserPool")
def create_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPool, with a Cognito-shaped pool id (`eu-west-1_AbC123def`).

    CreateUserPool only knows SMS MFA: ON/OPTIONAL needs an SMS configuration and phone
    verification (reference 5.1; TOTP is switched on with SetUserPoolMfaConfig)."""
    if params.get("MfaConfiguration") in ("ON", "OPTIONAL") and (
        not params.get("SmsConfiguration")
        or "phone_number" not in (params.get("AutoVerifiedAttributes") or [])
    ):
        raise invalid_parameter(
            "SMS configuration and Auto verification for phone_number are required when MFA "
            "is required/optional"
        )
    created = _forward_json(state, "CreateUserPool", params, region)
    return {"UserPool": state.directory.give_realistic_pool_id(str(created["UserPool"]["Id"]))}


@intercept("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """SetUserPoolMfaConfig, refusing "MFA OFF" together with an enabled factor (reference 5.1)."""
    totp = (params.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled") is True
    sms = bool((params.get("SmsMfaConfiguration") or {}).get("SmsConfiguration"))
    enabled = totp or sms
    if params.get("MfaConfiguration") == "OFF" and enabled:
        raise invalid_parameter(
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
        )
    return _forward_json(state, "SetUserPoolMfaConfig", params, region)


_RESERVED_SCOPES = frozenset({"openid", "email", "phone", "profile", ADMIN_SCOPE})


def _check_client_oauth(
    state: LocalCognito, params: Params, region: str, *, has_secret: bool
) -> None:
    """The client-settings rules of reference 5.2 that boto3 does not check itself.

    [U] the messages: AWS's exact wording for these refusals is not confirmed.
    """
    auth_flows = set(params.get("ExplicitAuthFlows") or ())
    if auth_flows & _LEGACY_FLOWS and auth_flows - _LEGACY_FLOWS:
        raise invalid_parameter("ExplicitAuthFlows cannot mix legacy values and ALLOW_* values")
    for field in ("CallbackURLs", "LogoutURLs"):
        for url in params.get(field) or ():
            problem = redirect_url_problem(url)
            if problem is not None:
                raise invalid_parameter(f"{field}: {url!r} {problem}")
    default = params.get("DefaultRedirectURI")
    if default is not None and default not in (params.get("CallbackURLs") or ()):
        raise invalid_parameter("DefaultRedirectURI must be one of the CallbackURLs")
    flows = list(params.get("AllowedOAuthFlows") or ())
    scopes = list(params.get("AllowedOAuthScopes") or ())
    if (flows or scopes) and not params.get("AllowedOAuthFlowsUserPoolClient"):
        raise invalid_parameter(
            "AllowedOAuthFlows and AllowedOAuthScopes need AllowedOAuthFlowsUserPoolClient=true"
        )
    if "client_credentials" in flows:
        if len(flows) > 1:
            raise CognitoError(
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected along with code flow or "
                "implicit flow.",
            )
        if not has_secret:
            raise CognitoError(
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected if client does not have a secret.",
            )
    custom = [scope for scope in scopes if scope not in _RESERVED_SCOPES]
    if custom:
        servers = _forward_json(
            state,
            "ListResourceServers",
            {"UserPoolId": params["UserPoolId"], "MaxResults": 50},
            region,
        ).get("ResourceServers", [])
        known = {
            f"{server['Identifier']}/{scope['ScopeName']}"
            for server in servers
            for scope in server.get("Scopes") or ()
        }
        for scope in custom:
            if scope not in known:
                raise CognitoError(
                    "ScopeDoesNotExistException", f"Invalid scope requested: {scope}"
                )


@intercept("CreateUserPoolClient")
def create_user_pool_client(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPoolClient with Cognito's token-validity ranges and OAuth-setting rules."""
    state.directory.pool(_str(params, "UserPoolId"))
    _check_token_validity(params)
    has_secret = bool(params.get("GenerateSecret")) or bool(params.get("ClientSecret"))
    _check_client_oauth(state, params, region, has_secret=has_secret)
    created = _forward_json(state, "CreateUserPoolClient", params, region)
    client_id = str(created["UserPoolClient"]["ClientId"])
    return {"UserPoolClient": state.directory.give_realistic_secret(client_id)}


@intercept("UpdateUserPoolClient")
def update_user_pool_client(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """UpdateUserPoolClient as AWS does it: a full replacement of the updatable fields."""
    pool_id = _str(params, "UserPoolId")
    state.directory.pool(pool_id)
    _check_token_validity(params)
    client = state.directory.client(_str(params, "ClientId"))
    _check_client_oauth(state, params, region, has_secret=client.secret is not None)
    status, _headers, payload = state.directory.update_user_pool_client(
        json.dumps(params).encode(), region, pool_id, _str(params, "ClientId")
    )
    return _moto_reply(status, payload)


@intercept("CreateUserPoolDomain")
def create_user_pool_domain(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """CreateUserPoolDomain with prefix rules and one owner per prefix."""
    pool_id = _str(params, "UserPoolId")
    state.directory.pool(pool_id)
    domain = _str(params, "Domain")
    if not params.get("CustomDomainConfig"):
        if not _DOMAIN_PREFIX.match(domain):
            raise invalid_parameter(f"Value '{domain}' at 'domain' failed to satisfy constraint")
        for reserved in ("aws", "amazon", "cognito"):
            if reserved in domain:
                raise invalid_parameter(f"Domain cannot contain reserved word: {reserved}")
    if state.directory.domain_owner(domain) is not None:
        raise invalid_parameter("Domain already associated with another user pool.")
    return _forward_json(state, "CreateUserPoolDomain", params, region)


@intercept("DescribeUserPool")
def describe_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """DescribeUserPool, with the attached domain (moto looks for it in the wrong place)."""
    result = _forward_json(state, "DescribeUserPool", params, region)
    domain = state.directory.domain_of(_str(params, "UserPoolId"))
    if domain is not None:
        result["UserPool"]["Domain"] = domain
    return result


@intercept("DeleteUserPool")
def delete_user_pool(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """DeleteUserPool, refused under deletion protection or with a domain attached."""
    pool_id = _str(params, "UserPoolId")
    reason = state.directory.deletion_blockers(pool_id)
    if reason is not None:
        raise invalid_parameter(reason)
    return _forward_json(state, "DeleteUserPool", params, region)


@intercept("AdminDisableUser")
def admin_disable_user(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Disable a user; like Cognito, this also revokes every token the user holds."""
    pool, user = _admin_user(state, params)
    _forward_json(state, "AdminDisableUser", {**params, "Username": user.username}, region)
    state.tokens.global_sign_out(pool.id, user.sub)
    return {}


@intercept("ResendConfirmationCode")
def resend_confirmation_code(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Mail a new sign-up confirmation code."""
    pool, client, username = _user_call(state, params)
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


@intercept("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(
    state: LocalCognito, params: Params, region: str
) -> dict[str, Any]:
    """Mail a code to verify one's e-mail address."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    delivery = state.auth.send_attribute_code(pool, user, _str(params, "AttributeName"))
    return {"CodeDeliveryDetails": delivery}


@intercept("VerifyUserAttribute")
def verify_user_attribute(state: LocalCognito, params: Params, region: str) -> dict[str, Any]:
    """Verify one's e-mail address with the mailed code."""
    pool, user, _claims = _token_user(state, params.get("AccessToken"))
    state.auth.verify_attribute(pool, user, _str(params, "AttributeName"), _str(params, "Code"))
    return {}
