"""Token claims: the read-only record of a verified token's claims, and typed readers.

One :class:`Claims` instance is shared by every caller that presents the same token (the
verifier caches it), so it must not change: writes raise ``TypeError``, JSON arrays become
tuples and nested objects are read-only too. Verification (signature, issuer, expiry,
audience) happens in :mod:`cognito_sso.verifier`; the readers (``*_claim``) only read claims
that already passed it, never trusting their shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

from cognito_sso.strict_json import JsonParser, json_parser
from cognito_sso.userpool import COGNITO_PROVIDER

__all__ = [
    "Claims",
    "groups_claim",
    "identity_provider_claim",
    "parse_claims",
    "scopes_claim",
    "str_claim",
]

# The group Cognito puts a provider's users in: {poolId}_{ProviderName}
_PROVIDER_GROUP: Final = re.compile(r"[a-z]{2,5}(?:-[a-z]+)+-\d+_[0-9A-Za-z]+_(?P<provider>.+)")


class Claims(dict[str, Any]):
    """A read-only ``dict`` of claims. ``dict(claims)`` gives a mutable shallow copy;
    ``json.dumps`` works as for a dict."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("verified claims are read-only; copy them with dict(claims)")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        return (dict, (dict(self),))

    def __copy__(self) -> Claims:
        return self

    def __deepcopy__(self, memo: object) -> Claims:
        return self


def _claims_object(obj: dict[str, Any]) -> Claims:
    """Each parsed JSON object as :class:`Claims`, its arrays as tuples. (The objects nested
    in it are :class:`Claims` already: the parser builds the inner ones first.)"""
    for name, value in obj.items():
        if type(value) is list:
            obj[name] = _tuple(value)  # same keys, so iterating on is safe
    return Claims(obj)


def _tuple(items: list[Any]) -> tuple[Any, ...]:
    return tuple([_tuple(item) if type(item) is list else item for item in items])


parse_claims: JsonParser = json_parser(object_hook=_claims_object)
"""Parses a JSON text (strict rules of :mod:`cognito_sso.strict_json`) with every object as
:class:`Claims` and every array inside one as a tuple; raises ``ValueError``."""


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
    return COGNITO_PROVIDER
