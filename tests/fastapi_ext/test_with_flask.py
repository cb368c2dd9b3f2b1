"""One sign-in and one sign-out across a Flask service (werkzeug's threaded WSGI server) and a
FastAPI service (uvicorn) of the same pool, and one refresh lock in a store both use."""

import threading
import time
from urllib.parse import urlsplit

import httpx

from tests.flask_ext.test_logout import logout_form, post_logout
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import edit_json

CHECK_NOW = {"COGNITO_SESSION_CHECK_INTERVAL": 0}


def asks_for_sign_in(response: httpx.Response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["location"]).path == (
        "/auth/login"
    )


def test_sign_in_on_flask_then_fastapi_without_a_password(fastapi_env: FastAPIEnv) -> None:
    env = fastapi_env.sso
    billing = env.app(config=CHECK_NOW)
    audit = fastapi_env.app()
    email = env.user(groups=["billing-admins"])
    browser = env.browser()
    assert browser.sign_in(billing.url("/me"), email).status_code == 200
    silent = browser.follow(browser.get(audit.url("/me")))
    assert silent.status_code == 200, silent.text  # no password page on the way
    assert silent.json()["email"] == email
    assert silent.json()["permissions"] == ["invoices:create", "invoices:read"]

    # sign out on audit: billing sends the user to sign in at its next check
    final = browser.follow(post_logout(browser, audit, logout_form(browser, audit)))
    assert str(final.url) == audit.url("/auth/logged-out")
    assert asks_for_sign_in(browser.get(billing.url("/me")))


def test_sign_in_on_fastapi_then_flask_and_sign_out_on_flask(fastapi_env: FastAPIEnv) -> None:
    env = fastapi_env.sso
    audit = fastapi_env.app(config=CHECK_NOW)
    billing = env.app()
    email = env.user(groups=["reports"])
    browser = env.browser()
    assert browser.sign_in(audit.url("/me"), email).status_code == 200
    silent = browser.follow(browser.get(billing.url("/me")))
    assert silent.status_code == 200 and silent.json()["email"] == email

    final = browser.follow(post_logout(browser, billing, logout_form(browser, billing)))
    assert str(final.url) == billing.url("/auth/logged-out")
    after = browser.get(audit.url("/me"))
    assert asks_for_sign_in(after)
    assert any(
        h.startswith(audit.cookie_name + "=") and "Max-Age=0" in h
        for h in after.headers.get_list("set-cookie")
    )
    page = browser.follow(after)
    assert 'name="password"' in page.text


def test_the_check_interval_is_honoured(fastapi_env: FastAPIEnv) -> None:
    """With a long interval the FastAPI app does not ask the IdP on every request."""
    env = fastapi_env.sso
    audit = fastapi_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 3600})
    browser = env.browser()
    assert browser.sign_in(audit.url("/me"), env.user()).status_code == 200
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
    browser = env.browser()
    assert browser.sign_in(flask_app.url("/me"), env.user()).status_code == 200
    session_id = flask_app.session_id(browser)
    cookie = flask_app.sso.state(flask_app.app).config.cookie_name
    assert cookie == fastapi_app.cookie_name  # one client, one cookie name

    expire = edit_json(access_exp=time.time() - 1)
    assert fastapi_app.sso.state.store.update(session_id, expire) is not None
    env.idp.reset_counts()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def call(base_url: str) -> None:
        with httpx.Client(cookies={cookie: session_id}, timeout=30) as http:
            barrier.wait()
            statuses.append(http.get(base_url + "/me").status_code)

    threads = [
        threading.Thread(target=call, args=(app.base_url,))
        for app in (flask_app, fastapi_app)
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert env.idp.count("POST", "/oauth2/token") == 1
