"""The signed-in user as views and templates see it (``current_user``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["ANONYMOUS", "User"]

AuthSource = Literal["session", "bearer"]


@dataclass(frozen=True)
class User:
    """Who is making the request. Never carries a token.

    ``groups`` are the exact, case-sensitive ``cognito:groups`` names; ``permissions`` is the
    union of the permissions ``COGNITO_PERMISSIONS`` grants those groups.
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
