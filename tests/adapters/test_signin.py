"""Sign-in through the local IdP's hosted UI over real HTTP, hop by hop, with each framework
adapter (Flask under werkzeug, FastAPI under uvicorn): the same behaviour, cookies and
bad-input answers."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from cognito_sso.local.testing import DEFAULT_PASSWORD
from tests.plugins.adapters import AdapterEnv, ServedApp
from tests.plugins.flask_apps import Browser, SSOEnv

NEW_PASSWORD = "N3w-Passw0rd!x"
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


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    """name -> raw Set-Cookie header."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def callback_url(env: SSOEnv, app: ServedApp, email: str) -> tuple[Browser, str]:
    """A new browser signed in at the IdP, and the app's callback URL it was sent to."""
    browser = env.browser()
    page = browser.follow(browser.get(app.url("/auth/login?next=/me")))
    hop = browser.submit(page, {"username": email, "password": DEFAULT_PASSWORD})
    hop = browser.follow(hop, stop_at=app.url("/auth/callback"))
    return browser, hop.headers["location"]


def test_full_sign_in_returns_to_next_and_sets_user(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    email = adapter_env.sso.user(groups=["billing-admins"])
    browser = adapter_env.sso.browser()

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
    assert me["via"] == "session"


def test_authorize_request_has_pkce_state_nonce(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    browser = adapter_env.sso.browser()
    first = browser.get(app.url("/auth/login?next=/me"))
    assert first.status_code == 302
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["referrer-policy"] == "no-referrer"
    query = parse_qs(urlsplit(first.headers["location"]).query)
    assert first.headers["location"].startswith(adapter_env.sso.idp.base_url + "/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["client_id"] == [app.client_id]
    assert query["redirect_uri"] == [app.url("/auth/callback")]
    assert query["response_type"] == ["code"]
    second = browser.get(app.url("/auth/login?next=/me"))
    query2 = parse_qs(urlsplit(second.headers["location"]).query)
    for name in ("state", "nonce", "code_challenge"):
        assert query[name] != query2[name]


def test_temporary_password_user_signs_in(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    email = adapter_env.sso.user(permanent=False)
    page = adapter_env.sso.browser().sign_in(app.url("/me"), email, new_password=NEW_PASSWORD)
    assert page.status_code == 200, page.text
    assert page.json()["email"] == email


def test_cookie_attributes_and_session_rotation(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    assert app.cookie_name != adapter_env.app().cookie_name  # one cookie per app client
    email = adapter_env.sso.user()
    browser = adapter_env.sso.browser()
    # a pre-existing (planted) session id must not survive sign-in
    browser.http.cookies.set(app.cookie_name, "A" * 43, domain="127.0.0.1")
    start = browser.follow(browser.get(app.url("/me")), stop_at=app.url("/auth/callback"))
    login_page = browser.follow(start)
    hop = browser.submit(login_page, {"username": email, "password": DEFAULT_PASSWORD})
    hop = browser.follow(hop, stop_at=app.url("/auth/callback"))
    done = browser.get(hop.headers["location"])
    assert done.status_code == 302
    raw = set_cookie_headers(done)[app.cookie_name]
    assert "HttpOnly" in raw and "SameSite=Lax" in raw and "Path=/" in raw
    assert "Secure" not in raw  # loopback http
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(raw)
    session_id = parsed[app.cookie_name].value
    assert session_id != "A" * 43 and len(session_id) >= 32
    assert email not in raw
    assert done.headers["cache-control"] == "no-store"
    # signing in again (silently, at the IdP) rotates the session id once more
    again = browser.follow(browser.get(app.url("/auth/login?next=/me")))
    assert again.status_code == 200
    assert app.session_id(browser) != session_id


def test_https_apps_get_secure_cookies(adapter_env: AdapterEnv) -> None:
    """Outside loopback every cookie of the adapter is Secure, HttpOnly and SameSite=Lax:
    the Secure flag follows the configured redirect URI, not the request."""
    app = adapter_env.app(
        config={"COGNITO_REDIRECT_URI": "https://billing.example.com/auth/callback"}
    )
    login = httpx.get(app.url("/auth/login"))
    stale = httpx.get(app.url("/me"), cookies={app.cookie_name: "B" * 43})  # cookie cleared
    headers = login.headers.get_list("set-cookie") + stale.headers.get_list("set-cookie")
    names = {h.split("=", 1)[0] for h in headers}
    assert names == {app.cookie_name, app.cookie_name + "_login"}
    for header in headers:
        assert "; Secure" in header and "; HttpOnly" in header and "SameSite=Lax" in header


def test_two_tabs_sign_in_at_once(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    email = adapter_env.sso.user()
    browser = adapter_env.sso.browser()
    sign_in = {"username": email, "password": DEFAULT_PASSWORD}
    tab_a = browser.get(app.url("/auth/login?next=/me?tab=a")).headers["location"]
    tab_b = browser.get(app.url("/auth/login?next=/me?tab=b")).headers["location"]
    page_b = browser.follow(browser.get(tab_b))
    page_b = browser.follow(browser.submit(page_b, sign_in))
    assert str(page_b.url) == app.url("/me?tab=b")
    # tab A finishes later; the IdP session makes it silent, and its own state still works
    page_a = browser.follow(browser.get(tab_a))
    if "password" in page_a.text:
        page_a = browser.follow(browser.submit(page_a, sign_in))
    assert str(page_a.url) == app.url("/me?tab=a")
    assert page_a.json()["email"] == email


def test_replayed_callback_is_refused(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    browser, callback = callback_url(adapter_env.sso, app, adapter_env.sso.user())
    assert browser.get(callback).status_code == 302
    again = browser.get(callback)
    assert again.status_code == 400
    assert "already used" in again.text
    assert again.headers["cache-control"] == "no-store"


def test_callback_from_another_browser_is_refused(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    _, callback = callback_url(adapter_env.sso, app, adapter_env.sso.user())
    stranger = adapter_env.sso.browser()
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
def test_bad_callbacks_give_clear_4xx(adapter_env: AdapterEnv, query: str, expected: str) -> None:
    app = adapter_env.app()
    response = adapter_env.sso.browser().get(app.url("/auth/callback" + query))
    assert response.status_code == 400
    assert expected in response.text
    assert "<script>" not in response.text and "Traceback" not in response.text
    assert response.headers["content-type"].startswith("text/html")


def _started_login(env: AdapterEnv) -> tuple[ServedApp, Browser, str]:
    """An app and a browser whose sign-in there has begun, with the state it carries."""
    app = env.app()
    browser = env.sso.browser()
    location = browser.get(app.url("/auth/login")).headers["location"]
    return app, browser, parse_qs(urlsplit(location).query)["state"][0]


def test_idp_error_consumes_the_state(adapter_env: AdapterEnv) -> None:
    app, browser, state = _started_login(adapter_env)
    denied = browser.get(app.url(f"/auth/callback?error=access_denied&state={state}"))
    assert denied.status_code == 400
    replay = browser.get(app.url(f"/auth/callback?code=abc&state={state}"))
    assert replay.status_code == 400 and "already used" in replay.text


def test_failed_code_exchange_is_a_4xx(adapter_env: AdapterEnv) -> None:
    app, browser, state = _started_login(adapter_env)
    response = browser.get(app.url(f"/auth/callback?code=not-a-real-code&state={state}"))
    assert response.status_code == 400
    assert "could not be completed" in response.text
    assert "not-a-real-code" not in response.text


def test_json_error_for_api_clients(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    response = adapter_env.sso.browser().get(
        app.url("/auth/callback?code=x"), headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "missing_state"


def test_open_redirect_payloads_land_on_root(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    browser = adapter_env.sso.signed_in(app.url("/me"), adapter_env.sso.user())
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


def test_answers_that_depend_on_the_user_vary_and_are_not_kept(adapter_env: AdapterEnv) -> None:
    """A shared cache must not hand one user's page to another, and after sign-out Back must
    not show a signed-in page from the browser's cache."""
    app = adapter_env.app()
    browser = adapter_env.sso.browser()
    assert "no-store" not in browser.get(app.url("/")).headers.get("cache-control", "")
    assert browser.sign_in(app.url("/me"), adapter_env.sso.user()).status_code == 200
    for path in ("/me", "/"):
        response = browser.get(app.url(path))
        vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
        assert {"cookie", "authorization"} <= vary, path
        assert response.headers["cache-control"] == "private, no-store"


def test_auth_pages_cannot_be_framed(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    for response in (
        httpx.get(app.url("/auth/login")),
        httpx.get(app.url("/auth/callback?state=x")),
        httpx.get(app.url("/auth/logged-out")),
        httpx.post(app.url("/auth/logout")),
    ):
        assert response.headers["x-frame-options"] == "DENY", response.url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
