"""Redis session store for asyncio code (redis-py's ``redis.asyncio`` client): the same keys,
records, scripts and lock semantics as the sync :class:`~cognito_sso.sessions.redis.
RedisSessionStore` (shared in :mod:`cognito_sso.sessions.redis_layout`), so sync and async
workers on one Redis share sessions, login transactions and the refresh lock.

Each event loop gets its own client (a connection belongs to one loop). There is no
process-local session cache here (the sync store's, kept true by Redis's invalidation
pushes, is thread-based): every read is one round trip. ``redis`` is imported only when a
store is created (``pip install cognito-sso[redis]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Unpack

from cognito_sso.aio.loops import PerLoop
from cognito_sso.random_token import random_token
from cognito_sso.sessions import redis_layout as layout
from cognito_sso.sessions.base import (
    ExpiryRules,
    ExpirySettings,
    SessionStoreUnavailableError,
    StoredSession,
    UpdateFn,
    apply_update,
    as_payload,
    is_valid_key,
    is_valid_session_id,
    new_session_id,
    require_key,
    require_ttl,
)
from cognito_sso.sessions.cache import DEFAULT_CAPACITY, SessionCache
from cognito_sso.sessions.locks import lock_arguments, poll_pauses

__all__ = ["AsyncRedisLocks", "AsyncRedisSessionStore"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Connection:
    """One loop's client and its registered scripts."""

    client: Any
    create: Any
    touch: Any
    release: Any


class AsyncRedisSessionStore(ExpiryRules):
    """Session store in Redis (``redis://`` or ``rediss://`` URL) with coroutine methods:
    those of :class:`~cognito_sso.sessions.SessionStore`, awaited, and :attr:`locks`."""

    def __init__(
        self,
        url: str,
        *,
        key_prefix: str = "cognito-sso:",
        socket_timeout: float = 2.0,
        cache_size: int = DEFAULT_CAPACITY,
        **expiry: Unpack[ExpirySettings],
    ) -> None:
        super().__init__(**expiry)
        self._keys = layout.RedisKeys(key_prefix)
        redis = layout.import_redis()
        client_class = layout.import_redis("redis.asyncio").Redis
        options = layout.client_options(
            redis, layout.import_redis("redis.asyncio.retry").Retry, socket_timeout
        )
        self._errors = redis.exceptions

        def connect() -> _Connection:
            client = layout.connect(client_class, url, options)
            scripts = (
                client.register_script(s) for s in (layout.CREATE, layout.TOUCH, layout.RELEASE)
            )
            return _Connection(client, *scripts)

        connect()  # checks the URL now (a client connects on first use only)
        self._connection: PerLoop[_Connection] = PerLoop(connect)
        # Sessions read may be kept by the blocking side (aio.stores.LoopBridgedStore) in a
        # process-local cache, kept true by the same invalidation connection as the sync
        # store's: a blocking one, used from worker threads only (never on the loop).
        self.cache: SessionCache[StoredSession] = SessionCache(cache_size)
        self.tracker = layout.session_tracker(
            redis, layout.sync_client(redis, url, socket_timeout), self._keys, self.cache
        )
        self.locks = AsyncRedisLocks(self._connection, self._guard, self._keys.locks)

    def _guard(self) -> contextlib.AbstractContextManager[None]:
        return layout.redis_guard(self._errors)

    async def _load(
        self, connection: _Connection, key: str, session_id: str, reader: Any
    ) -> StoredSession | None:
        """Read a live session with ``reader`` (client or watching pipeline); drop bad ones."""
        try:
            raw = await reader.hgetall(key)
        except self._errors.ResponseError as exc:
            if not layout.is_wrong_type(self._errors, exc):
                raise
            raw = {b"": b""}  # a key of another type where a session should be: corrupt
        session, discard = layout.loaded_session(self, session_id, raw)
        if discard:
            await connection.client.delete(key)
        return session

    # -- sessions -----------------------------------------------------------------------

    async def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""
        payload = as_payload(payload)
        now = self._now()
        ttl = layout.ms(self._expires_at(now, now) - now)
        connection = self._connection.get()
        with self._guard():
            while True:
                session_id = new_session_id()
                key = self._keys.session(session_id)
                if await connection.create(keys=[key], args=[payload, repr(now), ttl]) == 1:
                    return StoredSession(session_id, payload, now, now)

    async def get(self, session_id: str) -> StoredSession | None:
        """The live session, or None; counts as activity (see ``SessionStore.get``)."""
        if not is_valid_session_id(session_id):
            return None
        key = self._keys.session(session_id)
        connection = self._connection.get()
        with self._guard():
            session = await self._load(connection, key, session_id, connection.client)
            if session is None:
                return None
            now = self._now()
            if not self._needs_touch(session.last_seen_at, now):
                return session
            ttl = layout.ms(self._expires_at(session.created_at, now) - now)
            await connection.touch(keys=[key], args=[repr(now), ttl])
            return dataclasses.replace(session, last_seen_at=now)

    async def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        """Atomic read-modify-write with WATCH/MULTI; ``fn`` may run again on a conflict."""
        if not is_valid_session_id(session_id):
            return None
        key = self._keys.session(session_id)
        connection = self._connection.get()
        with self._guard():
            async with connection.client.pipeline(transaction=True) as pipe:
                for _attempt in range(layout.MAX_UPDATE_ATTEMPTS):
                    try:
                        await pipe.watch(key)
                        session = await self._load(connection, key, session_id, pipe)
                        if session is None:
                            await pipe.unwatch()
                            return None
                        payload = apply_update(fn, session.payload)
                        now = max(self._now(), session.last_seen_at)
                        pipe.multi()
                        pipe.hset(key, mapping={"d": payload, "l": repr(now)})
                        pipe.pexpire(
                            key, layout.ms(self._expires_at(session.created_at, now) - now)
                        )
                        await pipe.execute()
                    except self._errors.WatchError:
                        # Someone else wrote in between: back off briefly, then read again.
                        await asyncio.sleep(secrets.randbelow(5) / 1000)
                        continue
                    return StoredSession(session_id, payload, session.created_at, now)
        raise SessionStoreUnavailableError("the session is being updated too often to update it")

    async def delete(self, session_id: str) -> None:
        """Remove a session (no error if it does not exist)."""
        if not is_valid_session_id(session_id):
            return
        connection = self._connection.get()
        with self._guard():
            await connection.client.delete(self._keys.session(session_id))

    # -- transient values ---------------------------------------------------------------

    async def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        """Store a single-use payload for ``ttl`` seconds (replacing one under the same key)."""
        require_key(key)
        require_ttl(ttl)
        value = layout.transient_value(self._now() + ttl, as_payload(payload))
        connection = self._connection.get()
        with self._guard():
            await connection.client.set(self._keys.transient(key), value, px=layout.ms(ttl))

    async def pop_transient(self, key: str) -> bytes | None:
        """Atomically fetch and delete a transient payload (GETDEL: exactly one caller gets it)."""
        if not is_valid_key(key):
            return None
        redis_key = self._keys.transient(key)
        connection = self._connection.get()
        with self._guard():
            try:
                raw = await connection.client.getdel(redis_key)
            except self._errors.ResponseError as exc:
                if not layout.is_wrong_type(self._errors, exc):
                    raise
                await connection.client.delete(redis_key)
                return None
        expires_at, payload = layout.split_transient(raw)
        if expires_at is None or expires_at <= self._now():
            return None
        return payload

    # -- housekeeping -------------------------------------------------------------------

    async def cleanup(self) -> int:
        """Delete expired or corrupt sessions and transient values under this prefix (see
        ``RedisSessionStore.cleanup``)."""
        client = self._connection.get().client
        removed = 0
        now = self._now()
        with self._guard():
            async for raw_key in client.scan_iter(match=self._keys.session("*"), count=500):
                raw = await self._read(client.hgetall, raw_key, {b"": b""})
                session = layout.parse_session("", raw) if raw else None
                if session is None or not self._is_live(
                    session.created_at, session.last_seen_at, now
                ):
                    removed += int(await client.delete(raw_key))
            async for raw_key in client.scan_iter(match=self._keys.transient("*"), count=500):
                expires_at, _payload = layout.split_transient(
                    await self._read(client.get, raw_key, None)
                )
                if expires_at is None or expires_at <= now:
                    removed += int(await client.delete(raw_key))
        return removed

    async def _read(self, command: Callable[[Any], Any], key: Any, wrong_type: Any) -> Any:
        """``command(key)``, or ``wrong_type`` when the key holds another type."""
        try:
            return await command(key)
        except self._errors.ResponseError as exc:
            if not layout.is_wrong_type(self._errors, exc):
                raise
            return wrong_type

    async def aclose(self) -> None:
        """Close the running loop's client (a later call opens a new one); the invalidation
        connection is the blocking side's to close (:meth:`InvalidationTracker.close`)."""
        connection = self._connection.pop()
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.client.aclose()


