"""The OIDC client against an IdP that answers with garbage.

A real IdP (ours or Cognito) cannot be made to send these bodies, so an httpx MockTransport
plays the IdP here: wrong JSON types, huge or absurdly nested bodies, endpoints on plain
http, error codes that would inject text into log lines. Every failure must be a typed
OIDCError, never another exception (which would become a 500).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cognito_sso.oidc import (
    DiscoveryError,
    IdPUnavailableError,
    InvalidGrantError,
    OIDCClient,
    OIDCError,
    TokenRequestError,
    TokenResponseError,
    TokenRevokedError,
)

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123def"
DOMAIN = "https://billing.auth.eu-west-1.amazoncognito.com"


def discovery(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{DOMAIN}/oauth2/authorize",
        "token_endpoint": f"{DOMAIN}/oauth2/token",
        "jwks_uri": f"{ISSUER}/.well-known/jwks.json",
        "userinfo_endpoint": f"{DOMAIN}/oauth2/userInfo",
    }
    doc.update(overrides)
    return {k: v for k, v in doc.items() if v is not None}


Handler = Callable[[httpx.Request], httpx.Response]


def client_for(
    token: Handler | None = None,
    *,
    doc: dict[str, Any] | None = None,
    api: Handler | None = None,
    secret: str | None = "s3cret-value",
) -> OIDCClient:
    """An OIDCClient whose IdP is ``doc`` for discovery and ``token``/``api`` handlers."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json=doc or discovery())
        if request.url.host == "cognito-idp.eu-west-1.amazonaws.com" and api is not None:
            return api(request)
        assert token is not None, f"unexpected request to {request.url}"
        return token(request)

    http = httpx.Client(transport=httpx.MockTransport(handler), timeout=2.0)
    return OIDCClient(
        issuer=ISSUER,
        client_id="client1",
        client_secret=secret,
        http=http,
        api_endpoint="https://cognito-idp.eu-west-1.amazonaws.com/",
    )


def answer(status: int, body: bytes | str) -> Handler:
    content = body.encode() if isinstance(body, str) else body
    return lambda _request: httpx.Response(status, content=content)


GOOD = {"access_token": "a", "id_token": "i", "token_type": "Bearer", "expires_in": 3600}


def test_a_good_answer_parses() -> None:
    tokens = client_for(answer(200, json.dumps(GOOD))).refresh("r")
    assert tokens.access_token == "a" and tokens.refresh_token is None


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,  # nested past the parser's recursion limit
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "not json",
        "[]",
        '"a string"',
        json.dumps({**GOOD, "pad": "x" * 300_000}),  # over the size cap
    ],
)
def test_unreadable_token_answers_are_unavailable(body: str) -> None:
    with pytest.raises(IdPUnavailableError):
        client_for(answer(200, body)).refresh("r")


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({**GOOD, "access_token": 7}),
        json.dumps({**GOOD, "access_token": ""}),
        json.dumps({**GOOD, "id_token": ["i"]}),
        json.dumps({**GOOD, "refresh_token": {"r": 1}}),
        json.dumps({**GOOD, "expires_in": "3600"}),
        json.dumps({**GOOD, "expires_in": True}),
        json.dumps({**GOOD, "token_type": "mac"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "token_type"}),
    ],
)
def test_malformed_token_answers_are_not_an_outage(body: str) -> None:
    """Issue 14 #7: a JSON answer with wrong fields is a malformed answer, not an outage."""
    with pytest.raises(TokenResponseError) as info:
        client_for(answer(200, body)).refresh("r")
    assert not isinstance(info.value, IdPUnavailableError)


def test_token_type_is_case_insensitive() -> None:
    tokens = client_for(answer(200, json.dumps({**GOOD, "token_type": "bearer"}))).refresh("r")
    assert tokens.token_type == "bearer"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, '{"error": "invalid_client"}', "invalid_client"),
        (400, '{"error": "bad\\nFAKE LOG LINE"}', "invalid_response"),
        (400, '{"error": "' + "x" * 200 + '"}', "invalid_response"),
        (400, '{"error": 7}', "invalid_response"),
        (400, "[" * 50_000, "invalid_response"),
        (401, "<html>nope</html>", "invalid_response"),
    ],
)
def test_refusals_carry_a_sanitized_code(status: int, body: str, error: str) -> None:
    with pytest.raises(TokenRequestError) as info:
        client_for(answer(status, body)).exchange_code(
            code="c", redirect_uri="https://app.example.com/auth/callback", code_verifier="v"
        )
    assert info.value.error == error
    assert "\n" not in str(info.value)


