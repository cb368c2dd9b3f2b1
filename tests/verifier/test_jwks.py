"""The JWKS cache against a real HTTP server: first use, rotation, junk keys, outages."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cognito_sso import errors
from cognito_sso.base64url import b64url_encode
from cognito_sso.errors import InvalidTokenError
from cognito_sso.jwks import (
    InvalidJwksError,
    JwksCache,
    parse_jwks,
    reset_jwks_caches,
    shared_jwks_cache,
)
from cognito_sso.verifier import TokenVerifier
from tests.verifier.jwks_server import JwksServer
from tests.verifier.minting import (
    CLIENT_ID,
    SigningKey,
    access_claims,
    id_claims,
    jwks,
    mint,
    new_key,
)


class MonotonicClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mono() -> MonotonicClock:
    return MonotonicClock()


@pytest.fixture
def cache(jwks_server: JwksServer, mono: MonotonicClock) -> Iterator[JwksCache]:
    """A private cache with short timeouts and a settable clock for the refetch penalty."""
    c = JwksCache(
        jwks_server.jwks_uri, timeout=0.5, connect_timeout=0.5, total_timeout=1.0, clock=mono
    )
    yield c
    c.close()


@pytest.fixture
def make_verifier(issuer: str, cache: JwksCache) -> Callable[[], TokenVerifier]:
    return lambda: TokenVerifier(issuer, CLIENT_ID, jwks_cache=cache, verified_cache_size=0)


@pytest.fixture
def v(make_verifier: Callable[[], TokenVerifier]) -> TokenVerifier:
    return make_verifier()


def test_fetched_once_on_first_use(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
) -> None:
    assert jwks_server.fetches == 0  # nothing at construction
    for _ in range(3):
        verifier.verify_access_token(mint(access_key, access_claims(issuer)))
        verifier.verify_id_token(mint(id_key, id_claims(issuer)))
    assert jwks_server.fetches == 1
    assert jwks_server.paths == ["/eu-west-1_TestPool1/.well-known/jwks.json"]


def test_cache_is_shared_by_all_verifiers_of_the_process(
    jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    for _ in range(3):
        TokenVerifier(issuer, CLIENT_ID).verify_access_token(
            mint(access_key, access_claims(issuer))
        )
    TokenVerifier(issuer, "another-client", jwks_uri=jwks_server.jwks_uri)
    assert jwks_server.fetches == 1
    assert shared_jwks_cache(jwks_server.jwks_uri) is shared_jwks_cache(jwks_server.jwks_uri)


def test_reset_jwks_caches_forces_a_refetch(
    verifier: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    token = mint(access_key, access_claims(issuer))
    verifier.verify_access_token(token)
    reset_jwks_caches()
    TokenVerifier(issuer, CLIENT_ID, verified_cache_size=0).verify_access_token(token)
    verifier.verify_access_token(token)  # the old verifier survives the reset
    assert jwks_server.fetches == 2


def test_rotation_needs_exactly_one_refetch(
    v: TokenVerifier,
    jwks_server: JwksServer,
    mono: MonotonicClock,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
) -> None:
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    assert jwks_server.fetches == 1
    rotated = new_key()
    jwks_server.respond(jwks(rotated.jwk(), access_key.jwk()))
    new_token = mint(rotated, id_claims(issuer))
    assert v.verify_id_token(new_token)["sub"]
    assert jwks_server.fetches == 2
    v.verify_id_token(new_token)
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    assert jwks_server.fetches == 2
    # The retired key is gone after the refetch, ...
    with pytest.raises(errors.KeyNotFoundError):
        v.verify_id_token(mint(id_key, id_claims(issuer)))
    assert jwks_server.fetches == 3
    # ... and for 10 s after a miss, unknown kids do not cause fetches.
    for _ in range(5):
        with pytest.raises(errors.KeyNotFoundError):
            v.verify_id_token(mint(new_key(), id_claims(issuer)))
    mono.now += 9.9
    with pytest.raises(errors.KeyNotFoundError):
        v.verify_id_token(mint(id_key, id_claims(issuer)))
    assert jwks_server.fetches == 3
    v.verify_id_token(new_token)  # known keys keep working during the penalty
    mono.now += 0.1
    jwks_server.respond(jwks(rotated.jwk(), access_key.jwk(), id_key.jwk()))
    v.verify_id_token(mint(id_key, id_claims(issuer)))
    assert jwks_server.fetches == 4


def test_penalty_is_per_uri(
    jwks_server: JwksServer, mono: MonotonicClock, issuer: str, access_key: SigningKey
) -> None:
    a = JwksCache(jwks_server.jwks_uri, clock=mono)
    b = JwksCache(jwks_server.jwks_uri + "?other", clock=mono)
    with pytest.raises(errors.KeyNotFoundError):
        a.get_key("unknown")
    with pytest.raises(errors.KeyNotFoundError):
        a.get_key("unknown-2")
    assert jwks_server.fetches == 1
    # b's URI answers 404 (the server knows only the pool's path): b fetches on its own.
    with pytest.raises(errors.KeysUnavailableError):
        b.get_key(access_key.kid)
    assert jwks_server.fetches == 2
    a.close()
    b.close()


def _junk_entries(good: SigningKey) -> tuple[list[Any], list[SigningKey]]:
    enc, rs512, small = new_key(), new_key(), new_key(bits=1024)
    junk: list[Any] = [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AAAA", "y": "AAAA", "use": "sig"},
        {"kty": "oct", "kid": "hmac", "k": b64url_encode(b"secret")},
        enc.jwk(use="enc"),
        rs512.jwk(alg="RS512"),
        good.jwk(kid="no-n", n=None),
        good.jwk(kid="no-e", e=None),
        good.jwk(kid="int-n", n=12345),
        good.jwk(kid="bad-b64", n="!!!!"),
        good.jwk(kid="padded", n=good.jwk()["n"] + "=="),
        good.jwk(kid="even-e", e=b64url_encode(b"\x01\x00\x00")),
        good.jwk(kid="e-one", e="AQ"),
        small.jwk(),
        good.jwk(kid=None),
        good.jwk(kid=7),
        good.jwk(kid="ops", key_ops=["encrypt"]),
        "not an object",
        None,
        [],
    ]
    return junk, [enc, rs512, small]


def test_junk_entries_are_skipped(
    v: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    junk, junk_signers = _junk_entries(access_key)
    no_alg = new_key()
    jwks_server.respond(jwks(*junk, access_key.jwk(), no_alg.jwk(alg=None, use=None)))
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    v.verify_access_token(mint(no_alg, access_claims(issuer)))  # alg/use are optional
    for signer in junk_signers:
        with pytest.raises(errors.KeyNotFoundError):
            v.verify_access_token(mint(signer, access_claims(issuer)))
    keys = parse_jwks(json.dumps(jwks(*junk, access_key.jwk())))
    assert list(keys) == [access_key.kid]


def test_duplicate_kid_keeps_the_first(access_key: SigningKey, rogue_key: SigningKey) -> None:
    keys = parse_jwks(jwks(access_key.jwk(), rogue_key.jwk(kid=access_key.kid)))
    assert keys[access_key.kid].public_numbers() == access_key.private.public_key().public_numbers()


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"null",
        b"[]",
        b'{"keys": {}}',
        b'{"keys": "x"}',
        b'{"keys": []}',
        b"{not json",
        b'{"keys": [NaN]}',
        b"\xff",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_parse_jwks_rejects_unusable_documents(document: bytes) -> None:
    with pytest.raises(InvalidJwksError):
        parse_jwks(document)


FAULTS: dict[str, dict[str, Any]] = {
    "404": {"status": 404, "body": b'{"message": "not found"}'},
    "500": {"status": 500, "body": b"oops"},
    "302": {"status": 302, "body": b"", "headers": {"Location": "http://127.0.0.1:1/"}},
    "timeout": {"delay": 1.5},
    "drip": {"drip": 0.2},  # each byte within the read timeout, the whole body is not
    "invalid-json": {"body": b"<html>not json</html>"},
    "no-keys": {"body": b'{"keys": []}'},
    "keys-not-list": {"body": b'{"keys": "AQAB"}'},
    "oversized": {"body": b'{"keys": [], "pad": "' + b"x" * 70_000 + b'"}'},
    "oversized-no-length": {
        "body": b'{"keys": [], "pad": "' + b"x" * 70_000 + b'"}',
        "omit_length": True,
    },
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_outage_without_cached_keys(
    v: TokenVerifier,
    jwks_server: JwksServer,
    mono: MonotonicClock,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
    fault: str,
) -> None:
    good = jwks(id_key.jwk(), access_key.jwk())
    spec = dict(FAULTS[fault])
    if fault == "drip":
        spec["body"] = json.dumps(good).encode()
    jwks_server.respond(**spec)
    token = mint(access_key, access_claims(issuer))
    with pytest.raises(errors.KeysUnavailableError) as info:
        v.verify_access_token(token)
    assert token[:20] not in str(info.value)
    assert jwks_server.fetches == 1
    # Within 10 s: no new fetch, same answer.
    with pytest.raises(errors.KeysUnavailableError):
        v.verify_access_token(token)
    assert jwks_server.fetches == 1
    # The IdP recovers; after the penalty the keys arrive.
    jwks_server.respond(good)
    mono.now += 10
    assert v.verify_access_token(token)["sub"]
    assert jwks_server.fetches == 2


@pytest.mark.parametrize("fault", list(FAULTS))
def test_outage_with_cached_keys_keeps_them(
    v: TokenVerifier,
    cache: JwksCache,
    jwks_server: JwksServer,
    mono: MonotonicClock,
    issuer: str,
    id_key: SigningKey,
    access_key: SigningKey,
    fault: str,
) -> None:
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    spec = dict(FAULTS[fault])
    if fault == "drip":
        spec["body"] = json.dumps(jwks(new_key().jwk())).encode()
    jwks_server.respond(**spec)
    rotated = new_key()
    with pytest.raises(errors.KeysUnavailableError):
        v.verify_id_token(mint(rotated, id_claims(issuer)))
    assert jwks_server.fetches == 2
    # Cached keys survive the failed fetch, and a forced refresh does not wipe them either.
    assert cache.refresh() is False
    assert jwks_server.fetches == 3
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    v.verify_id_token(mint(id_key, id_claims(issuer)))
    assert jwks_server.fetches == 3


def test_keys_unavailable_when_the_server_is_gone(issuer: str, access_key: SigningKey) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"http://127.0.0.1:{port}/p/.well-known/jwks.json"
    cache = JwksCache(uri, timeout=0.5, connect_timeout=0.5)
    v = TokenVerifier(issuer, CLIENT_ID, jwks_cache=cache)
    with pytest.raises(errors.KeysUnavailableError):
        v.verify_access_token(mint(access_key, access_claims(issuer)))


def test_preloaded_keys_need_no_fetch(
    jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    cache = JwksCache(jwks_server.jwks_uri)
    cache.load(json.dumps(jwks(access_key.jwk())))
    with pytest.raises(InvalidJwksError):
        cache.load({"keys": []})
    v = TokenVerifier(issuer, CLIENT_ID, jwks_cache=cache)
    v.verify_access_token(mint(access_key, access_claims(issuer)))
    assert jwks_server.fetches == 0


def test_jwks_cache_rejects_a_plain_http_uri() -> None:
    with pytest.raises(errors.ConfigurationError):
        JwksCache("http://keys.example.com/jwks.json")


def test_jwks_cache_must_match_jwks_uri(jwks_server: JwksServer, issuer: str) -> None:
    cache = JwksCache(jwks_server.jwks_uri)
    with pytest.raises(errors.ConfigurationError):
        TokenVerifier(issuer, CLIENT_ID, jwks_uri="https://example.com/jwks", jwks_cache=cache)


# -- single flight ------------------------------------------------------------------------


def _hammer(threads: int, work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    return results


def test_cold_cache_single_flight_under_50_threads(
    verifier: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    jwks_server.respond(jwks(access_key.jwk()), delay=0.3)
    tokens = [mint(access_key, access_claims(issuer, jti=f"t{i}")) for i in range(50)]
    it = iter(tokens)
    lock = threading.Lock()

    def work() -> Any:
        with lock:
            token = next(it)
        return verifier.verify_access_token(token)

    results = _hammer(50, work)
    assert all(isinstance(r, dict) for r in results), results
    assert jwks_server.fetches == 1


def test_single_flight_when_the_fetch_fails(
    verifier: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    jwks_server.respond(status=503, body=b"busy", delay=0.3)
    token = mint(access_key, access_claims(issuer))
    results = _hammer(50, lambda: verifier.verify_access_token(token))
    assert all(isinstance(r, errors.KeysUnavailableError) for r in results), results
    assert jwks_server.fetches == 1


def test_single_flight_for_unknown_kids(
    verifier: TokenVerifier, jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    verifier.verify_access_token(mint(access_key, access_claims(issuer)))
    jwks_server.respond(jwks(access_key.jwk()), delay=0.2)
    forged = [mint(new_key(), access_claims(issuer)) for _ in range(4)]
    counter = iter(range(50))
    lock = threading.Lock()

    def work() -> Any:
        with lock:
            i = next(counter)
        return verifier.verify_access_token(forged[i % 4])

    results = _hammer(50, work)
    assert all(isinstance(r, errors.KeyNotFoundError) for r in results), results
    assert jwks_server.fetches == 2
    assert all(isinstance(r, InvalidTokenError) for r in results)


def test_waiters_share_the_result_even_without_a_penalty(
    jwks_server: JwksServer, issuer: str, access_key: SigningKey
) -> None:
    """Threads that waited for a fetch use its result rather than fetching again."""
    cache = JwksCache(jwks_server.jwks_uri, min_refetch_interval=0)
    v = TokenVerifier(issuer, CLIENT_ID, jwks_cache=cache)
    # The slow answer keeps every thread waiting on the one fetch, even on a busy machine.
    jwks_server.respond(status=500, body=b"down", delay=1.5)
    token = mint(access_key, access_claims(issuer))
    results = _hammer(50, lambda: v.verify_access_token(token))
    assert all(isinstance(r, errors.KeysUnavailableError) for r in results), results
    assert jwks_server.fetches == 1
    jwks_server.respond(jwks(access_key.jwk()))
    assert v.verify_access_token(token)["sub"]  # no penalty configured: next miss refetches
    assert jwks_server.fetches == 2
    cache.close()
