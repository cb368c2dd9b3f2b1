"""Constructor rules, the error hierarchy and the shared URL helpers."""

from __future__ import annotations

import pytest

import cognito_sso
from cognito_sso import errors
from cognito_sso.errors import ConfigurationError, InvalidTokenError
from cognito_sso.urls import is_loopback_url, require_https_or_loopback
from cognito_sso.verifier import TokenVerifier

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123def"


def test_public_names_resolve_lazily() -> None:
    assert cognito_sso.TokenVerifier is TokenVerifier
    assert cognito_sso.InvalidTokenError is InvalidTokenError
    assert cognito_sso.ConfigurationError is ConfigurationError


def test_every_token_error_derives_from_invalid_token_error() -> None:
    token_errors = [
        errors.MalformedTokenError,
        errors.AlgorithmNotAllowedError,
        errors.KeyNotFoundError,
        errors.KeysUnavailableError,
        errors.InvalidSignatureError,
        errors.TokenExpiredError,
        errors.TokenNotYetValidError,
        errors.TokenIssuedInFutureError,
        errors.InvalidIssuerError,
        errors.InvalidAudienceError,
        errors.InvalidAuthorizedPartyError,
        errors.InvalidClientIdError,
        errors.MissingClaimError,
        errors.ClaimTypeError,
        errors.InvalidTokenUseError,
        errors.NonceMismatchError,
        errors.AtHashMismatchError,
        errors.MissingScopeError,
        errors.InvalidClaimError,
    ]
    for cls in token_errors:
        assert issubclass(cls, InvalidTokenError)
        assert issubclass(cls, errors.CognitoSSOError)
    assert len(set(token_errors)) == len(token_errors)
    assert issubclass(ConfigurationError, errors.CognitoSSOError)
    assert issubclass(ConfigurationError, ValueError)
    assert not issubclass(ConfigurationError, InvalidTokenError)


def test_valid_configurations() -> None:
    v = TokenVerifier(ISSUER, "client-a")
    assert v.client_ids == frozenset({"client-a"})
    assert v.jwks_uri == f"{ISSUER}/.well-known/jwks.json"
    assert v.leeway == 60
    v = TokenVerifier(ISSUER, ["a", "b"], leeway=0)
    assert v.client_ids == frozenset({"a", "b"})
    assert TokenVerifier(ISSUER, ("a",), leeway=300).leeway == 300
    local = "http://127.0.0.1:9229/eu-west-1_AbC123def"
    assert TokenVerifier(local, "a").jwks_uri == f"{local}/.well-known/jwks.json"
    TokenVerifier("http://localhost:9229/p", "a")
    TokenVerifier("http://[::1]:9229/p", "a")
    TokenVerifier("http://127.8.9.10/p", "a")
    TokenVerifier(ISSUER, "a", jwks_uri="https://keys.example.com/jwks.json")


@pytest.mark.parametrize("client_ids", [[], (), "", [""], [None], [1], set(), 5, None])
def test_client_ids_must_be_non_empty(client_ids: object) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(ISSUER, client_ids)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "issuer",
    [
        "",
        None,
        42,
        "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x",
        "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x",  # http, not loopback
        "ftp://example.com/x",
        "https:///no-host",
        f"{ISSUER}/",
        f"{ISSUER}?x=1",
        f"{ISSUER}#frag",
        f"{ISSUER} ",
        "https://user:pw@example.com/x",
        "https://example.com:99999/x",
        "http://localhost.evil.com/x",
        "http://127.0.0.1.evil.com/x",
    ],
)
def test_malformed_issuer(issuer: object) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(issuer, "a")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "jwks_uri",
    [
        "http://cognito-idp.eu-west-1.amazonaws.com/x/.well-known/jwks.json",
        "http://10.0.0.1/jwks.json",
        "http://0.0.0.0/jwks.json",
        "file:///etc/passwd",
        "jwks.json",
        "",
    ],
)
def test_jwks_uri_must_be_https_outside_loopback(jwks_uri: str) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(ISSUER, "a", jwks_uri=jwks_uri)


@pytest.mark.parametrize(
    "leeway", [-1, -0.001, 300.5, 301, 3600, float("nan"), float("inf"), True, "60", None]
)
def test_leeway_bounds(leeway: object) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(ISSUER, "a", leeway=leeway)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [-1, 1.5, "10", None])
def test_verified_cache_size_must_be_a_non_negative_int(size: object) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(ISSUER, "a", verified_cache_size=size)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:9229/x", True),
        ("http://127.255.0.3/x", True),
        ("http://localhost/x", True),
        ("http://LOCALHOST:80/x", True),
        ("http://[::1]:8080/x", True),
        ("http://128.0.0.1/x", False),
        ("http://[::2]/x", False),
        ("http://localhost.example.com/x", False),
        ("http://127.0.0.1@evil.example.com/x", False),
        ("http://example.com/127.0.0.1", False),
        ("not a url", False),
        ("http://[::1/x", False),
    ],
)
def test_is_loopback_url(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_require_https_or_loopback_names_the_setting() -> None:
    require_https_or_loopback("https://example.com/x", "thing")
    with pytest.raises(ConfigurationError, match="thing"):
        require_https_or_loopback("http://example.com/x", "thing")
