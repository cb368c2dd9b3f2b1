"""The signed-in user as views and templates see it (Flask's ``current_user``, the value of
the FastAPI dependencies), and how it is built from a session or a verified access token.
Framework-free: every adapter returns this one record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from cognito_sso.claims import groups_claim, identity_provider_claim, str_claim

if TYPE_CHECKING:
    from cognito_sso.permissions import PermissionPolicy
    from cognito_sso.sessions import Session

__all__ = ["ANONYMOUS", "User", "user_from_access_claims", "user_from_session"]

AuthSource = Literal["session", "bearer"]


@dataclass(frozen=True)
class User:
    """Who is making the request. Never carries a token.

    ``groups`` are the exact, case-sensitive ``cognito:groups`` names; ``permissions`` is the
    union of the permissions ``COGNITO_PERMISSIONS`` grants those groups and, under the key
    ``idp:NAME``, everyone from the user's identity provider. ``identity_provider`` is where
    the user signed in: ``"COGNITO"`` for the pool's own users (Cognito's name for the pool's
    directory, as in ``identity_provider=COGNITO``), the provider's name (e.g.
    ``"ExampleCorp"``) for federated users, None when nobody is signed in.
    """

    sub: str | None = None
    username: str | None = None
    email: str | None = None
    name: str | None = None
    groups: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    is_authenticated: bool = False
    source: AuthSource | None = None
    identity_provider: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """True when nobody is signed in."""
        return not self.is_authenticated

    def in_group(self, group: str) -> bool:
        """Whether the user is a member of ``group`` (exact name)."""
        return group in self.groups

    def has_permission(self, permission: str) -> bool:
        """Whether one of the user's groups grants ``permission``."""
        return permission in self.permissions

    def __bool__(self) -> bool:
        return self.is_authenticated


ANONYMOUS = User()
"""The user of a request without a valid session or bearer token."""


def user_from_session(session: Session, policy: PermissionPolicy) -> User:
    """The :class:`User` of a signed-in session."""
    groups = frozenset(session.groups)
    provider = identity_provider_claim(session.claims)
    return User(
        sub=session.sub,
        username=session.username,
        email=session.email,
        name=session.name,
        groups=groups,
        permissions=policy.permissions_for(groups, provider),
        claims=session.claims,
        is_authenticated=True,
        source="session",
        identity_provider=provider,
    )


def user_from_access_claims(claims: Mapping[str, Any], policy: PermissionPolicy) -> User:
    """The :class:`User` of a verified bearer access token."""
    groups = frozenset(groups_claim(claims))
    provider = identity_provider_claim(claims)
    return User(
        sub=str_claim(claims, "sub"),
        username=str_claim(claims, "username"),
        groups=groups,
        permissions=policy.permissions_for(groups, provider),
        claims=dict(claims),
        is_authenticated=True,
        source="bearer",
        identity_provider=provider,
    )
