"""Sign-out with each framework adapter: CSRF-safe POST, global sign-out, revocation,
hosted-UI logout; a local sign-out even when the IdP fails; single sign-out across two
services of any two adapters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.flask_ext.test_logout import logout_form, post_logout
from tests.plugins.adapters import AdapterEnv, app_state
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import SSOEnv


def test_logout_ends_everything_and_asks_password_again(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    idp = adapter_env.sso.idp
    browser = adapter_env.sso.signed_in(app.url("/me"), adapter_env.sso.user())
    session_id = app.session_id(browser)
    session = app_state(app).sessions.get(session_id)
    assert session is not None
    refresh_token = session.tokens.refresh_token

    response = post_logout(browser, app, logout_form(browser, app))
    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == idp.base_url
    assert target.path == "/logout"
    assert parse_qs(target.query) == {
        "client_id": [app.client_id],
        "logout_uri": [app.url("/auth/logged-out")],
    }
    cleared = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(app.cookie_name + "=")
    ]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=Thu, 01 Jan 1970" in cleared[0])
    final = browser.follow(response)
    assert final.status_code == 200
    assert str(final.url) == app.url("/auth/logged-out") and "signed out" in final.text

    # the server-side session is gone, even for someone replaying the old cookie
    replay = httpx.get(app.url("/me"), cookies={app.cookie_name: session_id}, timeout=10)
    assert replay.status_code == 302
    # the refresh token is revoked (GlobalSignOut and /oauth2/revoke)
    token = httpx.post(
        idp.base_url + "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(app.client_id, app.client_secret or ""),
    )
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"
    # and the IdP session cookie is gone: signing in needs the password again
    page = browser.follow(browser.get(app.url("/me")))
    assert page.status_code == 200
    assert 'name="password"' in page.text


def test_logout_needs_the_csrf_token_and_our_origin(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    browser = adapter_env.sso.signed_in(app.url("/me"), adapter_env.sso.user())
    assert browser.get(app.url("/auth/logout")).status_code == 405
    assert post_logout(browser, app, {}).status_code == 403
    assert post_logout(browser, app, {"csrf_token": "wrong"}).status_code == 403
    fields = logout_form(browser, app)
    cross_site = browser.http.post(
        app.url("/auth/logout"), data=fields, headers={"Origin": "http://evil.example"}
    )
    assert cross_site.status_code == 403
    as_json = browser.http.post(app.url("/auth/logout"), json=fields)  # not a form post
    assert as_json.status_code == 403
    assert browser.get(app.url("/me")).status_code == 200  # still signed in
    assert post_logout(browser, app, fields).status_code == 302
    assert browser.get(app.url("/me")).status_code == 302


def test_remote_failures_still_log_out_locally(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    idp = adapter_env.sso.idp
    browser = adapter_env.sso.signed_in(app.url("/me"), adapter_env.sso.user())
    fields = logout_form(browser, app)
    idp.fault("api", "error", count=5)
    idp.fault("revoke", "drop", count=5)
    assert post_logout(browser, app, fields).status_code == 302
    idp.clear_faults()
    assert browser.get(app.url("/me")).status_code == 302


@pytest.mark.parametrize(
    ("first", "second"),
    [("flask", "flask"), ("flask", "fastapi"), ("fastapi", "flask"), ("fastapi", "fastapi")],
)
def test_single_sign_in_and_sign_out_across_two_services(
    sso_env: SSOEnv, fastapi_env: FastAPIEnv, first: str, second: str
) -> None:
    """Signed in on ``first``, the user gets into ``second`` without a password; signed out
    on ``second``, ``first`` clears its cookie at its next check and asks for the password."""
    serve = {"flask": sso_env.app, "fastapi": fastapi_env.app}
    one = serve[first](config={"COGNITO_SESSION_CHECK_INTERVAL": 0})
    two = serve[second]()
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.signed_in(one.url("/me"), email)
    silent = browser.follow(browser.get(two.url("/me")))
    assert silent.status_code == 200, silent.text  # no password page on the way
    assert silent.json()["email"] == email
    assert silent.json()["permissions"] == ["invoices:create", "invoices:read"]
    assert browser.get(one.url("/me")).status_code == 200

    final = browser.follow(post_logout(browser, two, logout_form(browser, two)))
    assert str(final.url) == two.url("/auth/logged-out")
    after = browser.get(one.url("/me"))
    assert after.status_code == 302
    assert urlsplit(after.headers["location"]).path == "/auth/login"
    assert any(
        h.startswith(one.cookie_name + "=")
        and ("Max-Age=0" in h or "expires=Thu, 01 Jan 1970" in h)
        for h in after.headers.get_list("set-cookie")
    )
    assert 'name="password"' in browser.follow(after).text
