"""cognito-sso: single sign-on and single sign-out for Flask services on one Cognito user pool.

Importing the package is cheap: the error classes (:mod:`cognito_sso.errors`, no dependencies)
are imported at once, every other name lazily, so ``TokenVerifier`` can be used without
Flask being imported. Every public error derives from :class:`CognitoSSOError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cognito_sso.errors import (
    AlgorithmNotAllowedError,
    AtHashMismatchError,
    AuthenticationRequiredError,
    ClaimTypeError,
    CognitoSSOError,
    ConfigurationError,
    InvalidAudienceError,
    InvalidAuthorizedPartyError,
    InvalidClaimError,
    InvalidClientIdError,
    InvalidIssuerError,
    InvalidJwksError,
    InvalidSignatureError,
    InvalidTokenError,
    InvalidTokenUseError,
    KeyNotFoundError,
    KeysUnavailableError,
    MalformedTokenError,
    MissingClaimError,
    MissingScopeError,
    NonceMismatchError,
    PermissionDeniedError,
    TokenExpiredError,
    TokenIssuedInFutureError,
    TokenNotYetValidError,
)

if TYPE_CHECKING:
    from cognito_sso.extras import MissingExtraError
    from cognito_sso.flask import CognitoSSO
    from cognito_sso.json_records import RecordError
    from cognito_sso.login import LoginError
    from cognito_sso.oidc import (
        DiscoveryError,
        IdPUnavailableError,
        InvalidGrantError,
        OIDCError,
        TokenRequestError,
        TokenResponseError,
        TokenRevokedError,
    )
    from cognito_sso.provider_choice import UnknownIdentityProviderError
    from cognito_sso.sessions.base import SessionStoreUnavailableError
    from cognito_sso.strict_json import JsonNestingError
    from cognito_sso.verifier import TokenVerifier

# Names imported on first access -> the module that defines them.
_LAZY = {
    "CognitoSSO": "cognito_sso.flask",
    "DiscoveryError": "cognito_sso.oidc",
    "IdPUnavailableError": "cognito_sso.oidc",
    "InvalidGrantError": "cognito_sso.oidc",
    "JsonNestingError": "cognito_sso.strict_json",
    "LoginError": "cognito_sso.login",
    "MissingExtraError": "cognito_sso.extras",
    "OIDCError": "cognito_sso.oidc",
    "RecordError": "cognito_sso.json_records",
    "SessionStoreUnavailableError": "cognito_sso.sessions.base",
    "TokenRequestError": "cognito_sso.oidc",
    "TokenResponseError": "cognito_sso.oidc",
    "TokenRevokedError": "cognito_sso.oidc",
    "TokenVerifier": "cognito_sso.verifier",
    "UnknownIdentityProviderError": "cognito_sso.provider_choice",
}

__all__ = [
    "AlgorithmNotAllowedError",
    "AtHashMismatchError",
    "AuthenticationRequiredError",
    "ClaimTypeError",
    "CognitoSSO",
    "CognitoSSOError",
    "ConfigurationError",
    "DiscoveryError",
    "IdPUnavailableError",
    "InvalidAudienceError",
    "InvalidAuthorizedPartyError",
    "InvalidClaimError",
    "InvalidClientIdError",
    "InvalidGrantError",
    "InvalidIssuerError",
    "InvalidJwksError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "InvalidTokenUseError",
    "JsonNestingError",
    "KeyNotFoundError",
    "KeysUnavailableError",
    "LoginError",
    "MalformedTokenError",
    "MissingClaimError",
    "MissingExtraError",
    "MissingScopeError",
    "NonceMismatchError",
    "OIDCError",
    "PermissionDeniedError",
    "RecordError",
    "SessionStoreUnavailableError",
    "TokenExpiredError",
    "TokenIssuedInFutureError",
    "TokenNotYetValidError",
    "TokenRequestError",
    "TokenResponseError",
    "TokenRevokedError",
    "TokenVerifier",
    "UnknownIdentityProviderError",
]


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'cognito_sso' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
