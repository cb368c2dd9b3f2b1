"""Strict verification of Cognito ID and access tokens (framework-free).

Three stages, in the spirit of aws-jwt-verify:

1. structure: a compact JWS of at most 16 KiB with three base64url segments, JSON-object
   header and payload, header ``alg`` RS256 (fixed allow-list, whatever the header says) and
   a string ``kid``; JWE, ``crit`` and non-string ``alg``/``kid`` are rejected, and the
   ``jwk``/``jku``/``x5u``/``x5c`` headers are never used;
2. key and signature: the key comes from the configured issuer's JWKS (:mod:`cognito_sso.jwks`),
   verified with ``cryptography`` RSA-PKCS1v15-SHA256 (``iss`` is compared just before, so
   tokens of other issuers never cause a JWKS fetch);
3. claims: ``iss`` exact, ``exp``/``iat`` required, ``exp``/``nbf``/``iat`` with the leeway,
   ``token_use``, ``aud``/``azp`` or ``client_id``, ``sub``, ``cognito:groups``, then the
   per-call checks (``nonce``, ``at_hash``, ``scopes``).

Every rejection raises a subclass of :class:`~cognito_sso.errors.InvalidTokenError`; no other
exception type escapes a verify call. Verified tokens are kept in a small LRU cache keyed by
the full token string, so a service that sees the same bearer token many times pays for RSA
once; ``exp`` and the per-call checks are re-run on every hit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256

from cognito_sso.errors import (
    AlgorithmNotAllowedError,
    AtHashMismatchError,
    ConfigurationError,
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    InvalidTokenUseError,
    MalformedTokenError,
    MissingScopeError,
    NonceMismatchError,
    TokenExpiredError,
    TokenNotYetValidError,
)
from cognito_sso.jwks import (
    MAX_KID_LENGTH,
    JwksCache,
    b64url_decode_bytes,
    shared_jwks_cache,
)
from cognito_sso.urls import require_https_or_loopback

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_VERIFIED_CACHE_SIZE",
    "MAX_LEEWAY",
    "MAX_TOKEN_LENGTH",
    "Claims",
    "TokenVerifier",
]

MAX_TOKEN_LENGTH = 16 * 1024
DEFAULT_LEEWAY = 60
MAX_LEEWAY = 300
DEFAULT_VERIFIED_CACHE_SIZE = 1024
ALLOWED_ALGORITHM = "RS256"

_PADDING = PKCS1v15()
_SHA256 = SHA256()
_MISSING: Any = object()
_INT_MAX = 2**53  # integers beyond this are not exact as JSON numbers (RFC 7493)
_INT_MIN = -_INT_MAX
_STR: frozenset[type] = frozenset({str})
_CONTAINERS = repeat((list, dict))
_EMPTY_STRINGS = repeat("")
# Claims that must be strings whenever they are present.
# (nonce and at_hash are type-checked where they are compared.)
_STRING_CLAIMS = ("scope", "jti", "origin_jti", "username", "cognito:username")


class Claims(dict[str, Any]):
    """The verified claims of a token: a read-only ``dict`` (JSON arrays become tuples,
    nested objects are read-only too), because one instance is shared by every caller that
    presents the same token. ``dict(claims)`` gives a mutable shallow copy; ``json.dumps``
    works as for a dict."""

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


def _freeze_nested(obj: dict[str, Any]) -> Claims:
    """A parsed JSON object as :class:`Claims`, its arrays as tuples, recursively."""
    claims = Claims(obj)
    for name, value in obj.items():
        kind = type(value)
        if kind is list:
            dict.__setitem__(claims, name, _frozen_array(value))
        elif kind is dict:
            dict.__setitem__(claims, name, _freeze_nested(value))
    return claims


def _frozen_array(items: list[Any]) -> tuple[Any, ...]:
    if not any(map(isinstance, items, _CONTAINERS)):
        return tuple(items)
    return tuple(
        _frozen_array(v) if type(v) is list else _freeze_nested(v) if type(v) is dict else v
        for v in items
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Duplicate member names: the last one wins, as RFC 7515 section 5.2 and RFC 7519 section 4
# allow; the header (below) rejects them outright.
_JSON = json.JSONDecoder(parse_constant=_reject_constant)
_scan_json: Callable[[str, int], tuple[Any, int]] = _JSON.scan_once  # type: ignore[attr-defined]


def _payload_claims(segment: bytes) -> Claims:
    """The payload segment as read-only claims.

    ``json.loads`` minus its per-call overhead: the C scanner directly, and the full decoder
    only for the unusual (surrounding whitespace) or invalid cases.
    """
    try:
        text = b64url_decode_bytes(segment).decode("utf-8")
        try:
            value, end = _scan_json(text, 0)
            if end != len(text):
                value = _JSON.decode(text)  # trailing whitespace, or raises "Extra data"
        except StopIteration:
            value = _JSON.decode(text)  # leading whitespace, or raises the proper error
    except (ValueError, RecursionError):
        raise MalformedTokenError("token payload is not base64url-encoded JSON") from None
    if type(value) is not dict:
        raise MalformedTokenError("token payload is not a JSON object")
    # Fast paths for Cognito's usual shapes, decided from bracket counts in the text (a
    # bracket inside a string only sends a token down the general path): no array or
    # nested object at all, or a single flat array that is cognito:groups.
    containers = text.count("[") + text.count("{")
    if containers == 1:
        return Claims(value)
    groups = value.get("cognito:groups")
    if containers == 2 and type(groups) is list:
        claims = Claims(value)
        dict.__setitem__(claims, "cognito:groups", tuple(groups))
        return claims
    return _freeze_nested(value)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


_STRICT_JSON = json.JSONDecoder(
    parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates
)


# Valid header segments seen recently -> their kid. Cognito uses two headers per pool, so
# this saves decoding the header of nearly every token; bounded against junk.
_HEADER_KIDS: dict[bytes, str] = {}
_HEADER_KIDS_MAX = 256


def _kid_from_header(segment: bytes) -> str:
    """Stage 1 for the header: a JSON object, RS256, a string kid, no JWE/crit."""
    kid = _HEADER_KIDS.get(segment)
    if kid is not None:
        return kid
    try:
        header = _STRICT_JSON.decode(b64url_decode_bytes(segment).decode("utf-8"))
    except (ValueError, RecursionError):
        raise MalformedTokenError("token header is not base64url-encoded JSON") from None
    if type(header) is not dict:
        raise MalformedTokenError("token header is not a JSON object")
    if "enc" in header or "zip" in header:
        raise MalformedTokenError("token is encrypted (JWE); a signed JWT is expected")
    if "crit" in header:
        raise MalformedTokenError("token header has critical extensions ('crit')")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise MalformedTokenError("token header has no string 'alg'")
    if alg != ALLOWED_ALGORITHM:
        raise AlgorithmNotAllowedError(
            f"algorithm {_short(alg)} is not allowed (only {ALLOWED_ALGORITHM})"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise MalformedTokenError("token header has no valid string 'kid'")
    if len(_HEADER_KIDS) >= _HEADER_KIDS_MAX:
        _HEADER_KIDS.clear()
    _HEADER_KIDS[segment] = kid
    return kid


def _short(value: object) -> str:
    """A bounded, printable description of an untrusted value for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(payload: Claims, name: str) -> float | None:
    value: Any = payload.get(name, _MISSING)
    if value is _MISSING:
        return None
    kind = type(value)
    if kind is float and math.isfinite(value):
        return float(value)
    if kind is int and _INT_MIN <= value <= _INT_MAX:
        return float(value)
    raise InvalidClaimError(f"claim {name!r} is not a JSON number")


