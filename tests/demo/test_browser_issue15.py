"""The demo items of issue 15 in Chromium: what the header shows is what the invoice list
needs, one money format in both services, one group order on every 403 page, and your own
app in the demo's pool with `--extra-client`."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from cognito_sso.flask import CognitoSSO
from cognito_sso.local.testing import make_cognito_client
from demo_apps.common import by_privilege
from demo_apps.extra_clients import ExtraClient, settings_lines, with_extra_clients
from demo_apps.runner import DemoStack, _parser

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "Items-Passw0rd!"


def _new_user(stack: DemoStack, *groups: str) -> str:
    outputs: dict[str, Any] = json.loads(stack.outputs_path.read_text())
    cognito = make_cognito_client(stack.idp_url)
    email = f"items-{uuid.uuid4().hex[:8]}@example.com"
    cognito.admin_create_user(
        UserPoolId=outputs["pool_id"],
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": "Item Tester"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=outputs["pool_id"], Username=email, Password=PASSWORD, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(
            UserPoolId=outputs["pool_id"], Username=email, GroupName=group
        )
    return email


def _signed_in(new_context: Callable[..., BrowserContext], url: str, email: str) -> Page:
    page = new_context().new_page()
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_the_invoice_list_needs_what_the_header_shows(
    demo_stack: DemoStack, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    """A reports member (like bob) has the invoices:read chip: the list opens for him."""
    page = _signed_in(
        new_context, demo_stack.billing_url + "/invoices", _new_user(demo_stack, "reports")
    )
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(page.get_by_test_id("user-permissions")).to_contain_text("invoices:read")
    page.screenshot(path=str(browser_output / "reports-member-invoices.png"), full_page=True)
    response = page.goto(demo_stack.billing_url + "/invoices/new")
    assert response is not None and response.status == 403


def test_one_money_format_in_billing_and_reports(
    demo_stack: DemoStack, new_context: Callable[..., BrowserContext]
) -> None:
    email = _new_user(demo_stack, "billing", "reports")
    page = _signed_in(new_context, demo_stack.billing_url + "/invoices/new", email)
    page.get_by_label("Customer").fill(f"Money {uuid.uuid4().hex[:6]}")
    page.get_by_label("Description").fill("format check")
    page.get_by_label("Amount (EUR)").fill("1234.56")
    page.get_by_role("button", name="Create invoice").click()
    row = page.locator("tr[aria-current=true]")
    expect(row.locator(".c-amount")).to_have_text("€1,234.56")
    number = row.get_attribute("data-invoice")
    page.goto(demo_stack.reports_url + "/")
    recent = page.locator(f"[data-testid=recent-invoices] tr[data-invoice='{number}']")
    expect(recent.locator(".c-amount")).to_have_text("€1,234.56")


def _listed_groups(page: Page) -> list[str]:
    return page.get_by_test_id("missing-groups").locator("li").all_inner_texts()


def test_every_403_page_lists_groups_in_one_order(
    demo_stack: DemoStack, new_context: Callable[..., BrowserContext], browser_output: Path
) -> None:
    nobody = _signed_in(new_context, demo_stack.billing_url + "/invoices", _new_user(demo_stack))
    expect(nobody.get_by_test_id("forbidden")).to_be_visible()
    no_group = _listed_groups(nobody)
    nobody.screenshot(path=str(browser_output / "no-group-invoices.png"), full_page=True)

    reader = _signed_in(new_context, demo_stack.reports_url + "/", _new_user(demo_stack, "reports"))
    expect(reader.locator("svg.chart")).to_be_visible()
    reader.goto(demo_stack.billing_url + "/invoices/new")
    expect(reader.get_by_test_id("forbidden")).to_be_visible()
    reports_member = _listed_groups(reader)

    assert len(no_group) > 1 and len(reports_member) > 1
    assert no_group == by_privilege(no_group)
    assert reports_member == by_privilege(reports_member)
    shared = [g for g in no_group if g in reports_member]
    assert shared == [g for g in reports_member if g in no_group]


def test_your_own_app_signs_in_with_the_printed_settings(
    demo_stack: DemoStack,
    demo_extra_client: ExtraClient,
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    """`cognito-sso demo --extra-client NAME=CALLBACK_URL`: an app configured from the lines
    the demo prints signs a pool user in."""
    lines = settings_lines(demo_stack.outputs_path, demo_extra_client)
    settings = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
    assert settings["COGNITO_REDIRECT_URI"] == demo_extra_client.callback_url
    assert settings["COGNITO_CLIENT_SECRET"]

    app = Flask("notes", instance_path=str(tmp_path))
    app.config.update(settings, SECRET_KEY="notes-secret-key-0123456789abcdef")
    sso = CognitoSSO(app)

    @app.get("/")
    @sso.login_required
    def home() -> str:
        return f"notes for {sso.current_user.email}"

    port = int(demo_extra_client.callback_url.split(":")[2].split("/")[0])
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        email = _new_user(demo_stack)
        page = _signed_in(new_context, f"http://127.0.0.1:{port}/", email)
        expect(page.locator("body")).to_have_text(f"notes for {email}")
    finally:
        server.shutdown()
        server.server_close()
        sso.state(app).close()


def test_extra_client_arguments() -> None:
    (extra,) = (
        _parser()
        .parse_args(["--extra-client", "notes=http://localhost:5004/auth/callback"])
        .extra_client
    )
    assert extra == ExtraClient("notes", "http://localhost:5004/auth/callback")
    assert extra.logout_url == "http://localhost:5004/auth/logged-out"
    for wrong in ("Notes", "notes", "notes=http://example.com/auth/callback"):
        with pytest.raises(SystemExit):
            _parser().parse_args(["--extra-client", wrong])

    from cognito_sso.provisioning.spec import load_spec
    from demo_apps.runner import DEFAULT_SPEC

    spec = with_extra_clients(load_spec(DEFAULT_SPEC), [extra])
    assert [c.name for c in spec.clients][-1] == "notes"
    with pytest.raises(ValueError, match="already"):
        with_extra_clients(spec, [extra])
