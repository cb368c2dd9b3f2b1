"""The framework-free OIDC client against the local IdP over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from cognito_sso._http import make_http_client
from cognito_sso.oidc import (
    DiscoveryError,
    IdPUnavailableError,
    InvalidGrantError,
    OIDCClient,
    TokenRevokedError,
    new_pkce_pair,
    s256_challenge,
)
from tests.plugins.flask_apps import SSOEnv


@pytest.fixture
def oidc(sso_env: SSOEnv) -> Iterator[tuple[OIDCClient, dict[str, str]]]:
    client = sso_env.client("http://127.0.0.1:1", secret=True)
    http = make_http_client(2.0)
    yield (
        OIDCClient(
            issuer=sso_env.issuer,
            client_id=client["ClientId"],
            client_secret=client["ClientSecret"],
            http=http,
            api_endpoint=sso_env.idp.base_url,
        ),
        client,
    )
    http.close()


def test_pkce_matches_rfc7636_example() -> None:
    assert (
        s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    pair = new_pkce_pair()
    assert 43 <= len(pair.verifier) <= 128
    assert pair.verifier not in repr(pair)


def test_discovery_is_cached_and_checked(
    sso_env: SSOEnv, oidc: tuple[OIDCClient, dict[str, str]]
) -> None:
    client, _ = oidc
    path = f"/{sso_env.pool_id}/.well-known/openid-configuration"
    before = sso_env.idp.count("GET", path)
    meta = client.metadata()
    assert client.metadata() is meta
    assert sso_env.idp.count("GET", path) == before + 1
    assert meta.token_endpoint == f"{sso_env.idp.base_url}/oauth2/token"
    assert meta.end_session_endpoint == f"{sso_env.idp.base_url}/logout"
    assert meta.revocation_endpoint == f"{sso_env.idp.base_url}/oauth2/revoke"
    logout = urlsplit(client.logout_url("http://127.0.0.1:1/auth/logged-out"))
    assert parse_qs(logout.query) == {
        "client_id": [client.client_id],
        "logout_uri": ["http://127.0.0.1:1/auth/logged-out"],
    }


def test_issuer_mismatch_is_refused(sso_env: SSOEnv) -> None:
    # same server, other spelling of the host: the document's issuer differs
    issuer = sso_env.issuer.replace("127.0.0.1", "localhost")
    http = make_http_client(2.0)
    try:
        client = OIDCClient(
            issuer=issuer,
            client_id="x",
            client_secret=None,
            http=http,
            api_endpoint=sso_env.idp.base_url,
        )
        with pytest.raises(DiscoveryError, match="issuer"):
            client.metadata()
    finally:
        http.close()


def test_protocol_errors_are_typed(oidc: tuple[OIDCClient, dict[str, str]]) -> None:
    client, _ = oidc
    with pytest.raises(InvalidGrantError):
        client.exchange_code(
            code="nope", redirect_uri="http://127.0.0.1:1/auth/callback", code_verifier="v" * 43
        )
    with pytest.raises(InvalidGrantError):
        client.refresh("garbage")
    client.revoke("garbage")  # RFC 7009: unknown tokens are fine
    with pytest.raises(TokenRevokedError):
        client.userinfo("garbage")
    with pytest.raises(TokenRevokedError):
        client.global_sign_out("garbage")


def test_faults_become_unavailable(
    sso_env: SSOEnv, oidc: tuple[OIDCClient, dict[str, str]]
) -> None:
    client, _ = oidc
    client.metadata()
    sso_env.idp.fault("token", "error")
    with pytest.raises(IdPUnavailableError, match="HTTP 500"):
        client.refresh("garbage")
    sso_env.idp.fault("token", "drop")
    with pytest.raises(IdPUnavailableError, match="unreachable"):
        client.refresh("garbage")
    sso_env.idp.fault("userInfo", "hang", seconds=4)
    with pytest.raises(IdPUnavailableError, match="in time"):
        client.userinfo("garbage")
    sso_env.idp.fault("api", "error")
    with pytest.raises(IdPUnavailableError):
        client.global_sign_out("garbage")
