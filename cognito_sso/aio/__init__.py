"""Async I/O for asyncio frameworks (FastAPI, Starlette): the same protocol core, other I/O.

- :class:`~cognito_sso.aio.oidc.AsyncOIDCClient`: discovery, token, userInfo, revocation and
  GlobalSignOut through ``httpx.AsyncClient``; requests and answer checks are shared with
  the sync :class:`~cognito_sso.oidc.OIDCClient` (:class:`~cognito_sso.oidc.OIDCProtocol`).
- :class:`~cognito_sso.aio.jwks.AsyncJwksCache`: the JWKS cache with an async, single-flight
  refetch per event loop and the same penalty window.
- :class:`~cognito_sso.aio.verifier.AsyncTokenVerifier`: fetches keys without blocking the
  loop, then runs the one CPU-bound verification path of :class:`~cognito_sso.TokenVerifier`.
- :mod:`cognito_sso.aio.loops`: blocking core code (session stores, the session service)
  in a worker thread, with its IdP calls sent back to the event loop.

No web framework is imported here.
"""

from __future__ import annotations

from cognito_sso.aio.jwks import AsyncJwksCache, shared_async_jwks_cache
from cognito_sso.aio.oidc import AsyncOIDCClient
from cognito_sso.aio.verifier import AsyncTokenVerifier

__all__ = ["AsyncJwksCache", "AsyncOIDCClient", "AsyncTokenVerifier", "shared_async_jwks_cache"]
