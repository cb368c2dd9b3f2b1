"""Issue 15 in Chromium: what a user sees when something is wrong (a wrong issuer, the IdP
down before sign-in and at sign-out) and the built-in 403 page. Screenshots go to
test-output/browser/<test>/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cognito_sso.local.testing import DEFAULT_PASSWORD
from tests.flask_ext.test_misconfiguration import wrong_issuers
from tests.flask_ext.test_signout_outage import IDP_DOWN
from tests.plugins.flask_apps import SSOEnv

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def sign_in(page: Page, app: Any, path: str, email: str) -> None:
    """Sign in through the hosted UI's form (``app``: a Flask or FastAPI test app)."""
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
    shows_the_misconfigured_page(new_context().new_page(), app, browser_output)


def shows_the_misconfigured_page(page: Page, app: Any, browser_output: Path) -> None:
    """A wrong issuer: the 500 page, no retry link (Flask or FastAPI ``app``)."""
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
    signs_out_with_the_idp_down(
        sso_env, new_context().new_page(), sso_env.app(), sso_env.user(), browser_output
    )


def signs_out_with_the_idp_down(
    sso_env: SSOEnv, page: Page, app: Any, email: str, browser_output: Path
) -> None:
    """Sign-out with the IdP down ends on ``app``'s own signed-out page (Flask or FastAPI)."""
    sign_in(page, app, "/me", email)
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
    email = sso_env.user(groups=["billing-readers"])
    shows_the_default_403_page(new_context().new_page(), sso_env.app(), email, browser_output)


def shows_the_default_403_page(page: Page, app: Any, email: str, browser_output: Path) -> None:
    """The built-in 403 page of ``app`` (Flask or FastAPI), and its sign-out button."""
    sign_in(page, app, "/me", email)
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
