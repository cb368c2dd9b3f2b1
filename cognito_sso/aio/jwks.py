"""The JWKS cache for asyncio code: the same cache rules, async fetches.

:class:`AsyncJwksCache` is a :class:`~cognito_sso.jwks.JwksCache` (same parsing, key
filtering, single flight and penalty window) whose fetch is ``await``-ed: concurrent misses
on one event loop share one fetch (an ``asyncio.Lock`` per loop), and after a fetch that
misses no other fetch happens for ``min_refetch_interval`` seconds, on any loop. Its
blocking :meth:`get_key`, which :class:`~cognito_sso.verifier.TokenVerifier` calls on its
CPU-bound path, never does I/O on the loop's thread: it serves cached keys, and from a
worker thread of the loop it waits for the loop to fetch.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from cognito_sso._http import aread_capped, make_async_http_client
from cognito_sso.aio.loops import PerLoop, call_on_loop, serving_loop
from cognito_sso.jwks import JWKS_REQUEST_HEADERS, JwksCache, require_ok

__all__ = ["AsyncJwksCache", "shared_async_jwks_cache"]


class AsyncJwksCache(JwksCache):
    """Signing keys of one JWKS URI, fetched without blocking the event loop."""

    def __init__(self, uri: str, **options: Any) -> None:
        super().__init__(uri, **options)
        self._loop_locks: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)
        self._loop_clients: PerLoop[httpx.AsyncClient] = PerLoop(
            lambda: make_async_http_client(self.timeout, connect_timeout=self.connect_timeout)
        )

    async def aget_key(self, kid: str) -> RSAPublicKey:
        """The key for ``kid``, fetching the JWKS (at most one fetch at a time per loop) when
        the ``kid`` is unknown. Raises ``KeyNotFoundError`` / ``KeysUnavailableError``."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        seen_generation = self._generation
        async with self._loop_locks.get():
            with self._fetch_lock:
                key = self._key_after_wait(kid, seen_generation)
            if key is not None:
                return key
            outcome = await self._adownload()
            with self._fetch_lock:
                self._fetch_done(outcome)
                return self._key_after_fetch(kid)

    def get_key(self, kid: str) -> RSAPublicKey:
        """Blocking lookup for the verifier: cached keys; a fetch only from a worker thread
        of an event loop (run there); otherwise the miss error."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        loop = serving_loop()
        if loop is not None:
            return call_on_loop(loop, self.aget_key(kid))
        with self._fetch_lock:
            raise self._miss_error(kid)

    async def _adownload(self) -> bytes | Exception:
        """The JWKS body, or what went wrong (never raises)."""
        deadline = time.monotonic() + self.total_timeout
        client = self._loop_clients.get()
        try:
            async with client.stream("GET", self.uri, headers=JWKS_REQUEST_HEADERS) as response:
                require_ok(response.status_code)
                return await aread_capped(response, self.max_bytes, deadline=deadline)
        except Exception as exc:  # noqa: BLE001 - whatever a hostile endpoint does is a failure
            return exc

    async def aclose(self) -> None:
        """Close the running loop's HTTP client."""
        client = self._loop_clients.pop()
        if client is not None:
            await client.aclose()


_shared: dict[str, AsyncJwksCache] = {}
_shared_lock = threading.Lock()


def shared_async_jwks_cache(uri: str) -> AsyncJwksCache:
    """The process-wide :class:`AsyncJwksCache` of ``uri`` (created on first use)."""
    with _shared_lock:
        cache = _shared.get(uri)
        if cache is None:
            cache = _shared[uri] = AsyncJwksCache(uri)
        return cache
