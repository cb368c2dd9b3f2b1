"""Executing a plan: every update sends the full desired state; writes are counted by boto3 hook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognito_sso.provisioning.aws import (
    Connection,
    Progress,
    ProvisioningError,
    input_members,
    quiet,
)
from cognito_sso.provisioning.mapping import (
    MFA_KEYS,
    client_request,
    client_update_request,
    group_request,
    mfa_request,
    pool_request,
    pool_update_request,
    user_attributes,
    user_login,
)
from cognito_sso.provisioning.plan import CREATE, Plan, ResourceChange, make_plan, render_plan
from cognito_sso.provisioning.provider_mapping import (
    KIND,
    provider_request,
    provider_secret,
    provider_update_request,
)
from cognito_sso.provisioning.spec import (
    ClientSpec,
    GroupSpec,
    IdentityProviderSpec,
    Spec,
    UserSpec,
)
from cognito_sso.provisioning.state import PoolState, read_user


class ReplacementRequired(ProvisioningError):
    """The spec changes a create-only field (or conflicts with another pool); nothing was done."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        lines = [
            "refusing to apply; nothing was changed. Replacing a resource would lose its users, "
            "sessions or client secrets, which apply never does on its own:"
        ]
        for change in plan.blocking:
            create_only = [f.key for f in change.fields if f.create_only]
            reason = (
                f"{', '.join(create_only)} can only be set when it is created "
                "(restore the old value, or delete it yourself and apply again)"
                if create_only
                else change.note
            )
            lines.append(f"  {change.kind} {change.name}: {reason}")
        super().__init__("\n".join(lines))


@dataclass
class ApplyResult:
    """What an apply did."""

    pool_id: str
    plan: Plan
    writes: int
    operations: list[str]


def apply(conn: Connection, spec: Spec, *, progress: Progress = quiet) -> ApplyResult:
    """Plan against the current state and execute it; raises `ReplacementRequired` when the spec
    needs a create-only change. Safe to re-run after an interruption: it re-reads everything."""
    plan = make_plan(conn, spec, progress)
    for line in render_plan(plan):
        progress(line)
    if plan.blocking:
        raise ReplacementRequired(plan)
    _require_secrets(spec, plan)
    if plan.has_changes:
        progress("applying:")
    start = conn.writes.count
    runner = _Runner(conn, spec, plan, progress)
    pool_id = runner.run()
    writes = conn.writes.operations[start:]
    return ApplyResult(pool_id, plan, len(writes), writes)


def _require_secrets(spec: Spec, plan: Plan) -> None:
    """A provider can only be created with its client secret: refuse before any write when its
    environment variable is unset (an update keeps the secret the provider has)."""
    missing = [
        f"{p.name} (${p.client_secret_env})"
        for p in spec.identity_providers
        if p.client_secret_env
        and provider_secret(p) is None
        and (change := plan.change(KIND, p.name)) is not None
        and change.action == CREATE
    ]
    if missing:
        raise ProvisioningError(
            "refusing to apply; nothing was changed. These identity providers need their client "
            f"secret in the environment: {', '.join(missing)}"
        )


