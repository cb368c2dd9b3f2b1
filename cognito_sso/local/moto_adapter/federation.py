"""Identity providers of a pool and the users they sign in, kept in moto's pool objects.

A federated user is stored the way Cognito stores one: Username ``{ProviderName}_{id}``,
status ``EXTERNAL_PROVIDER``, no password, an ``identities`` attribute (a JSON string) and
membership of the group ``{poolId}_{ProviderName}``, created with the provider's first user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser

from cognito_sso.local.model import IdentityProvider, User
from cognito_sso.local.moto_adapter.directory import Directory
from cognito_sso.local.moto_adapter.records import user_from

EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


def provider_group(pool_id: str, provider: str) -> str:
    """The group Cognito puts every user of a provider in."""
    return f"{pool_id}_{provider}"


def federated_username(provider: str, user_id: str) -> str:
    """The Username of a provider's user."""
    return f"{provider}_{user_id}"


def _provider_from(pool_id: str, moto_provider: Any) -> IdentityProvider:
    config: Mapping[str, Any] = moto_provider.extended_config
    return IdentityProvider(
        pool_id=pool_id,
        name=str(moto_provider.name),
        type=str(config.get("ProviderType") or ""),
        details={str(k): str(v) for k, v in (config.get("ProviderDetails") or {}).items()},
        attribute_mapping={
            str(k): str(v) for k, v in (config.get("AttributeMapping") or {}).items()
        },
        idp_identifiers=tuple(str(i) for i in config.get("IdpIdentifiers") or ()),
    )


class Federation:
    """The federation side of a `Directory`: identity providers and their users."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    def providers(self, pool_id: str) -> list[IdentityProvider]:
        """The pool's identity providers, in creation order."""
        pool = self._directory.moto.pool(pool_id)
        return [_provider_from(pool_id, p) for p in pool.identity_providers.values()]

    def provider(self, pool_id: str, name: str) -> IdentityProvider | None:
        """One identity provider of the pool by ProviderName."""
        found = self._directory.moto.pool(pool_id).identity_providers.get(name)
        return None if found is None else _provider_from(pool_id, found)

    def provider_by_identifier(self, pool_id: str, identifier: str) -> IdentityProvider | None:
        """The provider that lists `identifier` in its IdpIdentifiers (case-insensitive [U])."""
        wanted = identifier.casefold()
        for provider in self.providers(pool_id):
            if any(i.casefold() == wanted for i in provider.idp_identifiers):
                return provider
        return None

    def sign_in(
        self,
        provider: IdentityProvider,
        user_id: str,
        attributes: Mapping[str, str],
        identity: Mapping[str, Any],
    ) -> User:
        """Create or update the provider's user `user_id` with the mapped `attributes`.

        `identity` is the user's entry of the ``identities`` attribute, used when the user
        is new (an existing user keeps the entry, and so its ``dateCreated``).
        """
        pool_id = provider.pool_id
        pool = self._directory.moto.pool(pool_id)
        username = federated_username(provider.name, user_id)
        user = pool.users.get(username)
        values = [{"Name": k, "Value": v} for k, v in attributes.items()]
        if user is None:
            values.append({"Name": "identities", "Value": json.dumps([dict(identity)])})
            user = CognitoIdpUser(pool_id, username, None, EXTERNAL_PROVIDER, values)
            pool.users[username] = user
        else:
            user.update_attributes(values)  # the mapping applies at every sign-in
        self._join_provider_group(pool_id, provider.name, user)
        return user_from(user)

    def _join_provider_group(self, pool_id: str, provider: str, user: Any) -> None:
        backend = self._directory.moto.backend(pool_id.split("_", 1)[0])
        name = provider_group(pool_id, provider)
        group = self._directory.moto.pool(pool_id).groups.get(name)
        if group is None:
            # [U] real Cognito creates the group with the provider's first user; its
            # description and precedence are not documented: none here.
            group = backend.create_group(pool_id, name, None, None, None)
        group.users.add(user)
        user.groups.add(group)
