"""This request's authentication state: one record, kept in the request's WSGI environ.

Each attribute read through Flask's ``request``/``g``/``session`` proxies costs about as
much as serving a cached session, so the per-request path takes the real request object
once and works on plain objects. The environ, not ``g``, holds the record because it is
strictly per request (an app context a test pushes around several requests shares ``g``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request, request
from flask import session as flask_session
from flask.sessions import SessionMixin

from cognito_sso.sessions import Session
from cognito_sso.sessions.base import is_valid_session_id
from cognito_sso.user import User

__all__ = [
    "RequestAuth",
    "current_flask_session",
    "current_request",
    "peek_request_auth",
    "request_auth",
    "request_session_id",
    "session_cookie",
]

ENVIRON_KEY = "cognito_sso.auth"


@dataclass(slots=True)
class RequestAuth:
    """Who this request is (once resolved) and what its response does with the cookie."""

    user: User | None = None
    """The resolved user (None: not resolved yet)."""
    session: Session | None = None
    stored: Session | None = None
    """The cookie's session as an earlier hook read it from the store (not settled yet)."""
    access_token: str | None = None
    new_session_id: str | None = None
    """Set as the session cookie (a sign-in)."""
    clear_cookie: bool = False
    """Clear the session cookie (a sign-out, or a session that is over)."""
    cookie: str | None = None
    """The request's session cookie, once :func:`request_session_id` read it."""
    cookie_read: bool = False


def current_request() -> Request:
    """The request object behind Flask's ``request`` proxy."""
    return request._get_current_object()  # type: ignore[attr-defined,no-any-return]


def current_flask_session() -> SessionMixin:
    """The app's own Flask session behind the ``session`` proxy."""
    return flask_session._get_current_object()  # type: ignore[attr-defined,no-any-return]


def request_auth(req: Request | None = None) -> RequestAuth:
    """This request's record, made on first use."""
    environ = (req if req is not None else current_request()).environ
    auth = environ.get(ENVIRON_KEY)
    if auth is None:
        auth = environ[ENVIRON_KEY] = RequestAuth()
    return auth


def peek_request_auth(req: Request | None = None) -> RequestAuth | None:
    """This request's record if anything of ours made one (the after-request hook)."""
    environ = (req if req is not None else current_request()).environ
    return environ.get(ENVIRON_KEY)


def session_cookie(name: str, req: Request | None = None) -> str | None:
    """The value of cookie ``name``, as ``request.cookies.get(name)`` gives it.

    Parsing the whole ``Cookie`` header costs more than serving a cached session, so the
    usual header (our cookie once, a plain session id) is read directly; anything else
    (the name twice, quotes, an odd value) goes to werkzeug's parser."""
    if req is None:
        req = current_request()
    header: str = req.environ.get("HTTP_COOKIE", "")
    start = header.find(name + "=")
    if start < 0:
        return None if name not in header else req.cookies.get(name)
    before = header[:start].rstrip(" ")
    if not before or before.endswith(";"):
        value_start = start + len(name) + 1
        end = header.find(";", value_start)
        value = header[value_start:] if end < 0 else header[value_start:end]
        value = value.strip()
        if is_valid_session_id(value) and header.find(name + "=", value_start) < 0:
            return value
    return req.cookies.get(name)


def request_session_id(auth: RequestAuth, name: str, req: Request) -> str | None:
    """:func:`session_cookie` of ``req``, read once per request (kept in ``auth``)."""
    if not auth.cookie_read:
        auth.cookie = session_cookie(name, req)
        auth.cookie_read = True
    return auth.cookie
