"""pytest plugin: a local IdP on a free loopback port, a boto3 client for it, and helpers.

Registered from tests/conftest.py as ``"cognito_sso.local.testing"``.

Fixtures:
- ``local_idp`` (session): a `RunningServer` (``.base_url``, ``.state``, ``.stop()``).
- ``cognito_client`` (session): boto3 ``cognito-idp`` client with ``endpoint_url`` set to
  the local IdP, region ``eu-west-1``, dummy credentials (nothing can reach AWS).
- ``cognito_factory`` (function): `CognitoFactory` to create pools, clients and users quickly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from cognito_sso.local.server import RunningServer, run_in_thread

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
else:
    CognitoIdentityProviderClient = Any

REGION = "eu-west-1"
DEFAULT_PASSWORD = "Passw0rd!Local"  # noqa: S105 - test-only password


def make_cognito_client(base_url: str, region: str = REGION) -> CognitoIdentityProviderClient:
    """A boto3 cognito-idp client talking only to `base_url` (dummy credentials)."""
    return boto3.client(
        "cognito-idp",
        region_name=region,
        endpoint_url=base_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - dummy, never sent to AWS
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
        ),
    )


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(secret, username + client_id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def password_auth(
    client: CognitoIdentityProviderClient,
    client_id: str,
    username: str,
    password: str = DEFAULT_PASSWORD,
) -> Any:
    """InitiateAuth with USER_PASSWORD_AUTH (an app client without a secret)."""
    return client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


class CognitoFactory:
    """Shortcuts to provision pools, clients and users through the real JSON API."""

    def __init__(self, client: CognitoIdentityProviderClient) -> None:
        self.client = client

    def pool(self, name: str | None = None, *, email_username: bool = True, **kwargs: Any) -> str:
        """Create a pool (email as username, case-insensitive by default); returns its id."""
        params: dict[str, Any] = {
            "PoolName": name or f"pool-{uuid.uuid4().hex[:8]}",
            "UsernameConfiguration": {"CaseSensitive": False},
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 7,
                }
            },
            "AutoVerifiedAttributes": ["email"],
        }
        if email_username:
            params["UsernameAttributes"] = ["email"]
        params.update(kwargs)
        return self.client.create_user_pool(**params)["UserPool"]["Id"]

    def app_client(
        self,
        pool_id: str,
        *,
        secret: bool = False,
        flows: Sequence[str] = (
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Create an app client; returns DescribeUserPoolClient's `UserPoolClient`."""
        params: dict[str, Any] = {
            "UserPoolId": pool_id,
            "ClientName": f"client-{uuid.uuid4().hex[:8]}",
            "GenerateSecret": secret,
            "ExplicitAuthFlows": list(flows),
        }
        params.update(kwargs)
        return dict(self.client.create_user_pool_client(**params)["UserPoolClient"])

    def oauth_client(
        self,
        pool_id: str,
        *,
        secret: bool = True,
        callback_urls: Sequence[str] = ("http://localhost:5001/auth/callback",),
        logout_urls: Sequence[str] = ("http://localhost:5001/auth/logged-out",),
        scopes: Sequence[str] = ("openid", "email", "profile"),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A hosted-UI client: code flow, the given scopes and URLs, password + refresh flows."""
        params: dict[str, Any] = {
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": list(scopes),
            "CallbackURLs": list(callback_urls),
            "LogoutURLs": list(logout_urls),
            "SupportedIdentityProviders": ["COGNITO"],
        }
        params.update(kwargs)
        return self.app_client(pool_id, secret=secret, **params)

    def domain(self, pool_id: str, prefix: str | None = None) -> str:
        """Attach a hosted-UI domain prefix to the pool; returns the prefix."""
        prefix = prefix or f"local-{uuid.uuid4().hex[:10]}"
        self.client.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
        return prefix

    def pool_with_user(self, email: str, **user: Any) -> tuple[str, str]:
        """A new :meth:`pool` with an :meth:`app_client` and the :meth:`user` ``email`` in it
        (``user``: more arguments of :meth:`user`); returns (pool id, client id)."""
        pool_id = self.pool()
        client_id: str = self.app_client(pool_id)["ClientId"]
        self.user(pool_id, email, **user)
        return pool_id, client_id

    def user(
        self,
        pool_id: str,
        email: str,
        password: str = DEFAULT_PASSWORD,
        *,
        groups: Sequence[str] = (),
        permanent: bool = True,
        attributes: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Create a user (invitation suppressed) with a password; returns AdminGetUser's reply."""
        attrs = {"email": email, "email_verified": "true", **(attributes or {})}
        created = self.client.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
        )["User"]
        username = created["Username"]
        if permanent:
            self.client.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password=password, Permanent=True
            )
        for group in groups:
            try:
                self.client.create_group(UserPoolId=pool_id, GroupName=group)
            except self.client.exceptions.GroupExistsException:
                pass
            self.client.admin_add_user_to_group(
                UserPoolId=pool_id, Username=username, GroupName=group
            )
        return dict(self.client.admin_get_user(UserPoolId=pool_id, Username=username))


@pytest.fixture(scope="session")
def local_idp() -> Iterator[RunningServer]:
    """The local IdP, serving on a free port of 127.0.0.1 for the whole test session."""
    server = run_in_thread(host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def cognito_client(local_idp: RunningServer) -> CognitoIdentityProviderClient:
    """boto3 cognito-idp client bound to the local IdP."""
    return make_cognito_client(local_idp.base_url)


@pytest.fixture
def cognito_factory(cognito_client: CognitoIdentityProviderClient) -> CognitoFactory:
    """Helpers to create pools, clients and users on the local IdP."""
    return CognitoFactory(cognito_client)
