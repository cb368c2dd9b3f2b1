"""The app's own Flask ``session`` belongs to one SSO session.

At sign-in the Flask session starts empty and is bound to the new SSO session (a hash of its
id, never the id: Flask's cookie is signed, not encrypted). A Flask session cookie that is
bound to another SSO session, or to one while this request has none, is emptied before the
view runs: a cookie saved from an earlier user's time shows nothing of theirs to the next one.
Data written while nobody is signed in is unbound and kept until the next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import g, request
from flask import session as flask_session

from cognito_sso.flask.state import get_state

__all__ = ["bind_if_unbound", "refuse_if_foreign", "start_bound"]

_KEY = "_cognito_sso"


def _fingerprint(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:32]


def _sso_session_id() -> str | None:
    """The SSO session this response belongs to: the one set by this request, if any, else
    the request's cookie."""
    action = g.get("_cognito_cookie")
    if action is not None:
        kind, value = action
        return value if kind == "set" else None
    return request.cookies.get(get_state().config.cookie_name)


def start_bound(session_id: str) -> None:
    """At sign-in: an empty Flask session, bound to the new SSO session."""
    flask_session.clear()
    flask_session[_KEY] = _fingerprint(session_id)


def refuse_if_foreign() -> None:
    """Before each request: empty a Flask session bound to another SSO session than the
    request's (or to any while the request has none)."""
    if not flask_session:
        return
    bound = flask_session.get(_KEY)
    if bound is None:
        return
    current = request.cookies.get(get_state().config.cookie_name)
    if (
        not isinstance(bound, str)
        or current is None
        or not hmac.compare_digest(bound, _fingerprint(current))
    ):
        flask_session.clear()


def bind_if_unbound() -> None:
    """After a request that wrote to the Flask session while signed in (e.g. after the app
    cleared it): bind what it wrote to the request's SSO session."""
    if _KEY in flask_session:
        return
    session_id = _sso_session_id()
    if session_id is not None:
        flask_session[_KEY] = _fingerprint(session_id)
