"""The billing data layer: validation of form input and the SQLite invoice store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from demo_apps.billing.store import (
    InvoiceInputError,
    InvoiceStore,
    NewInvoice,
    parse_new_invoice,
)


def test_parse_accepts_a_normal_invoice() -> None:
    new = parse_new_invoice("  Acme   GmbH ", "Design work", "1,250.50", "2026-03-04")
    assert new == NewInvoice("Acme GmbH", "Design work", 125_050, date(2026, 3, 4))


def test_parse_defaults_the_date_to_today() -> None:
    assert parse_new_invoice("Acme", "", "10", "").issued_on == date.today()


@pytest.mark.parametrize(
    ("customer", "amount", "issued_on", "field"),
    [
        ("", "10", "", "customer"),
        ("x" * 81, "10", "", "customer"),
        ("Acme", "", "", "amount"),
        ("Acme", "ten", "", "amount"),
        ("Acme", "-5", "", "amount"),
        ("Acme", "0", "", "amount"),
        ("Acme", "NaN", "", "amount"),
        ("Acme", "Infinity", "", "amount"),
        ("Acme", "1.005", "", "amount"),
        ("Acme", "99999999999", "", "amount"),
        ("Acme", "1e400", "", "amount"),
        ("Acme", "10", "04/03/2026", "issued_on"),
        ("Acme", "10", "1899-01-01", "issued_on"),
    ],
)
def test_parse_rejects_bad_input_naming_the_field(
    customer: str, amount: str, issued_on: str, field: str
) -> None:
    with pytest.raises(InvoiceInputError) as caught:
        parse_new_invoice(customer, "", amount, issued_on)
    assert caught.value.field == field
    assert caught.value.message


def test_control_characters_are_dropped() -> None:
    assert parse_new_invoice("Ac\x00me\r\nLtd", "a\tb", "1", "").customer == "Acme Ltd"


def test_store_creates_lists_and_voids(tmp_path: Path) -> None:
    store = InvoiceStore(tmp_path / "billing.db")
    older = store.create(NewInvoice("Old Co", "", 1000, date(2026, 1, 5)), created_by="a@x")
    newer = store.create(NewInvoice("New Co", "", 2500, date(2026, 2, 5)), created_by="a@x")
    assert [i.number for i in store.list()] == [newer.number, older.number]
    assert newer.amount_cents == 2500 and newer.status == "open"

    voided = store.void(older.id, voided_by="carol@x")
    assert voided is not None and voided.is_void and voided.voided_by == "carol@x"
    again = store.void(older.id, voided_by="someone-else")
    assert again is not None and again.voided_by == "carol@x"
    assert store.void(999, voided_by="x") is None

    # a second store on the same file sees the same data (the demo restarts keep invoices)
    assert [i.id for i in InvoiceStore(tmp_path / "billing.db").list()] == [newer.id, older.id]


def test_seed_only_fills_an_empty_store(tmp_path: Path) -> None:
    store = InvoiceStore(tmp_path / "billing.db")
    added = store.seed_if_empty(date(2026, 3, 31))
    assert added > 0
    assert store.seed_if_empty(date(2026, 3, 31)) == 0
    months = {i.issued_on.replace(day=1) for i in store.list()}
    assert date(2025, 10, 1) in months and date(2026, 2, 1) in months
    assert all(i.issued_on < date(2026, 3, 1) for i in store.list())


def test_to_json_is_the_api_shape(tmp_path: Path) -> None:
    store = InvoiceStore(tmp_path / "billing.db")
    invoice = store.create(NewInvoice("Acme", "Work", 12_345, date(2026, 3, 4)), created_by="a")
    assert invoice.to_json() == {
        "id": invoice.id,
        "number": invoice.number,
        "customer": "Acme",
        "description": "Work",
        "amount_cents": 12_345,
        "currency": "EUR",
        "issued_on": "2026-03-04",
        "status": "open",
        "created_by": "a",
        "created_at": invoice.created_at,  # audit lists invoice events with these two
        "voided_by": None,
    }
