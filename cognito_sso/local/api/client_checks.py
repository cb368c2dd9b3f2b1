"""What an app client allows: its auth flows, SECRET_HASH and client secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from cognito_sso.local.equal_secrets import equal_secrets
from cognito_sso.local.errors import (
    CognitoError,
    invalid_parameter,
    not_authorized,
)
from cognito_sso.local.model import Client

DEFAULT_FLOWS = frozenset({"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"})


LEGACY_FLOWS = frozenset({"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"})


#: AuthFlow -> the ExplicitAuthFlows values that allow it
FLOW_ALLOWED_BY = {
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "USER_AUTH": {"ALLOW_USER_AUTH"},
}


REFRESH_FLOWS = frozenset({"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"})


def check_flow(client: Client, flow: str) -> None:
    """Refuse an AuthFlow the client's ExplicitAuthFlows do not allow."""
    enabled = client.explicit_auth_flows or DEFAULT_FLOWS
    allowed = FLOW_ALLOWED_BY.get(flow, set())
    legacy_refresh = flow in REFRESH_FLOWS and bool(enabled & LEGACY_FLOWS)
    if not (enabled & allowed) and not legacy_refresh:
        raise invalid_parameter(f"{flow} flow not enabled for this client")


def check_secret_hash(client: Client, provided: Any, usernames: Sequence[str]) -> None:
    """SECRET_HASH = base64(HMAC-SHA256(client secret, username + client id))."""
    if client.secret is None:
        return
    if not isinstance(provided, str) or not provided:
        raise not_authorized(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    for username in usernames:
        if not username:
            continue
        digest = hmac.new(
            client.secret.encode(), (username + client.id).encode(), hashlib.sha256
        ).digest()
        if equal_secrets(provided, base64.b64encode(digest).decode()):
            return
    raise not_authorized(f"Unable to verify secret hash for client {client.id}")


def check_client_secret(client: Client, provided: Any) -> None:
    """Refuse a wrong or missing ClientSecret for a confidential client."""
    if client.secret is None:
        return
    if not equal_secrets(provided, client.secret):
        raise CognitoError(
            "NotAuthorizedException", f"Unable to verify secret for client {client.id}"
        )
