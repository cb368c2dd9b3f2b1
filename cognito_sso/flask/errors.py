"""HTTP errors of the extension and how they are rendered (a small escaped HTML page or JSON).

:class:`PermissionDeniedError` and :class:`AuthenticationRequiredError` are werkzeug HTTP
exceptions that render themselves, so an app's own ``errorhandler(403)`` /
``errorhandler(401)`` wins; they are also the core's errors of the same names (the core class
first in their bases: werkzeug's ``HTTPException.__init__`` calls ``super().__init__()``).
The extension registers handlers only for its own non-HTTP errors: IdP or session store
unavailable (503 with a retry link) and a misconfigured IdP connection (500). Every page is
``templates/cognito_sso/error.html``; an app overrides it with its own template of that name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.sansio.response import Response as SansIOResponse
from werkzeug.wrappers import Response

from cognito_sso import errors
from cognito_sso.access import bearer_challenge, bearer_from_header, insufficient_scope_challenge
from cognito_sso.content_negotiation import prefers_json
from cognito_sso.error_body import json_error_body
from cognito_sso.flask.request_auth import current_request, peek_request_auth

__all__ = [
    "NO_FRAMING",
    "AuthenticationRequiredError",
    "PermissionDeniedError",
    "bearer_challenge",
    "bearer_credentials",
    "deny_framing",
    "error_response",
    "page_context",
    "wants_json",
]

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
NO_FRAMING = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}


def deny_framing(response: Response) -> Response:
    """No other site may frame this response (clickjacking): ``X-Frame-Options: DENY`` and
    ``frame-ancestors 'none'``, added to a Content-Security-Policy the app already set."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        response.headers["Content-Security-Policy"] = NO_FRAMING["Content-Security-Policy"]
    elif "frame-ancestors" not in policy:
        response.headers["Content-Security-Policy"] = policy + "; frame-ancestors 'none'"
    return response


def page_context() -> dict[str, Any]:
    """What every built-in page shows besides its message: who is signed in (only when the
    request already resolved its user: an error page never calls the session store), whether
    a sign-out form can be offered, and the way back home."""
    auth = peek_request_auth()
    user = auth.user if auth is not None else None
    signed_in = user if user is not None and user.is_authenticated else None
    under_prefix = request.blueprint == "cognito_sso"  # no-referrer there: see error_response
    return {
        "signed_in": signed_in,
        "can_sign_out": signed_in is not None
        and signed_in.source == "session"
        and not under_prefix,
        "home_url": request.script_root + "/",
    }


def bearer_credentials() -> str | None:
    """What follows ``Bearer`` in the ``Authorization`` header ('' when nothing does);
    None when the request has no such header or uses another scheme."""
    return bearer_from_header(current_request().environ.get("HTTP_AUTHORIZATION"))


def wants_json() -> bool:
    """API request: a bearer token, or JSON preferred over HTML in ``Accept``
    (:func:`~cognito_sso.content_negotiation.prefers_json`).

    Other ``Authorization`` schemes do not count: a Basic-auth proxy in front of the app
    puts one on every browser request, and browsers must still be sent to the sign-in page.
    """
    return bearer_credentials() is not None or prefers_json(request.headers.get("Accept"))


def error_response(
    status: int,
    title: str,
    message: str,
    *,
    details: Sequence[str] = (),
    json_body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    as_json: bool | None = None,
    login_url: str | None = None,
    retry_url: str | None = None,
    debug_detail: str | None = None,
) -> Response:
    """An error page (escaped by Jinja) or a JSON body, with ``no-store`` caching, never
    framed. ``debug_detail`` (the precise cause) is shown only when the app is in debug mode."""
    if as_json is None:
        as_json = wants_json()
    response: Response
    if as_json:
        response = jsonify(json_error_body(title, message, json_body))
    else:
        html = render_template(
            "cognito_sso/error.html",
            status=status,
            title=title,
            message=message,
            details=list(details),
            login_url=login_url,
            retry_url=retry_url,
            debug_detail=debug_detail if current_app.debug else None,
            **page_context(),
        )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    # same-origin, not no-referrer: with no-referrer Chromium sends ``Origin: null`` with the
    # page's sign-out form, which the logout route refuses (the /auth pages, which show no
    # sign-out form, get no-referrer in the after-request hook).
    response.headers.update(NO_STORE, **{"Referrer-Policy": "same-origin"})
    response.headers.update(headers or {})
    return deny_framing(response)


class AuthenticationRequiredError(errors.AuthenticationRequiredError, Unauthorized):
    """401 for API requests without a valid session or bearer token (a werkzeug
    ``Unauthorized`` that renders itself as JSON with the RFC 6750 challenge)."""

    def get_response(  # type: ignore[override]
        self, environ: Any = None, scope: Any = None
    ) -> SansIOResponse:
        """A JSON 401 with the RFC 6750 ``WWW-Authenticate`` challenge."""
        return error_response(
            401,
            "Sign-in required",
            str(self.description),
            json_body={"error": self.error or "unauthorized"},
            headers={"WWW-Authenticate": bearer_challenge(self.error, self.error_description)},
            as_json=True,
        )


class PermissionDeniedError(errors.PermissionDeniedError, Forbidden):
    """403: signed in, but missing groups, permissions or token scopes (a werkzeug
    ``Forbidden`` that renders the page, or JSON for API and bearer requests, naming them)."""

    def get_response(  # type: ignore[override]
        self, environ: Any = None, scope: Any = None
    ) -> SansIOResponse:
        """The 403 page (or JSON for API and bearer requests) naming what is missing."""
        headers: dict[str, str] = {}
        if self.bearer:
            headers["WWW-Authenticate"] = insufficient_scope_challenge(self.denial)
        return error_response(
            403,
            "Access denied",
            self.denial.message(),
            json_body=self.denial.json_body(),
            headers=headers,
            as_json=True if self.bearer else None,
        )
