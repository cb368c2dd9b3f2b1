"""The two SHA-256 digests OAuth and OIDC put on the wire, in one home for the relying party
and the local IdP alike."""

from __future__ import annotations

import hashlib

from cognito_sso.base64url import b64url_encode

__all__ = ["at_hash", "s256_challenge"]


def s256_challenge(verifier: str) -> str:
    """PKCE: BASE64URL(SHA256(verifier)) without padding (RFC 7636, section 4.2)."""
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def at_hash(access_token: str) -> str:
    """OIDC ``at_hash`` for RS256: base64url of the left half of the access token's SHA-256
    (OIDC Core 3.1.3.6, 3.3.2.11)."""
    return b64url_encode(hashlib.sha256(access_token.encode("utf-8")).digest()[:16])
