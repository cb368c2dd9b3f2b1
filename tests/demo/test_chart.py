"""Reports' revenue aggregation and the server-rendered SVG chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from demo_apps.common.money import format_euros
from demo_apps.reports.chart import nice_ceiling, revenue_chart_svg
from demo_apps.reports.revenue import MonthRevenue, revenue_by_month

SVG = "{http://www.w3.org/2000/svg}"


def _invoice(issued_on: Any, cents: Any, status: Any = "open") -> dict[str, Any]:
    return {"issued_on": issued_on, "amount_cents": cents, "status": status}


def test_revenue_by_month_sums_open_invoices_of_the_last_months() -> None:
    invoices = [
        _invoice("2026-03-02", 1000),
        _invoice("2026-03-30", 2500),
        _invoice("2026-03-15", 9999, status="void"),
        _invoice("2026-01-10", 700),
        _invoice("2025-09-30", 5000),  # older than six months: outside the chart
        _invoice("2026-04-01", 5000),  # in the future: outside the chart
    ]
    months = revenue_by_month(invoices, months=6, today=date(2026, 3, 31))
    assert [(m.year, m.month) for m in months] == [
        (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3),
    ]  # fmt: skip
    assert [m.cents for m in months] == [0, 0, 0, 700, 0, 3500]
    assert months[-1].count == 2 and months[-1].label == "Mar 2026"


def test_revenue_by_month_skips_malformed_entries() -> None:
    hostile: list[Any] = [
        "not a dict",
        _invoice("2026-03-02", "1000"),
        _invoice("2026-03-02", True),
        _invoice("2026-03-02", -5),
        _invoice("2026-13-02", 100),
        _invoice(20260302, 100),
        _invoice("2026-03-02T00:00:00", 100),
        {"amount_cents": 100, "status": "open"},
        _invoice("2026-03-02", 100),
    ]
    months = revenue_by_month(hostile, months=1, today=date(2026, 3, 31))
    assert months == [MonthRevenue(2026, 3, 100, 1)]


def test_format_euros() -> None:
    assert format_euros(0) == "€0.00"
    assert format_euros(5) == "€0.05"
    assert format_euros(123_456) == "€1,234.56"
    assert format_euros(123_456_789) == "€1,234,567.89"
    assert format_euros(-150) == "-€1.50"


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 12, 24, 26, 480, 5100, 5570)] == [
        1, 0.4, 1, 8, 20, 25, 40, 500, 6000, 6000,
    ]  # fmt: skip


def test_chart_is_valid_svg_with_one_bar_per_month() -> None:
    months = [MonthRevenue(2026, 2, 150_000, 2), MonthRevenue(2026, 3, 50_000, 1)]
    svg = str(revenue_chart_svg(months, title="Revenue <per> month"))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Revenue <per> month"  # type: ignore[union-attr]
    bars = root.findall(f"{SVG}g")
    assert [b.get("data-month") for b in bars] == ["2026-02", "2026-03"]
    heights = [float(b.find(f"{SVG}rect").get("height")) for b in bars]  # type: ignore[union-attr, arg-type]
    assert heights[0] == 3 * heights[1] > 0
    assert "Mar 2026: €500.00 (1 invoice)" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing external


def test_chart_with_no_revenue_still_renders() -> None:
    months = revenue_by_month([], months=3, today=date(2026, 3, 31))
    root = ET.fromstring(str(revenue_chart_svg(months, title="t")))  # noqa: S314
    assert len(root.findall(f"{SVG}g")) == 3
