"""The one money format of the demo (billing's list, reports' tables and chart)."""

from __future__ import annotations

__all__ = ["format_euros"]


def format_euros(cents: int) -> str:
    """'€1,234.56': euros with two decimals and thousands separators."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}€{euros:,}.{rest:02d}"