def test_invalid_grant_from_revocation_is_typed() -> None:
    with pytest.raises(InvalidGrantError):
        client_for(answer(400, '{"error": "invalid_grant"}')).revoke("r")


@pytest.mark.parametrize(
    "doc",
    [
        discovery(issuer=ISSUER + "/"),
        discovery(issuer="https://evil.example/eu-west-1_AbC123def"),
        # secret-bearing endpoints must not fall back to plain http, not even on loopback,
        # when the issuer is a real https one
        discovery(token_endpoint="http://127.0.0.1:8080/oauth2/token"),
        discovery(revocation_endpoint="http://localhost/oauth2/revoke"),
        discovery(token_endpoint="http://billing.example.com/oauth2/token"),
        discovery(token_endpoint="javascript:alert(1)"),
        discovery(token_endpoint="https://user:pw@evil.example/token"),
        discovery(token_endpoint=["https://a.example/token"]),
        discovery(token_endpoint=None),
        discovery(authorization_endpoint="//evil.example/authorize"),
        discovery(end_session_endpoint=7),
    ],
)
def test_unusable_discovery_documents_are_refused(doc: dict[str, Any]) -> None:
    with pytest.raises(DiscoveryError):
        client_for(doc=doc).metadata()


def test_endpoints_on_the_pool_domain_are_accepted() -> None:
    """Cognito's endpoints live on the pool's domain, not the issuer host: that is normal."""
    meta = client_for(doc=discovery()).metadata()
    assert meta.token_endpoint == f"{DOMAIN}/oauth2/token"
    assert meta.revocation_endpoint == f"{DOMAIN}/oauth2/revoke"
    assert meta.end_session_endpoint == f"{DOMAIN}/logout"


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (400, {"x-amzn-ErrorType": "NotAuthorizedException:"}, "{}", TokenRevokedError),
        (400, {}, '{"__type": "com.amazon#NotAuthorizedException"}', TokenRevokedError),
        (400, {}, '{"__type": "TooManyRequestsException"}', IdPUnavailableError),
        (400, {}, "[" * 50_000, OIDCError),
        (400, {}, '{"__type": "Bad\\nInjected line"}', OIDCError),
        (200, {}, "[1]", IdPUnavailableError),
    ],
)
def test_api_errors_are_typed_and_sanitized(
    status: int, headers: dict[str, str], body: str, expected: type[Exception]
) -> None:
    api = lambda _r: httpx.Response(status, headers=headers, content=body.encode())  # noqa: E731
    with pytest.raises(expected) as info:
        client_for(doc=discovery(), api=api).global_sign_out("access")
    assert "\n" not in str(info.value)


class _StubVerifier:
    """Accepts any token and returns the claims it was given (verification itself is the
    verifier's job and tested there; this checks what is done with two valid tokens)."""

    def __init__(self, id_claims: dict[str, Any], access_claims: dict[str, Any]) -> None:
        self.id_claims, self.access_claims = id_claims, access_claims
        self.nonce: str | None = None

    def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> dict[str, Any]:
        assert access_token == "access"  # at_hash is always checked against the pair
        self.nonce = nonce
        return self.id_claims

    def verify_access_token(self, token: str, *, scopes: Any = ()) -> dict[str, Any]:
        return self.access_claims


def test_token_pair_must_name_one_user() -> None:
    """Sign-in and refresh both refuse an ID token and access token for different users."""
    from cognito_sso.errors import InvalidTokenError
    from cognito_sso.session_service import verify_token_pair

    same = _StubVerifier({"sub": "u1"}, {"sub": "u1"})
    assert verify_token_pair(same, "id", "access", nonce="n") == ({"sub": "u1"}, {"sub": "u1"})
    assert same.nonce == "n"
    for access_claims in ({"sub": "u2"}, {}):
        with pytest.raises(InvalidTokenError, match="different users"):
            verify_token_pair(_StubVerifier({"sub": "u1"}, access_claims), "id", "access")


def test_client_authentication_headers() -> None:
    """client_secret_basic with a secret (form-encoded id and secret, RFC 6749 2.3.1);
    a public client puts client_id in the form and sends no Authorization header."""
    seen: list[httpx.Request] = []

    def token(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=GOOD)

    client_for(token).refresh("r")
    client_for(token, secret=None).refresh("r")
    confidential, anonymous = seen
    assert confidential.headers["authorization"] == "Basic Y2xpZW50MTpzM2NyZXQtdmFsdWU="
    assert b"client_id" not in confidential.content
    assert "authorization" not in anonymous.headers
    assert b"client_id=client1" in anonymous.content
