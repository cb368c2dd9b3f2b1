"""Refresh-token rotation (issue 14), library side, against the local IdP's rotation: many
workers refreshing one session, lost races inside and past the grace period."""

from __future__ import annotations

import json
import time
from typing import Any

from cognito_sso.sessions import Session
from tests.flask_ext.test_refresh import expire, stored
from tests.plugins.flask_apps import RunningApp, SSOEnv


def rotating_app(sso_env: SSOEnv, grace: int) -> RunningApp:
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}
    return sso_env.app(client_extra={"RefreshTokenRotation": rotation})


def signed_in(sso_env: SSOEnv, app: RunningApp) -> Any:
    browser = sso_env.signed_in(app.url("/me"), sso_env.user())
    return browser


def test_twenty_concurrent_requests_refresh_once_and_store_the_newest_token(
    sso_env: SSOEnv,
) -> None:
    app = rotating_app(sso_env, grace=10)
    browser = signed_in(sso_env, app)
    before = expire(app, browser)
    sso_env.idp.reset_counts()
    assert app.burst(app.session_id(browser), "/me", 20) == [200] * 20
    assert sso_env.idp.count("POST", "/oauth2/token") == 1
    after = stored(app, browser)
    assert after is not None
    newest = after["tokens"]["refresh_token"]
    assert newest != before["tokens"]["refresh_token"]
    # the stored token is the one the IdP issued last: it refreshes (and rotates) again
    expire(app, browser)
    assert browser.get(app.url("/me")).status_code == 200
    again = stored(app, browser)
    assert again is not None and again["tokens"]["refresh_token"] != newest


def _stale_copy(app: RunningApp, browser: Any, refresh_token: str) -> Session:
    """The session as a worker that read it before the other one's refresh sees it."""
    state = app.sso.state(app.app)
    raw = state.store.get(app.session_id(browser))
    assert raw is not None
    data = json.loads(raw.payload)
    data["tokens"]["refresh_token"] = refresh_token
    data["access_exp"] = time.time() - 1
    return Session.from_json(json.dumps(data))


def test_a_lost_race_never_signs_the_user_out(sso_env: SSOEnv) -> None:
    """Inside the grace period the IdP still takes the old token; past it, it answers
    invalid_grant: either way the worker that lost keeps the newer stored session."""
    for grace in (10, 0):
        app = rotating_app(sso_env, grace=grace)
        browser = signed_in(sso_env, app)
        old = expire(app, browser)["tokens"]["refresh_token"]
        assert browser.get(app.url("/me")).status_code == 200  # the winner rotates
        winner = stored(app, browser)
        assert winner is not None and winner["tokens"]["refresh_token"] != old

        state = app.sso.state(app.app)
        session_id = app.session_id(browser)
        # the loser's refresh with the old token, then its write (as in SessionService._refresh)
        stale = _stale_copy(app, browser, old)
        loser = state.sessions._refreshed(session_id, stale, time.time())
        assert loser is not None, f"signed out by a lost race (grace {grace} s)"
        assert state.sessions._save(session_id, old, loser) is not None
        assert browser.get(app.url("/me")).status_code == 200
        kept = stored(app, browser)
        assert kept is not None
        assert kept["tokens"]["refresh_token"] == winner["tokens"]["refresh_token"]


def test_a_rotated_out_token_past_the_grace_period_ends_the_session_cleanly(
    sso_env: SSOEnv,
) -> None:
    app = rotating_app(sso_env, grace=0)
    browser = signed_in(sso_env, app)
    state = app.sso.state(app.app)
    session_id = app.session_id(browser)
    old = expire(app, browser)["tokens"]["refresh_token"]
    assert browser.get(app.url("/me")).status_code == 200  # rotated: `old` is now retired
    # the store still holds the retired token (e.g. restored from a backup)
    state.store.update(session_id, lambda raw: _with_refresh_token(raw, old))
    expire(app, browser)
    response = browser.get(app.url("/me"))
    assert response.status_code == 302
    assert response.headers["location"].startswith("/auth/login")
    assert state.store.get(session_id) is None
    assert browser.http.cookies.get(state.config.cookie_name) is None


def _with_refresh_token(raw: bytes, token: str) -> bytes:
    data = json.loads(raw)
    data["tokens"]["refresh_token"] = token
    return json.dumps(data).encode()
