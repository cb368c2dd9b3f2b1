"""What the dependencies raise, and the pages the ``/auth`` routes answer with.

The exceptions are FastAPI ``HTTPException`` and :class:`~cognito_sso.CognitoSSOError`
subclasses, so ``app.include_router(sso.router)``
is all the wiring: API clients get FastAPI's own answer (a 401 or 403 with
``WWW-Authenticate`` and a JSON ``detail`` naming what is missing, a 503 with
``Retry-After``, a 500 for a misconfiguration), browsers the same HTML pages as from the
Flask extension (403 naming what is missing, 503 with a "Try again" link, 500 "this service is
misconfigured"): the dependency renders the page into the exception it raises (``page``) and
makes the app answer with it (:func:`with_page`). An app's own handler for these exceptions,
or for ``HTTPException``, still wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final, TypeVar

import jinja2
from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from cognito_sso import errors
from cognito_sso.access import (
    Denial,
    bearer_challenge,
    bearer_from_header,
    insufficient_scope_challenge,
)
from cognito_sso.content_negotiation import prefers_json
from cognito_sso.error_body import json_error_body
from cognito_sso.errors import CognitoSSOError, ConfigurationError
from cognito_sso.failures import Failure, classify_failure
from cognito_sso.user import User

__all__ = [
    "AUTH_HEADERS",
    "AuthenticationRequiredError",
    "PageContext",
    "Pages",
    "PermissionDeniedError",
    "ServiceFailedError",
    "ServiceMisconfiguredError",
    "ServiceUnavailableError",
    "SignInRequiredError",
    "error_page",
    "failure_error",
    "failure_page",
    "page_templates",
    "wants_json",
    "with_page",
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


class _CarriesPage:
    """An error a dependency raised with its HTML page already rendered (None: JSON); first
    in the classes below, so the handler of :func:`with_page` is found before FastAPI's."""

    page: Response | None = None


class PermissionDeniedError(_CarriesPage, HTTPException, errors.PermissionDeniedError):
    """403: signed in, but missing groups, permissions or token scopes (named in ``detail``,
    and on the page browsers get)."""

    def __init__(self, denial: Denial, *, bearer: bool = False) -> None:
        errors.PermissionDeniedError.__init__(self, denial, bearer=bearer)
        headers = dict(NO_STORE)
        if bearer:
            headers["WWW-Authenticate"] = insufficient_scope_challenge(denial)
        detail = {**denial.json_body(), "message": denial.message()}
        HTTPException.__init__(self, 403, detail, headers)


class ServiceFailedError(_CarriesPage, HTTPException, CognitoSSOError):
    """The IdP or the session store failed (see :mod:`cognito_sso.failures`)."""

    def __init__(self, failure: Failure) -> None:
        detail = {"error": failure.error, "message": failure.message}
        HTTPException.__init__(self, failure.status, detail, {**failure.headers, **NO_STORE})


class ServiceUnavailableError(ServiceFailedError):
    """503: the IdP or the session store cannot be reached right now (an outage)."""


class ServiceMisconfiguredError(ServiceFailedError):
    """500: the IdP answers, but not as configured (the cause is in the log)."""


def failure_error(
    request: Request, pages: Pages, error: Exception, *, signed_in: User | None = None
) -> ServiceFailedError:
    """The exception for a failed IdP or session store call (outage or misconfiguration, as
    :func:`~cognito_sso.failures.classify_failure` tells), with its page for browsers."""
    failure = classify_failure(error)
    kind = ServiceUnavailableError if failure.retry else ServiceMisconfiguredError
    exc = kind(failure)
    if wants_json(request):
        return exc
    return with_page(request, exc, _failure_page(request, pages, failure, error, signed_in))


def failure_page(request: Request, pages: Pages, error: Exception) -> Response:
    """The page (or JSON) for a failed IdP or session store call, for the ``/auth`` routes."""
    return _failure_page(request, pages, classify_failure(error), error, None)


def _failure_page(
    request: Request, pages: Pages, failure: Failure, error: Exception, signed_in: User | None
) -> Response:
    retry = failure.retry and request.method == "GET"
    debug = getattr(request.scope.get("app"), "debug", False) is True
    return error_page(
        request,
        pages,
        failure.status,
        failure.title,
        failure.message,
        json_body={"error": failure.error},
        headers=failure.headers,
        retry_url=_this_page(request) if retry else None,
        debug_detail=str(error) if debug and not failure.retry else None,
        signed_in=signed_in,
    )


