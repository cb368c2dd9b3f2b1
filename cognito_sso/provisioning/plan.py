"""The plan: what apply would create, update, or could not do without replacing something."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cognito_sso.provisioning.aws import Connection, Progress, quiet
from cognito_sso.provisioning.mapping import (
    CLIENT_CREATE_ONLY,
    POOL_CREATE_ONLY,
    client_request,
    client_view,
    current_pool_view,
    desired_pool_view,
    desired_user_view,
    group_request,
    group_view,
    user_view,
)
from cognito_sso.provisioning.provider_mapping import CREATE_ONLY as PROVIDER_CREATE_ONLY
from cognito_sso.provisioning.provider_mapping import (
    KIND,
    masked_views,
    provider_request,
    provider_secret,
    provider_view,
)
from cognito_sso.provisioning.spec import IdentityProviderSpec, Spec
from cognito_sso.provisioning.state import DomainState, PoolState, read_domain, read_state

CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
CONFLICT = "conflict"
DELETE = "delete"

_SYMBOLS = {CREATE: "+", UPDATE: "~", REPLACE: "!", CONFLICT: "!", DELETE: "-"}
_VERBS = {
    CREATE: "create",
    UPDATE: "update",
    REPLACE: "replace required",
    CONFLICT: "conflict",
    DELETE: "delete",
}
_MAX_VALUE_WIDTH = 120


@dataclass(frozen=True)
class FieldChange:
    """One field of one resource: its old and new value."""

    key: str
    old: Any
    new: Any
    create_only: bool = False


@dataclass(frozen=True)
class ResourceChange:
    """What happens to one resource (pool, domain, group, client, user)."""

    kind: str
    name: str
    action: str
    fields: tuple[FieldChange, ...] = ()
    note: str = ""

    @property
    def blocking(self) -> bool:
        """True when apply refuses to go ahead because of this change."""
        return self.action in (REPLACE, CONFLICT)


@dataclass
class Plan:
    """The difference between a spec and the current state."""

    spec: Spec
    state: PoolState | None
    domain: DomainState | None
    changes: list[ResourceChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """True when apply would change anything."""
        return bool(self.changes)

    @property
    def blocking(self) -> list[ResourceChange]:
        """Changes apply refuses (replacement or conflicts)."""
        return [c for c in self.changes if c.blocking]

    def change(self, kind: str, name: str) -> ResourceChange | None:
        """The planned change for one resource, if any."""
        for c in self.changes:
            if c.kind == kind and c.name == name:
                return c
        return None


def diff(
    desired: Mapping[str, Any],
    current: Mapping[str, Any],
    create_only: frozenset[str] = frozenset(),
) -> tuple[FieldChange, ...]:
    """Fields whose desired value differs from the current one; desired None = unmanaged."""
    return tuple(
        FieldChange(key, current.get(key), value, key in create_only)
        for key, value in desired.items()
        if value is not None and current.get(key) != value
    )


def _creation(kind: str, name: str, view: Mapping[str, Any], note: str = "") -> ResourceChange:
    fields = tuple(FieldChange(k, None, v) for k, v in view.items() if v is not None)
    return ResourceChange(kind, name, CREATE, fields, note)


def _update(kind: str, name: str, fields: tuple[FieldChange, ...]) -> ResourceChange | None:
    if not fields:
        return None
    if any(f.create_only for f in fields):
        note = (
            "these fields can only be set when the resource is created; apply will not "
            "delete and recreate it (that would lose its users/secrets). Either restore the "
            "old values in the spec, or delete the resource yourself and apply again."
        )
        return ResourceChange(kind, name, REPLACE, fields, note)
    return ResourceChange(kind, name, UPDATE, fields)


def _compare(
    kind: str,
    name: str,
    desired: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    create_only: frozenset[str] = frozenset(),
    note: str = "",
) -> ResourceChange | None:
    """Create when there is no current state, else update the fields that differ (if any)."""
    if current is None:
        return _creation(kind, name, desired, note)
    return _update(kind, name, diff(desired, current, create_only))


def _compare_api(
    kind: str,
    name: str,
    request: Mapping[str, Any],
    described: Mapping[str, Any] | None,
    view: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    create_only: frozenset[str] = frozenset(),
) -> ResourceChange | None:
    """:func:`_compare` of the API request the spec makes and the API's description of the
    resource (None: it does not exist), both seen through ``view``."""
    current = None if described is None else view(described)
    return _compare(kind, name, view(request), current, create_only)


def make_plan(conn: Connection, spec: Spec, progress: Progress = quiet) -> Plan:
    """Read the current state and compare it with the spec (read-only API calls)."""
    state = read_state(conn, spec, progress)
    domain = (
        read_domain(conn, spec.domain_prefix, state.pool if state else None)
        if spec.domain_prefix
        else None
    )
    s = state
    changes = [
        _compare(
            "pool",
            spec.pool.name,
            desired_pool_view(spec),
            None if s is None else current_pool_view(s.pool, s.mfa, s.tags),
            POOL_CREATE_ONLY,
        )
    ]
    if spec.domain_prefix and domain is not None:
        changes.append(_domain_change(spec.domain_prefix, s, domain))
    for group in spec.groups:
        described = s.groups.get(group.name) if s else None
        changes.append(
            _compare_api("group", group.name, group_request(group), described, group_view)
        )
    for client in spec.clients:
        described = s.clients.get(client.name) if s else None
        changes.append(
            _compare_api(
                "client",
                client.name,
                client_request(client),
                described,
                client_view,
                CLIENT_CREATE_ONLY,
            )
        )
    changes += [_provider_change(p, s) for p in spec.identity_providers]
    for user in spec.users:
        found = s.users.get(user.key) if s else None
        changes.append(
            _compare(
                "user",
                user.key,
                {"email": user.email, **desired_user_view(user)},
                None
                if found is None
                else {"email": user.email, **user_view(found.attributes, found.groups)},
                note="invitation e-mail",
            )
        )
    return Plan(spec, state, domain, [c for c in changes if c is not None])


def _provider_change(
    provider: IdentityProviderSpec, state: PoolState | None
) -> ResourceChange | None:
    described = state.identity_providers.get(provider.name) if state else None
    if provider.remove:
        return None if described is None else ResourceChange(KIND, provider.name, DELETE)
    desired = provider_view(provider_request(provider, provider_secret(provider)))
    current = None if described is None else provider_view(described)
    masked_views(provider, desired, current)
    return _compare(KIND, provider.name, desired, current, PROVIDER_CREATE_ONLY)


def _domain_change(
    prefix: str, state: PoolState | None, domain: DomainState
) -> ResourceChange | None:
    pool_id = state.pool_id if state else None
    if domain.owner_pool_id is not None and domain.owner_pool_id == pool_id:
        return None
    if domain.owner_pool_id is not None:
        return ResourceChange(
            "domain",
            prefix,
            CONFLICT,
            note=f"the prefix is already used by user pool {domain.owner_pool_id}; "
            "domain prefixes are unique per region: choose another one",
        )
    if domain.pool_domain is not None and domain.pool_domain != prefix:
        return ResourceChange(
            "domain",
            prefix,
            REPLACE,
            (FieldChange("prefix", domain.pool_domain, prefix, create_only=True),),
            note="a domain cannot be renamed; delete the old domain yourself "
            "(DeleteUserPoolDomain) and apply again",
        )
    return _creation("domain", prefix, {"prefix": prefix})


# -- rendering ------------------------------------------------------------------------------
def format_value(value: Any) -> str:
    """A short, single-line rendering of a plan value."""
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _MAX_VALUE_WIDTH:
        text = text[: _MAX_VALUE_WIDTH - 3] + "..."
    return text


def _format_change(old: Any, new: Any) -> str:
    before, after = format_value(old), format_value(new)
    if before != after or not (isinstance(old, str) and isinstance(new, str)):
        return f"{before} → {after}"
    # Long texts that differ only beyond the shown prefix: show where they differ.
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    at = min(len(old), len(new)) if at is None else at
    start = max(0, at - 20)
    return (
        f"text changed at character {at}: "
        f"…{format_value(old[start : at + 40])} → …{format_value(new[start : at + 40])}"
    )


def render_plan(plan: Plan) -> list[str]:
    """Human-readable plan lines: `+ create`, `~ update` (old -> new), `! replace required`."""
    if not plan.has_changes:
        return ["no changes"]
    lines: list[str] = []
    for change in plan.changes:
        header = f"{_SYMBOLS[change.action]} {_VERBS[change.action]} {change.kind} {change.name}"
        if change.action == CREATE and change.note:
            header += f" ({change.note})"
        lines.append(header)
        for f in change.fields:
            if change.action == CREATE:
                lines.append(f"    {f.key} = {format_value(f.new)}")
            else:
                marker = "  (create-only)" if f.create_only else ""
                lines.append(f"    {f.key}: {_format_change(f.old, f.new)}{marker}")
        if change.action != CREATE and change.note:
            lines.append(f"    ! {change.note}")
    counts = {a: sum(1 for c in plan.changes if c.action == a) for a in _VERBS}
    deleted = f"{counts[DELETE]} to delete, " if counts[DELETE] else ""
    lines.append(
        f"Plan: {counts[CREATE]} to create, {counts[UPDATE]} to update, {deleted}"
        f"{counts[REPLACE] + counts[CONFLICT]} refused (replace required or conflict)."
    )
    return lines
