"""cognito-sso: single sign-on and single sign-out for Flask services on one Cognito user pool.

Importing the package is cheap: names are resolved lazily, so ``TokenVerifier`` can be used
without Flask being imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cognito_sso.errors import ConfigurationError, InvalidTokenError
    from cognito_sso.flask import CognitoSSO
    from cognito_sso.verifier import TokenVerifier

__all__ = ["CognitoSSO", "ConfigurationError", "InvalidTokenError", "TokenVerifier"]

_HOMES = {
    "CognitoSSO": "cognito_sso.flask",
    "ConfigurationError": "cognito_sso.errors",
    "InvalidTokenError": "cognito_sso.errors",
    "TokenVerifier": "cognito_sso.verifier",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cognito_sso' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
