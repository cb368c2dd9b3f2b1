"""Who is asking: the request's user from its session cookie or bearer token, resolved once
per request and kept in the request's state."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders

from cognito_sso.access import MAX_BEARER_TOKEN, bearer_from_header, bearer_rejection, scope_denial
from cognito_sso.aio.loops import run_blocking
from cognito_sso.bearer_revocation import REVOKED_DESCRIPTION, required_scopes
from cognito_sso.errors import InvalidTokenError, KeysUnavailableError
from cognito_sso.failures import FAILURES
from cognito_sso.fastapi.errors import (
    AuthenticationRequiredError,
    PermissionDeniedError,
    failure_error,
)
from cognito_sso.fastapi.state import AsyncAppState
from cognito_sso.oidc import IdPUnavailableError, TokenRevokedError
from cognito_sso.sessions import Session, is_valid_session_id
from cognito_sso.user import ANONYMOUS, User, user_from_access_claims

__all__ = [
    "bearer_token",
    "bearer_user",
    "clear_app_session",
    "clear_cookie_header",
    "cookie_header",
    "current_session",
    "mark_personal",
    "resolved_user",
    "session_cookie_header",
    "session_ended",
    "session_user",
]

_USER = "cognito_sso_user"
_SESSION = "cognito_sso_session"
_ENDED = "cognito_sso_session_ended"


async def session_user(request: Request, state: AsyncAppState) -> User:
    """The user of the request's session cookie (refreshed and revocation-checked as
    needed), or ANONYMOUS. Resolved once per request."""
    cached = getattr(request.state, _USER, None)
    if isinstance(cached, User):
        return cached
    user = ANONYMOUS
    session_id = request.cookies.get(state.config.cookie_name)
    if session_id is not None:
        session = None
        if is_valid_session_id(session_id):
            try:
                session = await run_blocking(state.sessions.load, session_id)
            except FAILURES as exc:
                raise failure_error(request, state.pages, exc) from None
        if session is None:
            setattr(request.state, _ENDED, True)
            clear_app_session(request)
        else:
            setattr(request.state, _SESSION, session)
            user = state.users.get(session_id, session, state.user_of_session)
    setattr(request.state, _USER, user)
    return user


def clear_app_session(request: Request) -> None:
    """Empty the app's own session (Starlette's ``SessionMiddleware``, when the app uses it):
    per-user data kept there must not outlive the sign-in it was made in (sign-in, sign-out,
    a session that is over) and be shown to whoever signs in next in this browser."""
    app_session = request.scope.get("session")
    if isinstance(app_session, dict):
        app_session.clear()


def session_ended(request: Request) -> bool:
    """Whether the request carried a session cookie for a session that is over."""
    return bool(getattr(request.state, _ENDED, False))


def current_session(request: Request) -> Session | None:
    """The request's live session, once :func:`session_user` resolved it."""
    session = getattr(request.state, _SESSION, None)
    return session if isinstance(session, Session) else None


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (never a query string or form)."""
    token = bearer_from_header(request.headers.get("authorization"))
    if token is None:
        return None
    if not token or len(token) > MAX_BEARER_TOKEN:
        raise AuthenticationRequiredError("invalid_token", "The access token is invalid")
    return token


async def bearer_user(
    request: Request,
    state: AsyncAppState,
    token: str,
    scopes: tuple[str, ...],
    revocation_interval: float | None = None,
) -> User:
    """The user of a verified access token holding every one of ``scopes`` and, when
    ``revocation_interval`` (None: ``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL``) is not 0,
    still accepted by the IdP."""
    try:
        claims = await state.bearer_verifier.verify_access_token(token)
    except KeysUnavailableError as exc:
        raise failure_error(request, state.pages, exc) from None
    except InvalidTokenError as exc:
        raise AuthenticationRequiredError("invalid_token", bearer_rejection(exc)) from None
    if revocation_interval is None:
        revocation_interval = state.config.bearer_revocation_check_interval
    denial = scope_denial(claims, required_scopes(scopes, revocation_interval))
    if denial is not None:
        raise PermissionDeniedError(denial, bearer=True)
    try:
        await state.bearer_revocation.check(token, claims, revocation_interval)
    except TokenRevokedError:
        raise AuthenticationRequiredError("invalid_token", REVOKED_DESCRIPTION) from None
    except IdPUnavailableError as exc:
        raise failure_error(request, state.pages, exc) from None
    user = user_from_access_claims(claims, state.policy)
    setattr(request.state, _USER, user)
    return user


def cookie_header(
    state: AsyncAppState, name: str, value: str, *, max_age: int, path: str = "/"
) -> str:
    """A ``Set-Cookie`` value with the extension's rules: HttpOnly, SameSite=Lax, and Secure
    unless the app is served over http on loopback (``COGNITO_COOKIE_SECURE``)."""
    secure = "; Secure" if state.config.cookie_secure else ""
    expires = "; Expires=Thu, 01 Jan 1970 00:00:00 GMT" if max_age == 0 else ""
    return (
        f"{name}={value}{expires}; Max-Age={max_age}; Path={path}; HttpOnly; SameSite=Lax{secure}"
    )


def session_cookie_header(state: AsyncAppState, session_id: str) -> str:
    """``Set-Cookie`` for a new session (the same attributes as the Flask extension's)."""
    name = state.config.cookie_name
    return cookie_header(state, name, session_id, max_age=int(state.config.absolute_timeout))


def clear_cookie_header(state: AsyncAppState) -> str:
    """``Set-Cookie`` that removes the session cookie."""
    return cookie_header(state, state.config.cookie_name, '""', max_age=0)


def mark_personal(headers: MutableHeaders, user: User, state: AsyncAppState, ended: bool) -> None:
    """The answer depended on who asked: ``Vary: Cookie, Authorization``; a signed-in user's
    page is ``private, no-store`` (not kept to show after sign-out); an ended session's
    cookie is removed."""
    vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
    for name in ("Cookie", "Authorization"):
        if name.lower() not in (v.lower() for v in vary):
            vary.append(name)
    headers["Vary"] = ", ".join(vary)
    if user.is_authenticated and "cache-control" not in headers:
        headers["Cache-Control"] = "private, no-store"
    if ended:
        headers.append("Set-Cookie", clear_cookie_header(state))


def resolved_user(request: Request) -> User:
    """The user a dependency resolved for this request (ANONYMOUS before that)."""
    user = getattr(request.state, _USER, None)
    return user if isinstance(user, User) else ANONYMOUS
