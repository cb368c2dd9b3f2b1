"""What a provider's claims become in the pool: user id, mapped attributes and identities.

Cognito keeps a federated user's link in the ``identities`` attribute, a JSON string in which
``primary`` is a boolean and ``dateCreated`` a number (epoch milliseconds); the ID token's
``identities`` claim carries the same objects with both as strings ([D] the claim, [O] its
string typing). ``issuer`` is null for OIDC providers ([U]: AWS fills it for SAML only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from cognito_sso.local.federation.upstream import UpstreamError
from cognito_sso.local.model import IdentityProvider
from cognito_sso.strict_json import parse_json
from cognito_sso.userpool import (
    MAX_USERNAME,
    STANDARD_ATTRIBUTES,
    VERIFICATION_ATTRIBUTES,
    attribute_value_fits,
)

USERNAME_KEY: Final = "username"  # AttributeMapping key naming the claim that is the user id
DEFAULT_USER_ID_CLAIM: Final = "sub"
_MAPPABLE: Final = frozenset(STANDARD_ATTRIBUTES + VERIFICATION_ATTRIBUTES)


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        text = str(value)
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        return None
    if not text or not attribute_value_fits(text) or not text.isprintable():
        return None
    return text


def user_id(provider: IdentityProvider, claims: Mapping[str, Any]) -> str:
    """The provider's id for the user: the claim mapped to ``username`` (``sub`` by default)."""
    claim = provider.attribute_mapping.get(USERNAME_KEY, DEFAULT_USER_ID_CLAIM)
    value = _as_text(claims.get(claim))
    if value is None or len(provider.name) + 1 + len(value) > MAX_USERNAME:
        raise UpstreamError(f"The IdP did not return a usable {claim} for the user")
    return value


def mapped_attributes(provider: IdentityProvider, claims: Mapping[str, Any]) -> dict[str, str]:
    """Pool attributes from the provider's claims, per its AttributeMapping; claims that are
    absent or unusable leave the attribute as it is."""
    attributes: dict[str, str] = {}
    for attribute, claim in provider.attribute_mapping.items():
        if attribute not in _MAPPABLE and not attribute.startswith("custom:"):
            continue  # `username` and anything that is not a pool attribute
        value = _as_text(claims.get(claim))
        if value is not None:
            attributes[attribute] = value
    return attributes


def identity_entry(provider: IdentityProvider, user: str, now: float) -> dict[str, Any]:
    """The user's entry of the ``identities`` attribute, as stored when the link is made."""
    return {
        "userId": user,
        "providerName": provider.name,
        "providerType": provider.type,
        "issuer": None,
        "primary": True,
        "dateCreated": int(now * 1000),
    }


def identities_claim(attributes: Mapping[str, str]) -> list[dict[str, Any]] | None:
    """The ``identities`` ID-token claim from the stored attribute (None for pool users, and
    when an administrator stored something unreadable there: not JSON, or nested deeper than
    :mod:`cognito_sso.strict_json` allows)."""
    raw = attributes.get("identities")
    try:
        stored = parse_json(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(stored, list):
        return None
    claim = []
    for entry in stored:
        if isinstance(entry, dict):
            shown = dict(entry)
            shown["primary"] = "true" if entry.get("primary") in (True, "true") else "false"
            shown["dateCreated"] = str(entry.get("dateCreated", ""))
            claim.append(shown)
    return claim or None
