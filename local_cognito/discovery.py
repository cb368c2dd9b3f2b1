"""The OpenID Connect discovery document, with exactly the fields Cognito publishes."""

from __future__ import annotations

from typing import Any


def discovery_document(base_url: str, issuer: str) -> dict[str, Any]:
    """``{issuer}/.well-known/openid-configuration`` for a pool whose endpoints are at ``base_url``.

    Cognito does not publish ``code_challenge_methods_supported``, ``grant_types_supported``
    nor ``claims_supported``; neither do we. ``revocation_endpoint`` is [U] on AWS and kept
    here because clients use it.
    """
    return {
        "authorization_endpoint": f"{base_url}/oauth2/authorize",
        "end_session_endpoint": f"{base_url}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base_url}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base_url}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base_url}/oauth2/userInfo",
    }
