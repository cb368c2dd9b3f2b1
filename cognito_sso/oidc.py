"""Framework-free OpenID Connect client for a Cognito user pool (the relying party's side).

Discovery (cached, ``issuer`` must match), the authorization URL with state, nonce and
PKCE S256, the code exchange and refresh (``client_secret_basic``), revocation, userInfo,
GlobalSignOut and GetUser (the cognito-idp JSON API, authorized by the access token) and the
hosted UI's ``/logout`` URL. Every call uses one httpx client with explicit timeouts; every
failure is a typed :class:`OIDCError`. Messages never contain a token, code, verifier or secret.

Building requests and checking answers is sans-I/O (:class:`OIDCProtocol`, the ``parse_*``
functions); :class:`OIDCClient` adds blocking I/O and ``cognito_sso.aio.oidc`` async I/O.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NotRequired, TypedDict, Unpack
from urllib.parse import quote, urlencode

import httpx

from cognito_sso._http import ResponseTooLargeError, read_capped
from cognito_sso.errors import CognitoSSOError, ConfigurationError
from cognito_sso.strict_json import parse_json
from cognito_sso.token_hashes import s256_challenge
from cognito_sso.urls import is_loopback_url, origin_of, require_https_or_loopback

__all__ = [
    "AuthorizationParams",
    "ClientSettings",
    "DiscoveryError",
    "HttpCall",
    "IdPUnavailableError",
    "InvalidGrantError",
    "OIDCClient",
    "OIDCError",
    "OIDCProtocol",
    "PKCEPair",
    "ProviderMetadata",
    "Reply",
    "TokenRequestError",
    "TokenResponse",
    "TokenResponseError",
    "TokenRevokedError",
    "new_pkce_pair",
    "parse_api_reply",
    "parse_token_response",
    "parse_userinfo",
    "raise_for_oauth_status",
    "s256_challenge",
    "total_timeout",
]

log = logging.getLogger(__name__)

_MAX_BODY: Final = 256 * 1024
# How long after a failure to reach the IdP a sign-in first checks that the hosted UI answers.
# How long a good answer of the hosted-UI probe is trusted, and how long the probe may take.
_PROBE_TTL: Final = 10.0
_PROBE_TIMEOUT: Final = 2.0
_API_TARGET: Final = "AWSCognitoIdentityProviderService."


class OIDCError(CognitoSSOError):
    """A call to the identity provider failed."""


class IdPUnavailableError(OIDCError):
    """An outage: the IdP could not be reached, timed out, answered 5xx or 429, or sent an
    unreadable (not JSON, oversized) answer."""


class DiscoveryError(OIDCError):
    """The IdP answered, but its discovery document does not fit the configuration (HTTP 4xx,
    not JSON, an issuer other than ``COGNITO_ISSUER``, endpoints that are not https): a
    configuration error, not an outage. The message names the cause and holds no secret."""


class TokenResponseError(OIDCError):
    """The token endpoint answered 200 with an unusable token response (missing or mistyped
    fields, a ``token_type`` other than Bearer): a malformed answer, not an outage."""


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
class HttpCall:
    """One request to the IdP, built without doing any I/O (``what`` names it in messages)."""

    method: str
    url: str
    what: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    data: Mapping[str, str] | None = field(default=None, repr=False)
    content: bytes | None = field(default=None, repr=False)
    timeout: float | None = None  # None: the client's own timeouts

    def httpx_options(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client.stream`` / ``httpx.AsyncClient.stream``."""
        options: dict[str, Any] = {"headers": dict(self.headers)}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.data is not None:
            options["data"] = dict(self.data)
        if self.content is not None:
            options["content"] = self.content
        return options


@dataclass(frozen=True)
class Reply:
    """A fully read (decoded, size-capped) HTTP response."""

    status_code: int
    headers: httpx.Headers
    content: bytes


class ClientSettings(TypedDict):
    """The keyword arguments of every OIDC client: the app client and where its IdP is.

    ``api_endpoint`` is the cognito-idp JSON API (``https://cognito-idp.{region}.amazonaws.com/``
    or the local IdP's base URL) used for GlobalSignOut and GetUser; ``discovery_ttl``
    (default 3600 s) how long the discovery document is cached; ``clock`` (default
    ``time.monotonic``) for tests.
    """

    issuer: str
    client_id: str
    client_secret: str | None
    api_endpoint: str
    discovery_ttl: NotRequired[float]
    clock: NotRequired[Callable[[], float]]


