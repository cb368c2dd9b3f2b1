"""Strict verification of Cognito ID and access tokens (framework-free).

Three stages, as in aws-jwt-verify, each rule a named assertion with its own typed error:

1. structure (:mod:`cognito_sso.jws`): a compact JWS of at most 16 KiB, JSON-object header
   and payload, ``alg`` RS256 only, a string ``kid``; then ``iss`` is compared
   (:func:`~cognito_sso.claim_checks.assert_issuer`), so tokens of other issuers never cause
   a JWKS fetch;
2. key and signature: the key comes from the configured issuer's JWKS
   (:mod:`cognito_sso.jwks`), verified with ``cryptography`` RSA-PKCS1v15-SHA256;
3. claims (:mod:`cognito_sso.claim_checks`): ``token_use``, ``exp``/``nbf``/``iat`` with the
   leeway, ``sub``, ``aud``/``azp`` or ``client_id``, claim types; then the per-call checks
   (``nonce``, ``at_hash``, ``scopes``).

Every rejection raises a subclass of :class:`~cognito_sso.errors.InvalidTokenError`; no other
exception type escapes a verify call. Verified tokens are kept in a small LRU cache keyed by
the full token string, so a service that sees the same bearer token many times pays for RSA
once; ``exp`` and the per-call checks are re-run on every hit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256

from cognito_sso.claim_checks import (
    assert_at_hash,
    assert_audience,
    assert_auth_time_is_a_date,
    assert_authorized_party,
    assert_client_id,
    assert_groups,
    assert_issued_in_past,
    assert_issuer,
    assert_nonce,
    assert_not_before,
    assert_not_expired,
    assert_scopes,
    assert_string_claims,
    assert_subject,
    assert_token_use,
)
from cognito_sso.claims import Claims
from cognito_sso.errors import (
    ConfigurationError,
    InvalidSignatureError,
    InvalidTokenError,
    TokenExpiredError,
)
from cognito_sso.jwks import JwksCache, shared_jwks_cache
from cognito_sso.jws import MAX_TOKEN_LENGTH, UnverifiedToken, decompose
from cognito_sso.urls import require_https_or_loopback

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_VERIFIED_CACHE_SIZE",
    "MAX_LEEWAY",
    "MAX_TOKEN_LENGTH",
    "Claims",
    "TokenVerifier",
]

DEFAULT_LEEWAY = 60
MAX_LEEWAY = 300
DEFAULT_VERIFIED_CACHE_SIZE = 1024

_PADDING = PKCS1v15()
_SHA256 = SHA256()


class _Verified(NamedTuple):
    """A verified token as the cache keeps it: its key, to notice rotation, and ``exp``.
    (A NamedTuple: immutable and typed like a frozen dataclass, and cheaper to build.)"""

    claims: Claims
    use: str
    kid: str
    key: RSAPublicKey
    exp: float


class _VerifiedTokenCache:
    """A thread-safe LRU of verified tokens, keyed by the full token string."""

    def __init__(self, max_size: int) -> None:
        self._max_size = max_size
        self._entries: OrderedDict[str, _Verified] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> _Verified | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def put(self, token: str, entry: _Verified) -> None:
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            if len(self._entries) > self._max_size:
                self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def __len__(self) -> int:
        return len(self._entries)


def _validate_issuer(issuer: object) -> str:
    require_https_or_loopback(issuer, "issuer")
    assert isinstance(issuer, str)
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or "?" in issuer or "#" in issuer:
        raise ConfigurationError("issuer must not have a query or a fragment")
    if issuer.endswith("/"):
        raise ConfigurationError("issuer must not end with '/' (it must equal the iss claim)")
    if len(issuer) > 1024:
        raise ConfigurationError("issuer is too long")
    return issuer


def _validate_client_ids(client_ids: object) -> frozenset[str]:
    if isinstance(client_ids, str):
        client_ids = (client_ids,)
    if not isinstance(client_ids, Iterable):
        raise ConfigurationError("client_ids must be a client id or an iterable of client ids")
    ids = tuple(client_ids)
    if not ids:
        raise ConfigurationError("client_ids must name at least one app client id")
    for client_id in ids:
        if not isinstance(client_id, str) or not client_id or not client_id.isprintable():
            raise ConfigurationError("every client id must be a non-empty printable string")
    return frozenset(ids)


def _validate_leeway(leeway: object) -> float:
    if type(leeway) not in (int, float):
        raise ConfigurationError("leeway must be a number of seconds")
    assert isinstance(leeway, (int, float))
    if not math.isfinite(leeway) or not 0 <= leeway <= MAX_LEEWAY:
        raise ConfigurationError(f"leeway must be between 0 and {MAX_LEEWAY} seconds")
    return float(leeway)


class TokenVerifier:
    """Verifies Cognito ID and access tokens of one issuer (user pool) for some app clients.

    ``issuer`` is the exact ``iss`` value; ``client_ids`` one app client id or several (the
    only audiences an ID token may name);
    ``jwks_uri`` defaults to ``{issuer}/.well-known/jwks.json`` (https, or http on loopback
    only); ``leeway`` (0..300 s) absorbs clock skew for ``exp``, ``nbf`` and ``iat``.
    ``verified_cache_size`` bounds the cache of verified tokens (0 disables it).
    ``jwks_cache`` replaces the process-wide cache of ``jwks_uri`` (tests, preloaded keys);
    ``clock`` returns the current epoch time in seconds.

    Raises :class:`ConfigurationError` for invalid arguments.
    """

    def __init__(
        self,
        issuer: str,
        client_ids: str | Iterable[str],
        *,
        jwks_uri: str | None = None,
        leeway: float = DEFAULT_LEEWAY,
        verified_cache_size: int = DEFAULT_VERIFIED_CACHE_SIZE,
        jwks_cache: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = _validate_issuer(issuer)
        self.client_ids = _validate_client_ids(client_ids)
        self.leeway = _validate_leeway(leeway)
        if jwks_uri is None:
            jwks_uri = (
                jwks_cache.uri if jwks_cache is not None else f"{issuer}/.well-known/jwks.json"
            )
        require_https_or_loopback(jwks_uri, "jwks_uri")
        if jwks_cache is not None and jwks_cache.uri != jwks_uri:
            raise ConfigurationError("jwks_cache serves a different jwks_uri")
        self.jwks_uri = jwks_uri
        if type(verified_cache_size) is not int or verified_cache_size < 0:
            raise ConfigurationError("verified_cache_size must be an integer >= 0")
        self._jwks = jwks_cache if jwks_cache is not None else shared_jwks_cache(jwks_uri)
        self._cache = _VerifiedTokenCache(verified_cache_size) if verified_cache_size else None
        self._clock = clock

    def __repr__(self) -> str:
        return f"TokenVerifier(issuer={self.issuer!r}, client_ids={sorted(self.client_ids)!r})"

    # -- public API ------------------------------------------------------------------------

    def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> Claims:
        """Verify an ID token and return its claims.

        ``nonce``: when given, the token's ``nonce`` must equal it (compared in constant
        time; a token without ``nonce`` fails). ``access_token``: when given and the ID token
        has ``at_hash``, the hash must match. Raises :class:`InvalidTokenError` subclasses.
        """
        return self._verify(token, "id", nonce, access_token, ())

    def verify_access_token(self, token: str, *, scopes: Iterable[str] = ()) -> Claims:
        """Verify an access token and return its claims.

        ``scopes``: every listed scope must be in the token's space-separated ``scope``.
        Raises :class:`InvalidTokenError` subclasses.
        """
        return self._verify(token, "access", None, None, scopes)

    def _verify(
        self,
        token: str,
        use: str,
        nonce: str | None,
        access_token: str | None,
        scopes: Iterable[str],
    ) -> Claims:
        """The token-intrinsic checks, then the per-call ones that were asked for."""
        try:
            claims = self._verified(token, use)
            if nonce is not None:
                assert_nonce(claims, nonce)
            if access_token is not None:
                assert_at_hash(claims, access_token)
            if scopes:
                assert_scopes(claims, scopes)
            return claims
        except InvalidTokenError:
            raise
        except Exception as exc:  # the contract: nothing else escapes
            raise InvalidTokenError("token could not be verified") from exc

    # -- stages ----------------------------------------------------------------------------

    def _verified(self, token: object, use: str) -> Claims:
        """Claims of a token that passed every token-intrinsic check (cache, then full)."""
        cache = self._cache
        if cache is None or type(token) is not str:
            return self._verify_fully(token, use).claims
        entry = cache.get(token)
        if entry is not None and entry.use == use:
            if self._jwks.peek(entry.kid) is not entry.key:  # key rotated out or cache reset
                cache.discard(token)
            elif self._clock() >= entry.exp + self.leeway:
                cache.discard(token)
                raise TokenExpiredError("token has expired")
            else:
                return entry.claims
        verified = self._verify_fully(token, use)
        cache.put(token, verified)
        return verified.claims

    def _verify_fully(self, token: object, use: str) -> _Verified:
        # Stage 1: structure; the issuer before any key lookup, so that tokens of another
        # issuer never trigger a JWKS fetch.
        unverified = decompose(token)
        assert_issuer(unverified.payload, self.issuer)
        # Stage 2: key and signature.
        key = self._jwks.get_key(unverified.kid)
        _assert_signature(key, unverified)
        # Stage 3: claims.
        exp = self._assert_claims(unverified.payload, use)
        return _Verified(unverified.payload, use, unverified.kid, key, exp)

    def _assert_claims(self, payload: Claims, use: str) -> float:
        """The token-intrinsic claim rules (the per-call ones come later); returns ``exp``."""
        now, leeway = self._clock(), self.leeway
        assert_token_use(payload, use)
        exp = assert_not_expired(payload, now, leeway)
        assert_not_before(payload, now, leeway)
        assert_issued_in_past(payload, now, leeway)
        assert_auth_time_is_a_date(payload)
        assert_subject(payload)
        if use == "id":
            assert_audience(payload, self.client_ids)
            assert_authorized_party(payload, self.client_ids)
        else:
            assert_client_id(payload, self.client_ids)
        assert_groups(payload)
        assert_string_claims(payload)
        return exp


def _assert_signature(key: RSAPublicKey, token: UnverifiedToken) -> None:
    """The signature is RSASSA-PKCS1-v1_5 with SHA-256 (RS256) by the issuer's key."""
    try:
        key.verify(token.signature, token.signing_input, _PADDING, _SHA256)
    except InvalidSignature:
        raise InvalidSignatureError("token signature is invalid") from None
