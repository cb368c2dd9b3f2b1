"""Redis session store: sessions shared by processes on several hosts.

Keys are namespaced by a configurable prefix: ``{prefix}session:{id}`` (a hash with the
payload ``d``, ``created_at`` ``c`` and ``last_seen_at`` ``l``), ``{prefix}transient:{key}``
(the expiry time, a newline, then the payload) and ``{prefix}lock:{key}``. Redis expires
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
import importlib
import logging
import math
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions.base import (
    Clock,
    SessionStore,
    SessionStoreUnavailableError,
    StoredSession,
    UpdateFn,
    apply_update,
    as_payload,
    as_timestamp,
    is_valid_key,
    is_valid_session_id,
    new_session_id,
    require_key,
    require_ttl,
)
from cognito_sso.sessions.cache import DEFAULT_CAPACITY, SessionCache
from cognito_sso.sessions.locks import StoreLocks
from cognito_sso.sessions.redis_tracking import InvalidationTracker

if TYPE_CHECKING:
    import redis as redis_lib

__all__ = ["RedisLocks", "RedisSessionStore"]

log = logging.getLogger(__name__)

_PREFIX = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
_MAX_UPDATE_ATTEMPTS = 50

# Creates the hash only if the id is new (a collision is astronomically unlikely, but cheap
# to rule out).
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', ARGV[2], 'l', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# Moves last_seen_at forward only, and never recreates a deleted session.
_TOUCH = """
local seen = tonumber(redis.call('HGET', KEYS[1], 'l'))
if not seen or seen >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# Deletes the lock only for the token that holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _import_redis() -> Any:
    try:
        return importlib.import_module("redis")
    except ImportError:
        raise ConfigurationError(
            "a redis:// session store needs the 'redis' package: pip install 'cognito-sso[redis]'"
        ) from None


def _split_transient(raw: object) -> tuple[float | None, bytes]:
    """(expiry, payload) of a stored transient value; expiry None when it is corrupt."""
    if not isinstance(raw, bytes):
        return None, b""
    expires_at, separator, payload = raw.partition(b"\n")
    return (as_timestamp(expires_at) if separator else None), payload