class AuthorizationParams(TypedDict):
    """The keyword arguments of ``authorization_url``: one sign-in's values (code flow, PKCE
    S256); ``identity_provider`` sends the browser straight to that federated provider."""

    redirect_uri: str
    scopes: Sequence[str]
    state: str
    nonce: str
    code_challenge: str
    identity_provider: NotRequired[str | None]


class OIDCProtocol:
    """The sans-I/O half of the OIDC client: builds every request, validates every answer
    and keeps the discovery cache. :class:`OIDCClient` (sync) and
    :class:`cognito_sso.aio.oidc.AsyncOIDCClient` add only the transport.
    """

    def __init__(self, **settings: Unpack[ClientSettings]) -> None:
        require_https_or_loopback(settings["issuer"], "issuer")
        require_https_or_loopback(settings["api_endpoint"], "api_endpoint")
        self._settings = settings
        self.issuer = settings["issuer"].rstrip("/")
        self.client_id = settings["client_id"]
        self._client_secret = settings["client_secret"]
        self._api_endpoint = settings["api_endpoint"]
        self._discovery_ttl = settings.get("discovery_ttl", 3600.0)
        self._clock = settings.get("clock", time.monotonic)
        self._metadata: ProviderMetadata | None = None
        self._fetched_at = 0.0
        self._reachable_until = 0.0  # the hosted UI answered the probe; trusted until then

    def __repr__(self) -> str:
        return f"{type(self).__name__}(issuer={self.issuer!r}, client_id={self.client_id!r})"

    # --- discovery ------------------------------------------------------------------------

    def _fresh_metadata(self) -> ProviderMetadata | None:
        cached = self._metadata
        if cached is not None and self._clock() - self._fetched_at < self._discovery_ttl:
            return cached
        return None

    def _discovery_call(self) -> HttpCall:
        return HttpCall("GET", f"{self.issuer}/.well-known/openid-configuration", "discovery")

    def _accept_discovery(self, response: Reply) -> ProviderMetadata:
        """Validate and cache a discovery answer."""
        self._metadata = self._parse_discovery(response)
        self._fetched_at = self._clock()
        return self._metadata

    def _discovery_failed(self, error: IdPUnavailableError | DiscoveryError) -> ProviderMetadata:
        """A failed refetch keeps using the cached document; without one it raises."""
        if self._metadata is None:
            raise error
        log.warning("discovery refetch failed; using the cached document")
        self._fetched_at = self._clock()
        return self._metadata

    def _parse_discovery(self, response: Reply) -> ProviderMetadata:
        url = self._discovery_call().url
        if response.status_code >= 500 or response.status_code == 429:
            raise IdPUnavailableError(f"discovery answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise DiscoveryError(f"discovery at {url} answered HTTP {response.status_code}")
        doc = _parse_json(response.content)
        if not isinstance(doc, dict):
            raise DiscoveryError(f"discovery at {url} did not send a JSON object")
        if doc.get("issuer") != self.issuer:
            raise DiscoveryError(
                f"the discovery document's issuer {_shown(doc.get('issuer'))} differs from "
                f"COGNITO_ISSUER {self.issuer!r}"
            )

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

    def _authorization_url(
        self, metadata: ProviderMetadata, **sign_in: Unpack[AuthorizationParams]
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": sign_in["redirect_uri"],
            "scope": " ".join(sign_in["scopes"]),
            "state": sign_in["state"],
            "nonce": sign_in["nonce"],
            "code_challenge": sign_in["code_challenge"],
            "code_challenge_method": "S256",
        }
        identity_provider = sign_in.get("identity_provider")
        if identity_provider is not None:
            # Cognito skips its sign-in page and sends the browser to this provider
            params["identity_provider"] = identity_provider
        return f"{metadata.authorization_endpoint}?{urlencode(params, quote_via=quote)}"

    def _logout_url(self, metadata: ProviderMetadata, logout_uri: str) -> str:
        params = {"client_id": self.client_id, "logout_uri": logout_uri}
        return f"{metadata.end_session_endpoint}?{urlencode(params, quote_via=quote)}"

    # --- token endpoint, revocation, userInfo, GlobalSignOut -------------------------------

    @staticmethod
    def _code_form(code: str, redirect_uri: str, code_verifier: str) -> dict[str, str]:
        return {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }

    @staticmethod
    def _refresh_form(refresh_token: str) -> dict[str, str]:
        return {"grant_type": "refresh_token", "refresh_token": refresh_token}

    def _client_auth(self, form: dict[str, str]) -> dict[str, str]:
        if self._client_secret is None:
            form["client_id"] = self.client_id
            return {}
        pair = f"{quote(self.client_id, safe='')}:{quote(self._client_secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}

    def _token_call(self, metadata: ProviderMetadata, form: dict[str, str]) -> HttpCall:
        headers = self._client_auth(form)
        headers["Accept"] = "application/json"
        return HttpCall("POST", metadata.token_endpoint, "token endpoint", headers, form)

    def _revoke_call(self, metadata: ProviderMetadata, refresh_token: str) -> HttpCall:
        form = {"token": refresh_token}
        headers = self._client_auth(form)
        return HttpCall("POST", metadata.revocation_endpoint, "revocation endpoint", headers, form)

    @staticmethod
    def _userinfo_call(metadata: ProviderMetadata, access_token: str) -> HttpCall:
        url = metadata.userinfo_endpoint
        if url is None:
            raise DiscoveryError("the discovery document has no userinfo_endpoint")
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        return HttpCall("GET", url, "userInfo", headers)

    def _api_call(self, action: str, body: Mapping[str, Any]) -> HttpCall:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": _API_TARGET + action,
        }
        content = json.dumps(body).encode()
        return HttpCall("POST", self._api_endpoint, action, headers, content=content)

    @staticmethod
    def _access_token_body(access_token: str) -> dict[str, str]:
        return {"AccessToken": access_token}

    # --- transport bookkeeping ------------------------------------------------------------

    def _hosted_ui_check_due(self) -> bool:
        """Whether a sign-in must first check that the hosted UI answers: no good answer in
        the last ``_PROBE_TTL`` seconds, or a call failed to reach the IdP since."""
        return self._clock() >= self._reachable_until

    def _hosted_ui_call(self, metadata: ProviderMetadata) -> HttpCall:
        return HttpCall("GET", metadata.authorization_endpoint, "hosted UI", timeout=_PROBE_TIMEOUT)

    def _hosted_ui_answered(self, reply: Reply) -> None:
        """Any answer below 500 means the hosted UI is up: trusted for ``_PROBE_TTL``."""
        if reply.status_code >= 500:
            raise IdPUnavailableError(f"hosted UI answered HTTP {reply.status_code}")
        self._reachable_until = self._clock() + _PROBE_TTL

    @contextlib.contextmanager
    def _exchanging(self, call: HttpCall) -> Iterator[None]:
        """Around one exchange: a failure becomes the typed error (and, when the IdP could
        not be reached, makes the next sign-in check the hosted UI first)."""
        try:
            yield
        except ResponseTooLargeError:
            raise IdPUnavailableError(f"{call.what} sent an oversized response") from None
        except httpx.HTTPError as exc:
            self._reachable_until = 0.0
            if isinstance(exc, httpx.TimeoutException):
                raise IdPUnavailableError(f"{call.what} did not answer in time") from None
            raise IdPUnavailableError(f"{call.what} unreachable ({type(exc).__name__})") from None


