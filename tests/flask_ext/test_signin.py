"""Sign-in through the local IdP's hosted UI over real HTTP, hop by hop."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from cognito_sso.flask import signals
from tests.plugins.flask_apps import SSOEnv

NEW_PASSWORD = "N3w-Passw0rd!x"


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    """name -> raw Set-Cookie header."""
    result = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        result[name] = header
    return result


def test_full_sign_in_returns_to_next_and_sets_user(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user(groups=["billing-admins"])
    browser = sso_env.browser()

    first = browser.get(app.url("/me?x=1"))
    assert first.status_code == 302
    assert urlsplit(first.headers["location"]).path == "/auth/login"
    assert parse_qs(urlsplit(first.headers["location"]).query)["next"] == ["/me?x=1"]

    page = browser.sign_in(app.url("/me?x=1"), email)
    assert page.status_code == 200, page.text
    assert str(page.url) == app.url("/me?x=1")
    me = page.json()
    assert me["email"] == email
    assert me["groups"] == ["billing-admins"]
    assert me["permissions"] == ["invoices:create", "invoices:read"]
    assert me["name"] == "Test User"
    assert me["sub"]


def test_authorize_request_has_pkce_state_nonce(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    browser = sso_env.browser()
    first = browser.get(app.url("/auth/login?next=/me"))
    assert first.status_code == 302
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["referrer-policy"] == "no-referrer"
    query = parse_qs(urlsplit(first.headers["location"]).query)
    assert first.headers["location"].startswith(sso_env.idp.base_url + "/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["client_id"] == [app.client_id]
    assert query["redirect_uri"] == [app.url("/auth/callback")]
    assert query["response_type"] == ["code"]
    second = browser.get(app.url("/auth/login?next=/me"))
    query2 = parse_qs(urlsplit(second.headers["location"]).query)
    for name in ("state", "nonce", "code_challenge"):
        assert query[name] != query2[name]


def test_temporary_password_user_signs_in(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user(permanent=False)
    page = sso_env.browser().sign_in(app.url("/me"), email, new_password=NEW_PASSWORD)
    assert page.status_code == 200, page.text
    assert page.json()["email"] == email


def test_cookie_attributes_and_session_rotation(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    other = sso_env.app()
    email = sso_env.user()
    browser = sso_env.browser()
    cookie_name = app.sso.state(app.app).config.cookie_name
    assert cookie_name != other.sso.state(other.app).config.cookie_name

    # a pre-existing (planted) session id must not survive sign-in
    browser.http.cookies.set(cookie_name, "A" * 43, domain="127.0.0.1")
    start = browser.follow(browser.get(app.url("/me")), stop_at=app.url("/auth/callback"))
    login_page = browser.follow(start)
    callback_hop = browser.submit(login_page, {"username": email, "password": "Passw0rd!Local"})
    callback_hop = browser.follow(callback_hop, stop_at=app.url("/auth/callback"))
    callback_url = callback_hop.headers["location"]
    done = browser.get(callback_url)
    assert done.status_code == 302
    cookies = set_cookie_headers(done)
    raw = cookies[cookie_name]
    assert "HttpOnly" in raw
    assert "SameSite=Lax" in raw
    assert "Secure" not in raw  # loopback http
    assert "Path=/" in raw
    parsed = SimpleCookie()
    parsed.load(raw)
    session_id = parsed[cookie_name].value
    assert session_id != "A" * 43
    assert len(session_id) >= 32
    assert email not in raw
    assert done.headers["cache-control"] == "no-store"


def test_secure_cookie_for_https_apps(sso_env: SSOEnv) -> None:
    """The Secure flag follows the configured redirect URI, not the request."""
    from cognito_sso.config import load_config

    cfg = load_config(
        {
            "COGNITO_ISSUER": sso_env.issuer,
            "COGNITO_CLIENT_ID": "abc",
            "COGNITO_REDIRECT_URI": "https://billing.example.com/auth/callback",
        }
    )
    assert cfg.cookie_secure


def test_two_tabs_sign_in_at_once(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.browser()
    tab_a = browser.get(app.url("/auth/login?next=/me?tab=a")).headers["location"]
    tab_b = browser.get(app.url("/auth/login?next=/me?tab=b")).headers["location"]
    page_b = browser.follow(browser.get(tab_b))
    page_b = browser.follow(
        browser.submit(page_b, {"username": email, "password": "Passw0rd!Local"})
    )
    assert str(page_b.url) == app.url("/me?tab=b")
    # tab A finishes later; the IdP session makes it silent, and its own state still works
    page_a = browser.follow(browser.get(tab_a))
    if "password" in page_a.text:
        page_a = browser.follow(
            browser.submit(page_a, {"username": email, "password": "Passw0rd!Local"})
        )
    assert str(page_a.url) == app.url("/me?tab=a")
    assert page_a.json()["email"] == email


def _callback_url(sso_env: SSOEnv, app_url: str, email: str, browser=None):  # type: ignore[no-untyped-def]
    browser = browser or sso_env.browser()
    page = browser.follow(browser.get(app_url + "/auth/login?next=/me"))
    hop = browser.submit(page, {"username": email, "password": "Passw0rd!Local"})
    hop = browser.follow(hop, stop_at=app_url + "/auth/callback")
    return browser, hop.headers["location"]


def test_replayed_callback_is_refused(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser, callback = _callback_url(sso_env, app.base_url, email)
    assert browser.get(callback).status_code == 302
    again = browser.get(callback)
    assert again.status_code == 400
    assert "already used" in again.text
    assert again.headers["cache-control"] == "no-store"


def test_callback_from_another_browser_is_refused(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    _, callback = _callback_url(sso_env, app.base_url, email)
    stranger = sso_env.browser()
    response = stranger.get(callback)
    assert response.status_code == 400
    assert "another browser" in response.text
    assert stranger.get(app.url("/me")).status_code == 302  # not signed in


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "no state"),
        ("?code=abc", "no state"),
        ("?state=short&code=abc", "unknown"),
        ("?state=" + "x" * 43 + "&code=abc", "unknown"),
        ("?error=access_denied&state=" + "x" * 43, "access_denied"),
        ("?error=%3Cscript%3Ealert(1)%3C/script%3E", "unknown_error"),
    ],
)
def test_bad_callbacks_give_clear_4xx(sso_env: SSOEnv, query: str, expected: str) -> None:
    app = sso_env.app()
    response = sso_env.browser().get(app.url("/auth/callback" + query))
    assert response.status_code == 400
    assert expected in response.text
    assert "<script>" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_idp_error_consumes_the_state(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    browser = sso_env.browser()
    location = browser.get(app.url("/auth/login")).headers["location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    denied = browser.get(app.url(f"/auth/callback?error=access_denied&state={state}"))
    assert denied.status_code == 400
    replay = browser.get(app.url(f"/auth/callback?code=abc&state={state}"))
    assert replay.status_code == 400
    assert "already used" in replay.text


def test_failed_code_exchange_is_a_4xx(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    browser = sso_env.browser()
    location = browser.get(app.url("/auth/login")).headers["location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = browser.get(app.url(f"/auth/callback?code=not-a-real-code&state={state}"))
    assert response.status_code == 400
    assert "could not be completed" in response.text
    assert "not-a-real-code" not in response.text


def test_json_error_for_api_clients(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    response = sso_env.browser().get(
        app.url("/auth/callback?code=x"), headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "missing_state"


OPEN_REDIRECTS = [
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/\r\nLocation: https://evil.example",
    "/%0d%0aSet-Cookie:x=1",
    "///evil.example",
    "/\t/evil.example",
    "//evil.example@good",
]


def test_open_redirect_payloads_land_on_root(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.browser()
    assert browser.sign_in(app.url("/me"), email).status_code == 200
    for payload in OPEN_REDIRECTS:
        start = browser.get(app.url("/auth/login"), params={"next": payload})
        hop = browser.follow(start, stop_at=app.url("/auth/callback"))  # silent SSO at the IdP
        assert hop.headers["location"].startswith(app.url("/auth/callback")), payload
        final = browser.get(hop.headers["location"])
        assert final.status_code == 302, payload
        target = final.headers["location"]
        assert target.startswith("/") and not target.startswith("//"), (payload, target)
        assert urlsplit(urljoin(app.base_url, target)).netloc == urlsplit(app.base_url).netloc
        assert "\\" not in target and "\r" not in target and "\n" not in target


def test_signals_and_template_helpers(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    seen: list[str | None] = []

    def on_login(sender: object, user: object) -> None:
        seen.append(getattr(user, "email", None))

    signals.user_logged_in.connect(on_login)
    try:
        browser = sso_env.browser()
        assert browser.sign_in(app.url("/me"), email).status_code == 200
    finally:
        signals.user_logged_in.disconnect(on_login)
    assert seen == [email]
    home = browser.get(app.url("/"))
    assert f"hello {email}" in home.text
    assert 'name="csrf_token"' in home.text
    assert 'action="/auth/logout"' in home.text
    assert 'method="post"' in home.text


def test_answers_that_depend_on_the_user_vary_by_cookie(sso_env: SSOEnv) -> None:
    """A shared cache must not hand one user's page to another."""
    app = sso_env.app()
    browser = sso_env.browser()
    assert browser.sign_in(app.url("/me"), sso_env.user()).status_code == 200
    for path in ("/me", "/"):
        vary = {v.strip().lower() for v in browser.get(app.url(path)).headers["vary"].split(",")}
        assert {"cookie", "authorization"} <= vary, path


