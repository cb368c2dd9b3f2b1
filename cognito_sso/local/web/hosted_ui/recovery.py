"""Forgotten password, the sign-up confirmation link and Cognito's /error page."""

from __future__ import annotations

from flask import redirect, request
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.identifiers import is_client_id
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state
from cognito_sso.local.web.hosted_ui.forms import (
    MAX_PASSWORD,
    RESET_CODE,
    bp,
    clean_input,
    csrf_token,
    for_client,
    page_url,
    pool_of,
    serving_authorize_request,
    shown_input,
    sign_in_label,
)
from cognito_sso.local.web.pages import error_page, render_page
from cognito_sso.userpool import MAX_USERNAME


def _forgot_page(
    req: AuthorizeRequest, *, username: str = "", error: str | None = None, status: int = 200
) -> Response:
    return render_page(
        "forgot_password.html",
        status=status,
        username_label=sign_in_label(pool_of(req)),
        action=page_url("hosted_ui.forgot_password", req),
        login_url=page_url("hosted_ui.login", req),
        csrf_token=csrf_token("forgot_password"),
        username=username,
        error=error,
    )


@bp.get("/forgotPassword")
@serving_authorize_request()
def forgot_password(req: AuthorizeRequest) -> Response:
    """Ask for the username whose password to reset."""
    return _forgot_page(req)


@bp.post("/forgotPassword")
@serving_authorize_request(csrf_form="forgot_password")
def forgot_password_submit(req: AuthorizeRequest) -> Response:
    """Send a reset code to the outbox, then ask for it."""
    username = request.form.get("username", "").strip()
    if not clean_input(username, MAX_USERNAME):
        return _forgot_page(
            req,
            username=shown_input(username, MAX_USERNAME),
            error="Enter your username.",
            status=400,
        )
    try:
        for_client(req, local_state().auth.forgot_password, username)
    except CognitoError as error:
        return _forgot_page(req, username=username, error=error.message, status=400)
    return redirect(page_url("hosted_ui.confirm_forgot_password", req, username=username), 303)


def _confirm_page(
    req: AuthorizeRequest, username: str, *, error: str | None = None, status: int = 200
) -> Response:
    return render_page(
        "confirm_forgot_password.html",
        status=status,
        action=page_url("hosted_ui.confirm_forgot_password", req),
        login_url=page_url("hosted_ui.login", req),
        csrf_token=csrf_token("confirm_forgot_password"),
        policy=pool_of(req).password_policy,
        username=username,
        error=error,
    )


@bp.get("/confirmForgotPassword")
@serving_authorize_request()
def confirm_forgot_password(req: AuthorizeRequest) -> Response:
    """Ask for the reset code and the new password."""
    username = request.args.get("username", "")
    if not clean_input(username, MAX_USERNAME):
        return redirect(page_url("hosted_ui.forgot_password", req), 303)
    return _confirm_page(req, username)


@bp.post("/confirmForgotPassword")
@serving_authorize_request(csrf_form="confirm_forgot_password")
def confirm_forgot_password_submit(req: AuthorizeRequest) -> Response:
    """Check the code, set the new password, and go back to the sign-in form."""
    username = request.form.get("username", "")
    if not clean_input(username, MAX_USERNAME):
        return redirect(page_url("hosted_ui.forgot_password", req), 303)
    code = request.form.get("code", "").strip()
    new = request.form.get("new_password", "")
    confirm = request.form.get("confirm_password", "")
    problem = None
    if RESET_CODE.fullmatch(code) is None:
        problem = "Enter the code from the message we sent you."
    elif not clean_input(new, MAX_PASSWORD):
        problem = "Enter a new password."
    elif new != confirm:
        problem = "The passwords do not match."
    if problem is not None:
        return _confirm_page(req, username, error=problem, status=400)
    try:
        for_client(req, local_state().auth.confirm_forgot_password, username, code, new)
    except CognitoError as error:
        return _confirm_page(req, username, error=error.message, status=400)
    return redirect(page_url("hosted_ui.login", req, notice="password_changed"), 303)


@bp.get("/confirmUser")
def confirm_user() -> Response:
    """The link in a sign-up e-mail (``CONFIRM_WITH_LINK``): confirm the user, say so."""
    client_id = request.args.get("client_id", "")
    user_name = request.args.get("user_name", "")
    code = request.args.get("confirmation_code", "")
    if (
        not is_client_id(client_id)
        or not clean_input(user_name, MAX_USERNAME)
        or RESET_CODE.fullmatch(code) is None
    ):
        return error_page("invalid_request")
    state = local_state()
    try:
        with state.lock:
            client = state.directory.client(client_id)
            pool = state.directory.pool(client.pool_id)
            state.auth.confirm_sign_up(pool, client, user_name, code)
    except CognitoError as error:
        return render_page("confirmed.html", status=400, confirmed=False, error=error.message)
    return render_page("confirmed.html", confirmed=True)


@bp.get("/error")
def error() -> Response:
    """Cognito's ``/error`` page (``?error=redirect_mismatch&client_id=...``)."""
    return error_page(request.args.get("error"), request.args.get("client_id"))
