"""The cache of already-verified tokens: RSA once, but every per-call check every time."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from cognito_sso import errors
from cognito_sso.jwks import JwksCache, reset_jwks_caches
from cognito_sso.verifier import TokenVerifier
from tests.verifier.conftest import Clock
from tests.verifier.jwks_server import JwksServer
from tests.verifier.minting import (
    CLIENT_ID,
    OTHER_CLIENT_ID,
    SigningKey,
    access_claims,
    at_hash,
    id_claims,
    jwks,
    mint,
)

T0 = 1_800_000_000


@pytest.fixture
def full_verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every full (signature-checking) verification."""
    calls: list[str] = []
    original = TokenVerifier._verify_fully

    def spy(self: TokenVerifier, token: object, use: str) -> object:
        calls.append(use)
        return original(self, token, use)

    monkeypatch.setattr(TokenVerifier, "_verify_fully", spy)
    yield calls


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def cached(issuer: str, clock: Clock) -> TokenVerifier:
    return TokenVerifier(issuer, CLIENT_ID, clock=clock, verified_cache_size=3)


def test_same_token_is_verified_once(
    cached: TokenVerifier, issuer: str, access_key: SigningKey, full_verifications: list[str]
) -> None:
    token = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 3600))
    first = cached.verify_access_token(token)
    for _ in range(10):
        assert cached.verify_access_token(token) is first
    assert full_verifications == ["access"]


def test_disabled_cache_verifies_every_time(
    issuer: str, access_key: SigningKey, full_verifications: list[str]
) -> None:
    v = TokenVerifier(issuer, CLIENT_ID, verified_cache_size=0)
    token = mint(access_key, access_claims(issuer))
    v.verify_access_token(token)
    v.verify_access_token(token)
    assert full_verifications == ["access", "access"]


def test_exp_is_rechecked_on_every_hit(
    cached: TokenVerifier, clock: Clock, issuer: str, access_key: SigningKey
) -> None:
    token = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 100))
    cached.verify_access_token(token)
    clock.now = T0 + 100 + 59
    cached.verify_access_token(token)
    clock.now = T0 + 100 + 60
    with pytest.raises(errors.TokenExpiredError):
        cached.verify_access_token(token)
    with pytest.raises(errors.TokenExpiredError):
        cached.verify_access_token(token)


def test_scopes_are_checked_on_every_hit(
    cached: TokenVerifier, issuer: str, access_key: SigningKey, full_verifications: list[str]
) -> None:
    token = mint(access_key, access_claims(issuer, scope="openid email", iat=T0, exp=T0 + 99))
    cached.verify_access_token(token, scopes=["openid"])
    with pytest.raises(errors.MissingScopeError):
        cached.verify_access_token(token, scopes=["admin"])
    cached.verify_access_token(token, scopes=["email", "openid"])
    assert full_verifications == ["access"]


def test_nonce_and_at_hash_are_checked_on_every_hit(
    cached: TokenVerifier,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
    full_verifications: list[str],
) -> None:
    access = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 99))
    id_token = mint(
        id_key, id_claims(issuer, nonce="abc", at_hash=at_hash(access), iat=T0, exp=T0 + 99)
    )
    cached.verify_id_token(id_token, nonce="abc", access_token=access)
    with pytest.raises(errors.NonceMismatchError):
        cached.verify_id_token(id_token, nonce="abd")
    with pytest.raises(errors.AtHashMismatchError):
        cached.verify_id_token(id_token, nonce="abc", access_token=access + "x")
    cached.verify_id_token(id_token, nonce="abc", access_token=access)
    assert full_verifications == ["id"]