class OIDCClient(OIDCProtocol):
    """OIDC/OAuth 2.0 calls for one app client of one Cognito user pool (blocking I/O).

    Every call goes through one ``httpx.Client``; the request building and answer checks
    live in :class:`OIDCProtocol`, shared with the async client.
    """

    def __init__(self, *, http: httpx.Client, **settings: Unpack[ClientSettings]) -> None:
        super().__init__(**settings)
        self._http = http
        self._lock = threading.Lock()

    def metadata(self) -> ProviderMetadata:
        """The provider metadata, fetched once and cached for ``discovery_ttl`` seconds.

        A failed refetch keeps using the cached document; without one it raises
        :class:`IdPUnavailableError` / :class:`DiscoveryError`.
        """
        with self._lock:
            cached = self._fresh_metadata()
            if cached is not None:
                return cached
            try:
                return self._accept_discovery(self._send(self._discovery_call()))
            except (IdPUnavailableError, DiscoveryError) as exc:
                return self._discovery_failed(exc)

    def authorization_url(self, **sign_in: Unpack[AuthorizationParams]) -> str:
        """The hosted UI URL that starts one sign-in (code flow, PKCE S256)."""
        return self._authorization_url(self.metadata(), **sign_in)

    def logout_url(self, logout_uri: str) -> str:
        """The hosted UI ``/logout`` URL that clears the IdP session cookie, then goes to
        ``logout_uri`` (Cognito's own parameters; it ignores RP-initiated-logout ones)."""
        return self._logout_url(self.metadata(), logout_uri)

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> TokenResponse:
        """Exchange an authorization code (single use) for tokens."""
        return self._token_request(self._code_form(code, redirect_uri, code_verifier))

    def refresh(self, refresh_token: str) -> TokenResponse:
        """New ID and access tokens (and a new refresh token when rotation is enabled)."""
        return self._token_request(self._refresh_form(refresh_token))

    def _token_request(self, form: dict[str, str]) -> TokenResponse:
        return parse_token_response(self._send(self._token_call(self.metadata(), form)))

    def revoke(self, refresh_token: str) -> None:
        """Revoke this app's refresh token (and the access tokens minted from it)."""
        reply = self._send(self._revoke_call(self.metadata(), refresh_token))
        raise_for_oauth_status(reply, "revocation endpoint")

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """The user's claims; :class:`TokenRevokedError` when the IdP rejects the token."""
        return parse_userinfo(self._send(self._userinfo_call(self.metadata(), access_token)))

    def global_sign_out(self, access_token: str) -> None:
        """Sign the user out of every app client (all refresh tokens die).

        Needs the ``aws.cognito.signin.user.admin`` scope. The call is unsigned: the access
        token authorizes it. :class:`TokenRevokedError` if the token is already rejected.
        """
        body = self._access_token_body(access_token)
        parse_api_reply("GlobalSignOut", self._send(self._api_call("GlobalSignOut", body)))

    def get_user(self, access_token: str) -> dict[str, Any]:
        """GetUser with the access token: the user, while Cognito still accepts the token
        (needs the ``aws.cognito.signin.user.admin`` scope). :class:`TokenRevokedError` when
        it is revoked, expired or its user signed out globally, deleted or disabled."""
        body = self._access_token_body(access_token)
        return parse_api_reply("GetUser", self._send(self._api_call("GetUser", body)))

    def ensure_hosted_ui_reachable(self) -> None:
        """Before a browser is sent to the hosted UI: check that it answers at all (any status
        below 500), so an outage gives the app's 503 page instead of the browser's connection
        error. A good answer is trusted for ``_PROBE_TTL`` seconds (until a call fails to
        reach the IdP), so a healthy IdP costs one short request per interval, not one per
        sign-in. Raises :class:`IdPUnavailableError`.
        """
        if self._hosted_ui_check_due():
            self._hosted_ui_answered(self._send(self._hosted_ui_call(self.metadata())))

    def _send(self, call: HttpCall) -> Reply:
        deadline = time.monotonic() + total_timeout(self._http.timeout)
        with self._exchanging(call):
            with self._http.stream(call.method, call.url, **call.httpx_options()) as response:
                body = read_capped(response, _MAX_BODY, deadline=deadline)
        return Reply(response.status_code, response.headers, body)


