"""The pool's issuer, read from its OpenID discovery document (never assembled: a pool's
issuer has one of two host forms, `cognito-idp.{region}` or, with `IssuerConfiguration`
UPDATED, `issuer-cognito-idp.{region}`, and emulators have their own; reference section 1)."""

from __future__ import annotations

import json
import time

import httpx

from cognito_sso._http import ResponseTooLargeError, make_http_client, read_capped
from cognito_sso.errors import ConfigurationError
from cognito_sso.provisioning.aws import Connection, ProvisioningError
from cognito_sso.urls import require_https_or_loopback

DISCOVERY_TIMEOUT_SECONDS = 10.0
MAX_DISCOVERY_BYTES = 256 * 1024


def discovery_url(conn: Connection, pool_id: str) -> str:
    """`{cognito-idp endpoint}/{pool_id}/.well-known/openid-configuration`; the endpoint is
    the one boto3 talks to (`https://cognito-idp.{region}.amazonaws.com` on AWS)."""
    endpoint = conn.endpoint_url or str(conn.client.meta.endpoint_url)
    return f"{endpoint.rstrip('/')}/{pool_id}/.well-known/openid-configuration"


def read_issuer(conn: Connection, pool_id: str) -> str:
    """The `issuer` the pool's discovery document reports; `ProvisioningError` when the
    document cannot be read in time or does not name an issuer for this pool."""
    url = discovery_url(conn, pool_id)
    try:
        with (
            make_http_client(DISCOVERY_TIMEOUT_SECONDS) as http,
            http.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            body = read_capped(
                response,
                MAX_DISCOVERY_BYTES,
                deadline=time.monotonic() + DISCOVERY_TIMEOUT_SECONDS,
            )
            status = response.status_code
    except (httpx.HTTPError, ResponseTooLargeError) as exc:
        raise ProvisioningError(
            f"cannot read the pool's discovery document {url}: {type(exc).__name__}: {exc}"
        ) from None
    if status != 200:
        raise ProvisioningError(f"the pool's discovery document {url} answered HTTP {status}")
    return _issuer_of(body, url, pool_id)


def _issuer_of(body: bytes, url: str, pool_id: str) -> str:
    try:
        issuer = json.loads(body).get("issuer")
    except (ValueError, AttributeError):
        issuer = None
    if not isinstance(issuer, str):
        raise ProvisioningError(f"the pool's discovery document {url} names no issuer")
    # Both issuer forms (and the local IdP's) end in the pool id.
    if not issuer.endswith(f"/{pool_id}"):
        raise ProvisioningError(
            f"the discovery document {url} names issuer {issuer!r}, not one of pool {pool_id}"
        )
    try:
        require_https_or_loopback(issuer, "the discovered issuer")
    except ConfigurationError as exc:
        raise ProvisioningError(f"{exc} (from {url})") from None
    return issuer
