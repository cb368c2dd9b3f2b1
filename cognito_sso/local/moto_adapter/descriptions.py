"""Pools and clients as AWS describes them, from moto's objects.

moto's `to_json` lacks fields real responses carry (captured shapes in the top-level
``local_cognito/captures/``): a pool's ``LambdaConfig``, ``UserPoolTags``, ``UserPoolTier``
and ``IssuerConfiguration``; a client's ``CreationDate``, ``LastModifiedDate`` and
``TokenValidityUnits``. It also reports the MFA mode from two places that can disagree;
here it comes from the one value `SetUserPoolMfaConfig` and `UpdateUserPool` change.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

_POOL_DEFAULTS: dict[str, Any] = {
    "LambdaConfig": {},
    "UserPoolTags": {},
    "UserPoolTier": "ESSENTIALS",  # reference 5.1: the default feature plan
    # [U] whether AWS lists IssuerConfiguration for a pool created without it; ORIGINAL is
    # its value then, so it is shown (provisioning can compare it either way)
    "IssuerConfiguration": {"Type": "ORIGINAL"},
}


def _wire(value: Any) -> Any:
    """A moto object as the JSON 1.1 wire shows it (timestamps as epoch seconds)."""

    def encode(item: Any) -> Any:
        return item.timestamp() if isinstance(item, datetime) else str(item)

    return json.loads(json.dumps(value, default=encode))


def pool_description(moto_pool: Any, domain: str | None) -> dict[str, Any]:
    """A pool as DescribeUserPool (and CreateUserPool) returns it."""
    described: dict[str, Any] = _wire(moto_pool.to_json(extended=True))
    described.pop("UserPoolId", None)
    for key, default in _POOL_DEFAULTS.items():
        if not described.get(key):
            described[key] = json.loads(json.dumps(default))
    described["MfaConfiguration"] = str(moto_pool.mfa_config or "OFF")
    if domain is not None:
        described["Domain"] = domain
    return described


def client_description(moto_client: Any, created: float, modified: float) -> dict[str, Any]:
    """An app client as DescribeUserPoolClient (and Create/UpdateUserPoolClient) returns it."""
    described: dict[str, Any] = _wire(moto_client.to_json(extended=True))
    described.setdefault("TokenValidityUnits", {})
    described["CreationDate"] = created
    described["LastModifiedDate"] = modified
    return described
