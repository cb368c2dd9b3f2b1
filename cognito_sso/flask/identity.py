"""Who is asking: the request's user (session cookie or bearer token), its CSRF token,
and the template helpers built on it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Request, has_request_context, url_for
from markupsafe import Markup
from werkzeug.local import LocalProxy

from cognito_sso.flask.request_auth import (
    RequestAuth,
    current_flask_session,
    current_request,
    request_auth,
    request_session_id,
)
from cognito_sso.flask.state import AppState, get_state
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import Session
from cognito_sso.sessions.base import is_valid_session_id
from cognito_sso.user import ANONYMOUS, User, user_from_session

__all__ = [
    "csrf_token",
    "current_session",
    "current_user",
    "end_browser_session",
    "login_url",
    "logout_form",
    "template_helpers",
    "user_from_session",
    "user_of_request",
]


def resolve_user() -> User:
    """Resolve (once per request) the user from the session cookie."""
    if not has_request_context():
        return ANONYMOUS
    req = current_request()
    auth = request_auth(req)
    return auth.user if auth.user is not None else user_of_request(req, auth, get_state())


def user_of_request(req: Request, auth: RequestAuth, state: AppState) -> User:
    """The user of the request's session cookie, resolved now and kept in ``auth``."""
    user = ANONYMOUS
    session_id = request_session_id(auth, state.config.cookie_name, req)
    if session_id is not None:
        session = _live_session(state.sessions, session_id, auth.stored)
        if session is None:
            end_browser_session(auth)
        else:
            auth.session = session
            auth.access_token = session.tokens.access_token
            user = state.users.get(session_id, session, state.user_of_session)
    auth.user = user
    return user


def _live_session(
    sessions: SessionService, session_id: str, stored: Session | None
) -> Session | None:
    """The cookie's live session: the one a hook already read, settled, else loaded."""
    if not is_valid_session_id(session_id):
        return None
    return sessions.settle(session_id, stored) if stored is not None else sessions.load(session_id)


def end_browser_session(auth: RequestAuth | None = None) -> None:
    """Clear the session cookie, and the app's own Flask ``session`` with it: per-user data
    the app keeps there must not outlive the sign-in (logout, expiry, revocation) and be
    handed to whoever signs in next in this browser (peers' bug mblackgeo#80)."""
    (auth if auth is not None else request_auth()).clear_cookie = True
    app_session = current_flask_session()
    if app_session:
        app_session.clear()


def current_session() -> Session | None:
    """The request's session (after refresh), if any."""
    resolve_user()
    return request_auth().session


def csrf_token() -> str:
    """The current session's CSRF token for the logout form ('' when nobody is signed in)."""
    session = current_session()
    return session.csrf if session is not None else ""


def login_url(next_path: str | None = None) -> str:
    """Path of the sign-in route, with ``next`` when given (validated again at sign-in)."""
    url: str = url_for("cognito_sso.login")
    if next_path:
        url += "?next=" + quote(next_path, safe="/")
    return url


current_user: User = LocalProxy(resolve_user)  # type: ignore[assignment]
"""The request's :class:`User` (anonymous when nobody is signed in)."""


def logout_form(label: str = "Sign out", class_: str = "cognito-sso-logout") -> Markup:
    """The sign-out button: a POST form to the logout route with the hidden CSRF token."""
    action = url_for("cognito_sso.logout")
    return Markup(
        '<form method="post" action="{}" class="{}">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button type="submit">{}</button></form>'
    ).format(action, class_, csrf_token(), label)


def template_helpers() -> dict[str, Any]:
    """Names every template gets."""
    return {
        "current_user": current_user,
        "cognito_logout_form": logout_form,
        "cognito_login_url": login_url,
        "cognito_csrf_token": csrf_token,
    }
