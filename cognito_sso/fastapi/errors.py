"""What the dependencies raise, and the pages the ``/auth`` routes answer with.

The exceptions are FastAPI ``HTTPException`` subclasses and
:class:`~cognito_sso.CognitoSSOError` subclasses, so ``app.include_router(sso.router)``
is all the wiring: FastAPI's own handler turns them into a 302 to the sign-in page, a 401 or
403 with ``WWW-Authenticate`` and a JSON ``detail`` naming what is missing, or a 503 with
``Retry-After``. An app that wants HTML error pages registers its own handler for
:class:`PermissionDeniedError` (the demo's audit service does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final

import jinja2
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from cognito_sso import errors
from cognito_sso.access import (
    Denial,
    bearer_challenge,
    bearer_from_header,
    insufficient_scope_challenge,
)
from cognito_sso.errors import CognitoSSOError

__all__ = [
    "AUTH_HEADERS",
    "AuthenticationRequiredError",
    "PageContext",
    "Pages",
    "PermissionDeniedError",
    "ServiceUnavailableError",
    "SignInRequiredError",
    "error_page",
    "page_templates",
    "wants_json",
]

NO_STORE: Final = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# /auth/* answers are never cached and never shown in a frame (clickjacking of sign-out).
AUTH_HEADERS: Final = {
    **NO_STORE,
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class SignInRequiredError(HTTPException, CognitoSSOError):
    """A browser without a session: 302 to the sign-in route (``next`` = where it was)."""

    def __init__(self, location: str, *, clear_cookie: str | None = None) -> None:
        headers = {"Location": location, **NO_STORE}
        if clear_cookie is not None:
            headers["Set-Cookie"] = clear_cookie
        super().__init__(302, "Sign-in required", headers)


# The HTTP exception comes first in these classes: FastAPI's handler for HTTPException answers
# them even in an app with a handler for CognitoSSOError. Starlette's HTTPException.__init__
# does not call super().__init__, so each class sets up its cognito_sso half itself.
class AuthenticationRequiredError(HTTPException, errors.AuthenticationRequiredError):
    """401 for API requests without a valid session or bearer token (RFC 6750 challenge)."""

    def __init__(self, error: str | None = None, description: str | None = None) -> None:
        errors.AuthenticationRequiredError.__init__(self, error, description)
        detail = {"error": error or "unauthorized", "message": str(self.args[0])}
        headers = {"WWW-Authenticate": bearer_challenge(error, description), **NO_STORE}
        super().__init__(401, detail, headers)


class PermissionDeniedError(HTTPException, errors.PermissionDeniedError):
    """403: signed in, but missing groups, permissions or token scopes (named in ``detail``)."""

    def __init__(self, denial: Denial, *, bearer: bool = False) -> None:
        errors.PermissionDeniedError.__init__(self, denial, bearer=bearer)
        headers = dict(NO_STORE)
        if bearer:
            headers["WWW-Authenticate"] = insufficient_scope_challenge(denial)
        detail = {**denial.json_body(), "message": denial.message()}
        super().__init__(403, detail, headers)


class ServiceUnavailableError(HTTPException, CognitoSSOError):
    """503: the IdP or the session store cannot be reached right now."""

    def __init__(self, what: str) -> None:
        detail = {
            "error": "temporarily_unavailable",
            "message": f"The {what} is not reachable right now. Please try again in a moment.",
        }
        super().__init__(503, detail, {"Retry-After": "5", **NO_STORE})


def wants_json(request: Request) -> bool:
    """API request: a bearer token, or JSON preferred over HTML in ``Accept`` (other
    ``Authorization`` schemes do not count, as in the Flask extension)."""
    if bearer_from_header(request.headers.get("authorization")) is not None:
        return True
    quality = _accept_qualities(request.headers.get("accept", ""))
    json_q = quality.get("application/json", 0.0)
    html_q = quality.get("text/html", quality.get("text/*", quality.get("*/*", 0.0)))
    return json_q > 0 and json_q > html_q


def _accept_qualities(accept: str) -> dict[str, float]:
    qualities: dict[str, float] = {}
    for item in accept[:2048].split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if media:
            qualities[media.lower()] = max(q, qualities.get(media.lower(), 0.0))
    return qualities


PageContext = Callable[[Request], Mapping[str, Any]]


def _no_context(_request: Request) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Pages:
    """How the ``/auth`` pages are rendered: a Jinja environment, and the names an app's
    own page layout needs (its header, its user menu) computed per request."""

    templates: jinja2.Environment
    context: PageContext = _no_context

    def render(self, request: Request, name: str, **values: Any) -> str:
        """Render template ``name`` with the app's context and ``values``."""
        return self.templates.get_template(name).render({**self.context(request), **values})


def page_templates(*search_path: str) -> jinja2.Environment:
    """The Jinja environment of the ``/auth`` pages: ``search_path`` first (an app's own
    ``cognito_sso/error.html`` and ``cognito_sso/logged_out.html`` win), then the pages the
    Flask extension uses too (one copy of each page, read as files: Flask is not imported)."""
    shared = str(files("cognito_sso").joinpath("flask", "templates"))
    loader = jinja2.FileSystemLoader([*search_path, shared])
    return jinja2.Environment(loader=loader, autoescape=True)


def error_page(
    request: Request,
    pages: Pages,
    status: int,
    title: str,
    message: str,
    *,
    json_body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    login_url: str | None = None,
) -> Response:
    """An escaped HTML error page, or JSON for API clients; never cached, never framed."""
    response: Response
    if wants_json(request):
        body = dict(json_body or {"error": title.lower().replace(" ", "_")})
        body.setdefault("message", message)
        response = JSONResponse(body, status_code=status)
    else:
        html = pages.render(
            request,
            "cognito_sso/error.html",
            status=status,
            title=title,
            message=message,
            details=[],
            login_url=login_url,
        )
        response = HTMLResponse(html, status_code=status)
    response.headers.update({**AUTH_HEADERS, **(headers or {})})
    return response
