"""Signing in: the password form and the NEW_PASSWORD_REQUIRED page; other challenges are
handed to their own pages."""

from __future__ import annotations

from typing import Final

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.signin.authenticator import (
    MFA_SETUP,
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    Authenticated,
    Challenge,
)
from cognito_sso.local.signin.passwords import missing_required
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import browser_id, presented_browser_id
from cognito_sso.local.web.federation import provider_links
from cognito_sso.local.web.grants import (
    grant_after_sign_in,
    request_from_query,
    request_needing_form,
)
from cognito_sso.local.web.hosted_ui.forms import (
    ATTRIBUTE_AUTOCOMPLETE,
    ATTRIBUTE_LABELS,
    MAX_PASSWORD,
    NOTICES,
    bp,
    clean_input,
    csrf_ok,
    csrf_token,
    for_client,
    page_url,
    pool_of,
    serving_authorize_request,
    shown_input,
    sign_in_label,
)
from cognito_sso.local.web.pages import error_page, render_page
from cognito_sso.local.web.stores import LoginTransaction
from cognito_sso.userpool import (
    COGNITO_PROVIDER,
    MAX_ATTRIBUTE_VALUE,
    MAX_USERNAME,
    attribute_value_fits,
)

_PAGE_FOR_CHALLENGE: Final = {
    NEW_PASSWORD_REQUIRED: "hosted_ui.new_password",
    MFA_SETUP: "hosted_ui.mfa",
    SOFTWARE_TOKEN_MFA: "hosted_ui.mfa",
}


