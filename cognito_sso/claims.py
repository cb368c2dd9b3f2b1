"""Reading verified token claims: typed values out of a claims mapping, never trusting shape.

Verification (signature, issuer, expiry, audience) happens in :mod:`cognito_sso.verifier`;
these helpers only read claims that already passed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["groups_claim", "scopes_claim", "str_claim"]


def groups_claim(claims: Mapping[str, Any]) -> list[str]:
    """The ``cognito:groups`` names of verified claims; [] when the user is in no group
    (Cognito then omits the claim) or the claim is not a list of strings."""
    groups = claims.get("cognito:groups")
    if isinstance(groups, list | tuple):
        return [g for g in groups if isinstance(g, str)]
    return []


def scopes_claim(claims: Mapping[str, Any]) -> list[str]:
    """The space-separated ``scope`` claim of an access token as a list ([] if absent)."""
    scope = claims.get("scope")
    return scope.split() if isinstance(scope, str) else []


def str_claim(claims: Mapping[str, Any], name: str) -> str | None:
    """A string claim, or None when it is absent or not a string."""
    value = claims.get(name)
    return value if isinstance(value, str) else None
