"""The TOTP pages: set-up (secret and QR code) and the code at each sign-in."""

from __future__ import annotations

import re
from typing import Final

import pyotp
import segno
from flask import request, url_for
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.signin.authenticator import (
    MFA_SETUP,
    SOFTWARE_TOKEN_MFA,
)
from cognito_sso.local.web.authorize_request import AuthorizeRequest
from cognito_sso.local.web.context import local_state, web_state
from cognito_sso.local.web.hosted_ui.forms import (
    bp,
    csrf_ok,
    csrf_token,
    page_url,
    pool_of,
)
from cognito_sso.local.web.hosted_ui.sign_in import advance, current_transaction, session_expired
from cognito_sso.local.web.pages import error_page, render_page
from cognito_sso.local.web.stores import LoginTransaction

_TOTP_CODE: Final = re.compile(r"[0-9]{6}")


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
        "csrf_token": csrf_token("mfa"),
        "error": error,
        "username": txn.username,
    }
    if txn.challenge == SOFTWARE_TOKEN_MFA:
        return render_page(
            "mfa.html", status=status, restart_url=page_url("hosted_ui.login", req), **common
        )
    secret = txn.mfa_secret
    if secret is None:
        state = local_state()
        try:
            with state.lock:
                secret = state.auth.mfa_setup_secret(txn.session)
        except CognitoError:  # the challenge session expired or another request used it
            web.transactions.finish(txn)
            return error_page("session_expired")
        remembered = web.transactions.remember_secret(txn, secret)
        if remembered is None:  # finished by a concurrent request
            return error_page("session_expired")
        txn = remembered
    pool = pool_of(req)
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
    found = current_transaction(MFA_SETUP, SOFTWARE_TOKEN_MFA)
    if isinstance(found, Response):
        return found
    return _mfa_page(*found)


@bp.post("/mfa")
def mfa_submit() -> Response:
    """Check a TOTP code (set-up verification or sign-in challenge)."""
    if not csrf_ok("mfa"):
        return error_page("invalid_form")
    found = current_transaction(MFA_SETUP, SOFTWARE_TOKEN_MFA)
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
        if session_expired(error):
            web_state().transactions.finish(txn)
            return error_page("session_expired")
        return _mfa_page(txn, req, error=error.message, status=400)
    return advance(req, result, txn=txn)
