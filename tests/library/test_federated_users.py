"""Federated users in the library core: where a user came from (claims) and permissions
granted to everyone from an identity provider (``idp:NAME`` keys)."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sso.claims import identity_provider_claim
from cognito_sso.permissions import PermissionPolicy, provider_key
from cognito_sso.userpool import COGNITO_PROVIDER as COGNITO

POOL = "eu-west-1_AbC123def"
IDENTITY = {
    "userId": "0f3c",
    "providerName": "ExampleCorp",
    "providerType": "OIDC",
    "issuer": None,
    "primary": "true",
    "dateCreated": "1764780000000",
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"cognito:username": "alice", "cognito:groups": ["reports"]}, COGNITO),
        ({"cognito:username": "ExampleCorp_0f3c", "identities": [IDENTITY]}, "ExampleCorp"),
        (  # the primary identity wins
            {"identities": [{**IDENTITY, "providerName": "Old", "primary": "false"}, IDENTITY]},
            "ExampleCorp",
        ),
        (  # access tokens: the Username and the provider's group agree
            {"username": "ExampleCorp_0f3c", "cognito:groups": [f"{POOL}_ExampleCorp"]},
            "ExampleCorp",
        ),
        ({"username": "Other_0f3c", "cognito:groups": [f"{POOL}_ExampleCorp"]}, COGNITO),
        ({"username": "ExampleCorp_0f3c", "cognito:groups": ["ExampleCorp"]}, COGNITO),
        ({"identities": "not a list", "username": "x"}, COGNITO),
        ({"identities": [{"providerName": 3}]}, COGNITO),
    ],
)
def test_identity_provider_of_claims(claims: dict[str, Any], expected: str) -> None:
    assert identity_provider_claim(claims) == expected


def test_provider_key_grants_everyone_from_the_provider() -> None:
    policy = PermissionPolicy({"reports": ["reports:read"], "idp:ExampleCorp": ["reports:read"]})
    assert provider_key("ExampleCorp") == "idp:ExampleCorp"
    assert policy.permissions_for([f"{POOL}_ExampleCorp"], "ExampleCorp") == {"reports:read"}
    assert policy.permissions_for([], "Other") == frozenset()
    assert policy.permissions_for([], COGNITO) == frozenset()
    assert policy.permissions_for(["reports"]) == {"reports:read"}


def test_provider_keys_are_not_unknown_groups() -> None:
    policy = PermissionPolicy({"reports": ["r"], "idp:ExampleCorp": ["r"], "typo": ["r"]})
    assert policy.unknown_groups(["reports"]) == {"typo"}
