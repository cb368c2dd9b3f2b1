"""Issue 15 in Chromium: what a user sees when something is wrong (a wrong issuer, the IdP
down before sign-in and at sign-out) and the built-in 403 page. Screenshots go to
test-output/browser/<test>/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cognito_sso.local.testing import DEFAULT_PASSWORD
from tests.flask_ext.test_misconfiguration import wrong_issuers
from tests.flask_ext.test_signout_outage import IDP_DOWN
from tests.plugins.flask_apps import RunningApp, SSOEnv

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _sign_in(page: Page, app: RunningApp, path: str, email: str) -> None:
    page.goto(app.url(path))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(app.url(path))


def test_wrong_issuer_shows_the_misconfigured_page(
    sso_env: SSOEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    issuer, _cause = wrong_issuers(sso_env)["localhost"]
    app = sso_env.app(config={"COGNITO_ISSUER": issuer})
    page = new_context().new_page()
    response = page.goto(app.url("/me"))
    assert response is not None and response.status == 500
    expect(page.get_by_role("heading")).to_have_text("This service is misconfigured")
    expect(page.get_by_role("link", name="Try again")).to_have_count(0)
    page.screenshot(path=str(browser_output / "misconfigured.png"), full_page=True)


def test_idp_down_before_sign_in_gives_the_503_page_and_retry_works(
    sso_env: SSOEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    app = sso_env.app()
    app.sso.state(app.app).oidc.metadata()  # discovery already cached, as in a running app
    email = sso_env.user()
    page = new_context().new_page()
    sso_env.idp.fault("authorize", "drop", count=1000)
    response = page.goto(app.url("/me"))
    assert response is not None and response.status == 503
    expect(page.get_by_role("heading")).to_have_text("Temporarily unavailable")
    page.screenshot(path=str(browser_output / "idp-down.png"), full_page=True)

    sso_env.idp.clear_faults()
    page.get_by_role("link", name="Try again").click()
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(app.url("/me"))
    expect(page.locator("body")).to_contain_text(email)


def test_idp_down_at_sign_out_ends_on_the_apps_signed_out_page(
    sso_env: SSOEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    app = sso_env.app()
    email = sso_env.user()
    page = new_context().new_page()
    _sign_in(page, app, "/me", email)
    page.goto(app.url("/"))
    for endpoint in IDP_DOWN:
        sso_env.idp.fault(endpoint, "drop", count=1000)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app.url("/auth/logged-out?idp=unreachable"))
    expect(page.get_by_role("heading")).to_have_text("You are signed out")
    expect(page.locator("main")).to_contain_text("other services")
    page.screenshot(path=str(browser_output / "signed-out-idp-down.png"), full_page=True)
    page.goto(app.url("/"))
    expect(page.locator("body")).to_have_text("anonymous")


def test_the_default_403_page(
    sso_env: SSOEnv, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    """Finished without template work: stylesheet, who is signed in, what is missing said
    once, a way back and a sign-out form."""
    app = sso_env.app()
    email = sso_env.user(groups=["billing-readers"])
    page = new_context().new_page()
    _sign_in(page, app, "/me", email)
    page.goto(app.url("/"))
    response = page.goto(app.url("/invoices/new"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading")).to_have_text("Access denied")
    expect(page.locator("main")).to_contain_text("invoices:create")
    assert page.content().count("invoices:create") == 1  # said once
    expect(page.locator(".cs-bar")).to_contain_text(f"Signed in as {email}")
    expect(page.get_by_role("link", name="Back to the home page")).to_have_attribute("href", "/")
    background = page.locator("main").evaluate("e => getComputedStyle(e).borderRadius")
    assert background == "12px"  # the built-in stylesheet is applied
    page.screenshot(path=str(browser_output / "default-403.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app.url("/auth/logged-out"))