def test_signed_in_pages_are_not_kept_by_the_browser(sso_env: SSOEnv) -> None:
    """After sign-out, Back must not show a signed-in page from the browser's cache."""
    app = sso_env.app()
    browser = sso_env.browser()
    assert "no-store" not in browser.get(app.url("/")).headers.get("cache-control", "")
    assert browser.sign_in(app.url("/me"), sso_env.user()).status_code == 200
    assert browser.get(app.url("/me")).headers["cache-control"] == "private, no-store"


def test_https_apps_get_secure_cookies(sso_env: SSOEnv) -> None:
    """Outside loopback every cookie of the extension is Secure, HttpOnly and SameSite=Lax."""
    app = sso_env.app(config={"COGNITO_REDIRECT_URI": "https://billing.example.com/auth/callback"})
    config = app.sso.state(app.app).config
    client = app.app.test_client()
    login = client.get("/auth/login", base_url="https://billing.example.com")
    client.set_cookie(config.cookie_name, "B" * 43, domain="billing.example.com")
    stale = client.get("/me", base_url="https://billing.example.com")  # cookie gets cleared
    headers = login.headers.getlist("Set-Cookie") + stale.headers.getlist("Set-Cookie")
    names = {h.split("=", 1)[0] for h in headers}
    assert names == {config.cookie_name, config.cookie_name + "_login"}
    for header in headers:
        assert "; Secure" in header and "; HttpOnly" in header and "SameSite=Lax" in header
