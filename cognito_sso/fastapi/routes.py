"""The ``/auth`` routes: login, callback, logout and the signed-out page, as the Flask
extension serves them (same cookies, same checks, same pages)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cognito_sso.aio.loops import run_blocking
from cognito_sso.csrf import origin_allowed, tokens_match
from cognito_sso.failures import FAILURES
from cognito_sso.fastapi.errors import AUTH_HEADERS, error_page, failure_page
from cognito_sso.fastapi.identity import (
    clear_app_session,
    clear_cookie_header,
    cookie_header,
    session_cookie_header,
)
from cognito_sso.fastapi.state import AsyncAppState
from cognito_sso.login import LoginError, LoginResult
from cognito_sso.oidc import DiscoveryError, IdPUnavailableError
from cognito_sso.provider_choice import UnknownIdentityProviderError, chosen_provider
from cognito_sso.random_token import random_token
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import Session, is_valid_session_id

__all__ = ["create_router", "login_path"]

log = logging.getLogger(__name__)

_BINDING_TTL: Final = 900
_BINDING: Final = re.compile(r"[A-Za-z0-9_-]{16,128}")
_MAX_FORM: Final = 16 * 1024


def login_path(state: AsyncAppState, next_path: str | None = None) -> str:
    """Path of the sign-in route, with ``next`` when given (validated again at sign-in)."""
    url = state.config.url_prefix + "/login"
    return url + "?next=" + quote(next_path, safe="/") if next_path else url


def _binding_cookie(state: AsyncAppState) -> str:
    return state.config.cookie_name + "_login"


def _redirect(location: str) -> Response:
    response = RedirectResponse(location, status_code=302)
    response.headers.update(AUTH_HEADERS)
    return response


Endpoint = Callable[[Request], Awaitable[Response]]


def create_router(state: AsyncAppState) -> APIRouter:
    """The router an app includes (``app.include_router(sso.router)``)."""
    router = APIRouter(prefix=state.config.url_prefix, include_in_schema=False)

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                return await endpoint(request)
            except FAILURES as exc:
                return failure_page(request, state.pages, exc)

        run.__name__ = endpoint.__name__
        return run

    async def login(request: Request) -> Response:
        """Start a sign-in: fresh state, nonce and PKCE; redirect to the hosted UI (or, with
        ``?idp=NAME`` or COGNITO_IDENTITY_PROVIDER, straight to that identity provider)."""
        binding = request.cookies.get(_binding_cookie(state))
        if binding is None or not _BINDING.fullmatch(binding):
            binding = random_token()
        config = state.config
        try:
            provider = chosen_provider(
                request.query_params.get("idp"),
                config.identity_providers,
                config.identity_provider,
            )
        except UnknownIdentityProviderError as exc:
            return error_page(
                request,
                state.pages,
                exc.status,
                exc.title,
                exc.message,
                details=exc.details,
                json_body={"error": exc.code},
                login_url=login_path(state),
            )
        url = await run_blocking(
            state.login.begin,
            binding=binding,
            next_path=request.query_params.get("next"),
            identity_provider=provider,
        )
        response = _redirect(url)
        cookie = cookie_header(
            state,
            _binding_cookie(state),
            binding,
            max_age=_BINDING_TTL,
            path=state.config.url_prefix + "/",
        )
        response.headers.append("Set-Cookie", cookie)
        return response

    async def callback(request: Request) -> Response:
        """Finish a sign-in and start a new session (a new id: no fixation)."""
        params = {key: request.query_params[key] for key in request.query_params}
        binding = request.cookies.get(_binding_cookie(state))
        try:
            result = await run_blocking(state.login.complete, params, binding=binding)
        except LoginError as exc:
            log.info("sign-in failed: %s", exc.code)
            return error_page(
                request,
                state.pages,
                exc.status,
                "Sign-in failed",
                exc.message,
                json_body={"error": exc.code},
                login_url=login_path(state),
            )
        old_id = request.cookies.get(state.config.cookie_name)
        session_id = await run_blocking(_rotate, state, old_id, result)
        clear_app_session(request)
        response = _redirect(result.next_path)
        response.headers.append("Set-Cookie", session_cookie_header(state, session_id))
        return response

    async def logout(request: Request) -> Response:
        """Sign out here and everywhere: GlobalSignOut, revoke, delete the session, then the
        hosted UI's /logout so the IdP cookie is gone too."""
        config = state.config
        origin, referer = request.headers.get("origin"), request.headers.get("referer")
        if not origin_allowed(origin, referer, config.app_origin):
            return error_page(
                request,
                state.pages,
                403,
                "Sign-out refused",
                "The sign-out request came from another site.",
            )
        session_id = request.cookies.get(config.cookie_name)
        ended: Session | None = None
        if session_id and is_valid_session_id(session_id):
            given = await _form_field(request, "csrf_token")
            allowed, ended = await run_blocking(_sign_out, state.sessions, session_id, given)
            if not allowed:
                return error_page(
                    request,
                    state.pages,
                    403,
                    "Sign-out refused",
                    "The sign-out form has expired or is invalid. Reload the page and try again.",
                )
        clear_app_session(request)
        response = _redirect(await _after_logout(state, ended))
        response.headers.append("Set-Cookie", clear_cookie_header(state))
        return response

    async def logged_out(request: Request) -> Response:
        """The app's signed-out page (the hosted UI returns here after sign-out)."""
        html = state.pages.render(
            request,
            "cognito_sso/logged_out.html",
            login_url=login_path(state, "/"),
            idp_unreachable=request.query_params.get("idp") == "unreachable",
            home_url=str(request.scope.get("root_path", "")) + "/",
        )
        response = HTMLResponse(html)
        response.headers.update(AUTH_HEADERS)
        return response

    router.add_api_route("/login", guarded(login), methods=["GET"])
    router.add_api_route("/callback", guarded(callback), methods=["GET"])
    router.add_api_route("/logout", guarded(logout), methods=["POST"])
    router.add_api_route("/logged-out", logged_out, methods=["GET"])
    return router


