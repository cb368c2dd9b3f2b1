"""Server-assisted invalidation of the Redis store's session cache (RESP3 ``CLIENT TRACKING``).

One extra connection per process speaks RESP3 and turns on tracking in broadcast mode for
the store's session keys (``CLIENT TRACKING on BCAST PREFIX {prefix}session:``): Redis then
pushes an ``invalidate`` message on it whenever any client writes, deletes or expires such
a key, and an ``invalidate`` with no keys when the database is flushed. :meth:`sync` applies
every message that has reached this process before a cached session is served, so a session
changed or deleted by another process (and acknowledged to it) is never served here
afterwards.

While the connection is down (Redis restarted, network, a Redis without RESP3) the cache is
flushed and disabled, and every read goes to Redis; a reconnect is tried at most once per
``retry_interval``, and the cache starts empty once tracking is back.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any

from cognito_sso.sessions.base import StoredSession
from cognito_sso.sessions.cache import SessionCache

__all__ = ["InvalidationTracker"]

log = logging.getLogger(__name__)


class InvalidationTracker:
    """Keeps ``cache`` true to the Redis keys ``{key_prefix}<session id>``."""

    def __init__(
        self,
        client: Any,
        key_prefix: str,
        cache: SessionCache[StoredSession],
        *,
        errors: tuple[type[BaseException], ...],
        retry_interval: float = 1.0,
    ) -> None:
        """``errors``: what the client raises when Redis fails (``redis.exceptions.RedisError``;
        passed in, so that only the store imports redis)."""
        pool = client.connection_pool
        self._connection_class = pool.connection_class
        self._connection_kwargs = {**pool.connection_kwargs, "protocol": 3}
        self._errors: tuple[type[BaseException], ...] = (*errors, OSError)
        # redis-py before 5.1 has no invalidation push handler: AttributeError, cache off
        self._connect_errors: tuple[type[BaseException], ...] = (*self._errors, AttributeError)
        self._prefix = key_prefix.encode()
        self._cache = cache
        self._retry_interval = retry_interval
        self._conn: Any = None
        self._poller = select.poll()
        self._pid = os.getpid()
        self._next_attempt = 0.0
        self._lock = threading.Lock()
        cache.disable()

    def sync(self) -> bool:
        """Apply the invalidations received so far; True when the cache can be trusted."""
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connection is not ours
                self._conn, self._pid = None, os.getpid()
                self._cache.disable()
            if self._conn is None:
                return self._connect()
            if not self._poller.poll(0):  # nothing arrived (the parser keeps no leftovers)
                return True
            try:
                while self._conn.can_read(timeout=0):
                    self._conn.read_response(push_request=True)
            except self._errors as exc:
                self._lost(exc)
                return False
            return True

    def cached(
        self, session_id: str, servable: Callable[[StoredSession, float], bool], now: float
    ) -> tuple[StoredSession | None, object | None]:
        """``(session, None)`` for a cached session ``servable`` at ``now``; else ``(None,
        ticket)``, the ticket to :meth:`SessionCache.fill` the cache with what the store reads
        next (None while the cache cannot be trusted)."""
        if not self._cache.capacity or not self.sync():  # every invalidation that came
            return None, None
        session = self._cache.get(session_id)
        if session is not None and servable(session, now):
            return session, None
        return None, self._cache.begin_fill(session_id)

    def close(self) -> None:
        """Drop the tracking connection; the cache stays disabled."""
        with self._lock:
            self._cache.disable()
            conn, self._conn = self._conn, None
            if conn is not None and self._pid == os.getpid():
                conn.disconnect()

    def _on_invalidate(self, message: Any) -> None:
        keys = message[1] if isinstance(message, list | tuple) and len(message) > 1 else None
        if keys is None:  # FLUSHDB / FLUSHALL: everything may be gone
            self._cache.clear()
            return
        for key in keys:
            if isinstance(key, str):
                key = key.encode()
            if isinstance(key, bytes) and key.startswith(self._prefix):
                self._cache.invalidate(key[len(self._prefix) :].decode("ascii", "replace"))

    def _connect(self) -> bool:
        now = time.monotonic()
        if now < self._next_attempt:
            return False
        self._next_attempt = now + self._retry_interval
        conn = self._connection_class(**self._connection_kwargs)
        try:
            conn.connect()
            conn._parser.set_invalidation_push_handler(self._on_invalidate)
            conn.send_command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", self._prefix)
            if conn.read_response() not in (b"OK", "OK"):
                raise ConnectionError("CLIENT TRACKING was refused")
        except self._connect_errors as exc:
            conn.disconnect()
            self._lost(exc)
            return False
        self._conn = conn
        self._poller = select.poll()
        self._poller.register(conn._sock, select.POLLIN | select.POLLPRI)
        self._cache.enable()  # empty: what changed while we were away is unknown
        return True

    def _lost(self, exc: BaseException) -> None:
        if self._conn is not None or self._cache.enabled:
            # the exception text may echo a command; log only its type
            log.warning(
                "session cache off until Redis invalidation is back (%s)", type(exc).__name__
            )
        self._cache.disable()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.disconnect()
