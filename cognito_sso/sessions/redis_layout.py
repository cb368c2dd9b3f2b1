"""What the Redis session stores share, sync (:mod:`cognito_sso.sessions.redis`) and async
(:mod:`cognito_sso.sessions.redis_async`), so a Flask worker and a FastAPI worker on one
Redis read and write the same records and honour the same locks:

- the key layout: ``{prefix}session:{id}`` (a hash with the payload ``d``, ``created_at``
  ``c`` and ``last_seen_at`` ``l``), ``{prefix}transient:{key}`` (the expiry time, a
  newline, then the payload) and ``{prefix}lock:{key}`` (the holder's token);
- the Lua scripts (create only if new, touch forward only, release only by the holder);
- reading stored values back, the checked settings and client options, and the guard that
  turns Redis failures into :class:`SessionStoreUnavailableError`.

Nothing here imports ``redis``: the caller passes the module it imported.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions.base import (
    ExpiryRules,
    SessionStoreUnavailableError,
    StoredSession,
    as_timestamp,
)
from cognito_sso.sessions.cache import SessionCache
from cognito_sso.sessions.redis_tracking import InvalidationTracker

__all__ = [
    "CREATE",
    "MAX_UPDATE_ATTEMPTS",
    "RELEASE",
    "TOUCH",
    "RedisKeys",
    "client_options",
    "connect",
    "import_redis",
    "is_wrong_type",
    "loaded_session",
    "ms",
    "parse_session",
    "redis_guard",
    "redis_url",
    "session_tracker",
    "split_transient",
    "sync_client",
    "transient_value",
]

log = logging.getLogger(__name__)

_PREFIX: Final = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
MAX_UPDATE_ATTEMPTS: Final = 50

# Creates the hash only if the id is new (a collision is astronomically unlikely, but cheap
# to rule out).
CREATE: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', ARGV[2], 'l', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# Moves last_seen_at forward only, and never recreates a deleted session.
TOUCH: Final = """
local seen = tonumber(redis.call('HGET', KEYS[1], 'l'))
if not seen or seen >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# Deletes the lock only for the token that holds it.
RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class RedisKeys:
    """The key names under one prefix (checked: up to 64 characters of [A-Za-z0-9_.:-])."""

    prefix: str

    def __post_init__(self) -> None:
        if not isinstance(self.prefix, str) or not _PREFIX.fullmatch(self.prefix):
            raise ConfigurationError("key_prefix must be up to 64 characters of [A-Za-z0-9_.:-]")

    def session(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}"

    def transient(self, key: str) -> str:
        return f"{self.prefix}transient:{key}"

    @property
    def locks(self) -> str:
        """The prefix of lock keys."""
        return f"{self.prefix}lock:"


def import_redis(module: str = "redis") -> Any:
    """The ``redis`` package (or one of its modules), or a ConfigurationError naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigurationError(
            "a redis:// session store needs the 'redis' package: pip install 'cognito-sso[redis]'"
        ) from None


def redis_url(url: str) -> str:
    """``url`` checked to be ``redis://`` or ``rediss://`` (the scheme lower-cased)."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in ("redis", "rediss"):
        raise ConfigurationError("a Redis session store URL starts with redis:// or rediss://")
    return f"{scheme.lower()}://{rest}"


def client_options(redis: Any, retry_class: Any, socket_timeout: float) -> dict[str, Any]:
    """``Redis.from_url`` options: bounded socket timeouts and one immediate retry, on
    connection errors only (enough to replace a pooled connection that died when Redis
    restarted, while a hung server still costs a single socket timeout)."""
    if not (
        isinstance(socket_timeout, int | float)
        and not isinstance(socket_timeout, bool)
        and math.isfinite(socket_timeout)
        and socket_timeout > 0
    ):
        raise ConfigurationError("socket_timeout must be a positive number of seconds")
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "retry": retry_class(
            redis.backoff.NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)
        ),
        "decode_responses": False,
    }


def connect(client_class: Any, url: str, options: Mapping[str, Any]) -> Any:
    """``client_class.from_url`` for ``url`` (checked); a URL redis-py cannot parse is a
    ConfigurationError naming only its kind (the URL may hold a password)."""
    try:
        return client_class.from_url(redis_url(url), **options)
    except ValueError as exc:
        raise ConfigurationError(f"invalid Redis URL: {type(exc).__name__}") from None


def sync_client(redis: Any, url: str, socket_timeout: float) -> Any:
    """A blocking ``redis.Redis`` for ``url`` with :func:`client_options`."""
    return connect(redis.Redis, url, client_options(redis, redis.retry.Retry, socket_timeout))


def session_tracker(
    redis: Any, client: Any, keys: RedisKeys, cache: SessionCache[StoredSession]
) -> InvalidationTracker:
    """The tracker that keeps ``cache`` true for the sessions under ``keys`` (over a blocking
    ``client``'s connection pool)."""
    return InvalidationTracker(
        client, keys.session(""), cache, errors=(redis.exceptions.RedisError,)
    )


@contextlib.contextmanager
def redis_guard(errors: Any) -> Iterator[None]:
    """Turn Redis failures (down, timeout, loading, read-only...) into 503s (a WatchError
    passes: the caller retries its transaction)."""
    try:
        yield
    except errors.RedisError as exc:
        if isinstance(exc, errors.WatchError):
            raise
        # The exception text may echo a command; log only its type.
        log.error("session store (redis) failed: %s", type(exc).__name__)
        raise SessionStoreUnavailableError("the session store is unavailable") from exc


def is_wrong_type(errors: Any, exc: Exception) -> bool:
    """A key of another type where a session or transient value should be."""
    return isinstance(exc, errors.ResponseError) and str(exc).startswith("WRONGTYPE")


def parse_session(session_id: str, raw: Mapping[Any, Any]) -> StoredSession | None:
    """A session from a stored hash, or None if fields are missing or corrupt."""
    payload = raw.get(b"d")
    created_at, last_seen_at = as_timestamp(raw.get(b"c")), as_timestamp(raw.get(b"l"))
    if not isinstance(payload, bytes) or created_at is None or last_seen_at is None:
        return None
    return StoredSession(session_id, payload, created_at, last_seen_at)


def loaded_session(
    rules: ExpiryRules, session_id: str, raw: Mapping[Any, Any]
) -> tuple[StoredSession | None, bool]:
    """The live session of a stored hash (``raw`` empty: no such key), and whether its key
    must go (corrupt, or expired before Redis's own expiry reached it)."""
    if not raw:
        return None, False
    session = parse_session(session_id, raw)
    if session is None:
        log.warning("discarding a corrupt session record")
        return None, True
    if not rules._is_live(session.created_at, session.last_seen_at, rules._now()):
        return None, True
    return session, False


def transient_value(expires_at: float, payload: bytes) -> bytes:
    """A stored transient value: its expiry time, a newline, the payload."""
    return repr(expires_at).encode() + b"\n" + payload


def split_transient(raw: object) -> tuple[float | None, bytes]:
    """(expiry, payload) of a stored transient value; expiry None when it is corrupt."""
    if not isinstance(raw, bytes):
        return None, b""
    expires_at, separator, payload = raw.partition(b"\n")
    return (as_timestamp(expires_at) if separator else None), payload


def ms(seconds: float) -> int:
    """Seconds to whole milliseconds for PX/PEXPIRE (at least 1)."""
    return max(1, math.ceil(seconds * 1000))
