"""The IdP's own cookies: the CSRF binding cookie and the 1-hour single sign-on cookie."""

from __future__ import annotations

from flask import g, request
from werkzeug.wrappers import Response

from cognito_sso.local.web.context import local_state
from cognito_sso.local.web.csrf import CSRF_COOKIE, is_browser_id, new_browser_id
from cognito_sso.local.web.stores import SESSION_COOKIE


def _secure() -> bool:
    return local_state().base_url.startswith("https://")


def browser_id() -> str:
    """This browser's CSRF binding value; a new one is set on the response when missing."""
    existing = request.cookies.get(CSRF_COOKIE)
    if is_browser_id(existing):
        assert existing is not None
        return existing
    if "new_browser_id" not in g:
        g.new_browser_id = new_browser_id()
    value: str = g.new_browser_id
    return value


def presented_browser_id() -> str | None:
    """The CSRF binding value the browser sent (``None`` when absent or malformed)."""
    existing = request.cookies.get(CSRF_COOKIE)
    return existing if is_browser_id(existing) else None


def attach_browser_cookie(response: Response) -> Response:
    """``after_request`` hook: set the CSRF cookie when this request created one."""
    value = g.get("new_browser_id")
    if value:
        response.set_cookie(
            CSRF_COOKIE, value, httponly=True, samesite="Lax", secure=_secure(), path="/"
        )
    return response


def sso_cookie() -> str | None:
    """The single sign-on cookie value the browser sent, if it looks like one of ours."""
    value = request.cookies.get(SESSION_COOKIE)
    if value is None or not 16 <= len(value) <= 64:
        return None
    return value


def set_sso_cookie(response: Response, sid: str, max_age: int) -> None:
    """Set the single sign-on cookie on the IdP's host."""
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=_secure(),
        path="/",
    )


def clear_sso_cookie(response: Response) -> None:
    """Expire the single sign-on cookie."""
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="Lax", secure=_secure(), path="/"
    )