def _ms(seconds: float) -> int:
    """Seconds to whole milliseconds for PX/PEXPIRE (at least 1)."""
    return max(1, math.ceil(seconds * 1000))


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
        idle_timeout: float,
        absolute_timeout: float,
        clock: Clock = time.time,
        touch_interval: float | None = None,
        key_prefix: str = "cognito-sso:",
        socket_timeout: float = 2.0,
        cache_size: int = DEFAULT_CAPACITY,
    ) -> None:
        super().__init__(
            idle_timeout=idle_timeout,
            absolute_timeout=absolute_timeout,
            clock=clock,
            touch_interval=touch_interval,
        )
        if not isinstance(key_prefix, str) or not _PREFIX.fullmatch(key_prefix):
            raise ConfigurationError("key_prefix must be up to 64 characters of [A-Za-z0-9_.:-]")
        if not (
            isinstance(socket_timeout, int | float)
            and math.isfinite(socket_timeout)
            and socket_timeout > 0
        ):
            raise ConfigurationError("socket_timeout must be a positive number of seconds")
        scheme, separator, rest = url.partition("://")
        if not separator or scheme.lower() not in ("redis", "rediss"):
            raise ConfigurationError("a Redis session store URL starts with redis:// or rediss://")
        url = f"{scheme.lower()}://{rest}"
        redis = _import_redis()
        self._errors = redis.exceptions
        self._prefix = key_prefix
        try:
            # One immediate retry, on connection errors only: enough to replace a pooled
            # connection that died when Redis restarted, while a hung server still costs
            # a single socket timeout.
            self._client: redis_lib.Redis = redis.Redis.from_url(
                url,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                retry=redis.retry.Retry(
                    redis.backoff.NoBackoff(),
                    1,
                    supported_errors=(redis.exceptions.ConnectionError,),
                ),
                decode_responses=False,
            )
        except ValueError as exc:
            raise ConfigurationError(f"invalid Redis URL: {type(exc).__name__}") from None
        self._cache: SessionCache[StoredSession] = SessionCache(cache_size)
        self._tracker = InvalidationTracker(
            self._client, self._session_key(""), self._cache, errors=(redis.exceptions.RedisError,)
        )
        self._create_script = self._client.register_script(_CREATE)
        self._touch_script = self._client.register_script(_TOUCH)
        self.locks: RedisLocks = RedisLocks(self._client, self._guard, f"{key_prefix}lock:")

    # -- plumbing -----------------------------------------------------------------------

    def _session_key(self, session_id: str) -> str:
        return f"{self._prefix}session:{session_id}"

    def _transient_key(self, key: str) -> str:
        return f"{self._prefix}transient:{key}"

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn Redis failures (down, timeout, loading, read-only...) into 503s."""
        try:
            yield
        except self._errors.RedisError as exc:
            if isinstance(exc, self._errors.WatchError):
                raise
            # The exception text may echo a command; log only its type.
            log.error("session store (redis) failed: %s", type(exc).__name__)
            raise SessionStoreUnavailableError("the session store is unavailable") from exc

    def _is_wrong_type(self, exc: Exception) -> bool:
        return isinstance(exc, self._errors.ResponseError) and str(exc).startswith("WRONGTYPE")

    def _parse(self, session_id: str, raw: Mapping[Any, Any]) -> StoredSession | None:
        """A session from a stored hash, or None if fields are missing or corrupt."""
        payload = raw.get(b"d")
        created_at, last_seen_at = as_timestamp(raw.get(b"c")), as_timestamp(raw.get(b"l"))
        if not isinstance(payload, bytes) or created_at is None or last_seen_at is None:
            return None
        return StoredSession(session_id, payload, created_at, last_seen_at)

    def _discard(self, key: str, why: str) -> None:
        if why == "corrupt":
            log.warning("discarding a corrupt session record")
        self._client.delete(key)

    # -- sessions -----------------------------------------------------------------------

    def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""
        payload = as_payload(payload)
        now = self._now()
        ttl = _ms(self._expires_at(now, now) - now)
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
        if not raw:
            return None
        session = self._parse(session_id, raw)
        if session is None:
            self._discard(key, "corrupt")
            return None
        if not self._is_live(session.created_at, session.last_seen_at, self._now()):
            self._discard(key, "expired")
            return None
        return session

    def get(self, session_id: str) -> StoredSession | None:
        """The live session, or None (see :meth:`SessionStore.get`)."""
        if not is_valid_session_id(session_id):
            return None
        key = self._session_key(session_id)
        now = self._now()
        ticket = None
        if self._cache.capacity and self._tracker.sync():  # every invalidation that came
            cached = self._cache.get(session_id)
            # an idle limit reached by a cached last_seen_at may have been pushed back by
            # another process's touch (which also dropped the entry): only Redis can tell
            if cached is not None and self._is_live(cached.created_at, cached.last_seen_at, now):
                if not self._needs_touch(cached.last_seen_at, now):
                    return cached
            ticket = self._cache.begin_fill(session_id)
        with self._guard():
            session = self._load(key, session_id, self._client)
            if session is None:
                return None
            if ticket is not None:
                self._cache.fill(session_id, session, ticket)
            now = self._now()
            if self._needs_touch(session.last_seen_at, now):
                ttl = _ms(self._expires_at(session.created_at, now) - now)
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
            for _attempt in range(_MAX_UPDATE_ATTEMPTS):
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
                    pipe.pexpire(key, _ms(self._expires_at(session.created_at, now) - now))
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
        value = repr(self._now() + ttl).encode() + b"\n" + as_payload(payload)
        with self._guard():
            self._client.set(self._transient_key(key), value, px=_ms(ttl))

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
        expires_at, payload = _split_transient(raw)
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
            for raw_key in self._client.scan_iter(match=f"{self._prefix}session:*", count=500):
                try:
                    raw = self._client.hgetall(raw_key)
                except self._errors.ResponseError as exc:
                    if not self._is_wrong_type(exc):
                        raise
                    raw = {b"": b""}
                session = self._parse("", raw) if raw else None
                if session is None or not self._is_live(
                    session.created_at, session.last_seen_at, now
                ):
                    removed += int(self._client.delete(raw_key))
            for raw_key in self._client.scan_iter(match=f"{self._prefix}transient:*", count=500):
                try:
                    expires_at, _payload = _split_transient(self._client.get(raw_key))
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
        self._release_script = client.register_script(_RELEASE)

    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        with self._guard():
            return bool(self._client.set(self._prefix + key, token, nx=True, px=_ms(ttl)))

    def _release(self, key: str, token: str) -> None:
        with self._guard():
            self._release_script(keys=[self._prefix + key], args=[token])