def _at_hash(access_token: str) -> bytes:
    digest = hashlib.sha256(access_token.encode("utf-8", "surrogatepass")).digest()
    return _b64url_encode(digest[:16])


def _b64url_encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class _Verified(NamedTuple):
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

    ``issuer`` is the exact ``iss`` value; ``client_ids`` one app client id or several;
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
        try:
            claims = self._verified(token, "id")
            if nonce is not None:
                _check_nonce(claims, nonce)
            if access_token is not None:
                _check_at_hash(claims, access_token)
            return claims
        except InvalidTokenError:
            raise
        except Exception as exc:  # the contract: nothing else escapes
            raise InvalidTokenError("token could not be verified") from exc

    def verify_access_token(self, token: str, *, scopes: Iterable[str] = ()) -> Claims:
        """Verify an access token and return its claims.

        ``scopes``: every listed scope must be in the token's space-separated ``scope``.
        Raises :class:`InvalidTokenError` subclasses.
        """
        try:
            claims = self._verified(token, "access")
            if scopes:
                _check_scopes(claims, scopes)
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
            return self._verify_fully(token, use)[0]
        entry = cache.get(token)
        if entry is not None and entry.use == use:
            if self._jwks.peek(entry.kid) is not entry.key:  # key rotated out or cache reset
                cache.discard(token)
            elif self._clock() >= entry.exp + self.leeway:
                cache.discard(token)
                raise TokenExpiredError("token has expired")
            else:
                return entry.claims
        claims, kid, key, exp = self._verify_fully(token, use)
        cache.put(token, _Verified(claims, use, kid, key, exp))
        return claims

    def _verify_fully(self, token: object, use: str) -> tuple[Claims, str, RSAPublicKey, float]:
        # Stage 1: structure.
        if not isinstance(token, str):
            raise MalformedTokenError("token must be a string")
        if len(token) > MAX_TOKEN_LENGTH:
            raise MalformedTokenError(f"token is longer than {MAX_TOKEN_LENGTH} characters")
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            raise MalformedTokenError("token contains non-ASCII characters") from None
        parts = raw.split(b".")
        if len(parts) != 3:
            if len(parts) == 5:
                raise MalformedTokenError("token is encrypted (JWE); a signed JWT is expected")
            raise MalformedTokenError("token is not a compact JWS of three segments")
        header_b64, payload_b64, signature_b64 = parts
        kid = _HEADER_KIDS.get(header_b64) or _kid_from_header(header_b64)
        try:
            signature = b64url_decode_bytes(signature_b64)
        except ValueError:
            raise MalformedTokenError("token signature is not base64url") from None
        if not signature:
            raise MalformedTokenError("token has an empty signature")
        payload = _payload_claims(payload_b64)
        # Before any key lookup, so tokens of another issuer never trigger a JWKS refetch.
        if payload.get("iss") != self.issuer:
            raise InvalidIssuerError("token issuer does not match the configured issuer")

        # Stage 2: key and signature.
        key = self._jwks.get_key(kid)
        signing_input = raw[: len(header_b64) + 1 + len(payload_b64)]
        try:
            key.verify(signature, signing_input, _PADDING, _SHA256)
        except InvalidSignature:
            raise InvalidSignatureError("token signature is invalid") from None

        # Stage 3: claims.
        exp = self._check_claims(payload, use)
        return payload, kid, key, exp

    def _check_claims(self, payload: Claims, use: str) -> float:
        """Token-intrinsic claim checks; returns ``exp``."""
        token_use = payload.get("token_use")
        if token_use != use:
            raise InvalidTokenUseError(f"token_use is {_short(token_use)}, expected {use!r}")
        exp: Any = payload.get("exp")
        iat: Any = payload.get("iat")
        if not (
            type(exp) is int
            and type(iat) is int
            and _INT_MIN <= exp <= _INT_MAX
            and _INT_MIN <= iat <= _INT_MAX
        ):
            exp = _number(payload, "exp")
            iat = _number(payload, "iat")
            if exp is None:
                raise InvalidClaimError("token has no 'exp' claim")
            if iat is None:
                raise InvalidClaimError("token has no 'iat' claim")
        now = self._clock()
        leeway = self.leeway
        if now >= exp + leeway:
            raise TokenExpiredError("token has expired")
        if "nbf" in payload:
            nbf = _number(payload, "nbf")
            if nbf is not None and now < nbf - leeway:
                raise TokenNotYetValidError("token is not valid yet (nbf)")
        auth_time = payload.get("auth_time", 0)
        if type(auth_time) is not int or not _INT_MIN <= auth_time <= _INT_MAX:
            _number(payload, "auth_time")
        if now < iat - leeway:
            raise TokenNotYetValidError("token was issued in the future (iat)")
        sub = payload.get("sub")
        if type(sub) is not str or not sub:
            raise InvalidClaimError("token has no string 'sub' claim")
        if use == "id":
            self._check_audience(payload)
        else:
            client_id = payload.get("client_id")
            if type(client_id) is not str or client_id not in self.client_ids:
                raise InvalidAudienceError("client_id is not one of the configured app clients")
        groups = payload.get("cognito:groups", _MISSING)
        if groups is not _MISSING and (
            type(groups) is not tuple or not set(map(type, groups)) <= _STR
        ):
            raise InvalidClaimError("claim 'cognito:groups' is not an array of strings")
        if not set(map(type, map(payload.get, _STRING_CLAIMS, _EMPTY_STRINGS))) <= _STR:
            for name in _STRING_CLAIMS:
                if type(payload.get(name, "")) is not str:
                    raise InvalidClaimError(f"claim {name!r} is not a string")
        return float(exp)

    def _check_audience(self, payload: Claims) -> None:
        aud = payload.get("aud")
        if type(aud) is str:
            matches = aud in self.client_ids
        elif type(aud) is tuple and aud and set(map(type, aud)) <= _STR:
            matches = any(a in self.client_ids for a in aud)
        else:
            raise InvalidAudienceError("token has no 'aud' string or array of strings")
        if not matches:
            raise InvalidAudienceError("aud names none of the configured app clients")
        if "azp" in payload:
            azp = payload["azp"]
            if type(azp) is not str or azp not in self.client_ids:
                raise InvalidAudienceError("azp is not one of the configured app clients")


