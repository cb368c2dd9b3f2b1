"""OAuth2/OIDC endpoints: authorize, token, userInfo, revoke and logout.

Behaviour follows Cognito (reference section 2), including its error shapes:
token and revoke answer ``{"error": ...}`` JSON; userInfo answers with a
``WWW-Authenticate`` header; authorize and logout send browsers to ``/error`` when the
client or the return address cannot be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from flask import Blueprint, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError, OAuthError
from cognito_sso.local.model import Client, TokenSet
from cognito_sso.local.web import federation, pkce
from cognito_sso.local.web.client_auth import (
    ClientCredentials,
    authenticate_client,
    read_client_credentials,
)
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import clear_sso_cookie, set_sso_cookie, sso_cookie
from cognito_sso.local.web.grants import read_authorize_request, request_needing_form
from cognito_sso.local.web.pages import redirect_to_error
from cognito_sso.local.web.userinfo import scopes_readable, userinfo_claims

bp = Blueprint("oauth", __name__)

JSON_UTF8: Final = "application/json;charset=UTF-8"
FORM: Final = "application/x-www-form-urlencoded"
MAX_FORM_VALUE: Final = 16384
USERINFO_BAD_REQUEST: Final = (
    'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
)
USERINFO_UNAUTHORIZED: Final = (
    'error="invalid_token", error_description="Access token is expired, disabled, or deleted, '
    'or the user has globally signed out."'
)


def oauth_error_response(error: OAuthError) -> Response:
    """``{"error": ...}`` with Cognito's content type (description only when we have one)."""
    body: dict[str, str] = {"error": error.error}
    if error.description:
        body["error_description"] = error.description
    response = jsonify(body)
    response.status_code = error.status
    response.content_type = JSON_UTF8
    return response


def json_response(body: Mapping[str, Any], status: int = 200) -> Response:
    """A JSON answer with Cognito's content type."""
    response = jsonify(body)
    response.status_code = status
    response.content_type = JSON_UTF8
    return response


def _form() -> MultiDict[str, str]:
    """The url-encoded body, or ``invalid_request`` for any other content type."""
    if request.mimetype != FORM:
        raise OAuthError("invalid_request")
    form = request.form
    for name, values in form.lists():
        if len(values) > 1 or len(values[0]) > MAX_FORM_VALUE or len(name) > 64:
            raise OAuthError("invalid_request")
    return form


def _client_for(credentials: ClientCredentials, *, status: int) -> Client:
    state = local_state()
    try:
        with state.lock:
            client = state.directory.client(credentials.client_id)
    except CognitoError:
        raise OAuthError("invalid_client", status=status) from None
    authenticate_client(client, credentials, status=status)
    return client


# --- authorize ---------------------------------------------------------------------------


@bp.get("/oauth2/authorize")
def authorize() -> Response:
    """Validate the request; answer silently from the SSO cookie, or send the browser to the
    identity provider it names, or to /login."""
    req = request_needing_form(request.args)
    if isinstance(req, Response):
        return req
    if federation.wants_provider(req):
        return federation.send_to_provider(req)
    return redirect(f"{url_for('hosted_ui.login')}?{req.query()}", code=302)


# --- token -------------------------------------------------------------------------------


@bp.post("/oauth2/token")
def token() -> Response:
    """The token endpoint: authorization_code (+PKCE), refresh_token, client_credentials."""
    try:
        form = _form()
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request")
        credentials = read_client_credentials(request.headers.get("Authorization"), form)
        client = _client_for(credentials, status=400)
        if grant_type == "authorization_code":
            tokens = _authorization_code_grant(client, form)
        elif grant_type == "refresh_token":
            tokens = _refresh_token_grant(client, form)
        elif grant_type == "client_credentials":
            tokens = _client_credentials_grant(client, form)
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as error:
        return oauth_error_response(error)
    body: dict[str, Any] = {"access_token": tokens.access_token}
    if tokens.id_token is not None:
        body["id_token"] = tokens.id_token
    if tokens.refresh_token is not None:
        body["refresh_token"] = tokens.refresh_token
    body["token_type"] = "Bearer"  # noqa: S105 - the token type, not a secret
    body["expires_in"] = tokens.expires_in
    return json_response(body)


def _authorization_code_grant(client: Client, form: Mapping[str, str]) -> TokenSet:
    code = form.get("code")
    redirect_uri = form.get("redirect_uri")
    if not code or not redirect_uri:
        raise OAuthError("invalid_request")
    if not client.oauth_enabled or "code" not in client.allowed_oauth_flows:
        raise OAuthError("unauthorized_client")
    record = web_state().codes.redeem(code)
    if record is None or record.client_id != client.id:
        raise OAuthError("invalid_grant")
    if record.redirect_uri != redirect_uri:
        # Cognito reports a different redirect_uri this way (reference 2.3, observed)
        raise OAuthError("unauthorized_client")
    verifier = form.get("code_verifier")
    if record.code_challenge is not None:
        # [U] RFC 7636 behaviour: a missing or wrong verifier is invalid_grant
        if not verifier or not pkce.verify(verifier, record.code_challenge):
            raise OAuthError("invalid_grant")
    state = local_state()
    with state.lock:
        user = state.directory.user_by_sub(record.pool_id, record.sub)
        if user is None or not user.enabled or not scopes_readable(client, record.scopes):
            raise OAuthError("invalid_grant")
        pool = state.directory.pool(record.pool_id)
        return state.tokens.issue(
            pool=pool,
            client=client,
            user=user,
            scopes=record.scopes,
            nonce=record.nonce,
            auth_time=record.auth_time,
            with_refresh=True,
        )


