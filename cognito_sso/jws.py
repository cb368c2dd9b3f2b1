"""Stage 1 of token verification: structure. A compact JWS taken apart, nothing trusted yet.

Each ``assert_*`` function checks one rule (RFC 7515 for the JWS, the Cognito header
``{"kid": ..., "alg": "RS256"}``) and raises :class:`~cognito_sso.errors.MalformedTokenError`
or :class:`~cognito_sso.errors.AlgorithmNotAllowedError`. Only the header's ``alg`` and
``kid`` are read: the ``jwk``, ``jku``, ``x5u`` and ``x5c`` headers are never used, so a token
cannot choose its own key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from cognito_sso.base64url import b64url_decode
from cognito_sso.claims import Claims, parse_claims
from cognito_sso.errors import AlgorithmNotAllowedError, MalformedTokenError, untrusted_repr
from cognito_sso.jwks import MAX_KID_LENGTH
from cognito_sso.strict_json import (
    MAX_DEPTH,
    JsonNestingError,
    JsonParser,
    parse_json_without_duplicates,
)

__all__ = [
    "ALLOWED_ALGORITHM",
    "MAX_TOKEN_LENGTH",
    "UnverifiedToken",
    "decompose",
    "kid_of_header",
]

MAX_TOKEN_LENGTH = 16 * 1024
ALLOWED_ALGORITHM = "RS256"  # Cognito signs with RS256 only; a fixed allow-list


class UnverifiedToken(NamedTuple):
    """The parts of a well-formed token whose signature is not checked yet.

    (A NamedTuple rather than a frozen dataclass: as immutable and typed, and several times
    cheaper to build on the cold verification path.)"""

    kid: str
    signing_input: bytes
    signature: bytes
    payload: Claims


def decompose(token: object) -> UnverifiedToken:
    """Take a token apart; raises ``MalformedTokenError`` or ``AlgorithmNotAllowedError``."""
    raw, (header_b64, payload_b64, signature_b64) = assert_compact_jws(token)
    return UnverifiedToken(
        kid_of_header(header_b64),
        raw[: len(header_b64) + 1 + len(payload_b64)],  # the signing input
        _signature(signature_b64),
        _json_object(payload_b64, "payload", parse_claims, Claims),
    )


# Cognito signs with two keys per pool, so nearly every token has one of two headers: their
# kid is remembered (only headers that pass every rule; lru_cache is thread-safe and bounded).
@lru_cache(maxsize=64)
def kid_of_header(segment: bytes) -> str:
    """The ``kid`` of a header segment that passes every header rule."""
    header = _json_object(segment, "header", parse_json_without_duplicates, dict)
    assert_signed_not_encrypted(header)
    assert_no_critical_extensions(header)
    assert_algorithm_allowed(header)
    return assert_kid(header)


# -- the rules ------------------------------------------------------------------------------


def assert_compact_jws(token: object) -> tuple[bytes, list[bytes]]:
    """A string of at most :data:`MAX_TOKEN_LENGTH` ASCII characters in three segments
    (RFC 7515 section 7.1); five segments is a JWE, such as Cognito's refresh token.
    Returns the token's bytes and its segments."""
    if not isinstance(token, str):
        raise MalformedTokenError("token must be a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise MalformedTokenError(f"token is longer than {MAX_TOKEN_LENGTH} characters")
    if not token.isascii():
        raise MalformedTokenError("token contains non-ASCII characters")
    raw = token.encode("ascii")
    segments = raw.split(b".")
    if len(segments) == 5:
        raise MalformedTokenError("token is encrypted (JWE); a signed JWT is expected")
    if len(segments) != 3:
        raise MalformedTokenError("token is not a compact JWS of three segments")
    return raw, segments


def assert_signed_not_encrypted(header: dict[str, Any]) -> None:
    """No JWE header parameters (``enc``, ``zip``: RFC 7516 section 4.1)."""
    if "enc" in header or "zip" in header:
        raise MalformedTokenError("token is encrypted (JWE); a signed JWT is expected")


def assert_no_critical_extensions(header: dict[str, Any]) -> None:
    """No ``crit`` header: we understand no extension (RFC 7515 section 4.1.11)."""
    if "crit" in header:
        raise MalformedTokenError("token header has critical extensions ('crit')")


def assert_algorithm_allowed(header: dict[str, Any]) -> None:
    """``alg`` is a string and exactly RS256, whatever else the header says (so ``none``
    and HS256 keyed with the public key are out)."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise MalformedTokenError("token header has no string 'alg'")
    if alg != ALLOWED_ALGORITHM:
        raise AlgorithmNotAllowedError(
            f"algorithm {untrusted_repr(alg)} is not allowed (only {ALLOWED_ALGORITHM})"
        )


def assert_kid(header: dict[str, Any]) -> str:
    """``kid`` is a non-empty string of at most ``MAX_KID_LENGTH`` characters; it selects
    the key in the issuer's JWKS."""
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise MalformedTokenError("token header has no valid string 'kid'")
    return kid


# -- decoding -------------------------------------------------------------------------------


def _json_object(segment: bytes, part: str, parse: JsonParser, kind: type[dict[str, Any]]) -> Any:
    """A segment as a JSON object (base64url of UTF-8 JSON) that ``parse`` made a ``kind``."""
    try:
        value = parse(b64url_decode(segment).decode("utf-8"))
    except JsonNestingError:
        raise MalformedTokenError(f"token {part} nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise MalformedTokenError(f"token {part} is not base64url-encoded JSON") from None
    if type(value) is not kind:
        raise MalformedTokenError(f"token {part} is not a JSON object")
    return value


def _signature(segment: bytes) -> bytes:
    try:
        signature = b64url_decode(segment)
    except ValueError:
        raise MalformedTokenError("token signature is not base64url") from None
    if not signature:
        raise MalformedTokenError("token has an empty signature")
    return signature
