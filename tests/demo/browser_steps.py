"""Steps the demo's Chromium tests share: screenshots, where the page is, signing in on the
hosted UI, waiting for a sign-out to reach a service, and billing's 403 page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, expect

from demo_apps.runner import DemoStack, DemoUser

NEW_PASSWORD = "Demo-Passw0rd!"
#: Short so the single-logout tests wait only a moment (the demo stack's session check).
CHECK_INTERVAL = 2.0


class Shots:
    """Numbered full-page screenshots in the test's output folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def on_idp(page: Page, stack: DemoStack, path: str) -> bool:
    """Whether ``page`` shows ``path`` of the local IdP."""
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}" == stack.idp_url and parts.path == path


def navigations(context: BrowserContext) -> list[str]:
    """The URLs the context's pages navigate to from now on (the list grows as they do)."""
    urls: list[str] = []
    context.on(
        "request",
        lambda request: urls.append(request.url) if request.is_navigation_request() else None,
    )
    return urls


def first_sign_in(page: Page, stack: DemoStack, user: DemoUser, shots: Shots, name: str) -> None:
    """On the hosted UI: temporary password, then choose a new one."""
    expect(page.locator("input[name=password]")).to_be_visible()
    assert on_idp(page, stack, "/login"), page.url
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", user.temporary_password or "")
    shots(page, f"{name}-sign-in")
    page.click("button[type=submit]")
    expect(page.locator("input[name=new_password]")).to_be_visible()
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=confirm_password]", NEW_PASSWORD)
    shots(page, f"{name}-new-password")
    page.click("button[type=submit]")


def sign_in(page: Page, stack: DemoStack, username: str, password: str) -> None:
    """On the hosted UI's sign-in form: a user with a permanent password."""
    expect(page.locator("input[name=password]")).to_be_visible()
    assert on_idp(page, stack, "/login"), page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def until_sent_to_sign_in(page: Page, stack: DemoStack, url: str) -> None:
    """Reload ``url`` until the service notices the sign-out (its next session check)."""
    deadline = datetime.now(UTC).timestamp() + CHECK_INTERVAL * 10 + 10
    while True:
        page.goto(url)
        if on_idp(page, stack, "/login"):
            break
        assert datetime.now(UTC).timestamp() < deadline, f"{url} kept the user signed in"
        page.wait_for_timeout(CHECK_INTERVAL * 500)
    expect(page.locator("input[name=password]")).to_be_visible()


def billing_forbidden(page: Page, stack: DemoStack) -> Locator:
    """Open billing's new-invoice form as a user who may not create invoices: the 403 page
    names the group and the permission missing (returned: the page's explanation)."""
    response = page.goto(stack.billing_url + "/invoices/new")
    assert response is not None and response.status == 403
    forbidden = page.get_by_test_id("forbidden")
    expect(forbidden).to_be_visible()
    expect(page.get_by_test_id("missing-groups").locator("li").first).to_have_text("billing")
    expect(page.get_by_test_id("missing-permissions")).to_have_text("invoices:create")
    return forbidden
