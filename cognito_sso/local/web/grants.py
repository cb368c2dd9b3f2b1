"""Answering a validated authorization request: a code, implicit tokens, or an error."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import redirect
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from cognito_sso.local.model import User
from cognito_sso.local.web.authorize_request import (
    CARRIED_PARAMS,
    AuthorizeErrorPage,
    AuthorizeRedirectError,
    AuthorizeRequest,
    parse_authorize_request,
    with_fragment,
    with_query,
)
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import set_sso_cookie, sso_cookie
from cognito_sso.local.web.pages import error_page, redirect_to_error


def _error_to_app(
    redirect_uri: str, error: str, state: str | None, description: str | None = None
) -> Response:
    """Send ``error`` back to the app's (validated) redirect URI."""
    # [U] whether Cognito appends state to error redirects; we do (RFC 6749 4.1.2.1).
    params = {"error": error, "error_description": description, "state": state}
    return redirect(with_query(redirect_uri, params))


def error_to_app(req: AuthorizeRequest, error: str, description: str | None = None) -> Response:
    """Send ``error`` (and its description) back to the app of a validated request."""
    return _error_to_app(req.redirect_uri, error, req.state, description)


def grant(req: AuthorizeRequest, user: User, auth_time: int) -> Response:
    """Redirect to the app with a code (or, for ``response_type=token``, the tokens)."""
    state = local_state()
    if req.response_type == "code":
        code = web_state().codes.issue(
            pool_id=req.client.pool_id,
            client_id=req.client.id,
            redirect_uri=req.redirect_uri,
            sub=user.sub,
            scopes=req.scopes,
            auth_time=auth_time,
            nonce=req.nonce,
            code_challenge=req.code_challenge,
        )
        return redirect(with_query(req.redirect_uri, {"code": code, "state": req.state}))
    with state.lock:
        pool = state.directory.pool(req.client.pool_id)
        tokens = state.tokens.issue(
            pool=pool,
            client=req.client,
            user=user,
            scopes=req.scopes,
            nonce=req.nonce,
            auth_time=auth_time,
            with_refresh=False,
        )
    return redirect(
        with_fragment(
            req.redirect_uri,
            {
                "access_token": tokens.access_token,
                "id_token": tokens.id_token,
                "token_type": "Bearer",
                "expires_in": str(tokens.expires_in),
                "state": req.state,
            },
        )
    )


def request_needing_form(args: MultiDict[str, str]) -> AuthorizeRequest | Response:
    """``/oauth2/authorize`` and ``/login``: the validated request when the sign-in form must
    be shown, else the answer (an error, a code straight from the single sign-on cookie, or
    ``login_required`` for ``prompt=none`` without a usable session)."""
    req = read_authorize_request(args)
    if isinstance(req, Response):
        return req
    return _answer_without_form(req) or req


def _answer_without_form(req: AuthorizeRequest) -> Response | None:
    if "login" not in req.prompt:
        silent = _silent_grant(req)
        if silent is not None:
            return silent
    if "none" in req.prompt:
        return _error_to_app(req.redirect_uri, "login_required", req.state)
    return None


def _silent_grant(req: AuthorizeRequest) -> Response | None:
    """Answer from the single sign-on cookie without a form, when it allows it."""
    login = web_state().sso.current(sso_cookie(), req.client.pool_id)
    if login is None:
        return None
    state = local_state()
    with state.lock:
        user = state.directory.user_by_sub(req.client.pool_id, login.sub)
    if user is None or not user.enabled:
        return None
    return grant(req, user, login.auth_time)


def grant_after_sign_in(req: AuthorizeRequest, user: User) -> Response:
    """Remember the sign-in in the SSO cookie (rotated), then answer the request."""
    web = web_state()
    sid, login = web.sso.login(sso_cookie(), req.client.pool_id, user.sub)
    response = grant(req, user, login.auth_time)
    set_sso_cookie(response, sid, web.sso.seconds_left(sid))
    return response


def server_error(args: MultiDict[str, str]) -> Response:
    """A server failure during ``/oauth2/authorize``: Cognito sends the browser back to the
    app with ``error=server_error`` (reference 2.1) once the client and redirect URI are known
    to be good; before that, our error page."""
    req = read_authorize_request(args)
    if isinstance(req, Response):
        return error_page("server_error", status=500)
    return _error_to_app(req.redirect_uri, "server_error", req.state)


def read_authorize_request(args: MultiDict[str, str]) -> AuthorizeRequest | Response:
    """Validate authorize parameters from a query string; an error response when invalid."""
    if any(len(args.getlist(name)) > 1 for name in CARRIED_PARAMS):
        return redirect_to_error("invalid_request")
    state = local_state()
    try:
        with state.lock:
            return parse_authorize_request(args.to_dict(), state.directory.client)
    except AuthorizeErrorPage as error:
        return redirect_to_error(error.error, error.client_id)
    except AuthorizeRedirectError as error:
        return _error_to_app(error.redirect_uri, error.error, error.state, error.description)


def request_from_query(query: str) -> AuthorizeRequest | Response:
    """Re-validate an authorize request carried as an url-encoded query string."""
    return read_authorize_request(MultiDict(parse_qsl(query, keep_blank_values=True)))