def total_timeout(timeout: httpx.Timeout) -> float:
    """How long one whole exchange (headers and body) may take: twice the read timeout."""
    read = timeout.read
    return 2 * read if read else 10.0


def _shown(value: object) -> str:
    """A value from an IdP document for a log line or error page: short, escaped, quoted."""
    return repr(str(value)[:200])


def _parse_json(content: bytes) -> Any:
    """The JSON value of a body (UTF-8, by :mod:`cognito_sso.strict_json`'s rules), or None
    when it is not such JSON (or nested too deeply)."""
    try:
        return parse_json(content.decode("utf-8-sig"))  # json.loads also skipped a BOM
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None


def _json_object(response: Reply, what: str) -> dict[str, Any]:
    doc = _parse_json(response.content)
    if not isinstance(doc, dict):
        raise IdPUnavailableError(f"{what} did not send a JSON object")
    return doc


def _safe_code(value: object, default: str) -> str:
    """An error code from the IdP, if it is short and plain (it ends up in logs)."""
    if not isinstance(value, str) or not value.replace("_", "").isalnum() or len(value) > 64:
        return default
    return value if value.isascii() else default


def raise_for_oauth_status(response: Reply, what: str) -> None:
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


def parse_token_response(response: Reply) -> TokenResponse:
    """The checked answer of the token endpoint (code exchange or refresh)."""
    raise_for_oauth_status(response, "token endpoint")
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
        raise TokenResponseError("token endpoint sent a malformed token response")
    token_type = doc.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TokenResponseError("token endpoint sent a token_type other than Bearer")
    return TokenResponse(
        access_token=access,
        id_token=id_token or None,
        refresh_token=refresh or None,
        expires_in=expires_in,
        token_type=token_type,
    )


def parse_userinfo(response: Reply) -> dict[str, Any]:
    """The claims of a userInfo answer; :class:`TokenRevokedError` for 401/403."""
    if response.status_code in (401, 403):
        raise TokenRevokedError("userInfo rejected the access token")
    if response.status_code != 200:
        raise IdPUnavailableError(f"userInfo answered HTTP {response.status_code}")
    return _json_object(response, "userInfo")


def parse_api_reply(action: str, response: Reply) -> dict[str, Any]:
    """The JSON answer of a cognito-idp API call, or its typed error."""
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
