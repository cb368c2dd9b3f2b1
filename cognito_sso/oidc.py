"""Framework-free OpenID Connect client for a Cognito user pool (the relying party's side).

Discovery (cached, ``issuer`` must match), the authorization URL with state, nonce and
PKCE S256, the code exchange and refresh (``client_secret_basic``), revocation, userInfo,
GlobalSignOut (the cognito-idp JSON API, authorized by the access token) and the hosted UI's
``/logout`` URL. Every call uses one httpx client with explicit timeouts; every failure is a
typed :class:`OIDCError`. Messages never contain a token, code, verifier or secret.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode

import httpx

from cognito_sso._http import ResponseTooLargeError, read_capped
from cognito_sso.errors import CognitoSSOError, ConfigurationError
from cognito_sso.urls import is_loopback_url, origin_of, require_https_or_loopback

__all__ = [
    "DiscoveryError",
    "IdPUnavailableError",
    "InvalidGrantError",
    "OIDCClient",
    "OIDCError",
    "PKCEPair",
    "ProviderMetadata",
    "TokenRequestError",
    "TokenResponse",
    "TokenRevokedError",
    "new_pkce_pair",
    "s256_challenge",
]

log = logging.getLogger(__name__)

_MAX_BODY: Final = 256 * 1024
# How long after a failure to reach the IdP a sign-in first checks that the hosted UI answers.
_RECHECK_AFTER_FAILURE: Final = 300.0
_API_TARGET: Final = "AWSCognitoIdentityProviderService."


class OIDCError(CognitoSSOError):
    """A call to the identity provider failed."""


class IdPUnavailableError(OIDCError):
    """The IdP could not be reached, timed out, answered 5xx or sent an unusable response."""


class DiscoveryError(IdPUnavailableError):
    """The discovery document is unusable (wrong issuer, missing or non-https endpoints)."""


class TokenRequestError(OIDCError):
    """The token endpoint refused the request with an OAuth error (other than invalid_grant)."""

    def __init__(self, error: str, status: int) -> None:
        super().__init__(f"token request refused: {error} (HTTP {status})")
        self.error = error
        self.status = status


class InvalidGrantError(TokenRequestError):
    """``invalid_grant``: the code or refresh token is used, expired or revoked."""

    def __init__(self, status: int = 400) -> None:
        super().__init__("invalid_grant", status)


class TokenRevokedError(OIDCError):
    """The IdP says the access token is revoked, expired or the user signed out globally."""


@dataclass(frozen=True)
class PKCEPair:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""

    verifier: str = field(repr=False)
    challenge: str


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636, section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pkce_pair() -> PKCEPair:
    """A fresh 64-character verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    return PKCEPair(verifier=verifier, challenge=s256_challenge(verifier))


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints of the pool, from the issuer's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    revocation_endpoint: str
    end_session_endpoint: str


@dataclass(frozen=True)
class TokenResponse:
    """A successful token endpoint answer. Tokens are hidden from ``repr``."""

    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int
    token_type: str


@dataclass(frozen=True)
class _Reply:
    """A fully read (decoded, size-capped) HTTP response."""

    status_code: int
    headers: httpx.Headers
    content: bytes


