"""What tokens carry: the admin scope, the attributes a client reads and their claim types,
`at_hash`, and the shape of refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.model import Client, User
from cognito_sso.userpool import DEFAULT_READ_ATTRIBUTES

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})
_NUMBER_ATTRIBUTES = frozenset({"updated_at"})


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def at_hash(access_token: str) -> str:
    """OIDC `at_hash` for RS256: base64url of the left half of SHA-256 of the token."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


def readable_attributes(client: Client, user: User) -> dict[str, str]:
    """User attributes this client may read (Cognito's default set when ReadAttributes is unset)."""
    allowed = client.read_attributes
    if allowed is None:
        allowed = DEFAULT_READ_ATTRIBUTES
    return {
        name: value
        for name, value in user.attributes.items()
        if name in allowed and name != "sub" and value is not None
    }


def attribute_claims(attributes: Mapping[str, str]) -> dict[str, Any]:
    """Attributes as ID-token claims: `*_verified` booleans, `updated_at` a number, rest strings."""
    claims: dict[str, Any] = {}
    for name, value in attributes.items():
        if name in _BOOLEAN_ATTRIBUTES:
            claims[name] = value.strip().lower() == "true"
        elif name in _NUMBER_ATTRIBUTES and value.isdigit():
            claims[name] = int(value)
        else:
            claims[name] = value
    return claims


def opaque_refresh_token() -> str:
    """A random string shaped like Cognito's JWE refresh tokens (5 parts), not parsable as JWS."""
    header = b64url(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    parts = [secrets.token_bytes(256), secrets.token_bytes(12), secrets.token_bytes(720)]
    tag = secrets.token_bytes(16)
    return ".".join([header, *(b64url(p) for p in parts), b64url(tag)])


def require_scope(claims: Mapping[str, Any], scope: str = ADMIN_SCOPE) -> None:
    """Cognito's check that an access token may call user-pool APIs."""
    if scope not in str(claims.get("scope", "")).split():
        raise CognitoError("NotAuthorizedException", "Access Token does not have required scopes")
