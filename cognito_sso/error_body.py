"""The JSON body of an error answer, the same for every framework adapter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["json_error_body"]


def json_error_body(title: str, message: str, body: Mapping[str, Any] | None) -> dict[str, Any]:
    """``body`` (default ``{"error": <title as snake_case>}``) with ``message`` unless it has
    one: what an API client gets instead of the HTML page."""
    answer = dict(body or {"error": title.lower().replace(" ", "_")})
    answer.setdefault("message", message)
    return answer