def test_token_use_is_not_bypassed_by_the_cache(
    cached: TokenVerifier, issuer: str, access_key: SigningKey, id_key: SigningKey
) -> None:
    access = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 99))
    id_token = mint(id_key, id_claims(issuer, iat=T0, exp=T0 + 99))
    cached.verify_access_token(access)
    cached.verify_id_token(id_token)
    with pytest.raises(errors.InvalidTokenUseError):
        cached.verify_id_token(access)
    with pytest.raises(errors.InvalidTokenUseError):
        cached.verify_access_token(id_token)


def test_cache_belongs_to_one_verifier(issuer: str, clock: Clock, access_key: SigningKey) -> None:
    mine = TokenVerifier(issuer, CLIENT_ID, clock=clock)
    theirs = TokenVerifier(issuer, OTHER_CLIENT_ID, clock=clock)
    token = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 99))
    mine.verify_access_token(token)
    with pytest.raises(errors.InvalidAudienceError):
        theirs.verify_access_token(token)


def test_lru_is_bounded(
    cached: TokenVerifier, issuer: str, access_key: SigningKey, full_verifications: list[str]
) -> None:
    tokens = [
        mint(access_key, access_claims(issuer, jti=str(i), iat=T0, exp=T0 + 99)) for i in range(4)
    ]
    for token in tokens[:3]:
        cached.verify_access_token(token)
    cached.verify_access_token(tokens[0])  # refresh 0: 1 is now the oldest
    cached.verify_access_token(tokens[3])  # evicts 1
    assert len(full_verifications) == 4
    cached.verify_access_token(tokens[0])
    cached.verify_access_token(tokens[2])
    assert len(full_verifications) == 4
    cached.verify_access_token(tokens[1])
    assert len(full_verifications) == 5
    assert len(cached._cache or ()) == 3


def test_failures_are_not_cached(
    cached: TokenVerifier,
    issuer: str,
    access_key: SigningKey,
    rogue_key: SigningKey,
    full_verifications: list[str],
) -> None:
    forged = mint(rogue_key, access_claims(issuer, iat=T0, exp=T0 + 99), kid=access_key.kid)
    for _ in range(3):
        with pytest.raises(errors.InvalidSignatureError):
            cached.verify_access_token(forged)
    assert len(full_verifications) == 3


def test_key_removed_from_jwks_invalidates_cached_tokens(
    cached: TokenVerifier,
    jwks_server: JwksServer,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
    full_verifications: list[str],
) -> None:
    token = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 99))
    cached.verify_access_token(token)
    jwks_server.respond(jwks(id_key.jwk()))  # the access key is revoked
    reset_jwks_caches()
    with pytest.raises(errors.KeyNotFoundError):
        cached.verify_access_token(token)
    assert len(full_verifications) == 2


def test_unchanged_keys_keep_cached_tokens_across_refetches(
    jwks_server: JwksServer,
    issuer: str,
    clock: Clock,
    access_key: SigningKey,
    full_verifications: list[str],
) -> None:
    cache = JwksCache(jwks_server.jwks_uri)
    v = TokenVerifier(issuer, CLIENT_ID, clock=clock, jwks_cache=cache)
    token = mint(access_key, access_claims(issuer, iat=T0, exp=T0 + 99))
    v.verify_access_token(token)
    assert cache.refresh()
    v.verify_access_token(token)
    assert full_verifications == ["access"]
    cache.close()


def test_concurrent_use_is_safe(issuer: str, access_key: SigningKey, id_key: SigningKey) -> None:
    v = TokenVerifier(issuer, CLIENT_ID, verified_cache_size=8)
    tokens = [mint(access_key, access_claims(issuer, jti=str(i))) for i in range(20)]
    ids = [mint(id_key, id_claims(issuer, jti=str(i))) for i in range(5)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(16)

    def run(n: int) -> None:
        barrier.wait()
        try:
            for i in range(60):
                claims = v.verify_access_token(tokens[(n * 7 + i) % 20])
                assert claims["jti"] == str((n * 7 + i) % 20)
                with pytest.raises(errors.InvalidTokenUseError):
                    v.verify_access_token(ids[i % 5])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
