"""Forging tokens and JWKS documents for the verifier tests (cryptography only, no JOSE lib)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cognito_sso.base64url import b64url_encode

POOL_ID = "eu-west-1_TestPool1"
CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado"
OTHER_CLIENT_ID = "7otherclient0000000000000a"


def b64json(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return b64url_encode(raw)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def jwk(self, **overrides: Any) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        jwk = {
            "alg": "RS256",
            "e": b64url_encode(e),
            "kid": self.kid,
            "kty": "RSA",
            "n": b64url_encode(n),
            "use": "sig",
        }
        jwk.update(overrides)
        return {k: v for k, v in jwk.items() if v is not None}

    def sign(self, signing_input: bytes) -> bytes:
        return self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def new_key(kid: str | None = None, bits: int = 2048) -> SigningKey:
    kid = kid or base64.b64encode(hashlib.sha256(uuid.uuid4().bytes).digest()).decode()
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=bits))


def jwks(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"keys": list(entries)}


def mint(
    key: SigningKey,
    claims: dict[str, Any],
    *,
    header: dict[str, Any] | None = None,
    kid: str | None = None,
) -> str:
    """A compact JWS signed with ``key`` (header defaults to Cognito's {kid, alg})."""
    hdr: dict[str, Any] = {"kid": kid if kid is not None else key.kid, "alg": "RS256"}
    if header is not None:
        hdr = header
    signing_input = f"{b64json(hdr)}.{b64json(claims)}".encode()
    return f"{signing_input.decode()}.{b64url_encode(key.sign(signing_input))}"


def mint_raw(key: SigningKey, header_segment: str, payload_segment: str) -> str:
    signing_input = f"{header_segment}.{payload_segment}".encode()
    return f"{signing_input.decode()}.{b64url_encode(key.sign(signing_input))}"


def at_hash(access_token: str) -> str:
    return b64url_encode(hashlib.sha256(access_token.encode()).digest()[:16])


def access_claims(issuer: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "cognito:groups": ["billing-admins"],
        "iss": issuer,
        "version": 2,
        "client_id": CLIENT_ID,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "openid email profile",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": "alice",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def id_claims(issuer: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "cognito:groups": ["billing-admins"],
        "email_verified": True,
        "iss": issuer,
        "cognito:username": "alice",
        "origin_jti": str(uuid.uuid4()),
        "aud": CLIENT_ID,
        "event_id": str(uuid.uuid4()),
        "token_use": "id",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "email": "alice@example.com",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}
