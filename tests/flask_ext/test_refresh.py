"""Transparent refresh under a lock, invalid_grant, group changes, transient failures.

Access tokens live at least 5 minutes at Cognito, so the tests make a session's token look
expired by editing its stored expiry (the tokens themselves are real).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from tests.plugins.flask_apps import Browser, RunningApp, SSOEnv, edit_json


def session_of(app: RunningApp, browser: Browser) -> tuple[Any, str]:
    state = app.sso.state(app.app)
    session_id = app.session_id(browser)
    return state, session_id


def expire(app: RunningApp, browser: Browser, *, seconds_left: float = -1) -> dict[str, Any]:
    """Pretend the session's access token expires in ``seconds_left`` seconds."""
    state, session_id = session_of(app, browser)

    updated = state.store.update(session_id, edit_json(access_exp=time.time() + seconds_left))
    assert updated is not None
    return dict(json.loads(updated.payload))


def stored(app: RunningApp, browser: Browser) -> dict[str, Any] | None:
    """The stored session as JSON."""
    state, session_id = session_of(app, browser)
    session = state.store.get(session_id)
    return None if session is None else dict(json.loads(session.payload))


def test_transparent_refresh(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    before = expire(app, browser)
    refreshes = sso_env.idp.count("POST", "/oauth2/token")
    response = browser.get(app.url("/me"))
    assert response.status_code == 200
    assert response.json()["email"] == email
    assert sso_env.idp.count("POST", "/oauth2/token") == refreshes + 1
    after = stored(app, browser)
    assert after is not None
    assert after["tokens"]["access_token"] != before["tokens"]["access_token"]
    assert after["access_exp"] > time.time() + 60
    assert after["tokens"]["refresh_token"] == before["tokens"]["refresh_token"]
    assert after["csrf"] == before["csrf"]


def test_twenty_concurrent_requests_refresh_once(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    expire(app, browser)
    sso_env.idp.reset_counts()
    assert app.burst(app.session_id(browser), "/me", 20) == [200] * 20
    assert sso_env.idp.count("POST", "/oauth2/token") == 1


def test_invalid_grant_ends_the_session(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    data = expire(app, browser)
    state, session_id = session_of(app, browser)
    # revoke the refresh token behind the app's back (as another device or an admin would)
    revoked = httpx.post(
        f"{sso_env.idp.base_url}/oauth2/revoke",
        data={"token": data["tokens"]["refresh_token"]},
        auth=(app.client_id, app.client_secret or ""),
        timeout=10,
    )
    assert revoked.status_code == 200
    response = browser.get(app.url("/me"))
    assert response.status_code == 302
    assert response.headers["location"].startswith("/auth/login")
    assert state.store.get(session_id) is None
    assert browser.http.cookies.get(state.config.cookie_name) is None


def test_group_removal_takes_effect_at_refresh(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.signed_in(app.url("/me"), email)
    assert browser.get(app.url("/invoices/new")).status_code == 200
    sso_env.cognito.admin_remove_user_from_group(
        UserPoolId=sso_env.pool_id, Username=email, GroupName="billing-admins"
    )
    assert browser.get(app.url("/invoices/new")).status_code == 200  # until the next refresh
    expire(app, browser)
    denied = browser.get(app.url("/invoices/new"))
    assert denied.status_code == 403
    assert browser.get(app.url("/me")).json()["groups"] == []


def test_transient_refresh_failure_keeps_valid_session_then_503(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_HTTP_TIMEOUT": 1})
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    # about to expire but still valid: a failing refresh keeps the session
    expire(app, browser, seconds_left=30)
    sso_env.idp.fault("token", "error", count=1)
    assert browser.get(app.url("/me")).status_code == 200
    # expired: a failing refresh gives a friendly 503, and the session survives it
    expire(app, browser)
    sso_env.idp.fault("token", "hang", seconds=3, count=1)
    unavailable = browser.get(app.url("/me"))
    assert unavailable.status_code == 503
    assert "Traceback" not in unavailable.text
    assert stored(app, browser) is not None
    sso_env.idp.clear_faults()
    assert browser.get(app.url("/me")).status_code == 200


def test_rotated_refresh_token_replaces_the_old_one(sso_env: SSOEnv) -> None:
    app = sso_env.app(
        client_extra={"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}}
    )
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    before = expire(app, browser)
    assert browser.get(app.url("/me")).status_code == 200
    after = stored(app, browser)
    assert after is not None
    assert after["tokens"]["refresh_token"] != before["tokens"]["refresh_token"]
    # the new refresh token works for the next refresh too
    expire(app, browser)
    assert browser.get(app.url("/me")).status_code == 200


def test_revoked_session_ends_with_signal(sso_env: SSOEnv) -> None:
    from cognito_sso.flask import signals

    app = sso_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 0})
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    sso_env.cognito.admin_user_global_sign_out(UserPoolId=sso_env.pool_id, Username=email)
    reasons: list[str] = []

    def on_end(sender: object, reason: str, sub: str | None) -> None:
        reasons.append(reason)

    signals.session_ended.connect(on_end)
    try:
        assert browser.get(app.url("/me")).status_code == 302
    finally:
        signals.session_ended.disconnect(on_end)
    assert reasons == ["revoked"]


def test_concurrent_requests_share_one_session_check(sso_env: SSOEnv) -> None:
    app = sso_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 30})
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    state, session_id = session_of(app, browser)

    assert state.store.update(session_id, edit_json(checked_at=time.time() - 31)) is not None
    sso_env.idp.reset_counts()
    assert app.burst(session_id, "/me", 10) == [200] * 10
    assert sso_env.idp.count("GET", "/oauth2/userInfo") == 1
    # within the interval: no further check
    assert browser.get(app.url("/me")).status_code == 200
    assert sso_env.idp.count("GET", "/oauth2/userInfo") == 1


def test_public_client_signs_in_refreshes_and_logs_out(sso_env: SSOEnv) -> None:
    """A client without a secret sends client_id in the form and no Authorization header
    (peers' bug: flask-cognito-lib PR #17)."""
    app = sso_env.app(secret=False)
    assert app.client_secret is None
    browser = sso_env.signed_in(app.url("/me"), sso_env.user())
    before = expire(app, browser)
    assert browser.get(app.url("/me")).status_code == 200
    after = stored(app, browser)
    assert after is not None
    assert after["tokens"]["access_token"] != before["tokens"]["access_token"]
    assert app.log_out(browser).status_code == 302
    assert browser.get(app.url("/me")).status_code == 302
