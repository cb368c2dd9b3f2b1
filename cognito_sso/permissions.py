"""Permissions from Cognito groups: which ``cognito:groups`` grant which permissions.

Group names are matched exactly and case-sensitively, as Cognito stores them. A user's
permissions are the union of the permissions of all their groups; groups that the policy
does not mention grant nothing. A key ``idp:NAME`` grants to everyone who signed in
through the identity provider NAME (a federated user is also in Cognito's group
``{poolId}_NAME``, which would tie the map to one pool).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal

from cognito_sso.errors import ConfigurationError

__all__ = ["PROVIDER_KEY_PREFIX", "GroupMode", "PermissionPolicy", "groups_satisfy", "provider_key"]

PROVIDER_KEY_PREFIX: Final = "idp:"
"""A permission-map key ``idp:NAME`` grants to everyone who signed in through the identity
provider NAME (Cognito's group for them, ``{poolId}_NAME``, needs the pool id; this does not)."""


def provider_key(identity_provider: str) -> str:
    """The permission-map key for everyone from ``identity_provider``."""
    return PROVIDER_KEY_PREFIX + identity_provider


GroupMode = Literal["any", "all"]
"""The accepted values of ``mode`` (checked at run time; other strings raise ValueError)."""

_MAX_GROUP_NAME = 128  # Cognito's limit for a group name


def _names(values: Iterable[str], what: str) -> frozenset[str]:
    """A frozenset of names, refusing a bare string (it would iterate into characters)."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{what} must be a collection of names, not a single string")
    return frozenset(values)


def groups_satisfy(user_groups: Iterable[str], required: Iterable[str], mode: str = "any") -> bool:
    """True if the user is in any (``mode="any"``) or all (``"all"``) of ``required``.

    An empty ``required`` is a programming error (ValueError), never a silent grant.
    """
    wanted = _names(required, "required groups")
    if not wanted:
        raise ValueError("at least one required group is needed")
    have = _names(user_groups, "user groups")
    if mode == "any":
        return not have.isdisjoint(wanted)
    if mode == "all":
        return wanted <= have
    raise ValueError("mode must be 'any' or 'all'")


def _check_name(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"{what} must be a string, got {type(value).__name__}")
    if not value or len(value) > _MAX_GROUP_NAME:
        raise ConfigurationError(f"{what} {value!r} must be 1-{_MAX_GROUP_NAME} characters")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ConfigurationError(f"{what} {value!r} must not contain whitespace")
    return value


class PermissionPolicy:
    """A validated mapping of Cognito group name -> permissions it grants."""

    groups_satisfy = staticmethod(groups_satisfy)

    def __init__(self, mapping: Mapping[str, Iterable[str]]) -> None:
        """Validate ``mapping``; a bad entry raises ConfigurationError naming it."""
        if not isinstance(mapping, Mapping):
            raise ConfigurationError(
                "the permission mapping must map group names to lists of permissions"
            )
        grants: dict[str, frozenset[str]] = {}
        for group, permissions in mapping.items():
            _check_name(group, "group name")
            if isinstance(permissions, str | bytes) or not isinstance(permissions, Iterable):
                raise ConfigurationError(
                    f"permissions of group {group!r} must be a list of strings"
                    f" (got {type(permissions).__name__})"
                )
            grants[group] = frozenset(
                _check_name(permission, f"permission of group {group!r}")
                for permission in permissions
            )
        self._grants = grants

    def __repr__(self) -> str:
        mapping = {group: sorted(grants) for group, grants in self._grants.items()}
        return f"PermissionPolicy({mapping!r})"

    @property
    def known_groups(self) -> frozenset[str]:
        """Every group the policy mentions."""
        return frozenset(self._grants)

    @property
    def all_permissions(self) -> frozenset[str]:
        """Every permission some group grants."""
        return frozenset().union(*self._grants.values())

    def permissions_for(
        self, groups: Iterable[str], identity_provider: str | None = None
    ) -> frozenset[str]:
        """The union of the permissions granted by ``groups`` (unknown groups grant nothing)
        and by the key ``idp:{identity_provider}`` (everyone from that provider)."""
        keys = set(_names(groups, "groups"))
        if identity_provider:
            keys.add(provider_key(identity_provider))
        granted: set[str] = set()
        for key in keys:
            granted |= self._grants.get(key, frozenset())
        return frozenset(granted)

    def has_all_permissions(self, groups: Iterable[str], required: Iterable[str]) -> bool:
        """True if ``groups`` together grant every permission in ``required`` (non-empty)."""
        wanted = _names(required, "required permissions")
        if not wanted:
            raise ValueError("at least one required permission is needed")
        return wanted <= self.permissions_for(groups)

    def unknown_groups(self, known: Iterable[str]) -> frozenset[str]:
        """Groups named in the policy but absent from ``known`` (e.g. the pool's groups).

        Meant for a start-up warning: a typo in a group name silently grants nothing.
        """
        groups = {g for g in self.known_groups if not g.startswith(PROVIDER_KEY_PREFIX)}
        return frozenset(groups - _names(known, "known groups"))

    def ungranted_permissions(self, used: Iterable[str]) -> frozenset[str]:
        """Permissions in ``used`` (e.g. by view decorators) that no group grants."""
        return _names(used, "used permissions") - self.all_permissions
