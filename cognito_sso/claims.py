"""Reading verified token claims: typed values out of a claims mapping, never trusting shape.

Verification (signature, issuer, expiry, audience) happens in :mod:`cognito_sso.verifier`;
these helpers only read claims that already passed it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["COGNITO", "groups_claim", "identity_provider_claim", "scopes_claim", "str_claim"]

COGNITO: Final = "COGNITO"
"""The provider name of the pool's own users (as in ``identity_provider=COGNITO``)."""

# The group Cognito puts a provider's users in: {poolId}_{ProviderName}
_PROVIDER_GROUP: Final = re.compile(r"[a-z]{2,5}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+_(?P<provider>.+)")


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


def identity_provider_claim(claims: Mapping[str, Any]) -> str:
    """Where the user of verified claims comes from: ``"COGNITO"`` for the pool's own users,
    else the identity provider's ProviderName.

    ID tokens of federated users name it in ``identities`` (the primary entry first). Access
    tokens have no ``identities``; there the user's Username ``{ProviderName}_{id}`` and the
    provider's group ``{poolId}_{ProviderName}`` must agree.
    """
    identities = claims.get("identities")
    if isinstance(identities, list):
        entries = [e for e in identities if isinstance(e, dict)]
        entries.sort(key=lambda e: e.get("primary") not in ("true", True))
        for entry in entries:
            name = entry.get("providerName")
            if isinstance(name, str) and name:
                return name
    username = str_claim(claims, "cognito:username") or str_claim(claims, "username") or ""
    for group in groups_claim(claims):
        match = _PROVIDER_GROUP.fullmatch(group)
        if match is not None and username.startswith(match["provider"] + "_"):
            return match["provider"]
    return COGNITO
