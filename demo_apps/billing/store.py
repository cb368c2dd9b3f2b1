"""Invoices in SQLite: the billing service's data layer (no Flask in here)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

CURRENCY = "EUR"
MAX_AMOUNT_CENTS = 100_000_000  # one million euros: plenty for a demo, blocks absurd input
MAX_CUSTOMER_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS invoices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer     TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    issued_on    TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'void')),
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    voided_by    TEXT
);
"""

_COLUMNS = (
    "id, customer, description, amount_cents, issued_on, status, created_by, created_at, voided_by"
)


class InvoiceInputError(ValueError):
    """A form field is missing or invalid; `field` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Invoice:
    """One invoice row."""

    id: int
    customer: str
    description: str
    amount_cents: int
    issued_on: date
    status: str
    created_by: str
    created_at: str
    voided_by: str | None

    @property
    def number(self) -> str:
        """Human-facing invoice number, e.g. INV-0007."""
        return f"INV-{self.id:04d}"

    @property
    def is_void(self) -> bool:
        return self.status == "void"

    def to_json(self) -> dict[str, object]:
        """The API representation (no internal ids of users beyond the creator's label)."""
        return {
            "id": self.id,
            "number": self.number,
            "customer": self.customer,
            "description": self.description,
            "amount_cents": self.amount_cents,
            "currency": CURRENCY,
            "issued_on": self.issued_on.isoformat(),
            "status": self.status,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "voided_by": self.voided_by,
        }


@dataclass(frozen=True)
class NewInvoice:
    """Validated input for `InvoiceStore.create`."""

    customer: str
    description: str
    amount_cents: int
    issued_on: date


def parse_new_invoice(
    customer: str | None, description: str | None, amount: str | None, issued_on: str | None
) -> NewInvoice:
    """Validate raw form fields; raise `InvoiceInputError` naming the first bad field."""
    customer = _clean_text(customer)
    if not customer:
        raise InvoiceInputError("customer", "Enter the customer's name.")
    if len(customer) > MAX_CUSTOMER_LENGTH:
        raise InvoiceInputError(
            "customer", f"Keep the customer's name under {MAX_CUSTOMER_LENGTH} characters."
        )
    description = _clean_text(description)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvoiceInputError(
            "description", f"Keep the description under {MAX_DESCRIPTION_LENGTH} characters."
        )
    amount_cents = _parse_amount(amount)
    return NewInvoice(
        customer=customer,
        description=description,
        amount_cents=amount_cents,
        issued_on=_parse_date(issued_on),
    )


def _clean_text(value: str | None) -> str:
    # Whitespace controls become spaces, other control characters go; then collapse runs of
    # spaces: what we store is what we show.
    text = "".join(
        " " if ch.isspace() else ch for ch in (value or "") if ch.isprintable() or ch.isspace()
    )
    return " ".join(text.split())


_AMOUNT = re.compile(r"\d{1,12}(?:\.\d{1,2})?")


def _parse_amount(value: str | None) -> int:
    raw = (value or "").strip().replace(",", "")
    if not raw:
        raise InvoiceInputError("amount", "Enter the amount.")
    if not _AMOUNT.fullmatch(raw):
        if re.fullmatch(r"\d+\.\d{3,}", raw):
            raise InvoiceInputError("amount", "Use at most two decimals.")
        raise InvoiceInputError("amount", "Enter the amount as a number, e.g. 120.50.")
    cents = int(Decimal(raw) * 100)
    if cents <= 0:
        raise InvoiceInputError("amount", "The amount must be greater than zero.")
    if cents > MAX_AMOUNT_CENTS:
        raise InvoiceInputError("amount", "That amount is too large.")
    return cents


def _parse_date(value: str | None) -> date:
    raw = (value or "").strip()
    if not raw:
        return datetime.now(UTC).date()
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise InvoiceInputError("issued_on", "Enter the date as YYYY-MM-DD.") from None
    if not 2000 <= parsed.year <= 2100:
        raise InvoiceInputError("issued_on", "Pick a date between 2000 and 2100.")
    return parsed


class InvoiceStore:
    """Invoices in one SQLite file; one short-lived connection per call (thread-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=10000")
            yield db
        finally:
            db.close()

    def list(self) -> list[Invoice]:
        """All invoices, newest first."""
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM invoices ORDER BY issued_on DESC, id DESC"  # noqa: S608
            ).fetchall()
        return [_row_to_invoice(row) for row in rows]

    def get(self, invoice_id: int) -> Invoice | None:
        """One invoice, or None."""
        with self._connect() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM invoices WHERE id = ?",  # noqa: S608
                (invoice_id,),
            ).fetchone()
        return _row_to_invoice(row) if row else None

    def create(self, new: NewInvoice, *, created_by: str) -> Invoice:
        """Insert a validated invoice and return it."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO invoices (customer, description, amount_cents, issued_on,"
                " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new.customer,
                    new.description,
                    new.amount_cents,
                    new.issued_on.isoformat(),
                    created_by,
                    now,
                ),
            )
            invoice_id = cursor.lastrowid
        assert invoice_id is not None
        invoice = self.get(invoice_id)
        assert invoice is not None
        return invoice

    def void(self, invoice_id: int, *, voided_by: str) -> Invoice | None:
        """Mark an open invoice void; None if there is no such invoice. Voiding twice is a no-op."""
        with self._connect() as db:
            db.execute(
                "UPDATE invoices SET status = 'void', voided_by = ?"
                " WHERE id = ? AND status = 'open'",
                (voided_by, invoice_id),
            )
        return self.get(invoice_id)

    def seed_if_empty(self, today: date | None = None) -> int:
        """Add a few invoices over the last months so a fresh demo has a chart to show."""
        today = today or datetime.now(UTC).date()
        with self._connect() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM invoices").fetchone()
        if count:
            return 0
        samples = [
            (5, "Northwind Traders", "Annual support plan", 420_000),
            (4, "Contoso Ltd", "Onboarding workshop", 185_000),
            (4, "Fabrikam Inc", "Integration work, 6 days", 372_000),
            (3, "Northwind Traders", "Extra seats (25)", 250_000),
            (2, "Adventure Works", "Security review", 515_000),
            (1, "Contoso Ltd", "Consulting, 4 days", 248_000),
            (1, "Tailspin Toys", "Starter plan", 99_000),
        ]
        for months_ago, customer, description, cents in samples:
            issued = _months_before(today, months_ago)
            self.create(NewInvoice(customer, description, cents, issued), created_by="sample data")
        return len(samples)


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    return date(month_index // 12, month_index % 12 + 1, min(day.day, 28))


def _row_to_invoice(row: tuple[object, ...]) -> Invoice:
    (id_, customer, description, cents, issued_on, status, by, at, voided_by) = row
    return Invoice(
        id=int(str(id_)),
        customer=str(customer),
        description=str(description),
        amount_cents=int(str(cents)),
        issued_on=date.fromisoformat(str(issued_on)),
        status=str(status),
        created_by=str(by),
        created_at=str(at),
        voided_by=None if voided_by is None else str(voided_by),
    )
