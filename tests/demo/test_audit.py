"""Audit, the demo's FastAPI service, over real HTTP (uvicorn, started by the runner): the
pages need a sign-in, API clients get JSON answers, events come from billing's invoices."""

from __future__ import annotations

import httpx

from demo_apps.audit.events import invoice_events
from demo_apps.runner import DemoStack


def test_audit_sends_anonymous_visitors_to_sign_in(demo_stack: DemoStack) -> None:
    page = httpx.get(demo_stack.audit_url + "/")
    assert page.status_code == 302
    assert page.headers["location"] == "/auth/login?next=/"
    api = httpx.get(demo_stack.audit_url + "/", headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert api.headers["www-authenticate"].startswith("Bearer")


def test_audit_shares_the_demo_look(demo_stack: DemoStack) -> None:
    css = httpx.get(demo_stack.audit_url + "/_demo/static/demo.css")
    assert css.status_code == 200 and ".topbar" in css.text
    page = httpx.get(demo_stack.audit_url + "/auth/logged-out")
    assert page.status_code == 200
    assert 'data-testid="signed-out"' in page.text and "/_demo/static/demo.css" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    for other in (demo_stack.billing_url, demo_stack.reports_url):  # the top bar links audit
        assert demo_stack.audit_url in httpx.get(other + "/auth/logged-out").text


def test_events_from_invoices_newest_first_and_hostile_fields_ignored() -> None:
    events = invoice_events(
        [
            {"number": "INV-0001", "customer": "A", "amount_cents": 100,
             "created_at": "2026-01-01T10:00:00+00:00", "created_by": "x", "status": "open"},
            {"number": "INV-0002", "customer": "B", "amount_cents": 200,
             "created_at": "2026-02-01T10:00:00+00:00", "created_by": "y", "status": "void",
             "voided_by": "z"},
            {"number": 7, "customer": None, "amount_cents": True, "status": []},
        ]
    )  # fmt: skip
    assert [(e.number, e.kind) for e in events[:3]] == [
        ("INV-0002", "voided"),
        ("INV-0002", "created"),
        ("INV-0001", "created"),
    ]
    odd = events[-1]
    assert (odd.number, odd.customer, odd.amount_cents) == ("", "", 0)
