"""Flask integration of cognito-sso: the :class:`CognitoSSO` extension.

Importing :mod:`cognito_sso` alone does not import Flask; this package does.
"""

from __future__ import annotations

from cognito_sso.extras import require_extra

require_extra("flask", "cognito_sso.flask", "flask")

# The extension's modules import Flask: they come after the check above.
from cognito_sso.flask.errors import AuthenticationRequiredError, PermissionDeniedError
from cognito_sso.flask.extension import CognitoSSO
from cognito_sso.flask.identity import current_user
from cognito_sso.user import ANONYMOUS, User

__all__ = [
    "ANONYMOUS",
    "AuthenticationRequiredError",
    "CognitoSSO",
    "PermissionDeniedError",
    "User",
    "current_user",
]
