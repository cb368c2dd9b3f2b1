"""The OIDC client with async I/O (``httpx.AsyncClient``).

Requests are built and answers checked by :class:`~cognito_sso.oidc.OIDCProtocol`, exactly as
for the sync :class:`~cognito_sso.oidc.OIDCClient`; only the transport differs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Unpack

import httpx

from cognito_sso._http import aread_capped, make_async_http_client
from cognito_sso.aio.loops import PerLoop, call_on_loop, serving_loop
from cognito_sso.oidc import (
    _MAX_BODY,
    AuthorizationParams,
    ClientSettings,
    DiscoveryError,
    HttpCall,
    IdPUnavailableError,
    OIDCClient,
    OIDCProtocol,
    ProviderMetadata,
    Reply,
    TokenResponse,
    parse_api_reply,
    parse_token_response,
    parse_userinfo,
    raise_for_oauth_status,
    total_timeout,
)

__all__ = ["AsyncOIDCClient", "LoopBridgedOIDCClient"]


class AsyncOIDCClient(OIDCProtocol):
    """OIDC/OAuth 2.0 calls for one app client, never blocking the event loop.

    ``timeout`` is the HTTP timeout of each call (as ``COGNITO_HTTP_TIMEOUT``). Each event
    loop gets its own ``httpx.AsyncClient`` and its own single-flight discovery lock.
    """

    def __init__(self, *, timeout: float = 5.0, **settings: Unpack[ClientSettings]) -> None:
        super().__init__(**settings)
        self.timeout = timeout
        self._http: PerLoop[httpx.AsyncClient] = PerLoop(lambda: make_async_http_client(timeout))
        self._discovery_lock: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)

    async def metadata(self) -> ProviderMetadata:
        """The provider metadata (see :meth:`OIDCClient.metadata`)."""
        cached = self._fresh_metadata()
        if cached is not None:
            return cached
        async with self._discovery_lock.get():
            cached = self._fresh_metadata()
            if cached is not None:
                return cached
            try:
                return self._accept_discovery(await self._send(self._discovery_call()))
            except (IdPUnavailableError, DiscoveryError) as exc:
                return self._discovery_failed(exc)

    async def authorization_url(self, **sign_in: Unpack[AuthorizationParams]) -> str:
        """The hosted UI URL that starts one sign-in (code flow, PKCE S256)."""
        return self._authorization_url(await self.metadata(), **sign_in)

    async def logout_url(self, logout_uri: str) -> str:
        """The hosted UI ``/logout`` URL (see :meth:`OIDCClient.logout_url`)."""
        return self._logout_url(await self.metadata(), logout_uri)

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> TokenResponse:
        """Exchange an authorization code (single use) for tokens."""
        return await self._token_request(self._code_form(code, redirect_uri, code_verifier))

    async def refresh(self, refresh_token: str) -> TokenResponse:
        """New ID and access tokens (and a new refresh token when rotation is enabled)."""
        return await self._token_request(self._refresh_form(refresh_token))

    async def _token_request(self, form: dict[str, str]) -> TokenResponse:
        return parse_token_response(await self._send(self._token_call(await self.metadata(), form)))

    async def revoke(self, refresh_token: str) -> None:
        """Revoke this app's refresh token (and the access tokens minted from it)."""
        reply = await self._send(self._revoke_call(await self.metadata(), refresh_token))
        raise_for_oauth_status(reply, "revocation endpoint")

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        """The user's claims; ``TokenRevokedError`` when the IdP rejects the token."""
        call = self._userinfo_call(await self.metadata(), access_token)
        return parse_userinfo(await self._send(call))

    async def global_sign_out(self, access_token: str) -> None:
        """Sign the user out of every app client (see :meth:`OIDCClient.global_sign_out`)."""
        body = self._access_token_body(access_token)
        parse_api_reply("GlobalSignOut", await self._send(self._api_call("GlobalSignOut", body)))

    async def get_user(self, access_token: str) -> dict[str, Any]:
        """GetUser with the access token (see :meth:`OIDCClient.get_user`)."""
        body = self._access_token_body(access_token)
        return parse_api_reply("GetUser", await self._send(self._api_call("GetUser", body)))

    async def ensure_hosted_ui_reachable(self) -> None:
        """See :meth:`OIDCClient.ensure_hosted_ui_reachable`."""
        if self._hosted_ui_check_due():
            self._hosted_ui_answered(await self._send(self._hosted_ui_call(await self.metadata())))

    async def aclose(self) -> None:
        """Close the running loop's HTTP client (a later call opens a new one)."""
        client = self._http.pop()
        if client is not None:
            await client.aclose()

    async def _send(self, call: HttpCall) -> Reply:
        http = self._http.get()
        deadline = time.monotonic() + total_timeout(http.timeout)
        with self._exchanging(call):
            async with http.stream(call.method, call.url, **call.httpx_options()) as response:
                body = await aread_capped(response, _MAX_BODY, deadline=deadline)
        return Reply(response.status_code, response.headers, body)


class LoopBridgedOIDCClient(OIDCClient):
    """The blocking client for core code running in a worker thread (see
    :func:`cognito_sso.aio.loops.run_blocking`): its HTTP exchanges run on the event loop
    through ``async_client``'s transport, so they share the loop's connection pool and the
    worker thread only waits. Outside such a worker thread it refuses to do I/O.
    """

    def __init__(self, async_client: AsyncOIDCClient) -> None:
        OIDCProtocol.__init__(self, **async_client._settings)
        self._lock = threading.Lock()
        self._async = async_client

    def _send(self, call: HttpCall) -> Reply:
        loop = serving_loop()
        if loop is None:
            raise RuntimeError("blocking IdP call outside a worker thread of the event loop")
        try:
            reply = call_on_loop(loop, self._async._send(call))
        except IdPUnavailableError:
            self._reachable_until = self._async._reachable_until
            raise
        return reply
