"""The local IdP as an OIDC relying party of a pool's identity provider.

Every call has a bounded timeout and every URL comes from the provider's ProviderDetails or
its discovery document (https, or http on loopback only). Whatever goes wrong becomes an
`UpstreamError` whose description is safe to hand to the app (never a code, token or secret).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from cognito_sso.errors import ConfigurationError
from cognito_sso.local.model import IdentityProvider
from cognito_sso.strict_json import parse_json
from cognito_sso.urls import require_https_or_loopback

TIMEOUT: Final = httpx.Timeout(5.0)
MAX_BODY: Final = 256 * 1024
CLOCK_SKEW: Final = 60  # seconds of leeway on exp and iat ([U] Cognito's own leeway)
ID_TOKEN_ALGORITHMS: Final = ("RS256",)


class UpstreamError(Exception):
    """A failure while talking to the provider; `description` goes to the app."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class ProviderEndpoints:
    """Where a provider's endpoints are (ProviderDetails first, then discovery)."""

    issuer: str
    authorize_url: str
    token_url: str
    jwks_uri: str
    attributes_url: str | None


def _call(what: str, send: Callable[[], httpx.Response]) -> httpx.Response:
    """One request to the provider; transport failures become `UpstreamError`."""
    try:
        return send()
    except httpx.TimeoutException:
        raise UpstreamError(f"Timeout occurred in calling IdP {what} endpoint") from None
    except httpx.HTTPError:
        raise UpstreamError(f"Error in calling IdP {what} endpoint") from None


def _get_json(http: httpx.Client, url: str, what: str) -> Any:
    response = _call(what, lambda: http.get(url))
    if response.status_code != 200:
        raise UpstreamError(f"Error from IdP {what} endpoint")
    return _json_of(response, what)


def _json_of(response: httpx.Response, what: str) -> Any:
    if len(response.content) > MAX_BODY:
        raise UpstreamError(f"The IdP {what} endpoint answered too much data")
    try:
        return parse_json(response.text)
    except ValueError:
        raise UpstreamError(f"The IdP {what} endpoint did not answer JSON") from None


def _checked_url(value: Any, what: str) -> str:
    try:
        require_https_or_loopback(value, what)
    except ConfigurationError:
        raise UpstreamError(f"The IdP {what} is not an https URL") from None
    return str(value)


def endpoints(provider: IdentityProvider, http: httpx.Client) -> ProviderEndpoints:
    """The provider's endpoints; discovery is read only for the ones not configured."""
    details = provider.details
    issuer = _checked_url(details.get("oidc_issuer"), "issuer")
    configured = {k: details.get(k) for k in ("authorize_url", "token_url", "jwks_uri")}
    attributes_url = details.get("attributes_url")
    if not all(configured.values()):
        document = _get_json(
            http, f"{issuer.rstrip('/')}/.well-known/openid-configuration", "discovery"
        )
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            raise UpstreamError("The IdP discovery document does not match its issuer")
        configured = {
            "authorize_url": configured["authorize_url"] or document.get("authorization_endpoint"),
            "token_url": configured["token_url"] or document.get("token_endpoint"),
            "jwks_uri": configured["jwks_uri"] or document.get("jwks_uri"),
        }
        attributes_url = attributes_url or document.get("userinfo_endpoint")
    return ProviderEndpoints(
        issuer=issuer,
        authorize_url=_checked_url(configured["authorize_url"], "authorization endpoint"),
        token_url=_checked_url(configured["token_url"], "token endpoint"),
        jwks_uri=_checked_url(configured["jwks_uri"], "JWKS URI"),
        attributes_url=_checked_url(attributes_url, "userInfo endpoint")
        if attributes_url
        else None,
    )


def exchange_code(
    provider: IdentityProvider,
    where: ProviderEndpoints,
    http: httpx.Client,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> Mapping[str, Any]:
    """The token endpoint's answer for `code`; ``client_secret_post`` authentication [U]."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": provider.details.get("client_id", ""),
        "code_verifier": code_verifier,
    }
    secret = provider.details.get("client_secret")
    if secret:
        form["client_secret"] = secret
    response = _call("token", lambda: http.post(where.token_url, data=form))
    body = _json_of(response, "token")
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        shown = error if isinstance(error, str) and error.isidentifier() else "unknown error"
        raise UpstreamError(f"Error from IdP token endpoint: {shown}")
    if not isinstance(body.get("id_token"), str) or not isinstance(body.get("access_token"), str):
        raise UpstreamError("The IdP token endpoint returned no ID token")
    return body


def verify_id_token(
    provider: IdentityProvider,
    where: ProviderEndpoints,
    http: httpx.Client,
    id_token: str,
    *,
    nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature (provider's JWKS), ``iss``, ``aud``/``azp``,
    ``exp`` and ``nonce`` check out."""
    keys = _get_json(http, where.jwks_uri, "JWKS")
    try:
        key_set = KeySet.import_key_set(keys)
        token = jwt.decode(id_token, key_set, algorithms=list(ID_TOKEN_ALGORITHMS))
    except (JoseError, ValueError, TypeError, KeyError):
        raise UpstreamError("Invalid signature on the IdP's ID token") from None
    claims = dict(token.claims)
    client_id = provider.details.get("client_id")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    current = time.time() if now is None else now
    if claims.get("iss") != where.issuer:
        raise UpstreamError("The IdP's ID token has the wrong issuer")
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise UpstreamError("The IdP's ID token is for another audience")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp + CLOCK_SKEW <= current:
        raise UpstreamError("The IdP's ID token has expired")
    if claims.get("nonce") != nonce:
        raise UpstreamError("The IdP's ID token has the wrong nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise UpstreamError("The IdP's ID token has no subject")
    return claims


def userinfo(
    provider: IdentityProvider, where: ProviderEndpoints, http: httpx.Client, access_token: str
) -> Mapping[str, Any]:
    """The provider's userInfo answer (GET or POST per ``attributes_request_method``)."""
    if where.attributes_url is None:
        return {}
    method = "POST" if provider.details.get("attributes_request_method") == "POST" else "GET"
    url = where.attributes_url
    headers = {"Authorization": f"Bearer {access_token}"}
    response = _call("userInfo", lambda: http.request(method, url, headers=headers))
    body = _json_of(response, "userInfo")
    if response.status_code != 200 or not isinstance(body, dict):
        raise UpstreamError("Error from IdP userInfo endpoint")
    return body


def claims_after_code(
    provider: IdentityProvider,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    nonce: str,
) -> dict[str, Any]:
    """The whole back-channel part of a federated sign-in: endpoints, code exchange, ID-token
    checks and userInfo. userInfo claims complete the ID token's, except ``sub`` (they must
    agree) and the token's own claims."""
    with http_client() as http:
        where = endpoints(provider, http)
        tokens = exchange_code(
            provider,
            where,
            http,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )
        claims = verify_id_token(provider, where, http, str(tokens["id_token"]), nonce=nonce)
        extra = userinfo(provider, where, http, str(tokens["access_token"]))
    if "sub" in extra and extra["sub"] != claims["sub"]:
        raise UpstreamError("The IdP's userInfo is for another user")
    return {**{k: v for k, v in extra.items() if k not in claims}, **claims}


def http_client() -> httpx.Client:
    """The HTTP client for calls to a provider: short timeouts, no redirects followed."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False)


def safe_text(value: Any, limit: int = 300) -> str | None:
    """A provider-supplied text fit to show: printable, at most `limit` characters."""
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable())[:limit].strip()
    return cleaned or None
