"""Create, through boto3 admin calls, the pool, app clients and users a benchmark needs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

REGION = "eu-west-1"
PASSWORD = "Bench-Passw0rd!"
SCOPES = ("openid", "email", "profile")


def cognito_client(endpoint_url: str) -> Any:
    """boto3 ``cognito-idp`` client for the local IdP (dummy credentials, no retries)."""
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60),
    )


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


@dataclass(frozen=True)
class AppClient:
    """One service's app client."""

    name: str
    client_id: str
    client_secret: str
    base_url: str


@dataclass
class Directory:
    """What was created on the IdP."""

    endpoint_url: str
    pool_id: str
    clients: dict[str, AppClient] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        """The pool's issuer on the local IdP."""
        return f"{self.endpoint_url}/{self.pool_id}"


def create_directory(
    endpoint_url: str,
    services: Mapping[str, str],
    *,
    users: int,
    groups: Sequence[str] = ("staff",),
    access_token_minutes: int = 60,
    user_prefix: str = "user",
) -> Directory:
    """A pool, one confidential code-flow client per service (name -> base URL), ``users`` users.

    Users are ``user0000``... with password `PASSWORD`, created with AdminCreateUser and
    AdminSetUserPassword(Permanent=True), each in every group of ``groups``.
    """
    idp = cognito_client(endpoint_url)
    pool_id = idp.create_user_pool(
        PoolName="bench",
        Policies={"PasswordPolicy": {"MinimumLength": 8}},
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    directory = Directory(endpoint_url=endpoint_url, pool_id=pool_id)
    for name, base_url in services.items():
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=name,
            GenerateSecret=True,
            ExplicitAuthFlows=[
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            AllowedOAuthFlows=["code"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=list(SCOPES),
            SupportedIdentityProviders=["COGNITO"],
            CallbackURLs=[f"{base_url}/auth/callback"],
            LogoutURLs=[f"{base_url}/auth/logged-out"],
            AccessTokenValidity=access_token_minutes,
            IdTokenValidity=access_token_minutes,
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
            EnableTokenRevocation=True,
        )["UserPoolClient"]
        directory.clients[name] = AppClient(
            name, client["ClientId"], client["ClientSecret"], base_url
        )
    for group in groups:
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    add_users(directory, (f"{user_prefix}{i:04d}" for i in range(users)), groups=groups, idp=idp)
    return directory


def add_users(
    directory: Directory, usernames: Iterable[str], *, groups: Sequence[str] = (), idp: Any = None
) -> None:
    """Create users (suppressed invitation, permanent password), add them to ``groups``."""
    idp = idp or cognito_client(directory.endpoint_url)
    for username in usernames:
        idp.admin_create_user(
            UserPoolId=directory.pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": f"{username}@bench.example"},
                {"Name": "email_verified", "Value": "true"},
            ],
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=directory.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            idp.admin_add_user_to_group(
                UserPoolId=directory.pool_id, Username=username, GroupName=group
            )
        directory.users.append(username)


def password_tokens(directory: Directory, service: str, username: str) -> dict[str, Any]:
    """Tokens for ``username`` from InitiateAuth USER_PASSWORD_AUTH (AuthenticationResult)."""
    client = directory.clients[service]
    idp = cognito_client(directory.endpoint_url)
    result = idp.initiate_auth(
        ClientId=client.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(username, client.client_id, client.client_secret),
        },
    )
    return dict(result["AuthenticationResult"])


def service_config(
    directory: Directory,
    service: str,
    *,
    session_store: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Flask config (COGNITO_* keys) for the bench service app of ``service``."""
    client = directory.clients[service]
    config: dict[str, Any] = {
        "SECRET_KEY": hashlib.sha256(f"bench-{service}".encode()).hexdigest(),
        "SESSION_COOKIE_NAME": f"{service}_flask_session",
        "COGNITO_ISSUER": directory.issuer,
        "COGNITO_ENDPOINT_URL": directory.endpoint_url,
        "COGNITO_CLIENT_ID": client.client_id,
        "COGNITO_CLIENT_SECRET": client.client_secret,
        "COGNITO_REDIRECT_URI": f"{client.base_url}/auth/callback",
        "COGNITO_LOGOUT_URI": f"{client.base_url}/auth/logged-out",
        "COGNITO_SCOPES": list(SCOPES),
        "COGNITO_SESSION_STORE": session_store,
        "COGNITO_COOKIE_NAME": f"{service}_sso",
        "COGNITO_COOKIE_SECURE": False,
        "COGNITO_PERMISSIONS": {"staff": ["reports:read"]},
        "COGNITO_BEARER_CLIENT_IDS": [c.client_id for c in directory.clients.values()],
    }
    config.update(extra or {})
    return config
