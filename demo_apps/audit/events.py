"""Invoice events (created, voided) from billing's invoice list, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

RECENT_COUNT: Final = 20


@dataclass(frozen=True)
class InvoiceEvent:
    """Something that happened to an invoice, as billing reports it."""

    kind: str  # "created" or "voided"
    number: str
    customer: str
    amount_cents: int
    when: str  # ISO date or timestamp
    by: str


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ""


def _cents(item: Mapping[str, Any]) -> int:
    value = item.get("amount_cents")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def invoice_events(
    invoices: Iterable[Mapping[str, Any]], limit: int = RECENT_COUNT
) -> list[InvoiceEvent]:
    """One "created" event per invoice and a "voided" one for void invoices, newest first
    (billing's answer is input like any other: odd fields become empty, never an error)."""
    events: list[InvoiceEvent] = []
    for item in invoices:
        number, customer, cents = _text(item, "number"), _text(item, "customer"), _cents(item)
        when = _text(item, "created_at") or _text(item, "issued_on")
        created_by = _text(item, "created_by")
        events.append(InvoiceEvent("created", number, customer, cents, when, created_by))
        if item.get("status") == "void":
            voided_by = _text(item, "voided_by")
            events.append(InvoiceEvent("voided", number, customer, cents, when, voided_by))
    events.sort(key=lambda e: (e.when, e.number, e.kind == "voided"), reverse=True)
    return events[:limit]
