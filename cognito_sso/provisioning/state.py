"""Reading the current state of a user pool (read-only API calls only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from cognito_sso.provisioning.aws import (
    CognitoClient,
    Connection,
    Progress,
    ProvisioningError,
    error_code,
    quiet,
)
from cognito_sso.provisioning.mapping import user_login
from cognito_sso.provisioning.spec import Spec


@dataclass(frozen=True)
class UserState:
    """A user as Cognito reports it."""

    username: str
    attributes: dict[str, str]
    groups: list[str]
    status: str


@dataclass
class PoolState:
    """Everything the plan compares, as Cognito reports it."""

    pool: dict[str, Any]
    mfa: dict[str, Any]
    tags: dict[str, str]
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, UserState] = field(default_factory=dict)  # by spec user key
    identity_providers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name

    @property
    def pool_id(self) -> str:
        """The user pool ID."""
        return str(self.pool["Id"])

    @property
    def pool_arn(self) -> str:
        """The user pool ARN."""
        return str(self.pool["Arn"])


@dataclass(frozen=True)
class DomainState:
    """Who owns the spec's domain prefix and which domain the pool has."""

    owner_pool_id: str | None  # pool owning the spec's prefix, None when the prefix is free
    pool_domain: str | None  # the prefix the pool currently has, if any
    status: str | None


def _pages(client: CognitoClient, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    paginator = client.get_paginator(operation)
    for page in paginator.paginate(**kwargs):
        yield from page.get(key, [])


def find_pool_id(conn: Connection, name: str) -> str | None:
    """The ID of the one pool called `name`; None if there is none, an error if several."""
    ids = [
        p["Id"]
        for p in _pages(conn.client, "list_user_pools", "UserPools", MaxResults=60)
        if p.get("Name") == name
    ]
    if len(ids) > 1:
        raise ProvisioningError(
            f"{len(ids)} user pools are called {name!r} ({', '.join(ids)}); "
            "pool names must be unique for provisioning to know which one to manage"
        )
    return ids[0] if ids else None


# Reading users takes two calls each: say how far it got every so many users.
_USERS_PER_PROGRESS_LINE = 25


def read_state(conn: Connection, spec: Spec, progress: Progress = quiet) -> PoolState | None:
    """The current state of the spec's pool, or None when it does not exist yet."""
    progress(f"reading the current state of user pool {spec.pool.name}")
    pool_id = find_pool_id(conn, spec.pool.name)
    if pool_id is None:
        progress("  no such user pool yet")
        return None
    client = conn.client
    pool = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    mfa = client.get_user_pool_mfa_config(UserPoolId=pool_id)
    mfa.pop("ResponseMetadata", None)
    tags = client.list_tags_for_resource(ResourceArn=pool["Arn"]).get("Tags", {})
    state = PoolState(pool=pool, mfa=mfa, tags=dict(tags))
    for group in _pages(client, "list_groups", "Groups", UserPoolId=pool_id):
        state.groups[group["GroupName"]] = group
    wanted_clients = {c.name for c in spec.clients}
    for summary in _pages(
        client, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id, MaxResults=60
    ):
        name = summary["ClientName"]
        if name not in wanted_clients:
            continue
        if name in state.clients:
            raise ProvisioningError(
                f"pool {pool_id} has several app clients called {name!r}; "
                "clients are matched by name, so names must be unique"
            )
        state.clients[name] = client.describe_user_pool_client(
            UserPoolId=pool_id, ClientId=summary["ClientId"]
        )["UserPoolClient"]
    _read_identity_providers(client, spec, state)
    for done, user in enumerate(spec.users, 1):
        found = read_user(conn, pool_id, user_login(spec, user))
        if found is not None:
            state.users[user.key] = found
        if done % _USERS_PER_PROGRESS_LINE == 0 and done < len(spec.users):
            progress(f"  read {done} of {len(spec.users)} users")
    progress(
        f"  found {pool_id}: {sum(g.name in state.groups for g in spec.groups)} of "
        f"{len(spec.groups)} groups, "
        f"{len(state.clients)} of {len(spec.clients)} app clients, "
        f"{len(state.users)} of {len(spec.users)} users"
    )
    return state


def _read_identity_providers(client: CognitoClient, spec: Spec, state: PoolState) -> None:
    """DescribeIdentityProvider for each of the spec's providers the pool has."""
    wanted = {p.name for p in spec.identity_providers}
    if not wanted:
        return
    for summary in _pages(
        client, "list_identity_providers", "Providers", UserPoolId=state.pool_id, MaxResults=60
    ):
        name = summary["ProviderName"]
        if name in wanted:
            state.identity_providers[name] = client.describe_identity_provider(
                UserPoolId=state.pool_id, ProviderName=name
            )["IdentityProvider"]


def read_user(conn: Connection, pool_id: str, login: str) -> UserState | None:
    """A user by the name an administrator uses (AdminGetUser resolves e-mail sign-in)."""
    try:
        got = conn.client.admin_get_user(UserPoolId=pool_id, Username=login)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "UserNotFoundException":
            return None
        raise
    username = got["Username"]
    attributes = {a["Name"]: a.get("Value", "") for a in got.get("UserAttributes", [])}
    groups = [
        g["GroupName"]
        for g in _pages(
            conn.client,
            "admin_list_groups_for_user",
            "Groups",
            UserPoolId=pool_id,
            Username=username,
        )
    ]
    return UserState(username, attributes, groups, got.get("UserStatus", ""))


def read_domain(conn: Connection, prefix: str, pool: dict[str, Any] | None) -> DomainState:
    """Who owns `prefix` (DescribeUserPoolDomain answers `{}` for a free prefix)."""
    description = conn.client.describe_user_pool_domain(Domain=prefix).get("DomainDescription", {})
    owner = description.get("UserPoolId") or None
    return DomainState(
        owner_pool_id=owner,
        pool_domain=(pool or {}).get("Domain") or None,
        status=description.get("Status"),
    )
