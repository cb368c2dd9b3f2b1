"""Reference rows checked during the fidelity review: ID token rules, at_hash, code races."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from cognito_sso.local.testing import password_auth
from tests.plugins.idp_web import Browser, HostedPool, exchange, oauth_client, signed_in
from tests.tokens import claims_of

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def test_no_id_token_without_openid_even_for_the_admin_scope(
    hosted_pool: HostedPool, idp_browser: Browser, cognito_client: Any
) -> None:
    """Reference 2.1: "ID token only if openid granted" (the admin scope alone included)."""
    pool = hosted_pool
    client = oauth_client(pool.factory, pool.pool_id, "admin-only", scopes=("openid", ADMIN_SCOPE))
    pool.factory.user(pool.pool_id, "adm@example.com")
    code, verifier = signed_in(idp_browser, pool, client, "adm@example.com", scope=ADMIN_SCOPE)
    body = exchange(pool.base_url, client, code, verifier).json()
    assert "id_token" not in body
    assert claims_of(body["access_token"])["scope"] == ADMIN_SCOPE
    assert cognito_client.get_user(AccessToken=body["access_token"])["Username"]
    refreshed = httpx.post(
        f"{pool.base_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": client.client_id,
            "refresh_token": body["refresh_token"],
        },
        timeout=10,
    ).json()
    assert "id_token" not in refreshed and "access_token" in refreshed


def test_at_hash_only_on_id_tokens_from_the_authorization_server(
    hosted_pool: HostedPool, idp_browser: Browser, cognito_client: Any
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "hash@example.com")
    code, verifier = signed_in(idp_browser, pool, pool.billing, "hash@example.com")
    oauth = exchange(pool.base_url, pool.billing, code, verifier).json()
    assert "at_hash" in claims_of(oauth["id_token"])
    api_client = pool.factory.app_client(pool.pool_id)["ClientId"]
    api = password_auth(cognito_client, api_client, "hash@example.com")["AuthenticationResult"]
    assert "at_hash" not in claims_of(api["IdToken"])
    refreshed = cognito_client.initiate_auth(
        ClientId=api_client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": api["RefreshToken"]},
    )["AuthenticationResult"]
    assert "at_hash" not in claims_of(refreshed["IdToken"])


def _race(pool: HostedPool, code: str, verifier: str) -> list[httpx.Response]:
    """Two token requests for one code, released at the same moment."""
    start = threading.Barrier(2)

    def redeem(_: int) -> httpx.Response:
        start.wait(timeout=10)
        return exchange(pool.base_url, pool.billing, code, verifier)

    with ThreadPoolExecutor(max_workers=2) as executor:
        return list(executor.map(redeem, range(2)))


def test_two_simultaneous_exchanges_of_one_code_exactly_one_wins(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "race@example.com")
    for _ in range(3):
        code, verifier = signed_in(idp_browser, pool, pool.billing, "race@example.com")
        results = _race(pool, code, verifier)
        assert sorted(r.status_code for r in results) == [200, 400]
        loser = next(r for r in results if r.status_code == 400)
        assert loser.json() == {"error": "invalid_grant"}
