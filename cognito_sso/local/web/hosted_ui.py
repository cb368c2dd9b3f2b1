"""The hosted sign-in pages: password, new password, TOTP set-up and code, forgotten password.

Every page carries the authorize request it serves (``/login?client_id=...`` as Cognito's
classic hosted UI does). Forms post back with a CSRF token bound to the IdP's own cookie
(`cognito_sso.local.web.csrf`). A challenge in the middle of a sign-in (new password, TOTP) is kept
server side as a `LoginTransaction` named by the ``txn`` field. Failed form submissions
answer 400 with the form again and the message in its alert region.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlencode

import pyotp
import segno
from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.identifiers import is_client_id
from cognito_sso.local.model import Pool
from cognito_sso.local.signin.authenticator import (
    MFA_SETUP,
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    Authenticated,
    Challenge,
    missing_required,
)
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.cookies import browser_id, presented_browser_id
from cognito_sso.local.web.grants import (
    grant_after_sign_in,
    read_authorize_request,
    request_from_query,
    request_needing_form,
)
from cognito_sso.local.web.pages import error_page, render_page
from cognito_sso.local.web.stores import LoginTransaction

bp = Blueprint("hosted_ui", __name__)

_PAGE_FOR_CHALLENGE: Final = {
    NEW_PASSWORD_REQUIRED: "hosted_ui.new_password",
    MFA_SETUP: "hosted_ui.mfa",
    SOFTWARE_TOKEN_MFA: "hosted_ui.mfa",
}
MAX_USERNAME: Final = 128
MAX_PASSWORD: Final = 256
MAX_ATTRIBUTE: Final = 2048
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_TOTP_CODE: Final = re.compile(r"[0-9]{6}")
_RESET_CODE: Final = re.compile(r"[0-9A-Za-z]{1,16}")
NOTICES: Final = {
    "password_changed": "Your password has been changed. Sign in with your new password.",
}
ATTRIBUTE_LABELS: Final = {
    "email": "Email address",
    "phone_number": "Phone number (+447700900123)",
    "name": "Full name",
    "given_name": "Given name",
    "family_name": "Family name",
    "middle_name": "Middle name",
    "nickname": "Nickname",
    "preferred_username": "Preferred username",
    "birthdate": "Date of birth (YYYY-MM-DD)",
    "gender": "Gender",
    "address": "Address",
    "locale": "Locale",
    "zoneinfo": "Time zone",
    "website": "Website",
    "picture": "Picture URL",
    "profile": "Profile URL",
}
ATTRIBUTE_AUTOCOMPLETE: Final = {
    "email": "email",
    "phone_number": "tel",
    "name": "name",
    "given_name": "given-name",
    "family_name": "family-name",
    "middle_name": "additional-name",
    "nickname": "nickname",
    "birthdate": "bday",
    "gender": "sex",
    "address": "street-address",
    "website": "url",
}


def _clean(value: str, limit: int) -> bool:
    """True when ``value`` is non-empty, short enough and free of control characters."""
    return 0 < len(value) <= limit and _CONTROL.search(value) is None


def _csrf_ok(form: str) -> bool:
    return web_state().csrf.check(presented_browser_id(), form, request.form.get("csrf_token"))


def _csrf_token(form: str) -> str:
    return web_state().csrf.token(browser_id(), form)


def _pool(req: AuthorizeRequest) -> Pool:
    state = local_state()
    with state.lock:
        return state.directory.pool(req.client.pool_id)


def _page_url(endpoint: str, req: AuthorizeRequest, **extra: str) -> str:
    query = req.query()
    if extra:
        query = f"{query}&{urlencode(extra)}"
    return f"{url_for(endpoint)}?{query}"


# --- sign in ------------------------------------------------------------------------------


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
        action=_page_url("hosted_ui.login", req),
        forgot_url=_page_url("hosted_ui.forgot_password", req),
        client_name=req.client.name,
        csrf_token=_csrf_token("login"),
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
    login_hint = req.login_hint if req.login_hint and _clean(req.login_hint, MAX_USERNAME) else ""
    notice = NOTICES.get(request.args.get("notice", ""))
    return _login_page(req, username=login_hint, notice=notice)


@bp.post("/login")
def login_submit() -> Response:
    """Check the username and password; continue to a challenge or back to the app."""
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    if not _csrf_ok("login"):
        return error_page("invalid_form")
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    shown_username = _CONTROL.sub("", username)[:MAX_USERNAME]
    if not username or not password:
        return _login_page(
            req, username=shown_username, error="Enter your username and password.", status=400
        )
    if not _clean(username, MAX_USERNAME) or not _clean(password, MAX_PASSWORD):
        return _login_page(
            req, username=shown_username, error="Incorrect username or password.", status=400
        )
    state = local_state()
    try:
        with state.lock:
            pool = state.directory.pool(req.client.pool_id)
            result = state.auth.password(pool, req.client, username, password)
    except CognitoError as error:
        return _login_page(req, username=username, error=error.message, status=400)
    return _advance(req, result, login=username)


def _advance(
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
        tuple(missing_required(_pool(req), result.user.attributes))
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
        txn = web.transactions.advance(
            txn, challenge=result.name, session=result.session, missing_attributes=missing
        )
    return redirect(url_for(_PAGE_FOR_CHALLENGE[result.name], txn=txn.id), code=303)


def _transaction(*challenges: str) -> tuple[LoginTransaction, AuthorizeRequest] | Response:
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


def _session_expired(error: CognitoError) -> bool:
    return error.type == "NotAuthorizedException" and "session" in error.message.lower()


# --- NEW_PASSWORD_REQUIRED ---------------------------------------------------------------


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
        csrf_token=_csrf_token("new_password"),
        policy=_pool(req).password_policy,
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
    found = _transaction(NEW_PASSWORD_REQUIRED)
    if isinstance(found, Response):
        return found
    return _new_password_page(*found)


@bp.post("/newPassword")
def new_password_submit() -> Response:
    """Set the new password and continue the sign-in."""
    if not _csrf_ok("new_password"):
        return error_page("invalid_form")
    found = _transaction(NEW_PASSWORD_REQUIRED)
    if isinstance(found, Response):
        return found
    txn, req = found
    new = request.form.get("new_password", "")
    confirm = request.form.get("confirm_password", "")
    values = {
        name: request.form.get(name, "").strip()[:MAX_ATTRIBUTE] for name in txn.missing_attributes
    }
    problem = None
    if not new:
        problem = "Enter a new password."
    elif not _clean(new, MAX_PASSWORD):
        problem = "The password contains characters that are not allowed."
    elif new != confirm:
        problem = "The passwords do not match."
    else:
        for name, value in values.items():
            if not _clean(value, MAX_ATTRIBUTE):
                problem = f"Enter your {ATTRIBUTE_LABELS.get(name, name).lower()}."
                break
    if problem is not None:
        return _new_password_page(txn, req, error=problem, values=values, status=400)
    state = local_state()
    try:
        with state.lock:
            result = state.auth.new_password(txn.session, new, values)
    except CognitoError as error:
        if _session_expired(error):
            web_state().transactions.finish(txn)
            return error_page("session_expired")
        return _new_password_page(txn, req, error=error.message, values=values, status=400)
    return _advance(req, result, txn=txn)


# --- TOTP set-up and code ----------------------------------------------------------------


def _qr_svg(uri: str) -> str:
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=4, border=2, title="QR code to add this account to an authenticator app"
    )
    return svg


def _mfa_page(
    txn: LoginTransaction, req: AuthorizeRequest, *, error: str | None = None, status: int = 200
) -> Response:
    web = web_state()
    common = {
        "action": url_for("hosted_ui.mfa"),
        "txn": txn.id,
        "csrf_token": _csrf_token("mfa"),
        "error": error,
        "username": txn.username,
    }
    if txn.challenge == SOFTWARE_TOKEN_MFA:
        return render_page(
            "mfa.html", status=status, restart_url=_page_url("hosted_ui.login", req), **common
        )
    secret = txn.mfa_secret
    if secret is None:
        state = local_state()
        with state.lock:
            secret = state.auth.mfa_setup_secret(txn.session)
        txn = web.transactions.remember_secret(txn, secret)
    pool = _pool(req)
    uri = pyotp.TOTP(secret).provisioning_uri(name=txn.username, issuer_name=pool.name)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_page(
        "mfa_setup.html",
        status=status,
        qr_svg=_qr_svg(uri),
        secret_grouped=grouped,
        **common,
    )


@bp.get("/mfa")
def mfa() -> Response:
    """TOTP set-up (secret and QR code) or the TOTP code page, as the challenge requires."""
    found = _transaction(MFA_SETUP, SOFTWARE_TOKEN_MFA)
    if isinstance(found, Response):
        return found
    try:
        return _mfa_page(*found)
    except CognitoError:
        web_state().transactions.finish(found[0])
        return error_page("session_expired")


@bp.post("/mfa")
def mfa_submit() -> Response:
    """Check a TOTP code (set-up verification or sign-in challenge)."""
    if not _csrf_ok("mfa"):
        return error_page("invalid_form")
    found = _transaction(MFA_SETUP, SOFTWARE_TOKEN_MFA)
    if isinstance(found, Response):
        return found
    txn, req = found
    code = request.form.get("code", "").strip().replace(" ", "")
    if _TOTP_CODE.fullmatch(code) is None:
        error = "Enter the 6-digit code from your authenticator app."
        return _mfa_page(txn, req, error=error, status=400)
    state = local_state()
    try:
        with state.lock:
            if txn.challenge == MFA_SETUP:
                result = state.auth.verify_mfa_setup(txn.session, code)
            else:
                result = state.auth.software_token(txn.session, code)
    except CognitoError as error:
        if _session_expired(error):
            web_state().transactions.finish(txn)
            return error_page("session_expired")
        return _mfa_page(txn, req, error=error.message, status=400)
    return _advance(req, result, txn=txn)


# --- forgotten password ------------------------------------------------------------------


def _forgot_page(
    req: AuthorizeRequest, *, username: str = "", error: str | None = None, status: int = 200
) -> Response:
    return render_page(
        "forgot_password.html",
        status=status,
        action=_page_url("hosted_ui.forgot_password", req),
        login_url=_page_url("hosted_ui.login", req),
        csrf_token=_csrf_token("forgot_password"),
        username=username,
        error=error,
    )


@bp.get("/forgotPassword")
def forgot_password() -> Response:
    """Ask for the username whose password to reset."""
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    return _forgot_page(req)


@bp.post("/forgotPassword")
def forgot_password_submit() -> Response:
    """Send a reset code to the outbox, then ask for it."""
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    if not _csrf_ok("forgot_password"):
        return error_page("invalid_form")
    username = request.form.get("username", "").strip()
    if not _clean(username, MAX_USERNAME):
        return _forgot_page(
            req,
            username=_CONTROL.sub("", username)[:MAX_USERNAME],
            error="Enter your username.",
            status=400,
        )
    state = local_state()
    try:
        with state.lock:
            pool = state.directory.pool(req.client.pool_id)
            state.auth.forgot_password(pool, req.client, username)
    except CognitoError as error:
        return _forgot_page(req, username=username, error=error.message, status=400)
    return redirect(_page_url("hosted_ui.confirm_forgot_password", req, username=username), 303)


def _confirm_page(
    req: AuthorizeRequest, username: str, *, error: str | None = None, status: int = 200
) -> Response:
    return render_page(
        "confirm_forgot_password.html",
        status=status,
        action=_page_url("hosted_ui.confirm_forgot_password", req),
        login_url=_page_url("hosted_ui.login", req),
        csrf_token=_csrf_token("confirm_forgot_password"),
        policy=_pool(req).password_policy,
        username=username,
        error=error,
    )


@bp.get("/confirmForgotPassword")
def confirm_forgot_password() -> Response:
    """Ask for the reset code and the new password."""
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    username = request.args.get("username", "")
    if not _clean(username, MAX_USERNAME):
        return redirect(_page_url("hosted_ui.forgot_password", req), 303)
    return _confirm_page(req, username)


@bp.post("/confirmForgotPassword")
def confirm_forgot_password_submit() -> Response:
    """Check the code, set the new password, and go back to the sign-in form."""
    req = read_authorize_request(request.args)
    if isinstance(req, Response):
        return req
    if not _csrf_ok("confirm_forgot_password"):
        return error_page("invalid_form")
    username = request.form.get("username", "")
    if not _clean(username, MAX_USERNAME):
        return redirect(_page_url("hosted_ui.forgot_password", req), 303)
    code = request.form.get("code", "").strip()
    new = request.form.get("new_password", "")
    confirm = request.form.get("confirm_password", "")
    problem = None
    if _RESET_CODE.fullmatch(code) is None:
        problem = "Enter the code from the message we sent you."
    elif not _clean(new, MAX_PASSWORD):
        problem = "Enter a new password."
    elif new != confirm:
        problem = "The passwords do not match."
    if problem is not None:
        return _confirm_page(req, username, error=problem, status=400)
    state = local_state()
    try:
        with state.lock:
            pool = state.directory.pool(req.client.pool_id)
            state.auth.confirm_forgot_password(pool, req.client, username, code, new)
    except CognitoError as error:
        return _confirm_page(req, username, error=error.message, status=400)
    return redirect(_page_url("hosted_ui.login", req, notice="password_changed"), 303)


# --- sign-up confirmation link ----------------------------------------------------------


@bp.get("/confirmUser")
def confirm_user() -> Response:
    """The link in a sign-up e-mail (``CONFIRM_WITH_LINK``): confirm the user, say so."""
    client_id = request.args.get("client_id", "")
    user_name = request.args.get("user_name", "")
    code = request.args.get("confirmation_code", "")
    if (
        not is_client_id(client_id)
        or not _clean(user_name, MAX_USERNAME)
        or _RESET_CODE.fullmatch(code) is None
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


# --- error page --------------------------------------------------------------------------


@bp.get("/error")
def error() -> Response:
    """Cognito's ``/error`` page (``?error=redirect_mismatch&client_id=...``)."""
    return error_page(request.args.get("error"), request.args.get("client_id"))
