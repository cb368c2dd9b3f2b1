"""Redis session store: sessions shared by processes on several hosts.

Keys are namespaced by a configurable prefix (the layout, the scripts and how values are read
back are shared with the async store: :mod:`cognito_sso.sessions.redis_layout`). Redis expires
keys itself (PEXPIRE at the idle or absolute limit, whichever is nearer); the store also
checks the timestamps, so an injected clock and a ``cleanup()`` behave exactly as in the
SQLite store.

The ``redis`` package is optional (``pip install cognito-sso[redis]``) and imported only
when a Redis store is created. Sockets have bounded timeouts: an unreachable or hung Redis
raises :class:`SessionStoreUnavailableError` within a few seconds, never hangs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Unpack

from cognito_sso.sessions import redis_layout as layout
from cognito_sso.sessions.base import (
    ExpirySettings,
    SessionStore,
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
from cognito_sso.sessions.locks import StoreLocks

if TYPE_CHECKING:
    import redis as redis_lib

__all__ = ["RedisLocks", "RedisSessionStore"]

log = logging.getLogger(__name__)


class RedisSessionStore(SessionStore):
    """Session store in Redis (``redis://`` or ``rediss://`` URL).

    Sessions read are kept in a process-local cache of ``cache_size`` entries (0: none),
    which Redis keeps true by pushing invalidations (see
    :mod:`cognito_sso.sessions.redis_tracking`); serving one from it costs no round trip.
    """

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
        self._errors = redis.exceptions
        self._client: redis_lib.Redis = layout.sync_client(redis, url, socket_timeout)
        self._cache: SessionCache[StoredSession] = SessionCache(cache_size)
        self._tracker = layout.session_tracker(redis, self._client, self._keys, self._cache)
        self._create_script = self._client.register_script(layout.CREATE)
        self._touch_script = self._client.register_script(layout.TOUCH)
        self.locks: RedisLocks = RedisLocks(self._client, self._guard, self._keys.locks)

    # -- plumbing -----------------------------------------------------------------------

    def _session_key(self, session_id: str) -> str:
        return self._keys.session(session_id)

    def _transient_key(self, key: str) -> str:
        return self._keys.transient(key)

    def _guard(self) -> contextlib.AbstractContextManager[None]:
        """Turn Redis failures (down, timeout, loading, read-only...) into 503s."""
        return layout.redis_guard(self._errors)

    def _is_wrong_type(self, exc: Exception) -> bool:
        return layout.is_wrong_type(self._errors, exc)

    # -- sessions -----------------------------------------------------------------------

    def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""
        payload = as_payload(payload)
        now = self._now()
        ttl = layout.ms(self._expires_at(now, now) - now)
        with self._guard():
            while True:
                session_id = new_session_id()
                key = self._session_key(session_id)
                if self._create_script(keys=[key], args=[payload, repr(now), ttl]) == 1:
                    return StoredSession(session_id, payload, now, now)

    def _load(self, key: str, session_id: str, reader: Any) -> StoredSession | None:
        """Read a live session with ``reader`` (client or watching pipeline); drop bad ones."""
        try:
            raw = reader.hgetall(key)
        except self._errors.ResponseError as exc:
            if not self._is_wrong_type(exc):
                raise
            raw = {b"": b""}  # a key of another type where a session should be: corrupt
        session, discard = layout.loaded_session(self, session_id, raw)
        if discard:
            self._client.delete(key)
        return session

    def get(self, session_id: str) -> StoredSession | None:
        """The live session, or None (see :meth:`SessionStore.get`)."""
        if not is_valid_session_id(session_id):
            return None
        key = self._session_key(session_id)
        cached, ticket = self._tracker.cached(session_id, self._servable, self._now())
        if cached is not None:
            return cached
        with self._guard():
            session = self._load(key, session_id, self._client)
            if session is None:
                return None
            if ticket is not None:
                self._cache.fill(session_id, session, ticket)
            now = self._now()
            if self._needs_touch(session.last_seen_at, now):
                ttl = layout.ms(self._expires_at(session.created_at, now) - now)
                self._touch_script(keys=[key], args=[repr(now), ttl])
                return dataclasses.replace(session, last_seen_at=now)
            return session

    def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        """Atomic read-modify-write with WATCH/MULTI; ``fn`` may run again on a conflict."""
        if not is_valid_session_id(session_id):
            return None
        key = self._session_key(session_id)
        with self._guard(), self._client.pipeline(transaction=True) as pipeline:
            pipe: Any = pipeline
            for _attempt in range(layout.MAX_UPDATE_ATTEMPTS):
                try:
                    pipe.watch(key)
                    session = self._load(key, session_id, pipe)
                    if session is None:
                        pipe.unwatch()
                        return None
                    payload = apply_update(fn, session.payload)
                    now = max(self._now(), session.last_seen_at)
                    pipe.multi()
                    pipe.hset(key, mapping={"d": payload, "l": repr(now)})
                    pipe.pexpire(key, layout.ms(self._expires_at(session.created_at, now) - now))
                    pipe.execute()
                    self._cache.invalidate(session_id)
                except self._errors.WatchError:
                    # Someone else wrote in between: back off briefly, then read again.
                    time.sleep(secrets.randbelow(5) / 1000)
                    continue
                return StoredSession(session_id, payload, session.created_at, now)
        raise SessionStoreUnavailableError("the session is being updated too often to update it")

    def delete(self, session_id: str) -> None:
        """Remove a session (no error if it does not exist)."""
        if not is_valid_session_id(session_id):
            return
        with self._guard():
            self._client.delete(self._session_key(session_id))
        self._cache.invalidate(session_id)

    # -- transient values ---------------------------------------------------------------

    def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        """Store a single-use payload for ``ttl`` seconds (replacing one under the same key)."""
        require_key(key)
        require_ttl(ttl)
        value = layout.transient_value(self._now() + ttl, as_payload(payload))
        with self._guard():
            self._client.set(self._transient_key(key), value, px=layout.ms(ttl))

    def pop_transient(self, key: str) -> bytes | None:
        """Atomically fetch and delete a transient payload (GETDEL: exactly one caller gets it)."""
        if not is_valid_key(key):
            return None
        redis_key = self._transient_key(key)
        with self._guard():
            try:
                raw = self._client.getdel(redis_key)
            except self._errors.ResponseError as exc:
                if not self._is_wrong_type(exc):
                    raise
                self._client.delete(redis_key)
                return None
        expires_at, payload = layout.split_transient(raw)
        if expires_at is None or expires_at <= self._now():
            return None
        return payload

    # -- housekeeping -------------------------------------------------------------------

    def cleanup(self) -> int:
        """Delete expired or corrupt sessions and transient values under this prefix.

        Redis expires keys by itself; this catches what its TTLs have not reached yet
        (an injected clock, a changed configuration). It scans the prefix, so run it rarely.
        """
        removed = 0
        now = self._now()
        with self._guard():
            for raw_key in self._client.scan_iter(match=self._keys.session("*"), count=500):
                try:
                    raw = self._client.hgetall(raw_key)
                except self._errors.ResponseError as exc:
                    if not self._is_wrong_type(exc):
                        raise
                    raw = {b"": b""}
                session = layout.parse_session("", raw) if raw else None
                if session is None or not self._is_live(
                    session.created_at, session.last_seen_at, now
                ):
                    removed += int(self._client.delete(raw_key))
            for raw_key in self._client.scan_iter(match=self._keys.transient("*"), count=500):
                try:
                    expires_at, _payload = layout.split_transient(self._client.get(raw_key))
                except self._errors.ResponseError as exc:
                    if not self._is_wrong_type(exc):
                        raise
                    expires_at = None
                if expires_at is None or expires_at <= now:
                    removed += int(self._client.delete(raw_key))
        return removed

    def close(self) -> None:
        """Close the connection pool and the invalidation connection."""
        with contextlib.suppress(Exception):
            self._tracker.close()
        with contextlib.suppress(Exception):
            self._client.close()


class RedisLocks(StoreLocks):
    """Locks as Redis keys ``{prefix}lock:{key}`` (``SET NX PX``; released by a script that
    deletes the key only for the token that holds it)."""

    def __init__(
        self,
        client: redis_lib.Redis,
        guard: Callable[[], contextlib.AbstractContextManager[None]],
        prefix: str,
    ) -> None:
        self._client = client
        self._guard = guard
        self._prefix = prefix
        self._release_script = client.register_script(layout.RELEASE)

    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        with self._guard():
            return bool(self._client.set(self._prefix + key, token, nx=True, px=layout.ms(ttl)))

    def _release(self, key: str, token: str) -> None:
        with self._guard():
            self._release_script(keys=[self._prefix + key], args=[token])
