"""The Redis session store under the FastAPI adapter (the asyncio client), and shared with a
Flask deployment of the same app client (the sync client): one refresh for all, through the
store's lock."""

import time
from collections.abc import Callable
from typing import Any

import pytest

from cognito_sso.aio.stores import LoopBridgedStore
from tests.bursts import burst
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import edit_json

pytestmark = pytest.mark.redis


def test_flask_and_fastapi_share_a_redis_store_and_refresh_once(
    fastapi_env: FastAPIEnv, redis_url: str
) -> None:
    env = fastapi_env.sso
    flask_app = env.app(config={"COGNITO_SESSION_STORE": redis_url})
    client = {"ClientId": flask_app.client_id, "ClientSecret": flask_app.client_secret}
    audit = fastapi_env.app(client=client, config={"COGNITO_SESSION_STORE": redis_url})
    assert isinstance(audit.sso.state.store, LoopBridgedStore)  # redis.asyncio on the loop
    flask_store = flask_app.sso.state(flask_app.app).store
    browser = env.browser()
    # signed in on the Flask deployment (the client's registered callback); same cookie name
    assert browser.sign_in(flask_app.url("/me"), env.user()).status_code == 200
    session_id = flask_app.session_id(browser)
    assert flask_store.update(session_id, edit_json(access_exp=time.time() - 1))
    env.idp.reset_counts()
    urls = [app.url("/me") for app in (flask_app, audit) for _ in range(4)]
    assert burst(urls, cookies={audit.cookie_name: session_id}) == [200] * 8
    assert env.idp.count("POST", "/oauth2/token") == 1
    assert flask_app.log_out(browser).status_code == 302
    assert flask_store.get(session_id) is None


def test_redis_unreachable_is_503(
    fastapi_env: FastAPIEnv, redis_server_factory: Callable[..., Any]
) -> None:
    server = redis_server_factory()
    app = fastapi_env.app(config={"COGNITO_SESSION_STORE": server.url})
    browser = fastapi_env.sso.signed_in(app.url("/me"), fastapi_env.sso.user())
    server.stop()
    response = browser.get(app.url("/me"))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "session store" in response.text and "Traceback" not in response.text
    login = browser.get(app.url("/auth/login"))
    assert login.status_code == 503 and "session store" in login.text