def _check_nonce(claims: Claims, nonce: object) -> None:
    if not isinstance(nonce, str) or not nonce:
        raise NonceMismatchError("the expected nonce must be a non-empty string")
    claim = claims.get("nonce")
    if not isinstance(claim, str):
        raise NonceMismatchError("ID token has no nonce")
    if not hmac.compare_digest(_to_bytes(claim), _to_bytes(nonce)):
        raise NonceMismatchError("ID token nonce does not match")


def _check_at_hash(claims: Claims, access_token: object) -> None:
    claim = claims.get("at_hash")
    if claim is None:
        return
    if not isinstance(access_token, str) or not isinstance(claim, str):
        raise AtHashMismatchError("at_hash cannot be checked")
    if not hmac.compare_digest(_to_bytes(claim), _at_hash(access_token)):
        raise AtHashMismatchError("at_hash does not match the access token")


def _check_scopes(claims: Claims, scopes: Iterable[str]) -> None:
    required = (scopes,) if isinstance(scopes, str) else tuple(scopes)
    scope = claims.get("scope")
    granted = frozenset(scope.split(" ")) if scope else frozenset()
    missing = [s for s in required if s not in granted]
    if missing:
        shown = ", ".join(_short(s) for s in missing[:5])
        raise MissingScopeError(f"access token lacks required scope(s): {shown}")
