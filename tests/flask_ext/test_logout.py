"""Sign-out: CSRF-safe POST, global sign-out, revocation, hosted-UI logout, single logout."""

from __future__ import annotations

import httpx
from flask import Flask

from bench.browser import forms_in
from cognito_sso.flask import CognitoSSO, signals
from tests.plugins.flask_apps import Browser, RunningApp, SSOEnv


def logout_form(browser: Browser, app: RunningApp) -> dict[str, str]:
    home = browser.get(app.url("/"))
    forms = [f for f in forms_in(home.text, str(home.url)) if f.action == app.url("/auth/logout")]
    assert forms, home.text
    return dict(forms[0].fields)


def post_logout(browser: Browser, app: RunningApp, fields: dict[str, str]) -> httpx.Response:
    return browser.http.post(app.url("/auth/logout"), data=fields, headers={"Origin": app.base_url})


def test_logout_sends_user_logged_out(sso_env: SSOEnv) -> None:
    """The sign-out itself, shared with the FastAPI adapter: tests/adapters/test_logout.py."""
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    ended: list[object] = []

    def on_logout(sender: object, user: object) -> None:
        ended.append(getattr(user, "email", None))

    signals.user_logged_out.connect(on_logout)
    try:
        assert post_logout(browser, app, logout_form(browser, app)).status_code == 302
    finally:
        signals.user_logged_out.disconnect(on_logout)
    assert ended == [email]


def test_without_admin_scope_logout_only_revokes(sso_env: SSOEnv) -> None:
    scopes = ("openid", "email", "profile")
    billing = sso_env.app(config={"COGNITO_SESSION_CHECK_INTERVAL": 0})
    reports = sso_env.app(scopes=scopes)
    email = sso_env.user()
    browser = sso_env.signed_in(billing.url("/me"), email)
    assert browser.follow(browser.get(reports.url("/me"))).status_code == 200
    state = reports.sso.state(reports.app)
    session = state.sessions.get(reports.session_id(browser))
    assert session is not None
    refresh_token = session.tokens.refresh_token
    sso_env.idp.reset_counts()
    final = browser.follow(post_logout(browser, reports, logout_form(browser, reports)))
    assert final.status_code == 200
    assert sso_env.idp.count("POST", "/") == 0  # no GlobalSignOut without the scope
    assert sso_env.idp.count("POST", "/oauth2/revoke") == 1
    refreshed = httpx.post(
        f"{sso_env.idp.base_url}/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(reports.client_id, reports.client_secret or ""),
        timeout=10,
    )
    assert refreshed.json()["error"] == "invalid_grant"
    # the documented limitation: the other service's session survives
    assert browser.get(billing.url("/me")).status_code == 200


def test_logout_clears_the_apps_flask_session(sso_env: SSOEnv) -> None:
    def setup(flask_app: Flask, sso: CognitoSSO) -> None:
        from flask import session

        @flask_app.get("/cart")
        def cart() -> str:
            session.setdefault("cart", "3 items")
            return str(session["cart"])

        @flask_app.get("/cart/peek")
        def peek() -> str:
            return str(session.get("cart", "empty"))

    app = sso_env.app(setup=setup)
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    assert browser.get(app.url("/cart")).text == "3 items"
    assert post_logout(browser, app, logout_form(browser, app)).status_code == 302
    assert browser.get(app.url("/cart/peek")).text == "empty"


def _cart_views(flask_app: Flask, sso: CognitoSSO) -> None:
    from flask import session

    @flask_app.get("/cart/put/<item>")
    def put(item: str) -> str:
        session["cart"] = item
        return item

    @flask_app.get("/cart/peek")
    def peek() -> str:
        return str(session.get("cart", "empty"))


def test_flask_session_ends_with_the_sign_in_session(sso_env: SSOEnv) -> None:
    """Per-user data in the app's Flask session must not pass to the next user, however the
    first one's session ended (peers' bug mblackgeo#80); every sign-in starts it empty."""
    app = sso_env.app(setup=_cart_views)
    alice, bob = sso_env.user(), sso_env.user()
    state = app.sso.state(app.app)

    # data from before the sign-in is gone after it
    browser = sso_env.browser()
    browser.get(app.url("/cart/put/anonymous-item"))
    assert browser.sign_in(app.url("/me"), alice).status_code == 200
    assert browser.get(app.url("/cart/peek")).text == "empty"

    # the session ends behind the browser's back (expiry, revocation): the data goes too
    browser.get(app.url("/cart/put/alices-item"))
    state.store.delete(app.session_id(browser))
    assert browser.get(app.url("/me")).status_code == 302
    assert browser.get(app.url("/cart/peek")).text == "empty"

    # ... also when the next page is an open one that never asks who is signed in
    assert browser.sign_in(app.url("/me"), alice).status_code == 200
    browser.get(app.url("/cart/put/alices-item"))
    state.store.delete(app.session_id(browser))
    assert browser.get(app.url("/cart/peek")).text == "empty"

    # a sign-in over a live session (silent SSO) starts the Flask session empty as well
    browser = sso_env.signed_in(app.url("/me"), alice)
    browser.get(app.url("/cart/put/alices-item"))
    again = browser.follow(browser.get(app.url("/auth/login?next=/me")))
    assert again.json()["email"] == alice
    assert browser.get(app.url("/cart/peek")).text == "empty"

    # another user signs in over Alice's live session (same app cookies, no IdP cookie)
    browser.get(app.url("/cart/put/alices-item"))
    shared = sso_env.browser()
    for name in (state.config.cookie_name, "session"):
        shared.http.cookies.set(name, browser.http.cookies.get(name), domain="127.0.0.1")
    assert shared.get(app.url("/cart/peek")).text == "alices-item"
    assert shared.sign_in(app.url("/auth/login?next=/me"), bob).json()["email"] == bob
    assert shared.get(app.url("/cart/peek")).text == "empty"


def test_a_flask_session_cookie_saved_from_another_sign_in_is_refused(sso_env: SSOEnv) -> None:
    """Issue 14 #5: A signs out, B signs in in the same browser and replays the Flask
    session cookie saved from A's time: B never sees A's data."""
    app = sso_env.app(setup=_cart_views)
    alice, bob = sso_env.user(), sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), alice)
    browser.get(app.url("/cart/put/alices-item"))
    saved = browser.http.cookies.get("session")
    assert saved
    browser.follow(app.log_out(browser))  # here and at the hosted UI
    assert browser.sign_in(app.url("/me"), bob).json()["email"] == bob

    browser.http.cookies.set("session", saved, domain="127.0.0.1")
    assert browser.get(app.url("/cart/peek")).text == "empty"
    assert browser.get(app.url("/me")).json()["email"] == bob
