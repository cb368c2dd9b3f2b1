"""Rendering of the hosted-UI pages, including the ``/error`` page."""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlencode

from flask import Response as FlaskResponse
from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.identifiers import is_client_id

_ERROR_CODE: Final = re.compile(r"[a-z_]{1,64}")

ERROR_MESSAGES: Final = {
    "redirect_mismatch": "The address the application asked to return to is not registered "
    "for it (redirect_mismatch).",
    "invalid_client": "The application is not known to this identity provider.",
    "invalid_request": "The request is missing a required parameter or is malformed.",
    "unauthorized_client": "This application may not use these sign-in pages.",
    "invalid_scope": "The application asked for a scope that does not exist (invalid_scope).",
    # What real Cognito shows when /logout has no usable logout_uri (reference 2.6).
    "logout_uri": "Required String parameter 'redirect_uri' is not present",
    "invalid_form": "This form has expired or did not come from this site. Go back to the "
    "application and sign in again.",
    "session_expired": "Your sign-in has expired. Go back to the application and sign in again.",
    "federation_state": "This sign-in did not start here, was already used or has expired. "
    "Go back to the application and sign in again.",
    "server_error": "The identity provider could not complete the request. Try again later.",
    "unsupported_challenge": "This account needs a sign-in step the local identity provider "
    "does not offer (only passwords and authenticator apps are emulated).",
}
GENERIC_MESSAGE: Final = "The request could not be completed."


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """A hosted-UI page as an HTML response (Jinja autoescapes every value)."""
    return FlaskResponse(render_template(template, **context), status=status, mimetype="text/html")


def error_page(error: str | None, client_id: str | None = None, status: int = 400) -> Response:
    """The ``/error`` page for a known error code (unknown codes get a generic text)."""
    code = error if error is not None and _ERROR_CODE.fullmatch(error) else None
    shown_client = client_id if is_client_id(client_id) else None
    return render_page(
        "error.html",
        status=status,
        message=ERROR_MESSAGES.get(code or "", GENERIC_MESSAGE),
        code=code,
        client_id=shown_client,
    )


def redirect_to_error(error: str, client_id: str | None = None) -> Response:
    """302 to our ``/error`` page (as Cognito does for a bad client or redirect_uri)."""
    params = {"error": error}
    if is_client_id(client_id):
        params["client_id"] = client_id
    return redirect(f"{url_for('hosted_ui.error')}?{urlencode(params)}", code=302)
