"""Process-wide cache of an issuer's signing keys (its JWKS), built to survive rotation and
outages.

- Keys are fetched on first use, then only when a token names an unknown ``kid``. After a
  fetch that fails or still lacks the ``kid``, the URI is not fetched again for
  ``min_refetch_interval`` seconds (10 s): a stream of forged ``kid`` values cannot turn
  into a stream of requests to the IdP.
- Concurrent misses share one fetch (single flight).
- A failed or invalid fetch never replaces keys already cached.
- Only usable RSA signature keys are kept (``kty`` RSA, ``use`` sig if present, ``alg``
  RS256 if present, 2048..8192-bit modulus); other entries are skipped.
- The URI always comes from configuration, never from a token.

One :class:`JwksCache` per JWKS URI is shared by every verifier of the process
(:func:`shared_jwks_cache`); :func:`reset_jwks_caches` empties them (tests, key revocation).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from cognito_sso._http import make_http_client, read_capped
from cognito_sso.base64url import b64url_decode
from cognito_sso.errors import InvalidJwksError, KeyNotFoundError, KeysUnavailableError
from cognito_sso.strict_json import parse_json
from cognito_sso.urls import require_https_or_loopback

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MIN_REFETCH_INTERVAL",
    "InvalidJwksError",
    "JwksCache",
    "parse_jwks",
    "reset_jwks_caches",
    "shared_jwks_cache",
]

log = logging.getLogger("cognito_sso.jwks")

DEFAULT_MIN_REFETCH_INTERVAL = 10.0
DEFAULT_MAX_BYTES = 64 * 1024  # a Cognito JWKS is about 1 KiB
DEFAULT_TIMEOUT = 3.0
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_TOTAL_TIMEOUT = 5.0

MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192
MAX_KID_LENGTH = 256


def _rsa_key_from_jwk(jwk: Mapping[str, Any]) -> RSAPublicKey | None:
    """The public key of one JWK, or None when it is not a usable RS256 signature key."""
    if jwk.get("kty") != "RSA":
        return None
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
        return None
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return None
    n_b64, e_b64 = jwk.get("n"), jwk.get("e")
    if not isinstance(n_b64, str) or not isinstance(e_b64, str) or not n_b64 or not e_b64:
        return None
    try:
        n = int.from_bytes(b64url_decode(n_b64), "big")
        e = int.from_bytes(b64url_decode(e_b64), "big")
    except ValueError:
        return None
    if not MIN_RSA_BITS <= n.bit_length() <= MAX_RSA_BITS:
        return None
    if e < 3 or e % 2 == 0 or e.bit_length() > 32:
        return None
    try:
        return RSAPublicNumbers(e, n).public_key()
    except ValueError:
        return None


def parse_jwks(document: bytes | str | Mapping[str, Any]) -> dict[str, RSAPublicKey]:
    """Usable RS256 keys of a JWKS document, by ``kid``; junk entries are skipped.

    Raises :class:`InvalidJwksError` when the document is not a JSON object with a ``keys``
    array, or when no entry is usable.
    """
    if isinstance(document, (bytes, str)):
        try:
            text = document.decode("utf-8") if isinstance(document, bytes) else document
            parsed = parse_json(text)
        except ValueError:
            raise InvalidJwksError("JWKS is not valid JSON") from None
    else:
        parsed = document
    if not isinstance(parsed, Mapping):
        raise InvalidJwksError("JWKS is not a JSON object")
    entries = parsed.get("keys")
    if not isinstance(entries, list):
        raise InvalidJwksError("JWKS has no 'keys' array")
    keys: dict[str, RSAPublicKey] = {}
    skipped = 0
    for entry in entries:
        kid = entry.get("kid") if isinstance(entry, Mapping) else None
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH or kid in keys:
            skipped += 1
            continue
        key = _rsa_key_from_jwk(entry)
        if key is None:
            skipped += 1
            continue
        keys[kid] = key
    if skipped:
        log.info("JWKS: skipped %d entries that are not usable RS256 signature keys", skipped)
    if not keys:
        raise InvalidJwksError("JWKS holds no usable RS256 signature key")
    return keys


def _same_key(a: RSAPublicKey, b: RSAPublicKey) -> bool:
    return a.public_numbers() == b.public_numbers()


class JwksCache:
    """Signing keys of one JWKS URI: fetched lazily, refetched only for an unknown ``kid``.

    Thread-safe. Lookups of known keys take no lock.
    """

    def __init__(
        self,
        uri: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        min_refetch_interval: float = DEFAULT_MIN_REFETCH_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        require_https_or_loopback(uri, "jwks_uri")
        self.uri = uri
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.min_refetch_interval = min_refetch_interval
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}  # replaced, never mutated: lock-free reads
        self._fetch_lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._generation = 0  # bumped after every fetch attempt
        self._blocked_until = float("-inf")
        self._last_error: str | None = None
        self.fetch_count = 0

    # -- lookups ---------------------------------------------------------------------------

    def peek(self, kid: str) -> RSAPublicKey | None:
        """The cached key for ``kid``, without fetching."""
        return self._keys.get(kid)

    def get_key(self, kid: str) -> RSAPublicKey:
        """The key for ``kid``, fetching the JWKS if the ``kid`` is not cached.

        Raises :class:`KeyNotFoundError` when the JWKS lacks the ``kid``, and
        :class:`KeysUnavailableError` when the JWKS could not be fetched.
        """
        key = self._keys.get(kid)
        if key is not None:
            return key
        seen_generation = self._generation
        with self._fetch_lock:
            key = self._key_after_wait(kid, seen_generation)
            if key is not None:
                return key
            self._fetch_locked()
            return self._key_after_fetch(kid)

    def _key_after_wait(self, kid: str, seen_generation: int) -> RSAPublicKey | None:
        """After taking the fetch lock: the key if it arrived meanwhile, None when a fetch is
        due, or the miss error when another caller fetched while we waited or a recent fetch
        missed (single flight and the penalty window, shared by the sync and async paths)."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._generation != seen_generation or self._clock() < self._blocked_until:
            raise self._miss_error(kid)
        return None

    def _key_after_fetch(self, kid: str) -> RSAPublicKey:
        """After a fetch attempt: the key, or the miss error and a penalty window."""
        key = self._keys.get(kid)
        if key is None:
            self._blocked_until = self._clock() + self.min_refetch_interval
            raise self._miss_error(kid)
        self._blocked_until = float("-inf")
        return key

    def _miss_error(self, kid: str) -> KeyNotFoundError | KeysUnavailableError:
        if self._last_error is not None:
            return KeysUnavailableError(
                f"signing keys of the issuer are unavailable ({self._last_error})"
            )
        return KeyNotFoundError(f"no signing key with kid {kid[:64]!r} in the issuer's JWKS")

    # -- loading ---------------------------------------------------------------------------

    def load(self, document: bytes | str | Mapping[str, Any]) -> None:
        """Install keys from a JWKS document (e.g. one baked in at deploy time).

        Raises :class:`InvalidJwksError`; cached keys are kept in that case.
        """
        keys = parse_jwks(document)
        with self._fetch_lock:
            self._install(keys)

    def refresh(self) -> bool:
        """Fetch the JWKS now (ignoring the refetch interval). True when it succeeded."""
        with self._fetch_lock:
            self._fetch_locked()
            return self._last_error is None

    def clear(self) -> None:
        """Forget every key and the refetch penalty (the next lookup fetches)."""
        with self._fetch_lock:
            self._keys = {}
            self._blocked_until = float("-inf")
            self._last_error = None
            self.fetch_count = 0

    def close(self) -> None:
        """Close the HTTP client (a later fetch opens a new one)."""
        with self._fetch_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _install(self, keys: dict[str, RSAPublicKey]) -> None:
        # Keep the existing key objects when unchanged, so verified-token cache entries that
        # refer to them stay valid across refetches.
        old = self._keys
        merged = {
            kid: old[kid] if kid in old and _same_key(old[kid], key) else key
            for kid, key in keys.items()
        }
        self._keys = merged
        self._last_error = None

    def _fetch_locked(self) -> None:
        """One fetch attempt; the caller holds ``_fetch_lock``. Never raises."""
        try:
            body = self._download()
        except Exception as exc:  # noqa: BLE001 - whatever a hostile endpoint does is a failure
            self._fetch_done(exc)
        else:
            self._fetch_done(body)

    def _fetch_done(self, outcome: bytes | Exception) -> None:
        """Record a fetch attempt: the downloaded body, or why the download failed. Keys that
        fail to parse never replace the cached ones. The caller holds ``_fetch_lock``."""
        self.fetch_count += 1
        try:
            if isinstance(outcome, Exception):
                raise outcome
            keys = parse_jwks(outcome)
        except Exception as exc:  # noqa: BLE001 - whatever a hostile endpoint does is a failure
            self._last_error = _describe_failure(exc)
            log.warning("JWKS fetch from %s failed: %s", self.uri, self._last_error)
        else:
            self._install(keys)
            log.info("JWKS fetched from %s: %d keys", self.uri, len(keys))
        finally:
            self._generation += 1

    def _download(self) -> bytes:
        if self._client is None:
            self._client = make_http_client(self.timeout, connect_timeout=self.connect_timeout)
        deadline = time.monotonic() + self.total_timeout
        with self._client.stream("GET", self.uri, headers=JWKS_REQUEST_HEADERS) as response:
            require_ok(response.status_code)
            return read_capped(response, self.max_bytes, deadline=deadline)


JWKS_REQUEST_HEADERS = {"Accept": "application/json"}


def require_ok(status: int) -> None:
    """Refuse a JWKS answer that is not HTTP 200 (before reading its body)."""
    if status != 200:
        raise _HttpStatusError(status)


class _HttpStatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP status {status}")


def _describe_failure(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__}"
    if isinstance(exc, (_HttpStatusError, InvalidJwksError)):
        return str(exc)
    return type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"[:200]


_shared: dict[str, JwksCache] = {}
_shared_lock = threading.Lock()


def shared_jwks_cache(uri: str) -> JwksCache:
    """The process-wide :class:`JwksCache` of ``uri`` (created on first use)."""
    cache = _shared.get(uri)
    if cache is None:
        with _shared_lock:
            cache = _shared.get(uri)
            if cache is None:
                cache = _shared[uri] = JwksCache(uri)
    return cache


def reset_jwks_caches() -> None:
    """Empty every process-wide JWKS cache in place (verifiers keep working and refetch).

    For tests, and for an operator who must drop a revoked key before its tokens expire.
    """
    with _shared_lock:
        caches = list(_shared.values())
    for cache in caches:
        cache.clear()
        cache.close()
