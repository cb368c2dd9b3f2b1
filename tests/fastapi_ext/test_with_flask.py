"""A Flask service (werkzeug's threaded WSGI server) and a FastAPI service (uvicorn) of the
same pool: one refresh lock in a store both use, the check interval (single sign-in and
sign-out across any two services: tests/adapters/test_logout.py)."""

import time

from tests.bursts import burst
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import edit_json


def test_the_check_interval_is_honoured(fastapi_env: FastAPIEnv) -> None:
    """With a long interval the FastAPI app does not ask the IdP on every request."""
    env = fastapi_env.sso
    audit = fastapi_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 3600})
    browser = env.signed_in(audit.url("/me"), env.user())
    env.idp.reset_counts()
    for _ in range(3):
        assert browser.get(audit.url("/me")).status_code == 200
    assert env.idp.count("GET", "/oauth2/userInfo") == 0


def test_one_refresh_for_flask_and_fastapi_workers_sharing_a_store(
    fastapi_env: FastAPIEnv,
) -> None:
    """The same app client served by Flask and by FastAPI over one SQLite store: a burst of
    requests on both with an expired access token refreshes exactly once."""
    env = fastapi_env.sso
    store = str(env.tmp_path / "shared.db")
    flask_app = env.app(config={"COGNITO_SESSION_STORE": store})
    client = {"ClientId": flask_app.client_id, "ClientSecret": flask_app.client_secret}
    fastapi_app = fastapi_env.app(client=client, config={"COGNITO_SESSION_STORE": store})
    browser = env.signed_in(flask_app.url("/me"), env.user())
    session_id = flask_app.session_id(browser)
    cookie = flask_app.sso.state(flask_app.app).config.cookie_name
    assert cookie == fastapi_app.cookie_name  # one client, one cookie name

    expire = edit_json(access_exp=time.time() - 1)
    assert fastapi_app.sso.state.store.update(session_id, expire) is not None
    env.idp.reset_counts()
    urls = [app.url("/me") for app in (flask_app, fastapi_app) for _ in range(4)]
    assert burst(urls, cookies={cookie: session_id}) == [200] * 8
    assert env.idp.count("POST", "/oauth2/token") == 1
