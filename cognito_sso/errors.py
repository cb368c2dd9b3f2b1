"""Exception hierarchy of cognito_sso.

Every error raised by the library derives from :class:`CognitoSSOError`. Token verification
raises only subclasses of :class:`InvalidTokenError`; bad configuration raises
:class:`ConfigurationError` when an object is constructed. Messages never contain a token.
Other modules (sessions, OIDC client, Flask extension) define their own errors in their own
modules, subclassing :class:`CognitoSSOError`.
"""

from __future__ import annotations

__all__ = [
    "AlgorithmNotAllowedError",
    "AtHashMismatchError",
    "CognitoSSOError",
    "ConfigurationError",
    "InvalidAudienceError",
    "InvalidClaimError",
    "InvalidIssuerError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "InvalidTokenUseError",
    "KeyNotFoundError",
    "KeysUnavailableError",
    "MalformedTokenError",
    "MissingScopeError",
    "NonceMismatchError",
    "TokenExpiredError",
    "TokenNotYetValidError",
]


class CognitoSSOError(Exception):
    """Root of every exception raised by cognito_sso."""


class ConfigurationError(CognitoSSOError, ValueError):
    """A constructor or configuration value is invalid (raised at construction time)."""


class InvalidTokenError(CognitoSSOError):
    """A token was rejected. The only exception type a verify call ever raises."""


# --- stage 1: structure ------------------------------------------------------------------


class MalformedTokenError(InvalidTokenError):
    """Not a well-formed compact JWS (segments, size, base64url, JSON, header fields)."""


class AlgorithmNotAllowedError(InvalidTokenError):
    """The header `alg` is not RS256 (or disagrees with the key's `alg`)."""


# --- stage 2: key and signature ----------------------------------------------------------


class KeyNotFoundError(InvalidTokenError):
    """No key with the token's `kid` in the issuer's JWKS (even after a refetch)."""


class KeysUnavailableError(InvalidTokenError):
    """The JWKS could not be fetched or was invalid, and no cached key applies."""


class InvalidSignatureError(InvalidTokenError):
    """The signature does not verify with the issuer's key."""


# --- stage 3: claims ---------------------------------------------------------------------


class InvalidClaimError(InvalidTokenError):
    """A claim is missing, has the wrong type, or has a value that is not accepted."""


class TokenExpiredError(InvalidClaimError):
    """`exp` (plus leeway) is in the past."""


class TokenNotYetValidError(InvalidClaimError):
    """`nbf` or `iat` (minus leeway) is in the future."""


class InvalidIssuerError(InvalidClaimError):
    """`iss` is not exactly the configured issuer."""


class InvalidAudienceError(InvalidClaimError):
    """`aud`/`azp` (ID token) or `client_id` (access token) names none of the client ids."""


class InvalidTokenUseError(InvalidClaimError):
    """`token_use` is not the expected `id` or `access`."""


class NonceMismatchError(InvalidClaimError):
    """The ID token's `nonce` is missing or differs from the expected one."""


class AtHashMismatchError(InvalidClaimError):
    """The ID token's `at_hash` does not match the given access token."""


class MissingScopeError(InvalidClaimError):
    """The access token's `scope` lacks a required scope."""
