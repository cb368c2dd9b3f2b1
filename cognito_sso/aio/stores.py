"""Session stores for the async adapters: Redis through its asyncio client, SQLite in a
worker thread.

The session service and the login flow are blocking core code that the FastAPI adapter runs
in a worker thread (:func:`~cognito_sso.aio.loops.run_blocking`). With a Redis store their
store calls hop back onto the event loop, as their IdP calls do: :class:`LoopBridgedStore`
runs each call of an :class:`~cognito_sso.sessions.redis_async.AsyncRedisSessionStore` there
while the worker thread only waits, so the loop's own connections serve them and nothing
blocks the loop. The locks are the same Redis keys as the sync store's, so Flask (sync) and
FastAPI (async) workers sharing one Redis refresh a session once, under one lock.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

from cognito_sso.aio.loops import call_on_loop, serving_loop
from cognito_sso.sessions.base import SessionStore, StoredSession, UpdateFn, is_valid_session_id
from cognito_sso.sessions.factory import is_redis_location, open_store
from cognito_sso.sessions.locks import StoreLocks
from cognito_sso.sessions.redis_async import AsyncRedisSessionStore

__all__ = ["LoopBridgedStore", "open_loop_store"]

T = TypeVar("T")


def open_loop_store(
    url_or_path: str | os.PathLike[str], *, idle_timeout: float, absolute_timeout: float
) -> SessionStore:
    """The store for an async adapter: a Redis location gets the asyncio client (bridged),
    anything else :func:`~cognito_sso.sessions.open_store` (used from a worker thread)."""
    if is_redis_location(url_or_path):
        return LoopBridgedStore(
            AsyncRedisSessionStore(
                os.fspath(url_or_path),
                idle_timeout=idle_timeout,
                absolute_timeout=absolute_timeout,
            )
        )
    return open_store(url_or_path, idle_timeout=idle_timeout, absolute_timeout=absolute_timeout)


class LoopBridgedStore(SessionStore):
    """The blocking :class:`SessionStore` over an async store, for core code in a worker
    thread of the event loop (or of ``loop``): each call runs on the loop, the thread waits.
    Anywhere else it refuses (blocking on the loop's own thread would deadlock)."""

    def __init__(
        self, store: AsyncRedisSessionStore, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        super().__init__(**store.expiry_settings)
        self.async_store = store
        self._loop = loop
        self.locks: StoreLocks = _LoopBridgedLocks(self)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop this thread serves and wait for its result."""
        loop = self._loop or serving_loop()
        if loop is None:
            coro.close()
            raise RuntimeError("blocking store call outside a worker thread of the event loop")
        return call_on_loop(loop, coro)

    def create(self, payload: bytes) -> StoredSession:
        return self.run(self.async_store.create(payload))

    def get(self, session_id: str) -> StoredSession | None:
        """From the process-local cache while Redis reports no change (no hop onto the loop,
        no round trip), else from Redis."""
        if not is_valid_session_id(session_id):
            return None
        store = self.async_store
        cached, ticket = store.tracker.cached(session_id, self._servable, self._now())
        if cached is not None:
            return cached
        session = self.run(store.get(session_id))
        if session is not None and ticket is not None:
            store.cache.fill(session_id, session, ticket)
        return session

    def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        try:
            return self.run(self.async_store.update(session_id, fn))
        finally:
            self.async_store.cache.invalidate(session_id)

    def delete(self, session_id: str) -> None:
        try:
            self.run(self.async_store.delete(session_id))
        finally:
            self.async_store.cache.invalidate(session_id)

    def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        self.run(self.async_store.put_transient(key, payload, ttl))

    def pop_transient(self, key: str) -> bytes | None:
        return self.run(self.async_store.pop_transient(key))

    def cleanup(self) -> int:
        return self.run(self.async_store.cleanup())

    def close(self) -> None:
        """Close the invalidation connection, and the async store's client of the bridged
        loop (when one is known)."""
        self.async_store.tracker.close()
        if self._loop is not None or serving_loop() is not None:
            self.run(self.async_store.aclose())


class _LoopBridgedLocks(StoreLocks):
    """The async store's locks through the bridge (the waiting happens in the worker thread)."""

    def __init__(self, bridge: LoopBridgedStore) -> None:
        self._bridge = bridge

    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        return self._bridge.run(self._bridge.async_store.locks.try_acquire(key, token, ttl))

    def _release(self, key: str, token: str) -> None:
        self._bridge.run(self._bridge.async_store.locks.release(key, token))
