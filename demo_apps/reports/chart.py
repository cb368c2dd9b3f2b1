"""A server-rendered SVG bar chart: no JavaScript, no CDN, styled by the shared stylesheet."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from demo_apps.common.money import format_euros
from demo_apps.reports.revenue import MonthRevenue

WIDTH = 640
HEIGHT = 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 84, 12, 32, 40


def nice_ceiling(value: float) -> float:
    """Smallest 1/2/2.5/4/5/6/8 x 10^k that is >= value (a round top for the y axis)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 4.0, 5.0, 6.0, 8.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value:
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def revenue_chart_svg(points: Sequence[MonthRevenue], *, title: str) -> Markup:
    """An accessible <svg> (role=img, <title>, one <title> per bar) scaling to its container."""
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    top_value = nice_ceiling(max((p.cents for p in points), default=0) / 100)
    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    ticks = 4
    for i in range(ticks + 1):
        value = top_value * i / ticks
        y = _TOP + plot_h - plot_h * i / ticks
        parts.append(
            f'<line class="chart-grid" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_euros(round(value * 100)))}</text>"
        )
    if points:
        slot = plot_w / len(points)
        bar_w = min(56.0, slot * 0.62)
        for index, point in enumerate(points):
            height = plot_h * (point.cents / 100) / top_value
            x = _LEFT + slot * index + (slot - bar_w) / 2
            y = _TOP + plot_h - height
            centre = x + bar_w / 2
            amount = format_euros(point.cents)
            invoices = "invoice" if point.count == 1 else "invoices"
            parts.append(
                f'<g class="chart-bar" data-month="{point.year:04d}-{point.month:02d}" '
                f'data-cents="{point.cents}">'
                f"<title>{escape(point.label)}: {escape(amount)} "
                f"({point.count} {invoices})</title>"
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" rx="3"/>'
                f'<text class="chart-value" x="{centre:.1f}" y="{y - 6:.1f}" '
                f'text-anchor="middle">{escape(amount)}</text>'
                f'<text class="chart-axis" x="{centre:.1f}" y="{HEIGHT - _BOTTOM + 26}" '
                f'text-anchor="middle">{escape(point.short_label)}</text>'
                "</g>"
            )
    parts.append(
        f'<line class="chart-baseline" x1="{_LEFT}" x2="{WIDTH - _RIGHT}" '
        f'y1="{_TOP + plot_h}" y2="{_TOP + plot_h}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every dynamic piece above is escaped
