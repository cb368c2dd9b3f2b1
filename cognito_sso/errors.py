"""Exception hierarchy of cognito_sso.

Every error raised by the library derives from :class:`CognitoSSOError`, and every public
one is exported from :mod:`cognito_sso`. Token verification raises only subclasses of
:class:`InvalidTokenError`, one per failed check, grouped by the stage that failed
(structure, key and signature, claims); bad configuration raises :class:`ConfigurationError`
when an object is constructed. Messages never contain a token. The errors of the IdP client,
the sign-in and the session stores live next to their code (``cognito_sso.oidc``,
``cognito_sso.login``, ``cognito_sso.sessions``), subclassing :class:`CognitoSSOError`.

:class:`AuthenticationRequiredError` (401) and :class:`PermissionDeniedError` (403) hold what
an adapter answers with; each framework adapter raises its own subclass that is also the
framework's HTTP exception (``cognito_sso.flask.PermissionDeniedError`` is a werkzeug
``Forbidden``, ``cognito_sso.fastapi.PermissionDeniedError`` a FastAPI ``HTTPException``), so
the framework answers it and ``except CognitoSSOError`` catches it. This module imports no
framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cognito_sso.access import Denial

__all__ = [
    "AlgorithmNotAllowedError",
    "AtHashMismatchError",
    "AuthenticationRequiredError",
    "ClaimTypeError",
    "CognitoSSOError",
    "ConfigurationError",
    "InvalidAudienceError",
    "InvalidAuthorizedPartyError",
    "InvalidClaimError",
    "InvalidClientIdError",
    "InvalidIssuerError",
    "InvalidJwksError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "InvalidTokenUseError",
    "KeyNotFoundError",
    "KeysUnavailableError",
    "MalformedTokenError",
    "MissingClaimError",
    "MissingScopeError",
    "NonceMismatchError",
    "PermissionDeniedError",
    "TokenExpiredError",
    "TokenIssuedInFutureError",
    "TokenNotYetValidError",
]


class CognitoSSOError(Exception):
    """Root of every exception raised by cognito_sso."""


class ConfigurationError(CognitoSSOError, ValueError):
    """A constructor or configuration value is invalid (raised at construction time)."""


class InvalidJwksError(CognitoSSOError, ValueError):
    """A JWKS document is not usable (not JSON, no ``keys`` array, no valid RSA key).

    Raised by :func:`cognito_sso.jwks.parse_jwks` and ``JwksCache.load``; inside a verify
    call an unusable JWKS surfaces as :class:`KeysUnavailableError`.
    """


class AuthenticationRequiredError(CognitoSSOError):
    """401: no valid session or bearer token. ``error`` and ``error_description`` are the
    RFC 6750 values of the ``WWW-Authenticate`` challenge (None: a plain challenge)."""

    def __init__(self, error: str | None = None, description: str | None = None) -> None:
        super().__init__(description or "Authentication is required.")
        self.error = error
        self.error_description = description


class PermissionDeniedError(CognitoSSOError):
    """403: signed in, but missing groups, permissions or token scopes (``denial`` names
    them); ``bearer``: the user came with a bearer token (the answer carries a challenge)."""

    def __init__(self, denial: Denial, *, bearer: bool = False) -> None:
        super().__init__(denial.message())
        self.denial = denial
        self.bearer = bearer


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


class MissingClaimError(InvalidClaimError):
    """A required claim without a rule of its own (`exp`, `iat`, `sub`) is absent or empty."""


class ClaimTypeError(InvalidClaimError):
    """A claim has the wrong JSON type (a time that is not a finite number, a group that is
    not a string...)."""


class TokenExpiredError(InvalidClaimError):
    """`exp` (plus leeway) is in the past."""


class TokenNotYetValidError(InvalidClaimError):
    """`nbf` (minus leeway) is in the future."""


class TokenIssuedInFutureError(TokenNotYetValidError):
    """`iat` (minus leeway) is in the future."""


class InvalidIssuerError(InvalidClaimError):
    """`iss` is not exactly the configured issuer."""


class InvalidAudienceError(InvalidClaimError):
    """The ID token's `aud` does not name one of the client ids, or names one not trusted."""


class InvalidAuthorizedPartyError(InvalidAudienceError):
    """The ID token's `azp` is not one of the client ids, or is missing beside several `aud`."""


class InvalidClientIdError(InvalidAudienceError):
    """The access token's `client_id` is not one of the client ids."""


class InvalidTokenUseError(InvalidClaimError):
    """`token_use` is not the expected `id` or `access`."""


class NonceMismatchError(InvalidClaimError):
    """The ID token's `nonce` is missing or differs from the expected one."""


class AtHashMismatchError(InvalidClaimError):
    """The ID token's `at_hash` does not match the given access token."""


class MissingScopeError(InvalidClaimError):
    """The access token's `scope` lacks a required scope."""


def untrusted_repr(value: object) -> str:
    """A bounded, printable description of an untrusted value, for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