def _this_page(request: Request) -> str:
    """The request's own path and query, as a same-site link (never ``//host``)."""
    query = request.url.query
    path = str(request.scope.get("root_path", "")) + "/" + request.url.path.lstrip("/")
    return path + ("?" + query if query else "")


async def _answer_with_page(request: Request, exc: Exception) -> Response:
    page = exc.page if isinstance(exc, _CarriesPage) else None
    if page is not None:
        return page
    assert isinstance(exc, StarletteHTTPException)
    return await http_exception_handler(request, exc)


E = TypeVar("E", bound=_CarriesPage)


def with_page(request: Request, exc: E, page: Response) -> E:
    """``exc`` answered with ``page`` when raised from a dependency, with no wiring by the app.

    FastAPI's default handler for ``HTTPException`` only writes JSON, and a router cannot
    bring handlers of its own. So the first time a page is needed, the handler answering with
    ``exc.page`` is added to the app's exception handlers: Starlette hands them to every
    request in ``scope["starlette.exception_handlers"]`` (the very dict the app's exception
    middleware looks handlers up in, by the exception's MRO). It is added only while FastAPI's
    default handler answers ``HTTPException``: an app's own handler for it, or for one of
    these exceptions, still wins."""
    exc.page = page
    handlers = request.scope.get("starlette.exception_handlers")
    if isinstance(handlers, tuple) and handlers and isinstance(handlers[0], dict):
        by_type = handlers[0]
        if by_type.get(StarletteHTTPException) is http_exception_handler:
            by_type.setdefault(_CarriesPage, _answer_with_page)
    return exc


def wants_json(request: Request) -> bool:
    """API request: a bearer token, or JSON preferred over HTML in ``Accept``
    (:func:`~cognito_sso.content_negotiation.prefers_json`; other ``Authorization`` schemes
    do not count, as in the Flask extension)."""
    bearer = bearer_from_header(request.headers.get("authorization"))
    return bearer is not None or prefers_json(request.headers.get("accept"))


PageContext = Callable[[Request], Mapping[str, Any]]


def _no_context(_request: Request) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Pages:
    """How the ``/auth`` pages are rendered: a Jinja environment, and the names an app's
    own page layout needs (its header, its user menu) computed per request."""

    templates: jinja2.Environment
    context: PageContext = _no_context

    def __post_init__(self) -> None:
        # the pages show request-derived text and the user's name: unescaped, that is XSS
        if not self.templates.autoescape:
            raise ConfigurationError("the /auth pages need a Jinja environment with autoescape on")

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
    retry_url: str | None = None,
    details: Sequence[str] = (),
    debug_detail: str | None = None,
    signed_in: User | None = None,
    logout_form: Callable[..., Markup] | None = None,
) -> Response:
    """An escaped HTML error page (the Flask extension's ``cognito_sso/error.html``), or JSON
    for API clients; never cached, never framed. ``signed_in`` is named in the page's bar,
    with ``logout_form`` (a sign-out button) when given."""
    response: Response
    if wants_json(request):
        response = JSONResponse(json_error_body(title, message, json_body), status_code=status)
        response.headers.update({**AUTH_HEADERS, **(headers or {})})
        return response
    user = signed_in if signed_in is not None and signed_in.is_authenticated else None
    bar = {"cognito_logout_form": logout_form} if user and logout_form else {}
    html = pages.render(
        request,
        "cognito_sso/error.html",
        status=status,
        title=title,
        message=message,
        details=list(details),
        login_url=login_url,
        retry_url=retry_url,
        debug_detail=debug_detail,
        signed_in=user,
        can_sign_out=bool(bar),
        home_url=request.scope.get("root_path", "") + "/",
        **bar,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers.update({**AUTH_HEADERS, **(headers or {})})
    if bar:
        # With no-referrer, Chromium sends ``Origin: null`` with the page's sign-out form,
        # which the logout route refuses (as in the Flask extension).
        response.headers["Referrer-Policy"] = "same-origin"
    return response
