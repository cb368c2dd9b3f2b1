"""Sign-out while the IdP is down (issue 15): the app's own signed-out page says what
happened, and the IdP's sign-out steps are retried so the other services notice later."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from tests.plugins.flask_apps import Browser, SSOEnv

IDP_DOWN = ("api", "revoke", "authorize", "logout", "userInfo", "token")


def sign_out_with_the_idp_down(
    sso_env: SSOEnv, app: Any, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    """Sign out on ``app`` (Flask or FastAPI) with the IdP down: the app's own page says so."""
    caplog.set_level(logging.WARNING, logger="cognito_sso")
    for endpoint in IDP_DOWN:
        sso_env.idp.fault(endpoint, "drop", count=1000)
    signed_out = app.log_out(browser)
    assert signed_out.headers["location"] == "/auth/logged-out?idp=unreachable"
    page = browser.follow(signed_out)
    assert page.status_code == 200
    assert "signed out of this service" in page.text
    assert "other services" in page.text
    assert browser.get(app.url("/me")).status_code == 302
    assert "the IdP is unreachable" in caplog.text


def test_sign_out_with_the_idp_down_ends_on_the_apps_own_page(
    sso_env: SSOEnv, caplog: pytest.LogCaptureFixture
) -> None:
    billing = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 10})
    reports = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 10, "COGNITO_SESSION_CHECK_INTERVAL": 0})
    email = sso_env.user()
    browser = sso_env.signed_in(billing.url("/me"), email)
    assert browser.follow(browser.get(reports.url("/me"))).json()["email"] == email

    sign_out_with_the_idp_down(sso_env, billing, browser, caplog)
    assert len(billing.sso.state(billing.app).signout_retries) == 1

    sso_env.idp.clear_faults()  # the IdP is back: the retried GlobalSignOut reaches it
    deadline = time.monotonic() + 30
    while browser.get(reports.url("/me")).status_code == 200:
        assert time.monotonic() < deadline, "reports never noticed the sign-out"
        time.sleep(0.5)
    assert len(billing.sso.state(billing.app).signout_retries) == 0