class OIDCClient:
    """OIDC/OAuth 2.0 calls for one app client of one Cognito user pool.

    ``api_endpoint`` is the cognito-idp JSON API (``https://cognito-idp.{region}.amazonaws.com/``
    or the local IdP's base URL) used for GlobalSignOut.
    """

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        http: httpx.Client,
        api_endpoint: str,
        discovery_ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        require_https_or_loopback(issuer, "issuer")
        require_https_or_loopback(api_endpoint, "api_endpoint")
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._api_endpoint = api_endpoint
        self._discovery_ttl = discovery_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._fetched_at = 0.0
        self._unreachable_at: float | None = None  # last transport failure, until a success

    def __repr__(self) -> str:
        return f"OIDCClient(issuer={self.issuer!r}, client_id={self.client_id!r})"

    # --- discovery ------------------------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        """The provider metadata, fetched once and cached for ``discovery_ttl`` seconds.

        A failed refetch keeps using the cached document; without one it raises
        :class:`IdPUnavailableError` / :class:`DiscoveryError`.
        """
        with self._lock:
            cached = self._metadata
            fresh = cached is not None and self._clock() - self._fetched_at < self._discovery_ttl
            if cached is not None and fresh:
                return cached
            try:
                self._metadata = self._fetch_metadata()
                self._fetched_at = self._clock()
            except IdPUnavailableError:
                if cached is None:
                    raise
                log.warning("discovery refetch failed; using the cached document")
                self._fetched_at = self._clock()
            assert self._metadata is not None
            return self._metadata

    def _fetch_metadata(self) -> ProviderMetadata:
        url = f"{self.issuer}/.well-known/openid-configuration"
        response = self._send("GET", url, what="discovery")
        if response.status_code != 200:
            raise DiscoveryError(f"discovery answered HTTP {response.status_code}")
        doc = _json_object(response, "discovery")
        if doc.get("issuer") != self.issuer:
            raise DiscoveryError("the discovery document's issuer differs from COGNITO_ISSUER")

        # The endpoints cannot be pinned to the issuer's host: Cognito serves the token,
        # revocation and hosted-UI endpoints from the pool's domain (``*.auth.{region}.
        # amazoncognito.com`` or a custom domain), never from the issuer host. So the
        # document is trusted for where they are, because it comes from the configured
        # issuer (https outside loopback, checked in __init__, and no redirects followed)
        # and names that issuer. What we do require is that every endpoint is https too, so
        # the client secret, codes and tokens never travel in clear text. Plain http is
        # accepted only when the issuer itself is a loopback URL (the local IdP), and then
        # only for loopback endpoints.
        issuer_is_loopback = is_loopback_url(self.issuer)

        def endpoint(name: str, *, required: bool = True) -> str | None:
            value = doc.get(name)
            if value is None and not required:
                return None
            try:
                require_https_or_loopback(value, f"discovery {name}")
            except ConfigurationError as exc:
                raise DiscoveryError(str(exc)) from None
            assert isinstance(value, str)
            if not issuer_is_loopback and not value.startswith("https://"):
                raise DiscoveryError(f"discovery {name} must use https:// for an https issuer")
            return value

        authorization = endpoint("authorization_endpoint")
        token = endpoint("token_endpoint")
        assert authorization is not None and token is not None
        jwks = endpoint("jwks_uri")
        assert jwks is not None
        # Cognito does not always advertise these two; both live on the hosted-UI domain.
        revocation = endpoint("revocation_endpoint", required=False)
        end_session = endpoint("end_session_endpoint", required=False)
        return ProviderMetadata(
            issuer=self.issuer,
            authorization_endpoint=authorization,
            token_endpoint=token,
            jwks_uri=jwks,
            userinfo_endpoint=endpoint("userinfo_endpoint", required=False),
            revocation_endpoint=revocation or f"{origin_of(token)}/oauth2/revoke",
            end_session_endpoint=end_session or f"{origin_of(authorization)}/logout",
        )

    # --- browser URLs ---------------------------------------------------------------------

    def authorization_url(
        self,
        *,
        redirect_uri: str,
        scopes: Sequence[str],
        state: str,
        nonce: str,
        code_challenge: str,
    ) -> str:
        """The hosted UI URL that starts one sign-in (code flow, PKCE S256)."""
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.metadata().authorization_endpoint}?{urlencode(params, quote_via=quote)}"

    def logout_url(self, logout_uri: str) -> str:
        """The hosted UI ``/logout`` URL that clears the IdP session cookie, then goes to
        ``logout_uri`` (Cognito's own parameters; it ignores RP-initiated-logout ones)."""
        params = {"client_id": self.client_id, "logout_uri": logout_uri}
        return f"{self.metadata().end_session_endpoint}?{urlencode(params, quote_via=quote)}"

    # --- token endpoint -------------------------------------------------------------------

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> TokenResponse:
        """Exchange an authorization code (single use) for tokens."""
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token: str) -> TokenResponse:
        """New ID and access tokens (and a new refresh token when rotation is enabled)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _client_auth(self, form: dict[str, str]) -> dict[str, str]:
        if self._client_secret is None:
            form["client_id"] = self.client_id
            return {}
        pair = f"{quote(self.client_id, safe='')}:{quote(self._client_secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}

    def _token_request(self, form: dict[str, str]) -> TokenResponse:
        url = self.metadata().token_endpoint
        headers = self._client_auth(form)
        headers["Accept"] = "application/json"
        response = self._send("POST", url, what="token endpoint", data=form, headers=headers)
        _raise_for_oauth_status(response, "token endpoint")
        doc = _json_object(response, "token endpoint")
        access = doc.get("access_token")
        id_token = doc.get("id_token")
        refresh = doc.get("refresh_token")
        expires_in = doc.get("expires_in", 3600)
        if (
            not isinstance(access, str)
            or not access
            or not isinstance(id_token, str | None)
            or not isinstance(refresh, str | None)
            or isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
        ):
            raise IdPUnavailableError("token endpoint sent a malformed token response")
        token_type = doc.get("token_type")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise IdPUnavailableError("token endpoint sent a token_type other than Bearer")
        return TokenResponse(
            access_token=access,
            id_token=id_token or None,
            refresh_token=refresh or None,
            expires_in=expires_in,
            token_type=token_type,
        )

    # --- revocation, userInfo, global sign-out --------------------------------------------

    def revoke(self, refresh_token: str) -> None:
        """Revoke this app's refresh token (and the access tokens minted from it)."""
        form = {"token": refresh_token}
        headers = self._client_auth(form)
        url = self.metadata().revocation_endpoint
        response = self._send("POST", url, what="revocation endpoint", data=form, headers=headers)
        _raise_for_oauth_status(response, "revocation endpoint")

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """The user's claims; :class:`TokenRevokedError` when the IdP rejects the token."""
        url = self.metadata().userinfo_endpoint
        if url is None:
            raise DiscoveryError("the discovery document has no userinfo_endpoint")
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        response = self._send("GET", url, what="userInfo", headers=headers)
        if response.status_code in (401, 403):
            raise TokenRevokedError("userInfo rejected the access token")
        if response.status_code != 200:
            raise IdPUnavailableError(f"userInfo answered HTTP {response.status_code}")
        return _json_object(response, "userInfo")

    def global_sign_out(self, access_token: str) -> None:
        """Sign the user out of every app client (all refresh tokens die).

        Needs the ``aws.cognito.signin.user.admin`` scope. The call is unsigned: the access
        token authorizes it. :class:`TokenRevokedError` if the token is already rejected.
        """
        self._api_call("GlobalSignOut", {"AccessToken": access_token})

    def _api_call(self, action: str, body: Mapping[str, Any]) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": _API_TARGET + action,
        }
        response = self._send(
            "POST",
            self._api_endpoint,
            what=action,
            content=json.dumps(body).encode(),
            headers=headers,
        )
        if response.status_code == 200:
            return _json_object(response, action)
        if response.status_code >= 500:
            raise IdPUnavailableError(f"{action} answered HTTP {response.status_code}")
        error_type = response.headers.get("x-amzn-ErrorType", "").split(":", 1)[0]
        if not error_type:
            doc = _parse_json(response.content)
            error_type = doc.get("__type", "") if isinstance(doc, dict) else ""
        error_type = _safe_code(str(error_type).rsplit("#", 1)[-1], "")
        if error_type in ("NotAuthorizedException", "UserNotFoundException"):
            raise TokenRevokedError(f"{action} rejected the access token ({error_type})")
        if error_type in ("TooManyRequestsException", "InternalErrorException"):
            raise IdPUnavailableError(f"{action} failed: {error_type}")
        raise OIDCError(f"{action} failed: {error_type or 'HTTP ' + str(response.status_code)}")

    def ensure_hosted_ui_reachable(self) -> None:
        """Before a browser is sent to the hosted UI, after a recent failure to reach the IdP:
        check that the hosted UI answers at all (any HTTP status will do), so an outage gives
        the app's 503 page instead of the browser's connection error. While the IdP is
        healthy this costs nothing. Raises :class:`IdPUnavailableError`.
        """
        failed_at = self._unreachable_at
        if failed_at is None or self._clock() - failed_at > _RECHECK_AFTER_FAILURE:
            return
        self._send("GET", self.metadata().authorization_endpoint, what="hosted UI")

    # --- transport ------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, what: str, **kwargs: Any) -> _Reply:
        deadline = time.monotonic() + _total_timeout(self._http)
        try:
            with self._http.stream(method, url, **kwargs) as response:
                body = read_capped(response, _MAX_BODY, deadline=deadline)
        except ResponseTooLargeError:
            raise IdPUnavailableError(f"{what} sent an oversized response") from None
        except httpx.TimeoutException:
            self._unreachable_at = self._clock()
            raise IdPUnavailableError(f"{what} did not answer in time") from None
        except httpx.HTTPError as exc:
            self._unreachable_at = self._clock()
            raise IdPUnavailableError(f"{what} unreachable ({type(exc).__name__})") from None
        self._unreachable_at = None
        return _Reply(response.status_code, response.headers, body)


