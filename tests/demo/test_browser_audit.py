"""The demo in Chromium over its three services: billing and reports (Flask) and audit
(FastAPI) share one sign-in and one sign-out.

Screenshots of every step go to test-output/browser/<test>/ (git-ignored).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, expect

from cognito_sso.local.testing import make_cognito_client
from demo_apps.runner import DemoStack
from tests.demo.browser_steps import Shots, navigations, sign_in, until_sent_to_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "Audit-Passw0rd!"


def _demo_user(stack: DemoStack, name: str, groups: tuple[str, ...]) -> str:
    """A user of the demo pool with a permanent password (alice and bob belong to the other
    browser tests, which walk through their first sign-in)."""
    cognito = make_cognito_client(stack.idp_url)
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    cognito.admin_create_user(
        UserPoolId=stack.pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": name.title() + " Example"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=stack.pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=stack.pool_id, Username=email, GroupName=group)
    return email


def test_one_sign_in_and_one_sign_out_across_flask_and_fastapi(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    shots: Shots,
) -> None:
    stack = demo_stack
    dora = _demo_user(stack, "dora", ("billing", "reports"))
    erin = _demo_user(stack, "erin", ("reports",))

    # 1. dora signs in on billing (Flask) and creates an invoice.
    context = new_context()
    page = context.new_page()
    page.goto(stack.billing_url + "/")
    sign_in(page, stack, dora, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_have_text("Dora Example")
    customer = f"Audit Test {datetime.now(UTC):%H%M%S}"
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Customer").fill(customer)
    page.get_by_label("Description").fill("Browser test")
    page.get_by_label("Amount (EUR)").fill("12.34")
    page.get_by_role("button", name="Create invoice").click()
    number = page.locator("tr[aria-current=true]").get_attribute("data-invoice")
    assert number and number.startswith("INV-")
    shots(page, "dora-billing")

    # 2. audit (FastAPI): no sign-in form; the same header; her invoice's event is listed,
    #    read from billing's API with her access token.
    visited = navigations(context)
    page.goto(stack.audit_url + "/")
    expect(page).to_have_url(stack.audit_url + "/")
    assert not any(urlsplit(u).path == "/login" for u in visited), visited
    expect(page.get_by_test_id("user-name")).to_have_text("Dora Example")
    expect(page.get_by_test_id("user-groups")).to_contain_text("billing")
    expect(page.get_by_role("link", name="Billing")).to_be_visible()  # the shared top bar
    created = page.locator(f"[data-testid=invoice-events] tr[data-invoice='{number}']")
    expect(created).to_contain_text(customer)
    expect(created).to_contain_text("created")
    colour = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert colour and colour != "rgba(0, 0, 0, 0)"  # the shared stylesheet is applied
    shots(page, "dora-audit")
    page.goto(stack.reports_url + "/")  # and reports, still signed in
    expect(page.get_by_test_id("user-name")).to_have_text("Dora Example")

    # 3. erin (reports only) opens audit: a 403 page naming the groups she lacks.
    erin_context = new_context()
    erin_page = erin_context.new_page()
    erin_page.goto(stack.audit_url + "/")
    sign_in(erin_page, stack, erin, PASSWORD)
    forbidden = erin_page.get_by_test_id("forbidden")
    expect(forbidden).to_be_visible()
    expect(erin_page.get_by_test_id("missing-groups")).to_contain_text("admins")
    expect(erin_page.get_by_test_id("missing-groups")).to_contain_text("billing")
    shots(erin_page, "erin-audit-forbidden")

    # 4. dora signs out on audit; billing and reports (Flask) send her to sign in at their
    #    next session check, and the hosted UI asks for her password again.
    page.goto(stack.audit_url + "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(stack.audit_url) + "/auth/logged-out"))
    expect(page.get_by_test_id("signed-out")).to_be_visible()  # the demo look, from FastAPI
    shots(page, "dora-signed-out")
    for url in (stack.billing_url + "/invoices", stack.reports_url + "/"):
        until_sent_to_sign_in(context.new_page(), stack, url)
    # erin is not signed out by dora's sign-out
    erin_page.goto(stack.reports_url + "/")
    expect(erin_page.get_by_test_id("user-name")).to_have_text("Erin Example")


def test_sign_out_on_flask_ends_the_fastapi_session(
    demo_stack: DemoStack, new_context: Callable[..., BrowserContext]
) -> None:
    """The reverse direction: sign in on audit first, sign out on reports."""
    stack = demo_stack
    frank = _demo_user(stack, "frank", ("admins",))
    context = new_context()
    page = context.new_page()
    page.goto(stack.audit_url + "/")
    sign_in(page, stack, frank, PASSWORD)
    expect(page.get_by_test_id("invoice-events")).to_be_visible()
    page.goto(stack.billing_url + "/invoices")  # silent sign-in on billing
    expect(page.get_by_test_id("user-name")).to_have_text("Frank Example")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(stack.billing_url) + "/auth/logged-out"))
    until_sent_to_sign_in(page, stack, stack.audit_url + "/")
