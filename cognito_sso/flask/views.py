"""The ``/auth`` blueprint: login, callback, logout and the signed-out page."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from cognito_sso.csrf import origin_allowed, tokens_match
from cognito_sso.flask import signals
from cognito_sso.flask.errors import error_response, page_context
from cognito_sso.flask.identity import end_browser_session, login_url
from cognito_sso.flask.request_auth import request_auth
from cognito_sso.flask.session_binding import start_bound
from cognito_sso.flask.state import AppState, get_state
from cognito_sso.login import LoginError
from cognito_sso.oidc import DiscoveryError, IdPUnavailableError
from cognito_sso.provider_choice import UnknownIdentityProviderError, chosen_provider
from cognito_sso.random_token import random_token
from cognito_sso.sessions import Session
from cognito_sso.sessions.base import is_valid_session_id
from cognito_sso.user import user_from_session

__all__ = ["create_blueprint"]

log = logging.getLogger(__name__)

_BINDING_TTL = 900
_BINDING_MAX = 128


def _binding_cookie_name() -> str:
    return get_state().config.cookie_name + "_login"


def _chosen_provider() -> str | Response | None:
    """The identity provider of ``?idp=NAME`` or COGNITO_IDENTITY_PROVIDER (see
    :mod:`cognito_sso.provider_choice`), or the 400 page for a name not offered."""
    config = get_state().config
    try:
        return chosen_provider(
            request.args.get("idp"), config.identity_providers, config.identity_provider
        )
    except UnknownIdentityProviderError as exc:
        return error_response(
            exc.status,
            exc.title,
            exc.message,
            details=exc.details,
            json_body={"error": exc.code},
            login_url=login_url(),
        )


def login() -> Response:
    """Start a sign-in: fresh state, nonce and PKCE; redirect to the hosted UI (or, with
    ``?idp=NAME`` or COGNITO_IDENTITY_PROVIDER, straight to that identity provider)."""
    state = get_state()
    provider = _chosen_provider()
    if isinstance(provider, Response):
        return provider
    binding = request.cookies.get(_binding_cookie_name())
    if not binding or len(binding) > _BINDING_MAX or not binding.isascii():
        binding = random_token()
    url = state.login.begin(
        binding=binding, next_path=request.args.get("next"), identity_provider=provider
    )
    response = redirect(url, code=302)
    response.set_cookie(
        _binding_cookie_name(),
        binding,
        max_age=_BINDING_TTL,
        path=state.config.url_prefix + "/",
        secure=state.config.cookie_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def callback() -> Response:
    """Finish a sign-in and start a new session (a new id: no fixation)."""
    state = get_state()
    try:
        result = state.login.complete(
            request.args.to_dict(), binding=request.cookies.get(_binding_cookie_name())
        )
    except LoginError as exc:
        log.info("sign-in failed: %s", exc.code)
        return error_response(
            exc.status,
            "Sign-in failed",
            exc.message,
            json_body={"error": exc.code},
            login_url=login_url(),
        )
    old_id = request.cookies.get(state.config.cookie_name)
    if old_id is not None and is_valid_session_id(old_id):
        state.store.delete(old_id)  # a new session id always (no fixation)
    session = result.session
    session_id = state.sessions.start(session)
    auth = request_auth()
    auth.new_session_id = session_id
    start_bound(session_id)
    auth.session = session
    user = user_from_session(session, state.policy)
    auth.user = user
    signals.user_logged_in.send(_app(), user=user)
    state.cleanup_if_due()
    return redirect(result.next_path, code=302)


def logout() -> Response:
    """Sign out here and everywhere: GlobalSignOut, revoke, delete the session, then the
    hosted UI's /logout so the IdP cookie is gone too."""
    state = get_state()
    config = state.config
    if not origin_allowed(
        request.headers.get("Origin"), request.headers.get("Referer"), config.app_origin
    ):
        return error_response(
            403, "Sign-out refused", "The sign-out request came from another site."
        )
    session_id = request.cookies.get(config.cookie_name) or ""
    session = state.sessions.get(session_id) if is_valid_session_id(session_id) else None
    if session is not None:
        if not tokens_match(session.csrf, request.form.get("csrf_token")):
            return error_response(
                403,
                "Sign-out refused",
                "The sign-out form has expired or is invalid. Reload the page and try again.",
            )
        user = user_from_session(session, state.policy)
        try:
            live = state.sessions.load(session_id)  # a fresh access token for GlobalSignOut
        except (IdPUnavailableError, DiscoveryError):
            live = session
        session = live or session
        state.sessions.logout(session_id, session)
        signals.user_logged_out.send(_app(), user=user)
    end_browser_session()
    return redirect(_after_logout(state, session), code=302)


def _after_logout(state: AppState, ended: Session | None) -> str:
    """The hosted UI's ``/logout`` (it clears the IdP's own cookie), or, when the IdP cannot
    be reached, the app's signed-out page saying so; the IdP's sign-out steps are then
    retried in the background, so the other services notice once it is back."""
    try:
        state.oidc.ensure_hosted_ui_reachable()
        return state.oidc.logout_url(state.config.logout_uri)
    except (IdPUnavailableError, DiscoveryError) as exc:
        log.warning("signed out here; the IdP is unreachable (%s): its sign-out is retried", exc)
    if ended is not None:
        state.signout_retries.add_session(ended)
    return url_for("cognito_sso.logged_out", idp="unreachable")


def logged_out() -> str:
    """The app's signed-out page (the hosted UI returns here after sign-out)."""
    return render_template(
        "cognito_sso/logged_out.html",
        login_url=login_url("/"),
        idp_unreachable=request.args.get("idp") == "unreachable",
        **page_context(),
    )


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def create_blueprint() -> Blueprint:
    """A fresh blueprint (one per app: the URL prefix comes from that app's config)."""
    bp = Blueprint("cognito_sso", __name__, template_folder="templates")
    bp.add_url_rule("/login", "login", login, methods=["GET"])
    bp.add_url_rule("/callback", "callback", callback, methods=["GET"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
    bp.add_url_rule("/logged-out", "logged_out", logged_out, methods=["GET"])
    return bp
