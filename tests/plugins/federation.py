"""Fixtures for federation through the local IdP: an "Example Corp" directory (a second pool
of the same local IdP, a real pattern on AWS too) registered as an OIDC identity provider of
an application pool.

- ``federated_pools`` (function): `FederatedPools` with the corp pool, its employee dave, the
  provider's client at corp and the application pool whose clients offer COGNITO and the
  provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import CognitoFactory
from tests.plugins.idp_web import AppClient, HostedPool, oauth_client

PROVIDER = "ExampleCorp"
DAVE = "dave@example.com"


@dataclass
class FederatedPools:
    """An application pool federating to the corp pool through the OIDC provider `PROVIDER`."""

    app: HostedPool
    corp_pool_id: str
    corp_client: AppClient
    dave_sub: str

    @property
    def corp_issuer(self) -> str:
        return f"{self.app.base_url}/{self.corp_pool_id}"

    @property
    def factory(self) -> CognitoFactory:
        return self.app.factory

    @property
    def dave_username(self) -> str:
        return f"{PROVIDER}_{self.dave_sub}"

    @property
    def provider_group(self) -> str:
        return f"{self.app.pool_id}_{PROVIDER}"

    def provider_details(self, **overrides: str) -> dict[str, str]:
        return {**provider_details(self.corp_client, self.corp_issuer), **overrides}

    def reconfigure(self, details: dict[str, str]) -> None:
        """UpdateIdentityProvider with new ProviderDetails."""
        self.factory.client.update_identity_provider(
            UserPoolId=self.app.pool_id, ProviderName=PROVIDER, ProviderDetails=details
        )


def provider_details(client: AppClient, issuer: str) -> dict[str, str]:
    """OIDC ProviderDetails for a provider client at `issuer`."""
    return {
        "client_id": client.client_id,
        "client_secret": client.secret or "",
        "authorize_scopes": "openid email profile",
        "attributes_request_method": "GET",
        "oidc_issuer": issuer,
    }


def corp_client(factory: CognitoFactory, base_url: str, pool_id: str) -> AppClient:
    """The confidential client a federating pool uses at corp (callback: /oauth2/idpresponse)."""
    idpresponse = f"{base_url}/oauth2/idpresponse"
    created = factory.app_client(
        pool_id,
        secret=True,
        ClientName="federation",
        CallbackURLs=[idpresponse],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )
    return AppClient(created["ClientId"], idpresponse, "", created["ClientSecret"])


def app_clients(
    factory: CognitoFactory, pool_id: str, providers: list[str]
) -> dict[str, AppClient]:
    names = ("billing", "reports", "confidential")
    return {
        name: oauth_client(
            factory,
            pool_id,
            name,
            secret=name == "confidential",
            SupportedIdentityProviders=providers,
        )
        for name in names
    }


@dataclass(frozen=True)
class CorpDirectory:
    """The "Example Corp" pool with dave, registered as the provider `PROVIDER` of a pool."""

    pool_id: str
    client: AppClient
    dave_sub: str


def federate(factory: CognitoFactory, base_url: str, app_pool_id: str) -> CorpDirectory:
    """Create the corp pool (dave, the federation client) and its provider in `app_pool_id`."""
    corp_pool_id = factory.pool("Example Corp")
    dave = factory.user(
        corp_pool_id, DAVE, attributes={"name": "Dave Example", "given_name": "Dave"}
    )
    client = corp_client(factory, base_url, corp_pool_id)
    factory.client.create_identity_provider(
        UserPoolId=app_pool_id,
        ProviderName=PROVIDER,
        ProviderType="OIDC",
        ProviderDetails=provider_details(client, f"{base_url}/{corp_pool_id}"),
        AttributeMapping={"email": "email", "name": "name", "username": "sub"},
        IdpIdentifiers=["example.com"],
    )
    dave_sub = {a["Name"]: a["Value"] for a in dave["UserAttributes"]}["sub"]
    return CorpDirectory(corp_pool_id, client, dave_sub)


@pytest.fixture
def federated_pools(local_idp: RunningServer, cognito_factory: CognitoFactory) -> FederatedPools:
    """A fresh corp pool with dave, and an application pool federating to it."""
    base_url = local_idp.base_url
    app_pool_id = cognito_factory.pool("sso-demo")
    corp = federate(cognito_factory, base_url, app_pool_id)
    clients = app_clients(cognito_factory, app_pool_id, ["COGNITO", PROVIDER])
    return FederatedPools(
        app=HostedPool(base_url, app_pool_id, **clients, factory=cognito_factory),
        corp_pool_id=corp.pool_id,
        corp_client=corp.client,
        dave_sub=corp.dave_sub,
    )
