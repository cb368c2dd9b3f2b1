"""The captured shapes of real Cognito answers the local IdP is held to
(``local_cognito/captures/*.json``, listed in local_cognito/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CAPTURES = Path(__file__).resolve().parents[2] / "local_cognito" / "captures"


def load_capture(name: str) -> dict[str, Any]:
    """One capture file, parsed."""
    capture: dict[str, Any] = json.loads((CAPTURES / f"{name}.json").read_text(encoding="utf-8"))
    return capture


def json_type(value: Any) -> str:
    """The JSON type of a value ("number" for int and float alike)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]