def _login_page(
    req: AuthorizeRequest,
    *,
    username: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    return render_page(
        "login.html",
        status=status,
        username_label=sign_in_label(pool_of(req)),
        action=page_url("hosted_ui.login", req),
        forgot_url=page_url("hosted_ui.forgot_password", req),
        client_name=req.client.name,
        csrf_token=csrf_token("login"),
        providers=provider_links(req),
        password_sign_in=COGNITO_PROVIDER in req.client.supported_identity_providers,
        username=username,
        error=error,
        notice=notice,
    )


@bp.get("/login")
def login() -> Response:
    """The sign-in form (or a silent answer when the SSO cookie allows it)."""
    req = request_needing_form(request.args)
    if isinstance(req, Response):
        return req
    login_hint = (
        req.login_hint if req.login_hint and clean_input(req.login_hint, MAX_USERNAME) else ""
    )
    notice = NOTICES.get(request.args.get("notice", ""))
    return _login_page(req, username=login_hint, notice=notice)


@bp.post("/login")
@serving_authorize_request(csrf_form="login")
def login_submit(req: AuthorizeRequest) -> Response:
    """Check the username and password; continue to a challenge or back to the app."""
    if COGNITO_PROVIDER not in req.client.supported_identity_providers:
        return error_page("unauthorized_client")  # the client offers federated sign-in only
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    shown_username = shown_input(username, MAX_USERNAME)
    if not username or not password:
        return _login_page(
            req, username=shown_username, error="Enter your username and password.", status=400
        )
    if not clean_input(username, MAX_USERNAME) or not clean_input(password, MAX_PASSWORD):
        return _login_page(
            req, username=shown_username, error="Incorrect username or password.", status=400
        )
    try:
        result = for_client(req, local_state().auth.password, username, password)
    except CognitoError as error:
        return _login_page(req, username=username, error=error.message, status=400)
    return advance(req, result, login=username)


def advance(
    req: AuthorizeRequest,
    result: Authenticated | Challenge,
    *,
    login: str = "",
    txn: LoginTransaction | None = None,
) -> Response:
    """Finish the sign-in, or move on to the page of the next challenge."""
    web = web_state()
    if isinstance(result, Authenticated):
        if txn is not None:
            web.transactions.finish(txn)
        return grant_after_sign_in(req, result.user)
    if result.name not in _PAGE_FOR_CHALLENGE:
        if txn is not None:
            web.transactions.finish(txn)
        # SMS/e-mail OTP and the like are not emulated: say so rather than hang.
        return error_page("unsupported_challenge")
    missing = (
        tuple(missing_required(pool_of(req), result.user.attributes))
        if result.name == NEW_PASSWORD_REQUIRED
        else ()
    )
    if txn is None:
        txn = web.transactions.start(
            browser_id=browser_id(),
            query=req.query(),
            challenge=result.name,
            session=result.session,
            username=login,
            missing_attributes=missing,
        )
    else:
        advanced = web.transactions.advance(
            txn, challenge=result.name, session=result.session, missing_attributes=missing
        )
        if advanced is None:  # finished by a concurrent request (a double submit)
            return error_page("session_expired")
        txn = advanced
    return redirect(url_for(_PAGE_FOR_CHALLENGE[result.name], txn=txn.id), code=303)


def current_transaction(*challenges: str) -> tuple[LoginTransaction, AuthorizeRequest] | Response:
    """The pending sign-in named by ``txn`` (query or form) for this browser."""
    txn_id = request.values.get("txn")
    txn = web_state().transactions.get(txn_id, presented_browser_id())
    if txn is None:
        return error_page("session_expired")
    if txn.challenge not in challenges:
        return redirect(url_for(_PAGE_FOR_CHALLENGE[txn.challenge], txn=txn.id), code=303)
    req = request_from_query(txn.query)
    if isinstance(req, Response):
        web_state().transactions.finish(txn)
        return req
    return txn, req


def session_expired(error: CognitoError) -> bool:
    return error.type == "NotAuthorizedException" and "session" in error.message.lower()


def _new_password_page(
    txn: LoginTransaction,
    req: AuthorizeRequest,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render_page(
        "new_password.html",
        status=status,
        action=url_for("hosted_ui.new_password"),
        txn=txn.id,
        csrf_token=csrf_token("new_password"),
        policy=pool_of(req).password_policy,
        missing_attributes=txn.missing_attributes,
        attribute_labels=ATTRIBUTE_LABELS,
        attribute_autocomplete=ATTRIBUTE_AUTOCOMPLETE,
        attribute_values=values or {},
        username=txn.username,
        error=error,
    )


@bp.get("/newPassword")
def new_password() -> Response:
    """The page asking an admin-created user for a new password (and missing attributes)."""
    found = current_transaction(NEW_PASSWORD_REQUIRED)
    if isinstance(found, Response):
        return found
    return _new_password_page(*found)


@bp.post("/newPassword")
def new_password_submit() -> Response:
    """Set the new password and continue the sign-in."""
    if not csrf_ok("new_password"):
        return error_page("invalid_form")
    found = current_transaction(NEW_PASSWORD_REQUIRED)
    if isinstance(found, Response):
        return found
    txn, req = found
    new = request.form.get("new_password", "")
    confirm = request.form.get("confirm_password", "")
    values = {
        name: request.form.get(name, "").strip()[:MAX_ATTRIBUTE_VALUE]
        for name in txn.missing_attributes
    }
    problem = None
    if not new:
        problem = "Enter a new password."
    elif not clean_input(new, MAX_PASSWORD):
        problem = "The password contains characters that are not allowed."
    elif new != confirm:
        problem = "The passwords do not match."
    else:
        for name, value in values.items():
            if not clean_input(value, MAX_ATTRIBUTE_VALUE) or not attribute_value_fits(value):
                problem = f"Enter your {ATTRIBUTE_LABELS.get(name, name).lower()}."
                break
    if problem is not None:
        return _new_password_page(txn, req, error=problem, values=values, status=400)
    state = local_state()
    try:
        with state.lock:
            result = state.auth.new_password(txn.session, new, values)
    except CognitoError as error:
        if session_expired(error):
            web_state().transactions.finish(txn)
            return error_page("session_expired")
        return _new_password_page(txn, req, error=error.message, values=values, status=400)
    return advance(req, result, txn=txn)
