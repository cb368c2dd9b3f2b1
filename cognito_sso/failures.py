"""What a failed call to the IdP or the session store means for the user, the same for every
framework adapter: an outage (503, waiting helps: ``Retry-After`` and a "Try again" link) or a
misconfiguration (500, waiting does not help: the cause goes to the log).

Telling them apart is the core's job, by the error type it raises:
:class:`~cognito_sso.oidc.DiscoveryError` (the IdP answers, but not as configured) is a
misconfiguration; :class:`~cognito_sso.oidc.IdPUnavailableError`,
:class:`~cognito_sso.errors.KeysUnavailableError` (timeout, refused, 5xx) and
:class:`~cognito_sso.sessions.SessionStoreUnavailableError` are outages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from cognito_sso.errors import KeysUnavailableError
from cognito_sso.oidc import DiscoveryError, IdPUnavailableError
from cognito_sso.sessions import SessionStoreUnavailableError

__all__ = ["FAILURES", "Failure", "classify_failure"]

log = logging.getLogger(__name__)

#: The error types :func:`classify_failure` answers.
FAILURES: Final = (
    DiscoveryError,
    IdPUnavailableError,
    KeysUnavailableError,
    SessionStoreUnavailableError,
)


@dataclass(frozen=True)
class Failure:
    """How to answer one failure: status, page texts, the JSON ``error`` code."""

    status: int
    title: str
    message: str
    error: str
    retry: bool  # an outage: waiting helps

    @property
    def headers(self) -> dict[str, str]:
        """``Retry-After`` for an outage."""
        return {"Retry-After": "5"} if self.retry else {}


MISCONFIGURED: Final = Failure(
    500,
    "This service is misconfigured",
    "Signing in cannot work until the service's administrators fix its configuration. "
    "The cause is in the service's log.",
    "misconfigured",
    retry=False,
)


def classify_failure(error: Exception) -> Failure:
    """Log ``error`` (its message names the cause and holds no secret: the core's messages
    never do) and say how to answer it."""
    if isinstance(error, DiscoveryError):
        log.error("500: this service is misconfigured: %s", error)
        return MISCONFIGURED
    what = "session store" if isinstance(error, SessionStoreUnavailableError) else "sign-in service"
    log.warning("503: %s unavailable: %s (%s)", what, error, type(error).__name__)
    return Failure(
        503,
        "Temporarily unavailable",
        f"The {what} is not reachable right now. Please try again in a moment.",
        "temporarily_unavailable",
        retry=True,
    )
