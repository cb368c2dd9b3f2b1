"""What tokens carry: the admin scope, the attributes a client reads and their claim types,
`at_hash`, and the shape of refresh tokens."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_sso.base64url import b64url_encode
from cognito_sso.local.errors import CognitoError
from cognito_sso.local.federation.profile import identities_claim
from cognito_sso.local.model import Client, User
from cognito_sso.userpool import DEFAULT_READ_ATTRIBUTES

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})
_NUMBER_ATTRIBUTES = frozenset({"updated_at"})


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
    header = b64url_encode(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    parts = [secrets.token_bytes(256), secrets.token_bytes(12), secrets.token_bytes(720)]
    tag = secrets.token_bytes(16)
    return ".".join([header, *(b64url_encode(p) for p in parts), b64url_encode(tag)])


@dataclass(frozen=True)
class Stamp:
    """What the ID and access tokens of one minting share."""

    issuer: str
    now: int
    auth_time: int
    origin_jti: str | None  # None: the client has token revocation off (no jti/origin_jti)
    event_id: str


def access_token_claims(
    stamp: Stamp, client: Client, user: User, scopes: Sequence[str]
) -> dict[str, Any]:
    """An access token's claims, in the order Cognito writes them (reference 3.2)."""
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    claims["iss"] = stamp.issuer
    claims["client_id"] = client.id
    if stamp.origin_jti is not None:
        claims["origin_jti"] = stamp.origin_jti
    claims["event_id"] = stamp.event_id
    claims.update(
        {
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": stamp.auth_time,
            "exp": stamp.now + client.access_token_seconds,
            "iat": stamp.now,
            "version": 2,
        }
    )
    if stamp.origin_jti is not None:
        claims["jti"] = str(uuid.uuid4())
    claims["username"] = user.username
    return claims


def id_token_claims(stamp: Stamp, client: Client, user: User, nonce: str | None) -> dict[str, Any]:
    """An ID token's claims without `at_hash` (reference 3.1), readable attributes included."""
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    claims.update(attribute_claims(readable_attributes(client, user)))
    identities = identities_claim(user.attributes)
    if identities is not None:  # federated users ([U] whatever the ReadAttributes)
        claims["identities"] = identities
    claims["iss"] = stamp.issuer
    claims["cognito:username"] = user.username
    if nonce is not None:
        claims["nonce"] = nonce
    if stamp.origin_jti is not None:
        claims["origin_jti"] = stamp.origin_jti
    claims.update(
        {
            "aud": client.id,
            "event_id": stamp.event_id,
            "token_use": "id",
            "auth_time": stamp.auth_time,
            "exp": stamp.now + client.id_token_seconds,
            "iat": stamp.now,
        }
    )
    if stamp.origin_jti is not None:
        claims["jti"] = str(uuid.uuid4())
    return claims


def require_scope(claims: Mapping[str, Any], scope: str = ADMIN_SCOPE) -> None:
    """Cognito's check that an access token may call user-pool APIs."""
    if scope not in str(claims.get("scope", "")).split():
        raise CognitoError("NotAuthorizedException", "Access Token does not have required scopes")
