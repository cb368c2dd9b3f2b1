"""Revenue per month from billing's invoice list (the JSON of `GET /api/invoices`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class MonthRevenue:
    """Total of the non-void invoices issued in one calendar month."""

    year: int
    month: int
    cents: int
    count: int

    @property
    def label(self) -> str:
        """Short label, e.g. 'Mar 2026'."""
        return f"{_MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        """Axis label, e.g. 'Mar'."""
        return _MONTH_NAMES[self.month - 1]


def revenue_by_month(
    invoices: Iterable[Mapping[str, Any]], *, months: int = 6, today: date | None = None
) -> list[MonthRevenue]:
    """The last `months` calendar months up to today's, oldest first; void invoices excluded.

    Entries that do not look like invoices (wrong types, bad dates) are skipped: the data
    comes over the network and is treated as untrusted.
    """
    today = today or datetime.now(UTC).date()
    current = today.year * 12 + today.month - 1
    keys = [current - offset for offset in range(months - 1, -1, -1)]
    totals = {key: [0, 0] for key in keys}
    for invoice in invoices:
        parsed = _parse(invoice)
        if parsed is None:
            continue
        key, cents = parsed
        if key in totals:
            totals[key][0] += cents
            totals[key][1] += 1
    return [
        MonthRevenue(year=key // 12, month=key % 12 + 1, cents=cents, count=count)
        for key, (cents, count) in totals.items()
    ]


def _parse(invoice: Mapping[str, Any]) -> tuple[int, int] | None:
    if not isinstance(invoice, Mapping) or invoice.get("status") != "open":
        return None
    cents = invoice.get("amount_cents")
    issued = invoice.get("issued_on")
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        return None
    if not isinstance(issued, str) or len(issued) != 10:
        return None
    try:
        day = date.fromisoformat(issued)
    except ValueError:
        return None
    return day.year * 12 + day.month - 1, cents
