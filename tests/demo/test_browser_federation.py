"""The demo's federated sign-in in a real browser: dave, an Example Corp employee, signs in
through the company directory (the "ExampleCorp" OIDC identity provider of the demo pool),
reads reports (everyone from Example Corp may) and gets billing's 403 page naming what he lacks.

Screenshots of every step go to test-output/browser/<test>/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, expect

from demo_apps.runner import CORP_PROVIDER, DemoStack
from tests.demo.browser_steps import NEW_PASSWORD, Shots, billing_forbidden

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_dave_signs_in_through_example_corp(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    shots: Shots,
) -> None:
    stack = demo_stack
    dave = next(u for u in stack.corp_users if u.key == "dave")
    assert dave.temporary_password, "no Example Corp invitation for dave in the outbox"

    page = new_context().new_page()
    page.goto(stack.reports_url + "/")
    # the demo pool's sign-in page offers the company directory next to the password form
    provider_button = page.get_by_role("link", name=CORP_PROVIDER)
    expect(provider_button).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    shots(page, "sign-in-offers-example-corp")
    provider_button.click()

    # the company directory's own sign-in page (another pool): first sign-in, new password
    expect(page.locator("input[name=password]")).to_be_visible()
    assert urlsplit(page.url).path == "/login"
    expect(page.get_by_role("link", name=CORP_PROVIDER)).to_have_count(0)
    page.fill("input[name=username]", dave.email)
    page.fill("input[name=password]", dave.temporary_password)
    shots(page, "example-corp-sign-in")
    page.click("button[type=submit]")
    expect(page.locator("input[name=new_password]")).to_be_visible()
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=confirm_password]", NEW_PASSWORD)
    page.click("button[type=submit]")

    # back in reports through /oauth2/idpresponse: everyone from Example Corp may read it
    expect(page).to_have_url(stack.reports_url + "/")
    expect(page.get_by_test_id("user-name")).to_have_text("Dave Example")
    expect(page.locator("svg.chart")).to_be_visible()
    shots(page, "dave-reports")

    # billing: no second sign-in, and the 403 page names what he lacks
    expect(billing_forbidden(page, stack)).to_contain_text(f"through {CORP_PROVIDER}")
    shots(page, "dave-billing-forbidden")
