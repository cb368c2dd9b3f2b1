"""The hosted UI in a real Chromium: labels, stylesheet under the CSP, cookies and silent SSO."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
import pytest

from tests.plugins.idp_web import (
    NEW_PASSWORD,
    TEMP_PASSWORD,
    AppClient,
    HostedPool,
    oauth_client,
    pkce_pair,
)
from tests.plugins.idp_web import query_of as query_params

pytestmark = pytest.mark.browser


def _authorize_url(pool: HostedPool, client: AppClient, challenge: str) -> str:
    query = urlencode(
        {
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "response_type": "code",
            "scope": "openid email",
            "state": "browser-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{pool.base_url}/oauth2/authorize?{query}"


class _App(BaseHTTPRequestHandler):
    """Stands in for the apps: records the callback URLs it is sent to."""

    reached: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if not self.path.startswith("/favicon"):
            self.reached.append(f"http://{self.headers['Host']}{self.path}")
        body = b'<!doctype html><link rel="icon" href="data:,"><p>back at the app</p>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def app_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sign_in_in_chromium(
    hosted_pool: HostedPool,
    new_context: Callable[..., Any],
    browser_output: Path,
    app_server: str,
) -> None:
    pool = hosted_pool
    billing = oauth_client(pool.factory, pool.pool_id, "billing")
    reports = oauth_client(pool.factory, pool.pool_id, "reports")
    for client, name in ((billing, "billing"), (reports, "reports")):
        client.redirect_uri = f"{app_server}/{name}/callback"
        client.logout_uri = f"{app_server}/{name}/logged-out"
        pool.factory.client.update_user_pool_client(
            UserPoolId=pool.pool_id,
            ClientId=client.client_id,
            CallbackURLs=[client.redirect_uri],
            LogoutURLs=[client.logout_uri],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            AllowedOAuthFlowsUserPoolClient=True,
            SupportedIdentityProviders=["COGNITO"],
        )
    pool.factory.user(pool.pool_id, "sam@example.com", TEMP_PASSWORD, permanent=False)
    context = new_context(viewport={"width": 390, "height": 844})
    reached = _App.reached
    reached.clear()
    page = context.new_page()
    problems: list[str] = []
    # 400 answers to wrong passwords are expected, and so is Chromium's note that autofocus lost
    # the race against the test typing first; anything else (CSP refusals...) is not
    expected = ("status of 400", "Autofocus processing was blocked")
    page.on(
        "console",
        lambda message: (
            None
            if any(text in message.text for text in expected)
            else problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    verifier, challenge = pkce_pair()
    page.goto(_authorize_url(pool, billing, challenge))
    assert page.url.startswith(f"{pool.base_url}/login?")
    # the stylesheet loads under the CSP: the card is centred and styled
    assert page.locator("main.card").evaluate("e => getComputedStyle(e).borderRadius") == "10px"
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_label("Password").fill("wrong-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Incorrect username or password."
    page.get_by_label("Password").fill(TEMP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.screenshot(path=str(browser_output / "new-password.png"), full_page=True)
    page.get_by_role("button", name="Set password and continue").click()
    page.wait_for_url(billing.redirect_uri + "?**")
    assert not problems, problems

    params = query_params(reached[-1])
    assert params["state"] == "browser-state"
    tokens = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": billing.client_id,
            "code": params["code"],
            "redirect_uri": billing.redirect_uri,
            "code_verifier": verifier,
        },
    )
    assert tokens.status_code == 200

    cookies = {c["name"]: c for c in context.cookies(pool.base_url)}
    assert cookies["cognito"]["httpOnly"] and cookies["cognito"]["sameSite"] == "Lax"
    assert cookies["XSRF-TOKEN"]["httpOnly"]

    # single sign-on: the second app gets a code without any page
    _, challenge = pkce_pair()
    page.goto(_authorize_url(pool, reports, challenge))
    page.wait_for_url(reports.redirect_uri + "?**")
    assert "code" in query_params(reached[-1])

    # sign out, and the form is back
    page.goto(
        f"{pool.base_url}/logout?"
        + urlencode({"client_id": reports.client_id, "logout_uri": reports.logout_uri})
    )
    page.wait_for_url(reports.logout_uri)
    page.goto(_authorize_url(pool, billing, challenge))
    assert page.url.startswith(f"{pool.base_url}/login?")
    page.screenshot(path=str(browser_output / "sign-in-phone.png"), full_page=True)
