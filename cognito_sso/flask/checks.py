"""``flask cognito check``'s checks: the app's configuration against the IdP and its own
routes. Each check answers one question and returns a :class:`Finding`; nothing is cached
or changed (a fresh HTTP client, a fresh discovery fetch)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from cognito_sso._http import ResponseTooLargeError, make_http_client, read_capped
from cognito_sso.config import SSOConfig
from cognito_sso.flask.state import get_state
from cognito_sso.jwks import InvalidJwksError, parse_jwks
from cognito_sso.oidc import (
    DiscoveryError,
    IdPUnavailableError,
    InvalidGrantError,
    OIDCClient,
    OIDCError,
    ProviderMetadata,
    TokenRequestError,
)

__all__ = ["Finding", "run_checks"]

_MAX_JWKS = 256 * 1024
# A refresh token the IdP cannot know: it can refuse it only as invalid_grant (the client
# is fine) or for the client itself (invalid_client, unauthorized_client).
_DUMMY_REFRESH_TOKEN = "cognito-sso-check-not-a-real-token"  # noqa: S105


_CLIENT_HINT = "check COGNITO_CLIENT_ID and COGNITO_CLIENT_SECRET"
_CLIENT_REFUSALS = {
    "invalid_client": "the IdP does not know COGNITO_CLIENT_ID or refused COGNITO_CLIENT_SECRET",
    "unauthorized_client": "the app client may not refresh tokens (ALLOW_REFRESH_TOKEN_AUTH)",
}


@dataclass(frozen=True)
class Finding:
    """The answer of one check: ``problem`` is None when it passed."""

    check: str
    detail: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.problem is None


def run_checks(app: Flask) -> Iterator[Finding]:
    """Every check, in order; the IdP checks stop at the first that cannot go on."""
    config = get_state(app).config
    yield from _route_checks(app, config)
    with make_http_client(config.http_timeout) as http:
        oidc = OIDCClient(http=http, **config.client_settings)
        found = _discovery(oidc)
        yield found
        if not found.ok:
            return
        metadata = oidc.metadata()
        yield _jwks(http, config, metadata)
        yield _client(oidc)


def _discovery(oidc: OIDCClient) -> Finding:
    try:
        metadata = oidc.metadata()
    except (DiscoveryError, IdPUnavailableError) as exc:
        return Finding("discovery", oidc.issuer, f"COGNITO_ISSUER: {exc}")
    return Finding("discovery", f"issuer {metadata.issuer}")


def _jwks(http: httpx.Client, config: SSOConfig, metadata: ProviderMetadata) -> Finding:
    expected = f"{config.issuer.rstrip('/')}/.well-known/jwks.json"
    if metadata.jwks_uri != expected:
        return Finding(
            "jwks",
            metadata.jwks_uri,
            f"discovery names the keys at {metadata.jwks_uri}, tokens are verified with "
            f"the keys at {expected}",
        )
    try:
        with http.stream("GET", expected, headers={"Accept": "application/json"}) as response:
            body = read_capped(response, _MAX_JWKS, deadline=_deadline(config))
        if response.status_code != 200:
            return Finding("jwks", expected, f"{expected} answered HTTP {response.status_code}")
        keys = parse_jwks(body)
    except (httpx.HTTPError, ResponseTooLargeError, InvalidJwksError) as exc:
        return Finding("jwks", expected, f"{expected}: {exc or type(exc).__name__}")
    if not keys:
        return Finding("jwks", expected, f"{expected} holds no RS256 signing key")
    return Finding("jwks", f"{len(keys)} signing key(s) at {expected}")


def _deadline(config: SSOConfig) -> float:
    return time.monotonic() + 2 * config.http_timeout


def _client(oidc: OIDCClient) -> Finding:
    who = f"client {oidc.client_id}"
    try:
        oidc.refresh(_DUMMY_REFRESH_TOKEN)
    except InvalidGrantError:
        return Finding("client", f"{who}: id and secret accepted by the token endpoint")
    except IdPUnavailableError as exc:
        return Finding("client", who, f"the token endpoint cannot be asked: {exc}")
    except TokenRequestError as exc:
        return Finding("client", who, f"{exc}: {_CLIENT_REFUSALS.get(exc.error, _CLIENT_HINT)}")
    except OIDCError as exc:
        return Finding("client", who, f"the token endpoint: {exc}")
    return Finding("client", who, "the token endpoint accepted a made-up refresh token")


def _route_checks(app: Flask, config: SSOConfig) -> Iterator[Finding]:
    yield _route(app, "callback", "COGNITO_REDIRECT_URI", config.redirect_uri, "callback")
    yield _route(app, "sign-out return", "COGNITO_LOGOUT_URI", config.logout_uri, None)


def _route(app: Flask, check: str, key: str, url: str, endpoint: str | None) -> Finding:
    """Whether ``url`` is a GET route of this app (the extension's ``endpoint`` if given)."""
    parts = urlsplit(url)
    path = parts.path
    root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    adapter = app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    try:
        found, _args = adapter.match(path, method="GET")
    except (HTTPException, RoutingException):
        return Finding(check, url, f"{key} {url}: no route of this app answers GET {path}")
    wanted = f"cognito_sso.{endpoint}" if endpoint else None
    if wanted is not None and found != wanted:
        return Finding(check, url, f"{key} {url}: {path} is the app's {found}, not {wanted}")
    return Finding(check, url)
