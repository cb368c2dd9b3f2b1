"""Fixtures of the verifier tests: RSA keys, a live JWKS server, verifiers on its issuer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cognito_sso.jwks import reset_jwks_caches
from cognito_sso.verifier import TokenVerifier
from tests.verifier.jwks_server import JwksServer
from tests.verifier.minting import CLIENT_ID, SigningKey, jwks, new_key

T0 = 1_800_000_000  # a fixed "now" for the tests that set the clock
LEEWAY = 60


def times(**overrides: Any) -> dict[str, Any]:
    """``iat``/``auth_time``/``exp`` claims valid at :data:`T0`, with overrides."""
    base: dict[str, Any] = {"iat": T0 - 10, "auth_time": T0 - 10, "exp": T0 + 3600}
    base.update(overrides)
    return base


class Clock:
    """A settable epoch clock for leeway boundaries."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def id_key() -> SigningKey:
    return new_key()


@pytest.fixture(scope="session")
def access_key() -> SigningKey:
    return new_key()


@pytest.fixture(scope="session")
def rogue_key() -> SigningKey:
    """A key the IdP never published."""
    return new_key()


@pytest.fixture(scope="session")
def jwks_server_session() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture
def jwks_server(
    jwks_server_session: JwksServer, id_key: SigningKey, access_key: SigningKey
) -> Iterator[JwksServer]:
    """The JWKS server serving the pool's two keys; the process-wide JWKS cache is empty."""
    reset_jwks_caches()
    jwks_server_session.reset()
    jwks_server_session.respond(jwks(id_key.jwk(), access_key.jwk()))
    yield jwks_server_session
    reset_jwks_caches()
    jwks_server_session.reset()


@pytest.fixture
def issuer(jwks_server: JwksServer) -> str:
    return jwks_server.issuer


@pytest.fixture
def client_id() -> str:
    return CLIENT_ID


@pytest.fixture
def verifier(issuer: str) -> TokenVerifier:
    """A verifier of the test pool using the process-wide JWKS cache (default jwks_uri)."""
    return TokenVerifier(issuer, CLIENT_ID)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def timed(issuer: str, clock: Clock) -> TokenVerifier:
    """A verifier with a settable clock and no verified-token cache."""
    return TokenVerifier(issuer, CLIENT_ID, leeway=LEEWAY, clock=clock, verified_cache_size=0)
