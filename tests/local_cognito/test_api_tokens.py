"""Token service: keys and kids, persistence across restarts, claim variants."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from cognito_sso.base64url import b64url_decode
from cognito_sso.local.errors import CognitoError, OAuthError
from cognito_sso.local.model import Client, Pool, User
from cognito_sso.local.testing import CognitoFactory, password_auth
from cognito_sso.local.tokens.claims import ADMIN_SCOPE
from cognito_sso.local.tokens.service import TokenService
from tests.tokens import claims_of

POOL = Pool(
    id="eu-west-1_Tok3nTest",
    name="p",
    arn="arn:aws:cognito-idp:eu-west-1:1:userpool/x",
    region="eu-west-1",
)
CLIENT = Client(pool_id=POOL.id, id="client1", name="c", read_attributes=None)
USER = User(
    pool_id=POOL.id,
    username="u-sub",
    sub="u-sub",
    status="CONFIRMED",
    enabled=True,
    attributes={
        "sub": "u-sub",
        "email": "x@example.com",
        "email_verified": "false",
        "custom:tier": "gold",
        "updated_at": "1700000000",
    },
)


def service(tmp_path: Path | None = None, base_url: str = "http://127.0.0.1:9229") -> TokenService:
    return TokenService(base_url, state_dir=tmp_path, user_loader=lambda pool_id, sub: USER)


def test_jwks_has_two_keys_with_rfc7638_base64_kids() -> None:
    tokens = service()
    jwks = tokens.jwks(POOL.id)
    assert [k["kty"] for k in jwks["keys"]] == ["RSA", "RSA"]
    for key in jwks["keys"]:
        canonical = json.dumps({"e": key["e"], "kty": "RSA", "n": key["n"]}, separators=(",", ":"))
        assert key["kid"] == base64.b64encode(hashlib.sha256(canonical.encode()).digest()).decode()
        assert len(key["kid"]) == 44 and key["alg"] == "RS256" and key["use"] == "sig"
        assert "d" not in key
        assert len(b64url_decode(key["n"])) == 256  # RSA-2048
    assert tokens.jwks("eu-west-1_Other") != jwks  # per pool


def test_keys_persist_in_the_state_dir(tmp_path: Path) -> None:
    first = service(tmp_path)
    issued = first.issue(pool=POOL, client=CLIENT, user=USER, scopes=[ADMIN_SCOPE], api_flow=True)
    restarted = service(tmp_path)
    assert restarted.jwks(POOL.id) == first.jwks(POOL.id)
    assert restarted.check_access_token(issued.access_token)["sub"] == "u-sub"
    key_file = tmp_path / "keys" / f"{POOL.id}.json"
    assert key_file.stat().st_mode & 0o777 == 0o600
    restarted.global_sign_out(POOL.id, USER.sub)
    with pytest.raises(CognitoError, match="Access Token has been revoked"):
        restarted.check_access_token(issued.access_token)


def test_hosted_ui_claims_nonce_scopes_and_attribute_types() -> None:
    tokens = service()
    issued = tokens.issue(
        pool=POOL,
        client=CLIENT,
        user=USER,
        scopes=["openid", "email"],
        nonce="n-123",
        auth_time=1000,
    )
    id_claims = claims_of(issued.id_token or "")
    assert id_claims["nonce"] == "n-123" and id_claims["auth_time"] == 1000
    assert id_claims["email_verified"] is False
    assert id_claims["updated_at"] == 1700000000
    assert "custom:tier" not in id_claims  # custom attributes are not readable by default
    access = claims_of(issued.access_token)
    assert access["scope"] == "openid email"
    assert "nonce" not in access
    no_openid = tokens.issue(pool=POOL, client=CLIENT, user=USER, scopes=["email"])
    assert no_openid.id_token is None
    readable = Client(
        pool_id=POOL.id, id="client2", name="c2", read_attributes=frozenset({"custom:tier"})
    )
    custom = claims_of(
        tokens.issue(pool=POOL, client=readable, user=USER, scopes=["openid"]).id_token or ""
    )
    assert custom["custom:tier"] == "gold" and "email" not in custom


def test_clients_without_revocation_get_no_jti() -> None:
    tokens = service()
    client = Client(pool_id=POOL.id, id="norevoke", name="n", enable_token_revocation=False)
    issued = tokens.issue(pool=POOL, client=client, user=USER, scopes=[ADMIN_SCOPE], api_flow=True)
    for token in (issued.access_token, issued.id_token or ""):
        claims = claims_of(token)
        assert "jti" not in claims and "origin_jti" not in claims
    with pytest.raises(OAuthError) as excinfo:
        tokens.revoke(client=client, refresh_token=issued.refresh_token or "")
    assert excinfo.value.error == "invalid_request"
    # global sign-out still reaches them
    tokens.global_sign_out(POOL.id, USER.sub)
    with pytest.raises(CognitoError, match="revoked"):
        tokens.check_access_token(issued.access_token)


def test_client_credentials_token() -> None:
    tokens = service()
    issued = tokens.issue_client_credentials(pool=POOL, client=CLIENT, scopes=["api/read"])
    claims = claims_of(issued.access_token)
    assert claims["sub"] == claims["client_id"] == CLIENT.id
    assert claims["scope"] == "api/read" and claims["token_use"] == "access"
    assert "username" not in claims and issued.id_token is None and issued.refresh_token is None


def test_refresh_errors_are_invalid_grant() -> None:
    tokens = service()
    issued = tokens.issue(pool=POOL, client=CLIENT, user=USER, scopes=[ADMIN_SCOPE], api_flow=True)
    other = Client(pool_id=POOL.id, id="other", name="o")
    for client, token in ((other, issued.refresh_token or ""), (CLIENT, "garbage")):
        with pytest.raises(OAuthError) as excinfo:
            tokens.refresh(client=client, refresh_token=token)
        assert excinfo.value.error == "invalid_grant"
    tokens.revoke(client=CLIENT, refresh_token=issued.refresh_token or "")
    with pytest.raises(OAuthError, match="Refresh Token has been revoked"):
        tokens.refresh(client=CLIENT, refresh_token=issued.refresh_token or "")


def test_tokens_from_another_issuer_are_invalid(local_idp: Any) -> None:
    foreign = service(base_url="http://127.0.0.1:1")
    token = foreign.issue(
        pool=POOL, client=CLIENT, user=USER, scopes=[ADMIN_SCOPE], api_flow=True
    ).access_token
    with pytest.raises(CognitoError, match="Invalid Access Token"):
        local_idp.state.tokens.check_access_token(token)


def test_api_tokens_verify_with_the_served_keys(
    local_idp: Any, cognito_client: Any, cognito_factory: CognitoFactory
) -> None:
    pool_id, client_id = cognito_factory.pool_with_user("keys@example.com")
    result = password_auth(cognito_client, client_id, "keys@example.com")["AuthenticationResult"]
    key_set = KeySet.import_key_set(local_idp.state.tokens.jwks(pool_id))
    jwt.decode(result["IdToken"], key_set, algorithms=["RS256"])
    jwt.decode(result["AccessToken"], key_set, algorithms=["RS256"])
    other_pool = cognito_factory.pool()
    with pytest.raises(JoseError):
        jwt.decode(
            result["IdToken"],
            KeySet.import_key_set(local_idp.state.tokens.jwks(other_pool)),
            algorithms=["RS256"],
        )


def test_rotation_grace_period() -> None:
    now = [1_000_000.0]
    tokens = TokenService(
        "http://127.0.0.1:9229", user_loader=lambda pool_id, sub: USER, clock=lambda: now[0]
    )
    client = Client(
        pool_id=POOL.id,
        id="rot",
        name="r",
        refresh_token_rotation=True,
        refresh_token_grace_seconds=30,
    )
    first = (
        tokens.issue(
            pool=POOL, client=client, user=USER, scopes=[ADMIN_SCOPE], api_flow=True
        ).refresh_token
        or ""
    )
    second = tokens.refresh(client=client, refresh_token=first).refresh_token
    assert second and second != first
    now[0] += 10
    assert tokens.refresh(
        client=client, refresh_token=first
    ).refresh_token  # within the grace period
    now[0] += 30
    with pytest.raises(OAuthError, match="rotated"):
        tokens.refresh(client=client, refresh_token=first)
    assert tokens.refresh(client=client, refresh_token=second).refresh_token
