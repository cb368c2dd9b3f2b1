"""The Redis session store wired into the extension (COGNITO_SESSION_STORE=redis://...)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.plugins.flask_apps import SSOEnv, edit_json

pytestmark = pytest.mark.redis


def test_sign_in_refresh_and_logout_with_redis(sso_env: SSOEnv, redis_url: str) -> None:
    app = sso_env.app(config={"COGNITO_SESSION_STORE": redis_url})
    state = app.sso.state(app.app)
    assert type(state.store).__name__ == "RedisSessionStore"
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.browser()
    page = browser.sign_in(app.url("/me"), email)
    assert page.status_code == 200
    assert page.json()["permissions"] == ["invoices:create", "invoices:read"]

    # concurrent requests on an expired session: one refresh, through the Redis lock
    session_id = app.session_id(browser)

    expire = edit_json(access_exp=time.time() - 1)
    assert state.store.update(session_id, expire) is not None
    sso_env.idp.reset_counts()
    assert app.burst(session_id, "/me", 10) == [200] * 10
    assert sso_env.idp.count("POST", "/oauth2/token") == 1

    out = app.log_out(browser)
    assert out.status_code == 302
    assert state.store.get(session_id) is None


def test_redis_unreachable_is_503(
    sso_env: SSOEnv, redis_server_factory: Callable[..., Any]
) -> None:
    server = redis_server_factory()
    app = sso_env.app(config={"COGNITO_SESSION_STORE": server.url})
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    server.stop()
    response = browser.get(app.url("/me"))
    assert response.status_code == 503
    assert "session store" in response.text
    assert "Traceback" not in response.text
    login = browser.get(app.url("/auth/login"))
    assert login.status_code == 503