class AsyncRedisLocks:
    """The Redis store's locks (``SET NX PX`` on ``{prefix}lock:{key}``, released by the
    holder only), awaited: ``async with store.locks.lock(key) as acquired``."""

    def __init__(
        self,
        connection: PerLoop[_Connection],
        guard: Callable[[], contextlib.AbstractContextManager[None]],
        prefix: str,
    ) -> None:
        self._connection = connection
        self._guard = guard
        self._prefix = prefix

    @contextlib.asynccontextmanager
    async def lock(self, key: str, *, ttl: float = 30, wait: float = 10) -> AsyncIterator[bool]:
        """As :meth:`cognito_sso.sessions.StoreLocks.lock`, waiting without blocking the loop."""
        ttl, wait = lock_arguments(key, ttl, wait)
        token = random_token(16)
        acquired = await self._acquire(key, token, ttl, wait)
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    await self.release(key, token)
                except SessionStoreUnavailableError:
                    log.warning("could not release a store lock; it expires after its ttl")

    async def _acquire(self, key: str, token: str, ttl: float, wait: float) -> bool:
        if await self.try_acquire(key, token, ttl):
            return True
        for pause in poll_pauses(wait):
            await asyncio.sleep(pause)
            if await self.try_acquire(key, token, ttl):
                return True
        return False

    async def try_acquire(self, key: str, token: str, ttl: float) -> bool:
        """Take the lock ``key`` for ``token`` if nobody holds it."""
        client = self._connection.get().client
        with self._guard():
            return bool(await client.set(self._prefix + key, token, nx=True, px=layout.ms(ttl)))

    async def release(self, key: str, token: str) -> None:
        """Release the lock ``key`` only if ``token`` still holds it."""
        release = self._connection.get().release
        with self._guard():
            await release(keys=[self._prefix + key], args=[token])
