"""The demo in a real browser: one sign-in, one sign-out across billing and reports.

Screenshots of every step go to test-output/browser/<test>/ (git-ignored).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cognito_sso.local.testing import make_cognito_client
from demo_apps.runner import DemoStack, DemoUser, start_stack
from tests.demo.browser_steps import (
    NEW_PASSWORD,
    Shots,
    billing_forbidden,
    first_sign_in,
    navigations,
    sign_in,
    until_sent_to_sign_in,
)
from tests.ports import free_ports

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _user(stack: DemoStack, key: str) -> DemoUser:
    user = next(u for u in stack.users if u.key == key)
    assert user.temporary_password, f"no invitation with a temporary password for {key}"
    return user


def _signed_in_page(
    stack: DemoStack, new_context: Callable[..., BrowserContext], key: str, url: str
) -> Page:
    """A new browser's page signed in as the demo user ``key`` (given a permanent password,
    skipping the new-password step) after opening ``url``."""
    user = _user(stack, key)
    outputs = json.loads(stack.outputs_path.read_text())
    make_cognito_client(stack.idp_url).admin_set_user_password(
        UserPoolId=outputs["pool_id"], Username=user.email, Password=NEW_PASSWORD, Permanent=True
    )
    page = new_context().new_page()
    page.goto(url)
    sign_in(page, stack, user.email, NEW_PASSWORD)
    return page


def test_one_sign_in_and_one_sign_out_across_both_services(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    shots: Shots,
) -> None:
    stack = demo_stack
    alice, bob = _user(stack, "alice"), _user(stack, "bob")
    customer = f"Playwright Test {datetime.now(UTC):%H%M%S}"

    # 1. alice signs in to billing with her temporary password, sets a new one, lands on the
    #    invoices page and creates an invoice.
    alice_context = new_context()
    page = alice_context.new_page()
    page.goto(stack.billing_url + "/")
    first_sign_in(page, stack, alice, shots, "alice")
    expect(page).to_have_url(re.compile(re.escape(stack.billing_url) + r"/invoices"))
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text("Alice Example")
    shots(page, "alice-invoices")
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Customer").fill(customer)
    page.get_by_label("Description").fill("Browser test")
    page.get_by_label("Amount (EUR)").fill("4321.00")
    shots(page, "alice-new-invoice")
    page.get_by_role("button", name="Create invoice").click()
    expect(page.locator(".flash-success")).to_contain_text(customer)
    row = page.locator("tr[aria-current=true]")
    expect(row).to_contain_text(customer)
    expect(row).to_contain_text("€4,321.00")
    number = row.get_attribute("data-invoice")
    assert number and number.startswith("INV-")
    shots(page, "alice-invoice-created")

    # 2. alice opens reports: no sign-in form, her name is shown, the chart has her invoice.
    visited = navigations(alice_context)
    page.goto(stack.reports_url + "/")
    expect(page).to_have_url(stack.reports_url + "/")
    expect(page.get_by_test_id("user-name")).to_have_text("Alice Example")
    assert not any(urlsplit(u).path == "/login" for u in visited), visited
    assert any(u.startswith(stack.idp_url + "/oauth2/authorize") for u in visited)
    recent = page.locator(f"[data-testid=recent-invoices] tr[data-invoice='{number}']")
    expect(recent).to_contain_text(customer)
    this_month = datetime.now(UTC).strftime("%Y-%m")
    bar = page.locator(f"svg.chart g.chart-bar[data-month='{this_month}']")
    assert int(bar.get_attribute("data-cents") or 0) >= 432_100
    shots(page, "alice-reports")

    # The same pages on a phone: no sideways scrolling, everything readable.
    page.set_viewport_size({"width": 375, "height": 740})
    for url, name in ((stack.reports_url + "/", "reports"), (stack.billing_url + "/", "billing")):
        page.goto(url)
        expect(page.get_by_test_id("user-name")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shots(page, f"alice-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(stack.reports_url + "/")

    # 3. bob (another browser context): reports works, creating an invoice gives the 403 page.
    bob_context = new_context()
    bob_page = bob_context.new_page()
    bob_page.goto(stack.reports_url + "/")
    first_sign_in(bob_page, stack, bob, shots, "bob")
    expect(bob_page).to_have_url(stack.reports_url + "/")
    expect(bob_page.get_by_test_id("user-name")).to_have_text("Bob Example")
    expect(bob_page.locator("svg.chart")).to_be_visible()
    shots(bob_page, "bob-reports")
    expect(billing_forbidden(bob_page, stack)).to_contain_text("member of reports")
    shots(bob_page, "bob-forbidden")

    # 4. alice signs out in reports; after the check interval billing sends her to the sign-in
    #    page, and the hosted UI asks for her password again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signed-out")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(stack.reports_url) + "/auth/logged-out"))
    shots(page, "alice-signed-out")
    billing_page = alice_context.new_page()
    until_sent_to_sign_in(billing_page, stack, stack.billing_url + "/invoices")
    shots(billing_page, "alice-asked-for-password-again")
    # bob was not signed out by alice's sign-out
    bob_page.goto(stack.reports_url + "/")
    expect(bob_page.get_by_test_id("user-name")).to_have_text("Bob Example")


def test_pages_fit_a_phone_screen(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    browser_output: Path,
) -> None:
    """The signed-out page and the sign-in redirect render without sideways scrolling."""
    context = new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(demo_stack.reports_url + "/auth/logged-out")
    expect(page.get_by_test_id("signed-out")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(browser_output / "phone-signed-out.png"), full_page=True)


def test_an_admin_voids_an_invoice_and_is_told_which_group_reports_needs(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    shots: Shots,
) -> None:
    stack = demo_stack
    page = _signed_in_page(stack, new_context, "carol", stack.billing_url + "/invoices")
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(page.get_by_test_id("user-permissions")).to_contain_text("invoices:void")
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Customer").fill("Mistaken Order Ltd")
    page.get_by_label("Amount (EUR)").fill("12.555")
    page.get_by_role("button", name="Create invoice").click()
    amount = page.get_by_label("Amount (EUR)")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#amount-error")).to_have_text("Use at most two decimals.")
    expect(page.get_by_label("Customer")).to_have_value("Mistaken Order Ltd")  # input kept
    shots(page, "carol-form-error")
    amount.fill("12.5")
    page.get_by_role("button", name="Create invoice").click()
    row = page.locator("tr[aria-current=true]")
    expect(row).to_contain_text("€12.50")
    number = row.get_attribute("data-invoice")
    row.get_by_role("button", name="Void").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Invoice {number} is void.")
    expect(page.locator(f"tr[data-invoice='{number}'] .status")).to_have_text("void")
    shots(page, "carol-voided")

    # Forms are CSRF-protected: a cross-site POST with carol's cookies but no token fails.
    forged = page.request.post(
        stack.billing_url + "/invoices", form={"customer": "Forged", "amount": "1"}
    )
    assert forged.status == 400
    forged_void = page.request.post(stack.billing_url + "/invoices/1/void")
    assert forged_void.status == 400
    page.reload()
    expect(page.locator("tr[data-invoice]").filter(has_text="Forged")).to_have_count(0)

    response = page.goto(stack.reports_url + "/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("missing-groups")).to_have_text("reports")
    shots(page, "carol-reports-forbidden")


def test_a_second_run_ignores_the_first_runs_sessions(
    tmp_path: Path,
    new_context: Callable[..., BrowserContext],
    shots: Shots,
) -> None:
    """Same ports, same state dir, same browser: the old cookies lead to a clean sign-in."""
    idp, billing, reports = free_ports(3)
    context = new_context()
    page = context.new_page()

    def start() -> DemoStack:
        return start_stack(
            state_dir=tmp_path, idp_port=idp, billing_port=billing, reports_port=reports
        )

    with start() as first:
        page.goto(first.billing_url + "/invoices")
        first_sign_in(page, first, _user(first, "alice"), shots, "first-run")
        expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
        invoices = page.locator("tr[data-invoice]").count()
    with start() as second:
        assert any(c["name"] == "billing_sso" for c in context.cookies())  # the stale cookie
        page.goto(second.billing_url + "/invoices")
        first_sign_in(page, second, _user(second, "alice"), shots, "second-run")
        expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
        expect(page.locator("tr[data-invoice]")).to_have_count(invoices)  # data kept
        shots(page, "second-run-invoices")


def test_reports_explains_when_billing_is_unreachable(
    demo_stack: DemoStack,
    new_context: Callable[..., BrowserContext],
    browser_output: Path,
) -> None:
    stack = demo_stack
    page = _signed_in_page(stack, new_context, "bob", stack.reports_url + "/")
    expect(page.locator("svg.chart")).to_be_visible()

    (closed_port,) = free_ports(1)
    config = stack.flask_apps["reports"].config
    config["REPORTS_BILLING_URL"] = f"http://127.0.0.1:{closed_port}"
    try:
        response = page.reload()
        assert response is not None and response.status == 503
        expect(page.get_by_test_id("billing-unavailable")).to_contain_text(
            "billing is not reachable"
        )
        expect(page.get_by_test_id("user-name")).to_have_text("Bob Example")
        page.screenshot(path=str(browser_output / "billing-unreachable.png"), full_page=True)
    finally:
        del config["REPORTS_BILLING_URL"]
    page.reload()
    expect(page.locator("svg.chart")).to_be_visible()
