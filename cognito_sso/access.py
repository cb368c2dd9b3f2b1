"""Who may pass: the framework-free access decisions every adapter makes the same way.

- :func:`bearer_from_header`: the token of an ``Authorization: Bearer`` header;
- :func:`bearer_rejection`: what a 401 says about a token the verifier refused;
- :func:`denial_for` / :func:`scope_denial`: the :class:`Denial` (what is missing) of a user
  lacking groups, permissions or token scopes, or None;
- :func:`bearer_challenge`: the RFC 6750 ``WWW-Authenticate`` value;
  :func:`insufficient_scope_challenge` the one of a 403 to a bearer token.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cognito_sso.claims import scopes_claim
from cognito_sso.errors import InvalidTokenError, InvalidTokenUseError, TokenExpiredError
from cognito_sso.permissions import groups_satisfy
from cognito_sso.user import User

__all__ = [
    "MAX_BEARER_TOKEN",
    "Denial",
    "bearer_challenge",
    "bearer_from_header",
    "bearer_rejection",
    "denial_for",
    "insufficient_scope_challenge",
    "scope_denial",
]

MAX_BEARER_TOKEN: Final = 16 * 1024


def bearer_from_header(authorization: str | None) -> str | None:
    """What follows ``Bearer`` in an ``Authorization`` value ('' when nothing does); None
    without the header or for another scheme (a Basic-auth proxy in front of the app)."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def bearer_rejection(error: InvalidTokenError) -> str:
    """The ``error_description`` of the 401 for a refused access token (no token details)."""
    if isinstance(error, TokenExpiredError):
        return "The access token expired"
    if isinstance(error, InvalidTokenUseError):
        return "Not an access token"
    return "The access token is invalid"


@dataclass(frozen=True)
class Denial:
    """Why a signed-in user is refused (403): what is missing, named for the page."""

    missing_groups: tuple[str, ...] = ()
    missing_permissions: tuple[str, ...] = ()
    missing_scopes: tuple[str, ...] = ()
    required_groups: tuple[str, ...] = ()
    required_permissions: tuple[str, ...] = ()
    mode: str = "any"

    def message(self) -> str:
        """One sentence naming what is missing."""
        if self.missing_permissions:
            return "This page needs a permission you do not have: " + ", ".join(
                self.missing_permissions
            )
        if self.missing_groups:
            if self.mode == "any":
                return "This page is for members of " + " or ".join(self.missing_groups) + "."
            required = " and ".join(self.required_groups or self.missing_groups)
            missing = ", ".join(self.missing_groups)
            return f"This page is for members of {required}; you are not in {missing}."
        if self.missing_scopes:
            return "The access token lacks the scope(s): " + ", ".join(self.missing_scopes)
        return "You are not allowed to access this page."

    def json_body(self) -> dict[str, Any]:
        """The JSON answer for APIs."""
        return {
            "error": "forbidden",
            "missing_groups": list(self.missing_groups),
            "missing_permissions": list(self.missing_permissions),
            "missing_scopes": list(self.missing_scopes),
        }


def denial_for(
    user: User,
    *,
    groups: Sequence[str] = (),
    mode: str = "any",
    permissions: Sequence[str] = (),
) -> Denial | None:
    """Groups first (``mode`` any/all), then permissions; None when the user may pass."""
    if groups and not groups_satisfy(user.groups, groups, mode=mode):
        missing = tuple(g for g in groups if g not in user.groups)
        return Denial(missing_groups=missing, required_groups=tuple(groups), mode=mode)
    missing = tuple(p for p in permissions if p not in user.permissions)
    if missing:
        return Denial(missing_permissions=missing, required_permissions=tuple(permissions))
    return None


def scope_denial(claims: Mapping[str, Any], scopes: Collection[str]) -> Denial | None:
    """The denial for an access token lacking any of ``scopes``, or None."""
    if not scopes:
        return None
    granted = set(scopes_claim(claims))
    missing = tuple(s for s in scopes if s not in granted)
    return Denial(missing_scopes=missing) if missing else None


def _quoted(value: str) -> str:
    """An RFC 7230 quoted-string (backslash-escaped; control characters dropped)."""
    printable = "".join(c for c in value if c.isprintable() and c.isascii())
    return '"' + printable.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bearer_challenge(error: str | None = None, description: str | None = None, **extra: str) -> str:
    """An RFC 6750 ``WWW-Authenticate`` value (no error code when no token was sent)."""
    params = {"realm": "cognito-sso", "error": error, "error_description": description, **extra}
    return "Bearer " + ", ".join(f"{k}={_quoted(v)}" for k, v in params.items() if v)


def insufficient_scope_challenge(denial: Denial) -> str:
    """The ``WWW-Authenticate`` value of a 403 to a bearer token (naming missing scopes)."""
    extra = {"scope": " ".join(denial.missing_scopes)} if denial.missing_scopes else {}
    return bearer_challenge("insufficient_scope", "Not allowed", **extra)
