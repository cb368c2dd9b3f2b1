"""Reading a JSON API call's parameters and shaping attribute lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_sso.local.errors import invalid_parameter
from cognito_sso.userpool import MAX_ATTRIBUTE_VALUE, attribute_value_fits

Params = dict[str, Any]


def required_str(params: Mapping[str, Any], name: str) -> str:
    """A required, non-empty string parameter (InvalidParameterException otherwise)."""
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def attributes_of(items: Any) -> dict[str, str]:
    """A call's `UserAttributes` (a `[{"Name", "Value"}]` list, its shape checked against
    botocore's model) as a dict. A value too long for Cognito is refused as AWS refuses a
    member over its length (the wording is AWS's usual one for that constraint [U]); the
    value itself is never quoted."""
    attributes: dict[str, str] = {}
    for index, item in enumerate(items or (), start=1):
        value = str(item.get("Value", ""))
        if not attribute_value_fits(value):
            raise invalid_parameter(
                f"1 validation error detected: Value at 'userAttributes.{index}.member.value' "
                "failed to satisfy constraint: Member must have length less than or equal to "
                f"{MAX_ATTRIBUTE_VALUE}"
            )
        attributes[str(item["Name"])] = value
    return attributes


def attribute_list(attributes: Mapping[str, str]) -> list[dict[str, str]]:
    """A dict of attributes as Cognito lists them (`sub` first)."""
    ordered = {"sub": attributes["sub"]} if "sub" in attributes else {}
    ordered.update(attributes)
    return [{"Name": k, "Value": v} for k, v in ordered.items()]
