"""The local IdP's WSGI application: JSON API, hosted UI, OAuth2 endpoints, discovery, tools.

``create_app()`` builds one Flask app around one `LocalCognito` state. Every response gets
``Cache-Control: no-store`` (static files excepted), ``X-Frame-Options: DENY``, a CSP with
``frame-ancestors 'none'`` and ``Referrer-Policy: no-referrer``. Faults set through
``/_local/faults`` are applied before any endpoint runs. Unexpected errors answer a clean
500 (JSON or page) and are logged by type and path only, never with request data.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from cognito_sso.local.api.dispatch import error_response, handle_json_api
from cognito_sso.local.errors import CognitoError, OAuthError
from cognito_sso.local.faults import drop_connection, endpoint_for_path
from cognito_sso.local.state import LocalCognito
from cognito_sso.local.web import discovery, federation, hosted_ui, local_tools, oauth2
from cognito_sso.local.web.context import STATE_KEY, WEB_STATE_KEY, WebState, local_state
from cognito_sso.local.web.cookies import attach_browser_cookie
from cognito_sso.local.web.grants import server_error
from cognito_sso.local.web.oauth2 import oauth_error_response
from cognito_sso.local.web.pages import error_page, render_page

MAX_BODY_BYTES: Final = 1024 * 1024
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_JSON_PREFIXES: Final = ("/oauth2/", "/_local/")


def create_app(base_url: str | None = None, *, state: LocalCognito | None = None) -> Flask:
    """A Flask app serving one `LocalCognito` state (created when not given)."""
    if state is None:
        state = LocalCognito(base_url) if base_url else LocalCognito()
    app = Flask(__name__)  # templates/ and static/ of this package
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY_BYTES
    app.extensions[STATE_KEY] = state
    app.extensions[WEB_STATE_KEY] = WebState()

    @app.post("/")
    def json_api() -> Response:
        return handle_json_api(state, request)

    app.register_blueprint(oauth2.bp)
    app.register_blueprint(federation.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(hosted_ui.bp)
    app.register_blueprint(local_tools.bp)
    app.before_request(_check_host)
    app.before_request(_apply_faults)
    app.after_request(attach_browser_cookie)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CognitoError, _cognito_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _wants_json() -> bool:
    path = request.path
    return (
        path == "/"
        or path.startswith(_JSON_PREFIXES)
        or path.endswith(".json")
        or "/.well-known/" in path
    )


def _json_error(status: int, error: str, message: str | None = None) -> Response:
    if request.path == "/":
        return error_response(CognitoError(error, message or error, status))
    return oauth_error_response(OAuthError(error, status=status))


def _trusted_host(host: str, base_url: str) -> bool:
    """Whether a request's ``Host`` may reach the IdP: an IP address, ``localhost`` or the
    host of the base URL. Any other name means DNS rebinding: a web page whose domain now
    resolves to this machine, which must not read the outbox or drive the JSON API."""
    hostname = urlsplit(f"//{host}").hostname if host else None
    if hostname is None:
        return False
    if hostname == "localhost" or hostname == urlsplit(base_url).hostname:
        return True
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def _check_host() -> Response | None:
    try:
        trusted = _trusted_host(request.host, local_state().base_url)
    except ValueError:  # a malformed Host header (e.g. a bad port)
        trusted = False
    if trusted:
        return None
    if _wants_json():
        error = "AccessDeniedException" if request.path == "/" else "access_denied"
        return _json_error(400, error, "This Host header is not accepted.")
    return error_page("invalid_request", status=400)


def _apply_faults() -> Response | None:
    name = endpoint_for_path(request.path, request.method)
    if name is None:
        return None
    fault = local_state().faults.check(name)
    if fault is None:
        return None
    if fault.mode == "hang":
        local_state().faults.hang(fault.seconds)
        return None
    if fault.mode == "drop" and drop_connection(request.environ):
        return Response(status=500)  # never reaches the client: the socket is shut
    if name == "api":
        return _json_error(500, "InternalErrorException", "injected fault")
    if name == "authorize":
        return server_error(request.args)
    if _wants_json():
        return _json_error(500, "server_error")
    return error_page("server_error", status=500)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "public, max-age=3600")
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    headers["X-Frame-Options"] = "DENY"
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if _wants_json():
        if request.path.startswith("/oauth2/") and status in (400, 405, 413):
            response = _json_error(status, "invalid_request")
        elif request.path == "/":
            kind = "SerializationException" if status < 500 else "InternalErrorException"
            response = _json_error(status, kind)
        else:
            response = _json_error(status, error.name.lower().replace(" ", "_"))
    else:
        response = render_page(
            "error.html", status=status, message=error.description or error.name, code=None
        )
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _cognito_error(error: CognitoError) -> Response:
    if _wants_json():
        return _json_error(error.status, error.type if request.path == "/" else "invalid_request")
    return error_page("invalid_request", status=400)


def _unexpected_error(error: Exception) -> Response:
    # type and path only: query strings and bodies may hold codes, tokens or passwords
    current_app.logger.error(
        "unhandled %s on %s %s", type(error).__name__, request.method, request.path
    )
    if _wants_json():
        return _json_error(500, "InternalErrorException" if request.path == "/" else "server_error")
    return error_page("server_error", status=500)
