"""The async I/O layer against the local IdP over real HTTP: the async OIDC client, the async
JWKS cache (single flight, penalty window) and the async verifier, which shares the sync
verification path."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cognito_sso.aio import AsyncJwksCache, AsyncOIDCClient, AsyncTokenVerifier
from cognito_sso.aio.loops import run_blocking
from cognito_sso.aio.oidc import LoopBridgedOIDCClient
from cognito_sso.errors import KeyNotFoundError, KeysUnavailableError
from cognito_sso.oidc import (
    IdPUnavailableError,
    InvalidGrantError,
    TokenRevokedError,
    new_pkce_pair,
)
from cognito_sso.random_token import random_token
from tests.aio import run_in_fresh_loop
from tests.plugins.flask_apps import SSOEnv

REDIRECT = "http://127.0.0.1:9/auth/callback"


def async_client(env: SSOEnv, client: dict[str, Any], **extra: Any) -> AsyncOIDCClient:
    return AsyncOIDCClient(
        issuer=env.issuer,
        client_id=client["ClientId"],
        client_secret=client.get("ClientSecret"),
        api_endpoint=env.idp.base_url + "/",
        timeout=2.0,
        **extra,
    )


async def sign_in(env: SSOEnv, oidc: AsyncOIDCClient, email: str) -> tuple[Any, str]:
    """Code flow through the hosted UI; returns (tokens, nonce)."""
    pkce, state, nonce = new_pkce_pair(), random_token(), random_token()
    url = await oidc.authorization_url(
        redirect_uri=REDIRECT,
        scopes=("openid", "email", "profile", "aws.cognito.signin.user.admin"),
        state=state,
        nonce=nonce,
        code_challenge=pkce.challenge,
    )
    browser = env.browser()

    def hosted_ui() -> str:  # the scripted browser is blocking: keep it off the loop
        page = browser.follow(browser.get(url))
        hop = browser.follow(
            browser.submit(page, {"username": email, "password": "Passw0rd!Local"}),
            stop_at=REDIRECT,
        )
        return str(hop.headers["location"])

    location = await asyncio.to_thread(hosted_ui)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["state"] == state
    tokens = await oidc.exchange_code(
        code=query["code"], redirect_uri=REDIRECT, code_verifier=pkce.verifier
    )
    return tokens, nonce


def test_async_client_signs_in_refreshes_and_signs_out(sso_env: SSOEnv) -> None:
    client = sso_env.client("http://127.0.0.1:9")
    email = sso_env.user()

    async def scenario() -> None:
        oidc = async_client(sso_env, client)
        verifier = AsyncTokenVerifier(sso_env.issuer, [client["ClientId"]])
        tokens, nonce = await sign_in(sso_env, oidc, email)
        assert tokens.id_token is not None and tokens.refresh_token is not None
        id_claims = await verifier.verify_id_token(
            tokens.id_token, nonce=nonce, access_token=tokens.access_token
        )
        assert id_claims["email"] == email
        assert (await oidc.userinfo(tokens.access_token))["email"] == email
        refreshed = await oidc.refresh(tokens.refresh_token)
        await verifier.verify_access_token(refreshed.access_token)
        await oidc.global_sign_out(refreshed.access_token)
        with pytest.raises(TokenRevokedError):
            await oidc.userinfo(refreshed.access_token)
        with pytest.raises(InvalidGrantError):
            await oidc.refresh(tokens.refresh_token)
        await oidc.revoke(tokens.refresh_token)  # revoking a dead token is still a 200
        await oidc.aclose()

    run_in_fresh_loop(scenario())


def test_async_and_sync_clients_share_the_discovery_rules(sso_env: SSOEnv) -> None:
    client = sso_env.client("http://127.0.0.1:9")

    async def both() -> tuple[Any, Any]:
        oidc = async_client(sso_env, client)
        bridged = LoopBridgedOIDCClient(oidc)
        return await oidc.metadata(), await run_blocking(bridged.metadata)

    async_meta, bridged_meta = run_in_fresh_loop(both())
    assert async_meta == bridged_meta
    assert async_meta.token_endpoint.startswith(sso_env.idp.base_url)


def test_idp_faults_become_unavailable(sso_env: SSOEnv) -> None:
    client = sso_env.client("http://127.0.0.1:9")

    async def scenario() -> None:
        oidc = async_client(sso_env, client, discovery_ttl=0)
        sso_env.idp.fault("discovery", "error")
        with pytest.raises(IdPUnavailableError):
            await oidc.metadata()
        await oidc.metadata()  # the fault was for one call
        sso_env.idp.fault("token", "hang", seconds=5)
        with pytest.raises(IdPUnavailableError, match="did not answer in time"):
            await oidc.refresh("r" * 40)
        sso_env.idp.fault("token", "drop")
        with pytest.raises(IdPUnavailableError, match="unreachable"):
            await oidc.refresh("r" * 40)

    run_in_fresh_loop(scenario())


def test_blocking_bridge_refuses_io_on_the_loop_thread(sso_env: SSOEnv) -> None:
    client = sso_env.client("http://127.0.0.1:9")

    async def on_loop() -> None:
        LoopBridgedOIDCClient(async_client(sso_env, client)).metadata()

    with pytest.raises(RuntimeError, match="outside a worker thread"):
        run_in_fresh_loop(on_loop())


def test_async_jwks_single_flight_and_penalty(sso_env: SSOEnv) -> None:
    cache = AsyncJwksCache(f"{sso_env.issuer}/.well-known/jwks.json")
    sso_env.idp.reset_counts()
    path = f"/{sso_env.pool_id}/.well-known/jwks.json"

    async def scenario() -> None:
        results = await asyncio.gather(
            *(cache.aget_key("unknown-kid") for _ in range(20)), return_exceptions=True
        )
        assert all(isinstance(r, KeyNotFoundError) for r in results)
        assert sso_env.idp.count("GET", path) == 1  # 20 misses, one fetch
        with pytest.raises(KeyNotFoundError):
            await cache.aget_key("another-unknown-kid")  # inside the penalty window
        assert sso_env.idp.count("GET", path) == 1
        with pytest.raises(KeyNotFoundError):
            cache.get_key("unknown-kid")  # the blocking lookup on the loop never fetches
        assert sso_env.idp.count("GET", path) == 1
        await cache.aclose()

    run_in_fresh_loop(scenario())


def test_async_jwks_outage_is_keys_unavailable(sso_env: SSOEnv) -> None:
    cache = AsyncJwksCache(f"{sso_env.issuer}/.well-known/jwks.json", total_timeout=1.0)
    sso_env.idp.fault("jwks", "error")

    with pytest.raises(KeysUnavailableError):
        run_in_fresh_loop(cache.aget_key("kid"))


def test_the_penalty_window_holds_across_event_loops(sso_env: SSOEnv) -> None:
    """Single flight is per event loop; the penalty after a miss is the cache's, for all."""
    cache = AsyncJwksCache(f"{sso_env.issuer}/.well-known/jwks.json")
    sso_env.idp.reset_counts()
    errors: list[BaseException] = []

    def loop_thread() -> None:
        try:
            run_in_fresh_loop(cache.aget_key("unknown"))
        except KeyNotFoundError as exc:
            errors.append(exc)

    for _ in range(2):  # one loop after the other, each in its own thread
        thread = threading.Thread(target=loop_thread)
        thread.start()
        thread.join()
    assert len(errors) == 2
    assert sso_env.idp.count("GET", f"/{sso_env.pool_id}/.well-known/jwks.json") == 1
