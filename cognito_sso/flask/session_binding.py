"""The app's own Flask ``session`` belongs to one SSO session.

At sign-in the Flask session starts empty and is bound to the new SSO session (a hash of its
id, never the id: Flask's cookie is signed, not encrypted). A Flask session cookie that is
bound to another SSO session, or to one while this request has none or one that is over, is
emptied before the view runs: a cookie saved from an earlier user's time shows nothing of
theirs to the next one.
Data written while nobody is signed in is unbound and kept until the next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Request, current_app
from flask import session as flask_session
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from cognito_sso.flask.identity import end_browser_session
from cognito_sso.flask.request_auth import (
    RequestAuth,
    current_flask_session,
    current_request,
    request_auth,
    request_session_id,
    session_cookie,
)
from cognito_sso.flask.state import get_state
from cognito_sso.sessions import SessionStoreUnavailableError

__all__ = ["bind_if_unbound", "refuse_if_foreign", "start_bound"]

_KEY = "_cognito_sso"


def _fingerprint(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:32]


def start_bound(session_id: str) -> None:
    """At sign-in: an empty Flask session, bound to the new SSO session."""
    flask_session.clear()
    flask_session[_KEY] = _fingerprint(session_id)


def refuse_if_foreign() -> None:
    """Before each request: empty a Flask session bound to another SSO session than the
    request's (or to any while the request has none)."""
    if _surely_empty():
        return
    app_session = current_flask_session()
    if not app_session:
        return
    bound = app_session.get(_KEY)
    if bound is None:
        return
    current = session_cookie(get_state().config.cookie_name)
    if (
        not isinstance(bound, str)
        or current is None
        or not hmac.compare_digest(bound, _fingerprint(current))
    ):
        app_session.clear()
        return
    # Bound to this cookie's SSO session, which must still exist: the cookie outlives a
    # session that expired or was ended elsewhere. A store read only, kept for the view's
    # own lookup (a refresh, and its outage, are the view's business, as is a store outage).
    try:
        stored = get_state().sessions.get(current)
    except SessionStoreUnavailableError:
        return
    if stored is None:
        end_browser_session()
    else:
        request_auth().stored = stored


def _surely_empty() -> bool:
    """Flask's own signed-cookie session is empty without its cookie: then there is nothing
    to check, and not opening it spares the ``Vary: Cookie`` Flask adds to every response
    whose session was looked at. Other session interfaces are always looked at."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    interface = app.session_interface
    if type(interface) is not SecureCookieSessionInterface:
        return False
    cookies: str = current_request().environ.get("HTTP_COOKIE", "")
    return interface.get_cookie_name(app) not in cookies


def bind_if_unbound(
    req: Request, auth: RequestAuth | None, cookie_name: str
) -> SessionMixin | None:
    """After each request: bind what the app wrote into its Flask session while signed in
    (e.g. after it cleared the session) to the request's SSO session: the one set by this
    request, if any, else the request's cookie. Without an SSO session there is nothing to
    bind to, and the Flask session is not looked at (None); else it is returned."""
    if auth is None:
        session_id = session_cookie(cookie_name, req)
    elif auth.new_session_id is not None:
        session_id = auth.new_session_id
    elif auth.clear_cookie:
        return None
    else:
        session_id = request_session_id(auth, cookie_name, req)
    if session_id is None:
        return None
    app_session = current_flask_session()
    if app_session and _KEY not in app_session:
        app_session[_KEY] = _fingerprint(session_id)
    return app_session