def _refresh_token_grant(client: Client, form: Mapping[str, str]) -> TokenSet:
    refresh_token = form.get("refresh_token")
    if not refresh_token:
        raise OAuthError("invalid_request")
    if client.explicit_auth_flows and "ALLOW_REFRESH_TOKEN_AUTH" not in client.explicit_auth_flows:
        raise OAuthError("unauthorized_client")
    state = local_state()
    try:
        with state.lock:
            pool = state.directory.pool(client.pool_id)
            return state.tokens.refresh(client=client, refresh_token=refresh_token, pool=pool)
    except OAuthError as error:
        # the token endpoint says only {"error": "invalid_grant"} (reference 2.3)
        raise OAuthError(error.error) from None


def _client_credentials_grant(client: Client, form: Mapping[str, str]) -> TokenSet:
    if (
        client.secret is None
        or not client.oauth_enabled
        or "client_credentials" not in client.allowed_oauth_flows
    ):
        raise OAuthError("unauthorized_client")
    custom = tuple(scope for scope in client.allowed_oauth_scopes if "/" in scope)
    requested = form.get("scope")
    if requested is None or not requested.strip():
        scopes = custom
    else:
        wanted = tuple(dict.fromkeys(requested.split()))
        if any(scope not in custom for scope in wanted):
            raise OAuthError("invalid_scope")
        scopes = wanted
    if not scopes:
        raise OAuthError("invalid_scope")
    state = local_state()
    with state.lock:
        pool = state.directory.pool(client.pool_id)
        return state.tokens.issue_client_credentials(pool=pool, client=client, scopes=scopes)


# --- userInfo ----------------------------------------------------------------------------


def _userinfo_error(status: int, header: str, error: str, description: str) -> Response:
    response = json_response({"error": error, "error_description": description}, status)
    response.headers["WWW-Authenticate"] = header
    return response


@bp.route("/oauth2/userInfo", methods=["GET", "POST"])
def userinfo() -> Response:
    """Attributes of the access token's user, as its scopes allow (reference 2.4)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_FORM_VALUE:
        return _userinfo_error(
            400, USERINFO_BAD_REQUEST, "invalid_request", "Bad OAuth2 request at UserInfo Endpoint"
        )
    invalid = _userinfo_error(
        401,
        USERINFO_UNAUTHORIZED,
        "invalid_token",
        "Access token is expired, disabled, or deleted, or the user has globally signed out.",
    )
    state = local_state()
    with state.lock:
        try:
            claims = state.tokens.check_access_token(token)
        except CognitoError:
            return invalid
        scopes = str(claims.get("scope", "")).split()
        client_id = claims.get("client_id")
        # [U] tokens without openid (e.g. from InitiateAuth) are refused as invalid_token
        if "openid" not in scopes or not isinstance(client_id, str):
            return invalid
        try:
            client = state.directory.client(client_id)
        except CognitoError:
            return invalid
        user = state.directory.user_by_sub(state.tokens.pool_id_of(claims), str(claims["sub"]))
    if user is None or not user.enabled:
        return invalid
    return json_response(userinfo_claims(user, client, scopes))


# --- revoke ------------------------------------------------------------------------------


@bp.post("/oauth2/revoke")
def revoke() -> Response:
    """Revoke a refresh token and every token issued from it (reference 2.5)."""
    try:
        form = _form()
        credentials = read_client_credentials(
            request.headers.get("Authorization"), form, status=401
        )
        client = _client_for(credentials, status=401)
        token = form.get("token")
        if not token:
            raise OAuthError("invalid_request")
        state = local_state()
        with state.lock:
            state.tokens.revoke(client=client, refresh_token=token)
    except OAuthError as error:
        return oauth_error_response(OAuthError(error.error, status=error.status))
    return Response(b"", status=200)


# --- logout ------------------------------------------------------------------------------


@bp.get("/logout")
def logout() -> Response:
    """End the hosted-UI session: ``client_id`` + ``logout_uri``, or the sign-in-again form."""
    client_id = request.args.get("client_id", "")
    logout_uri = request.args.get("logout_uri")
    state = local_state()
    try:
        with state.lock:
            client = state.directory.client(client_id) if client_id else None
    except CognitoError:
        client = None
    if client is None or not client.oauth_enabled:
        return redirect_to_error(
            "invalid_request" if not client_id else "invalid_client", client_id
        )
    if logout_uri is not None:
        if logout_uri not in client.logout_urls:
            return redirect_to_error("logout_uri", client_id)
        return _signed_out(client, redirect(logout_uri, code=302))
    if request.args.get("redirect_uri") is None:
        return redirect_to_error("logout_uri", client_id)
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    return _signed_out(client, redirect(f"{url_for('hosted_ui.login')}?{req.query()}", code=302))


def _signed_out(client: Client, response: Response) -> Response:
    """Forget this browser's sign-in to the client's pool (cookie cleared when nothing is left)."""
    sid = sso_cookie()
    web = web_state()
    if web.sso.logout(sid, client.pool_id):
        clear_sso_cookie(response)
    elif sid is not None:
        set_sso_cookie(response, sid, web.sso.seconds_left(sid))
    return response
