"""FastAPI integration of cognito-sso: the :class:`CognitoSSO` router and dependencies.

One sign-in and one sign-out shared with the Flask services of the same user pool, over the
same protocol core; I/O is async (:mod:`cognito_sso.aio`). Importing :mod:`cognito_sso`
alone does not import FastAPI; this package does.
"""

from __future__ import annotations

from cognito_sso.extras import require_extra

require_extra("fastapi", "cognito_sso.fastapi", "fastapi", "jinja2")

# The adapter's modules import FastAPI: they come after the check above.
from cognito_sso.fastapi.errors import (
    AuthenticationRequiredError,
    PermissionDeniedError,
    ServiceFailedError,
    ServiceMisconfiguredError,
    ServiceUnavailableError,
    SignInRequiredError,
)
from cognito_sso.fastapi.extension import CognitoSSO
from cognito_sso.user import ANONYMOUS, User

__all__ = [
    "ANONYMOUS",
    "AuthenticationRequiredError",
    "CognitoSSO",
    "PermissionDeniedError",
    "ServiceFailedError",
    "ServiceMisconfiguredError",
    "ServiceUnavailableError",
    "SignInRequiredError",
    "User",
]
