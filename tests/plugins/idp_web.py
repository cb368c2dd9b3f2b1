"""Fixtures and helpers to drive the local IdP's hosted UI over real HTTP, hop by hop.

- ``hosted_pool`` (function): a fresh pool with two public code-flow clients ("billing",
  "reports") and one confidential client, all with the hosted UI enabled.
- `Browser`: an httpx client with a cookie jar that never follows redirects, plus helpers
  to read and submit the HTML forms of the hosted UI; fixtures ``idp_browser`` and
  ``make_idp_browser`` (a factory for more independent browsers).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from bench.browser import Form, forms_in
from cognito_sso.base64url import b64url_encode
from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import DEFAULT_PASSWORD, CognitoFactory

TEMP_PASSWORD = "Temp0rary!Pass"
NEW_PASSWORD = "N3w-Passw0rd!x"


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a URL (first value of each)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def pkce_pair() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge), computed independently of the IdP's code."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, b64url_encode(digest)


@dataclass
class AppClient:
    """An app client of the hosted pool."""

    client_id: str
    redirect_uri: str
    logout_uri: str
    secret: str | None = None


@dataclass
class HostedPool:
    """A pool with hosted-UI clients on the local IdP."""

    base_url: str
    pool_id: str
    billing: AppClient
    reports: AppClient
    confidential: AppClient
    factory: CognitoFactory

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/{self.pool_id}"


def oauth_client(
    factory: CognitoFactory,
    pool_id: str,
    name: str,
    *,
    secret: bool = False,
    scopes: tuple[str, ...] = ("openid", "email", "profile"),
    flows: tuple[str, ...] = ("code",),
    **extra: Any,
) -> AppClient:
    """Create a hosted-UI client with callback/logout URLs on localhost."""
    redirect_uri = f"http://localhost:5001/{name}/auth/callback"
    logout_uri = f"http://localhost:5001/{name}/auth/logged-out"
    created = factory.app_client(
        pool_id,
        secret=secret,
        ClientName=name,
        CallbackURLs=[redirect_uri],
        LogoutURLs=[logout_uri],
        AllowedOAuthFlows=list(flows),
        AllowedOAuthScopes=list(scopes),
        AllowedOAuthFlowsUserPoolClient=True,
        **{"SupportedIdentityProviders": ["COGNITO"], **extra},
    )
    return AppClient(created["ClientId"], redirect_uri, logout_uri, created.get("ClientSecret"))


@pytest.fixture
def hosted_pool(local_idp: RunningServer, cognito_factory: CognitoFactory) -> HostedPool:
    """A fresh pool with two public code-flow clients and a confidential one."""
    pool_id = cognito_factory.pool()
    return HostedPool(
        base_url=local_idp.base_url,
        pool_id=pool_id,
        billing=oauth_client(cognito_factory, pool_id, "billing"),
        reports=oauth_client(cognito_factory, pool_id, "reports"),
        confidential=oauth_client(cognito_factory, pool_id, "confidential", secret=True),
        factory=cognito_factory,
    )


class Browser:
    """A cookie-keeping HTTP client that shows every redirect instead of following it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10.0)

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def authorize(self, client: AppClient, **params: str) -> httpx.Response:
        """GET /oauth2/authorize with sensible defaults (code flow, openid scopes)."""
        query = {
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "response_type": "code",
            "scope": "openid email profile",
            "state": "st-" + secrets.token_hex(4),
            **params,
        }
        return self.http.get("/oauth2/authorize", params=query)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow one redirect that stays on the IdP."""
        assert response.status_code in (302, 303), response.text[:500]
        location = response.headers["location"]
        assert location.startswith(("/", self.base_url)), location
        return self.http.get(urljoin(self.base_url + "/", location))

    def form(self, page: httpx.Response) -> Form:
        """The (single) form of a page."""
        forms = forms_in(page.text, str(page.url))
        assert len(forms) == 1, page.text[:2000]
        return forms[0]

    def submit(self, page: httpx.Response, **values: str) -> httpx.Response:
        """Fill in and post the page's form (hidden fields such as csrf_token kept)."""
        form = self.form(page)
        data = {**form.fields, **values}
        return self.http.post(form.action, data=data)

    def sign_in(
        self, client: AppClient, username: str, password: str, **params: str
    ) -> httpx.Response:
        """Authorize, show the form, post the credentials; returns the response to the post."""
        page = self.follow(self.authorize(client, **params))
        assert page.status_code == 200, page.text[:500]
        return self.submit(page, username=username, password=password)


@pytest.fixture
def idp_browser(local_idp: RunningServer) -> Iterator[Browser]:
    """A fresh `Browser` (empty cookie jar) pointed at the local IdP."""
    b = Browser(local_idp.base_url)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def make_idp_browser(local_idp: RunningServer) -> Iterator[Any]:
    """Factory for more independent browsers in one test."""
    made: list[Browser] = []

    def make() -> Browser:
        b = Browser(local_idp.base_url)
        made.append(b)
        return b

    yield make
    for b in made:
        b.close()


def exchange(
    base_url: str, client: AppClient, code: str, verifier: str | None, **extra: str
) -> httpx.Response:
    """POST the authorization_code grant for a public client."""
    data = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "code": code,
        "redirect_uri": client.redirect_uri,
        **extra,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return httpx.post(f"{base_url}/oauth2/token", data=data, timeout=10)


def signed_in(
    idp_browser: Browser, pool: HostedPool, client: AppClient, email: str, **params: str
) -> tuple[str, str]:
    """Sign in with a permanent password (showing the form); returns (code, verifier)."""
    params.setdefault("prompt", "login")
    verifier, challenge = pkce_pair()
    done = idp_browser.sign_in(
        client,
        email,
        DEFAULT_PASSWORD,
        code_challenge=challenge,
        code_challenge_method="S256",
        **params,
    )
    assert done.status_code == 302, done.text[:500]
    location = done.headers["location"]
    assert location.startswith(client.redirect_uri + "?")
    return query_of(location)["code"], verifier


def tokens_for(
    idp_browser: Browser, pool: HostedPool, client: AppClient, email: str
) -> dict[str, Any]:
    """Sign in and exchange the code; returns the token endpoint's JSON body."""
    code, verifier = signed_in(idp_browser, pool, client, email)
    response = exchange(pool.base_url, client, code, verifier)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
