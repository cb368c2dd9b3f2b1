"""Real tokens minted by the local IdP (cognito_sso.local over HTTP), verified end to end:
JWKS fetched from the IdP's issuer URL, the two-key layout, Cognito's claim shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_sso import errors
from cognito_sso.base64url import b64url_decode
from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory
from cognito_sso.verifier import TokenVerifier


@pytest.fixture
def signed_in(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> dict[str, Any]:
    pool_id, client_id = cognito_factory.pool_with_user(
        "alice@example.com", groups=["billing-admins", "readers"]
    )
    result = cognito_client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": DEFAULT_PASSWORD},
    )["AuthenticationResult"]
    return {
        "issuer": f"{local_idp.base_url}/{pool_id}",
        "pool_id": pool_id,
        "client_id": client_id,
        "access": result["AccessToken"],
        "id": result["IdToken"],
    }


def test_local_idp_tokens_verify(signed_in: dict[str, Any]) -> None:
    v = TokenVerifier(signed_in["issuer"], signed_in["client_id"], leeway=5)
    access = v.verify_access_token(signed_in["access"], scopes=["aws.cognito.signin.user.admin"])
    assert access["token_use"] == "access"
    assert access["client_id"] == signed_in["client_id"]
    assert set(access["cognito:groups"]) == {"billing-admins", "readers"}
    ident = v.verify_id_token(signed_in["id"], access_token=signed_in["access"])
    assert ident["token_use"] == "id"
    assert ident["aud"] == signed_in["client_id"]
    assert ident["email"] == "alice@example.com"
    assert ident["sub"] == access["sub"]
    assert v.jwks_uri == f"{signed_in['issuer']}/.well-known/jwks.json"


def test_local_idp_uses_two_keys_from_one_fetch(signed_in: dict[str, Any]) -> None:
    from cognito_sso.jwks import shared_jwks_cache

    v = TokenVerifier(signed_in["issuer"], signed_in["client_id"], verified_cache_size=0)
    cache = shared_jwks_cache(v.jwks_uri)
    cache.clear()
    v.verify_access_token(signed_in["access"])
    v.verify_id_token(signed_in["id"])
    v.verify_access_token(signed_in["access"])
    assert cache.fetch_count == 1
    header_kids = {_kid(signed_in["access"]), _kid(signed_in["id"])}
    assert len(header_kids) == 2  # Cognito: the ID and access tokens use different keys


def test_local_idp_tokens_rejected_for_other_clients_and_pools(
    signed_in: dict[str, Any], cognito_factory: CognitoFactory, local_idp: Any
) -> None:
    other_client = cognito_factory.app_client(signed_in["pool_id"])["ClientId"]
    wrong_client = TokenVerifier(signed_in["issuer"], other_client)
    with pytest.raises(errors.InvalidAudienceError):
        wrong_client.verify_access_token(signed_in["access"])
    with pytest.raises(errors.InvalidAudienceError):
        wrong_client.verify_id_token(signed_in["id"])
    other_pool = cognito_factory.pool()
    wrong_pool = TokenVerifier(f"{local_idp.base_url}/{other_pool}", signed_in["client_id"])
    with pytest.raises(errors.InvalidIssuerError):
        wrong_pool.verify_access_token(signed_in["access"])
    v = TokenVerifier(signed_in["issuer"], signed_in["client_id"])
    with pytest.raises(errors.InvalidTokenUseError):
        v.verify_id_token(signed_in["access"])
    with pytest.raises(errors.MissingScopeError):
        v.verify_access_token(signed_in["access"], scopes=["billing/admin"])


def _kid(token: str) -> str:
    header = token.split(".")[0]
    kid: str = json.loads(b64url_decode(header))["kid"]
    return kid
