"""Discovery documents and JWKS, beside each pool's issuer.

Served at ``{base}/{poolId}/.well-known/...`` for every pool (where provisioning finds the
issuer, as on AWS's cognito-idp host) and, for pools whose issuer has the UPDATED format,
also beside that issuer, ``{base}/issuer/{poolId}/.well-known/...``
(`cognito_sso.local.tokens.issuer`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from werkzeug.wrappers import Response

from cognito_sso.local.errors import CognitoError
from cognito_sso.local.identifiers import is_pool_id
from cognito_sso.local.tokens.issuer import UPDATED, UPDATED_SEGMENT
from cognito_sso.local.web.context import local_state
from cognito_sso.local.web.oauth2 import json_response

bp = Blueprint("discovery", __name__)


def discovery_document(base_url: str, issuer: str) -> dict[str, Any]:
    """``{issuer}/.well-known/openid-configuration`` for a pool whose endpoints are at ``base_url``.

    The fields of the document Cognito publishes (reference 2.7, captured in
    ``local_cognito/captures/discovery.json``): ``end_session_endpoint`` but no
    ``revocation_endpoint``, and neither ``code_challenge_methods_supported``,
    ``grant_types_supported`` nor ``claims_supported``.
    """
    return {
        "authorization_endpoint": f"{base_url}/oauth2/authorize",
        "end_session_endpoint": f"{base_url}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base_url}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base_url}/oauth2/userInfo",
    }


def _unknown_pool(pool_id: str) -> Response:
    shown = pool_id if is_pool_id(pool_id) else "(invalid id)"
    return json_response(
        {"error": "ResourceNotFoundException", "message": f"User pool {shown} does not exist."},
        404,
    )


def _issuer(pool_id: str, *, updated_path: bool) -> str | None:
    """The pool's issuer, or None when no such pool is served at this path."""
    if not is_pool_id(pool_id):
        return None
    state = local_state()
    with state.lock:
        try:
            pool = state.directory.pool(pool_id)
        except CognitoError:
            return None
        if updated_path and pool.issuer_format != UPDATED:
            return None  # the ORIGINAL form has nothing under /issuer/
        return state.tokens.issuer(pool_id)


@bp.get("/<pool_id>/.well-known/openid-configuration")
def openid_configuration(pool_id: str) -> Response:
    """The pool's discovery document; endpoints point at this server's base URL."""
    issuer = _issuer(pool_id, updated_path=False)
    if issuer is None:
        return _unknown_pool(pool_id)
    return json_response(discovery_document(local_state().base_url, issuer))


@bp.get(f"/{UPDATED_SEGMENT}/<pool_id>/.well-known/openid-configuration")
def updated_openid_configuration(pool_id: str) -> Response:
    """The discovery document beside an UPDATED-format issuer."""
    issuer = _issuer(pool_id, updated_path=True)
    if issuer is None:
        return _unknown_pool(pool_id)
    return json_response(discovery_document(local_state().base_url, issuer))


@bp.get("/<pool_id>/.well-known/jwks.json")
def jwks(pool_id: str) -> Response:
    """The pool's two public signing keys."""
    return _jwks(pool_id, updated_path=False)


@bp.get(f"/{UPDATED_SEGMENT}/<pool_id>/.well-known/jwks.json")
def updated_jwks(pool_id: str) -> Response:
    """The pool's keys beside an UPDATED-format issuer."""
    return _jwks(pool_id, updated_path=True)


def _jwks(pool_id: str, *, updated_path: bool) -> Response:
    if _issuer(pool_id, updated_path=updated_path) is None:
        return _unknown_pool(pool_id)
    state = local_state()
    with state.lock:
        keys = state.tokens.jwks(pool_id)
    return json_response(keys)