def _rotate(state: AsyncAppState, old_id: str | None, result: LoginResult) -> str:
    """End the browser's previous session, if any, and store the new one under a new id
    (no fixation; blocking)."""
    if old_id is not None and is_valid_session_id(old_id):
        state.store.delete(old_id)
    return state.sessions.start(result.session)


async def _after_logout(state: AsyncAppState, ended: Session | None) -> str:
    """The hosted UI's ``/logout`` (it clears the IdP's own cookie), or, when the IdP cannot
    be reached, the app's signed-out page saying so; the IdP's sign-out steps are then
    retried in the background, so the other services notice once it is back."""
    try:
        await state.oidc.ensure_hosted_ui_reachable()
        return await state.oidc.logout_url(state.config.logout_uri)
    except (IdPUnavailableError, DiscoveryError) as exc:
        log.warning("signed out here; the IdP is unreachable (%s): its sign-out is retried", exc)
    if ended is not None:
        state.signout_retries.add_session(ended)
    return state.config.url_prefix + "/logged-out?idp=unreachable"


def _sign_out(
    sessions: SessionService, session_id: str, csrf: str | None
) -> tuple[bool, Session | None]:
    """Log the session out if the CSRF token matches (blocking): whether it did (no session
    is a successful sign-out too), and the session it ended."""
    session = sessions.get(session_id)
    if session is None:
        return True, None
    if not tokens_match(session.csrf, csrf):
        return False, None
    try:
        live = sessions.load(session_id)  # a fresh access token for GlobalSignOut
    except (IdPUnavailableError, DiscoveryError):
        live = session
    ended = live or session
    sessions.logout(session_id, ended)
    return True, ended


async def _form_field(request: Request, name: str) -> str | None:
    """One field of an urlencoded form body (at most 16 KiB read; anything else is None)."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM:
            return None
    try:
        values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=64).get(name)
    except ValueError:
        return None
    return values[0] if values else None