class _Runner:
    def __init__(self, conn: Connection, spec: Spec, plan: Plan, progress: Progress) -> None:
        self.conn = conn
        self.client = conn.client
        self.spec = spec
        self.plan = plan
        self.progress = progress

    def run(self) -> str:
        state = self.plan.state
        if state is None:
            pool_id = self._create_pool()
        else:
            pool_id = state.pool_id
            change = self.plan.change("pool", self.spec.pool.name)
            if change is not None:
                self._update_pool(state, change)
        domain = self.plan.change("domain", self.spec.domain_prefix or "")
        if domain is not None and domain.action == CREATE:
            self.progress(f"  creating domain {self.spec.domain_prefix}")
            self.client.create_user_pool_domain(Domain=self.spec.domain_prefix, UserPoolId=pool_id)
        for group in self.spec.groups:
            self._group(pool_id, group, state)
        # Providers before the clients that offer them, removals after the clients let go.
        for provider in self.spec.identity_providers:
            self._provider(pool_id, provider, state)
        for client in self.spec.clients:
            self._client(pool_id, client, state)
        for provider in self.spec.identity_providers:
            if provider.remove and self.plan.change(KIND, provider.name) is not None:
                self.progress(f"  deleting identity provider {provider.name}")
                self.client.delete_identity_provider(UserPoolId=pool_id, ProviderName=provider.name)
        for user in self.spec.users:
            self._user(pool_id, user)
        return pool_id

    # -- pool ------------------------------------------------------------------------------
    def _create_pool(self) -> str:
        self.progress(f"  creating user pool {self.spec.pool.name}")
        pool = self.client.create_user_pool(**pool_request(self.spec.pool))["UserPool"]
        pool_id = str(pool["Id"])
        self.progress(f"  created user pool {pool_id}")
        if self.spec.pool.mfa.mode != "off":
            self.progress("  setting MFA configuration")
            self.client.set_user_pool_mfa_config(UserPoolId=pool_id, **mfa_request(self.spec.pool))
        return pool_id

    def _update_pool(self, state: PoolState, change: ResourceChange) -> None:
        keys = {f.key for f in change.fields}
        pool_id = state.pool_id
        updated = bool(keys - MFA_KEYS - {"tags"})
        if keys & MFA_KEYS:
            # Before UpdateUserPool: UpdateUserPool cannot turn MFA on (reference 5.1).
            self.progress("  setting MFA configuration")
            self.client.set_user_pool_mfa_config(UserPoolId=pool_id, **mfa_request(self.spec.pool))
        if updated:
            self.progress(f"  updating user pool {pool_id} (full desired state)")
            members = input_members(self.client, "UpdateUserPool")
            self.client.update_user_pool(**pool_update_request(self.spec.pool, state.pool, members))
        if updated or "tags" in keys:
            self._sync_tags(state.pool_arn, touched=updated, state=state)

    def _sync_tags(self, arn: str, *, touched: bool, state: PoolState) -> None:
        # UpdateUserPool carries UserPoolTags too, so re-read after it instead of guessing
        # whether it merged or replaced them.
        current = (
            dict(self.client.list_tags_for_resource(ResourceArn=arn).get("Tags", {}))
            if touched
            else state.tags
        )
        desired = dict(self.spec.pool.tags)
        extra = sorted(k for k in current if k not in desired)
        missing = {k: v for k, v in desired.items() if current.get(k) != v}
        if extra:
            self.progress(f"  removing tags {', '.join(extra)}")
            self.client.untag_resource(ResourceArn=arn, TagKeys=extra)
        if missing:
            self.progress(f"  tagging pool with {', '.join(sorted(missing))}")
            self.client.tag_resource(ResourceArn=arn, Tags=missing)

    # -- groups, clients, users -----------------------------------------------------------
    def _group(self, pool_id: str, group: GroupSpec, state: PoolState | None) -> None:
        change = self.plan.change("group", group.name)
        if change is None:
            return
        request = group_request(group)
        if change.action == CREATE:
            self.progress(f"  creating group {group.name}")
            self.client.create_group(UserPoolId=pool_id, **request)
            return
        existing = state.groups[group.name] if state else {}
        self.progress(f"  updating group {group.name}")
        full: dict[str, Any] = {"UserPoolId": pool_id, **request}
        if existing.get("RoleArn"):
            full["RoleArn"] = existing["RoleArn"]
        self.client.update_group(**full)

    def _client(self, pool_id: str, client: ClientSpec, state: PoolState | None) -> None:
        change = self.plan.change("client", client.name)
        if change is None:
            return
        if change.action == CREATE:
            self.progress(f"  creating app client {client.name}")
            self.client.create_user_pool_client(UserPoolId=pool_id, **client_request(client))
            return
        assert state is not None
        self.progress(f"  updating app client {client.name} (full desired state)")
        members = input_members(self.client, "UpdateUserPoolClient")
        self.client.update_user_pool_client(
            **client_update_request(client, state.clients[client.name], members)
        )

    def _provider(
        self, pool_id: str, provider: IdentityProviderSpec, state: PoolState | None
    ) -> None:
        change = self.plan.change(KIND, provider.name)
        if change is None or provider.remove:
            return
        secret = provider_secret(provider)
        if change.action == CREATE:
            self.progress(f"  creating identity provider {provider.name}")
            self.client.create_identity_provider(
                UserPoolId=pool_id, **provider_request(provider, secret)
            )
            return
        assert state is not None
        self.progress(f"  updating identity provider {provider.name} (full desired state)")
        described = state.identity_providers[provider.name]
        self.client.update_identity_provider(**provider_update_request(provider, described, secret))

    def _user(self, pool_id: str, user: UserSpec) -> None:
        change = self.plan.change("user", user.key)
        if change is None:
            return
        login = user_login(self.spec, user)
        if change.action == CREATE:
            self.progress(f"  inviting user {user.key} <{user.email}>")
            self.client.admin_create_user(
                UserPoolId=pool_id,
                Username=login,
                UserAttributes=user_attributes(user),
                DesiredDeliveryMediums=["EMAIL"],
            )
        found = read_user(self.conn, pool_id, login)
        if found is None:
            raise ProvisioningError(f"user {user.key} <{user.email}> not found after creating it")
        if found.attributes.get("name") != user.name and user.name is not None:
            self.progress(f"  updating user {user.key} attributes")
            self.client.admin_update_user_attributes(
                UserPoolId=pool_id,
                Username=found.username,
                UserAttributes=[{"Name": "name", "Value": user.name}],
            )
        for group in sorted(set(user.groups) - set(found.groups)):
            self.progress(f"  adding user {user.key} to group {group}")
            self.client.admin_add_user_to_group(
                UserPoolId=pool_id, Username=found.username, GroupName=group
            )
        for group in sorted(set(found.groups) - set(user.groups)):
            self.progress(f"  removing user {user.key} from group {group}")
            self.client.admin_remove_user_from_group(
                UserPoolId=pool_id, Username=found.username, GroupName=group
            )
