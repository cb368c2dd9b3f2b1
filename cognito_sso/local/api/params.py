"""Reading a JSON API call's parameters and shaping attribute lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_sso.local.errors import invalid_parameter

Params = dict[str, Any]


def required_str(params: Mapping[str, Any], name: str) -> str:
    """A required, non-empty string parameter (InvalidParameterException otherwise)."""
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def attributes_of(items: Any) -> dict[str, str]:
    """A `[{"Name", "Value"}]` list as a dict."""
    if not items:
        return {}
    return {str(a["Name"]): str(a.get("Value", "")) for a in items}


def attribute_list(attributes: Mapping[str, str]) -> list[dict[str, str]]:
    """A dict of attributes as Cognito lists them (`sub` first)."""
    ordered = {"sub": attributes["sub"]} if "sub" in attributes else {}
    ordered.update(attributes)
    return [{"Name": k, "Value": v} for k, v in ordered.items()]