def _total_timeout(http: httpx.Client) -> float:
    read = http.timeout.read
    return 2 * read if read else 10.0


def _parse_json(content: bytes) -> Any:
    """The JSON value of a body, or None when it is not JSON (or nested absurdly deep)."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _json_object(response: _Reply, what: str) -> dict[str, Any]:
    doc = _parse_json(response.content)
    if not isinstance(doc, dict):
        raise IdPUnavailableError(f"{what} did not send a JSON object")
    return doc


def _safe_code(value: object, default: str) -> str:
    """An error code from the IdP, if it is short and plain (it ends up in logs)."""
    if not isinstance(value, str) or not value.replace("_", "").isalnum() or len(value) > 64:
        return default
    return value if value.isascii() else default


def _raise_for_oauth_status(response: _Reply, what: str) -> None:
    """Raise the typed error for a non-200 answer of the token or revocation endpoint:
    5xx and 429 are transient, ``invalid_grant`` ends a session, anything else is refused."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise IdPUnavailableError(f"{what} answered HTTP {status}")
    if status != 200:
        doc = _parse_json(response.content)
        error = _safe_code(doc.get("error") if isinstance(doc, dict) else None, "invalid_response")
        if error == "invalid_grant":
            raise InvalidGrantError(status)
        raise TokenRequestError(error, status)
