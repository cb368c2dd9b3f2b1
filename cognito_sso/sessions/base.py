"""The session store interface shared by every backend.

The browser's session cookie carries only a random session id; everything else lives in a
:class:`SessionStore`. A session ends when it has been idle for ``idle_timeout`` seconds or
has existed for ``absolute_timeout`` seconds, whichever comes first.

Nothing in this package ever logs session data or session ids.
"""

from __future__ import annotations

import logging
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Required, TypedDict

from cognito_sso.errors import CognitoSSOError, ConfigurationError
from cognito_sso.random_token import random_token

if TYPE_CHECKING:
    from cognito_sso.sessions.locks import StoreLocks

__all__ = [
    "Clock",
    "ExpiryRules",
    "ExpirySettings",
    "SessionStore",
    "SessionStoreUnavailableError",
    "StoredSession",
    "UpdateFn",
    "is_valid_key",
    "is_valid_session_id",
    "new_session_id",
]

Clock = Callable[[], float]
"""Returns the current time in epoch seconds (``time.time`` unless a test injects one)."""

UpdateFn = Callable[[bytes], bytes]
"""Read-modify-write callback: the stored payload in, the new payload out."""

_log = logging.getLogger(__name__)

_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32,128}")
_KEY = re.compile(r"[A-Za-z0-9_.:~-]{1,200}")


class SessionStoreUnavailableError(CognitoSSOError):
    """The session store cannot be reached or did not answer in time (the app answers 503)."""


@dataclass(frozen=True)
class StoredSession:
    """One stored session as the store sees it: an opaque id, the payload bytes (a
    :class:`~cognito_sso.sessions.record.Session` as JSON; the store never looks inside)
    and the store's own timestamps.

    ``repr`` shows neither the id nor the payload (tokens live there): a session that ends
    up in a log line or an error report's local variables leaks nothing.
    """

    id: str = field(repr=False)
    payload: bytes = field(repr=False)
    created_at: float
    last_seen_at: float


def new_session_id() -> str:
    """A fresh random session id (256 bits, URL-safe)."""
    return random_token()


def is_valid_session_id(value: object) -> bool:
    """True if ``value`` looks like an id this package issued (charset and length only)."""
    return isinstance(value, str) and _SESSION_ID.fullmatch(value) is not None


def is_valid_key(value: object) -> bool:
    """True if ``value`` is acceptable as a lock or transient key."""
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def require_key(key: str) -> None:
    """Raise ValueError for a lock/transient key outside the accepted charset and length."""
    if not is_valid_key(key):
        raise ValueError("store keys must be 1-200 characters of [A-Za-z0-9_.:~-]")


def require_ttl(ttl: float) -> None:
    """Raise ValueError unless ``ttl`` is a positive, finite number of seconds."""
    if isinstance(ttl, bool) or not (
        isinstance(ttl, int | float) and math.isfinite(ttl) and ttl > 0
    ):
        raise ValueError("ttl must be a positive number of seconds")


def as_payload(value: object) -> bytes:
    """A payload as given to a store (bytes, or str as UTF-8); TypeError for anything else."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise TypeError("store payloads are bytes")


def stored_payload(value: object) -> bytes | None:
    """A payload read back from a backend (bytes, or text written by older versions)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return None


def apply_update(fn: UpdateFn, payload: bytes) -> bytes:
    """Run an update callback on a stored payload and check what it returns."""
    return as_payload(fn(payload))


def as_timestamp(value: object) -> float | None:
    """A stored timestamp as a finite float, or None if it is missing or corrupt."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def positive_seconds(name: str, value: float) -> float:
    """``value`` as a float; ConfigurationError unless it is a positive, finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name} must be a number of seconds")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive, finite number of seconds")
    return float(value)


class ExpirySettings(TypedDict, total=False):
    """The keyword arguments of :class:`ExpiryRules`, which every store takes and passes on."""

    idle_timeout: Required[float]
    absolute_timeout: Required[float]
    clock: Clock
    touch_interval: float | None


class ExpiryRules:
    """The expiry rules every backend (sync or async) applies: a session ends after
    ``idle_timeout`` seconds without activity or ``absolute_timeout`` seconds after it began;
    activity is written at most once per ``touch_interval``."""

    def __init__(
        self,
        *,
        idle_timeout: float,
        absolute_timeout: float,
        clock: Clock = time.time,
        touch_interval: float | None = None,
    ) -> None:
        self.idle_timeout = positive_seconds("idle_timeout", idle_timeout)
        self.absolute_timeout = positive_seconds("absolute_timeout", absolute_timeout)
        if touch_interval is None:
            touch_interval = min(60.0, self.idle_timeout / 10)
        elif isinstance(touch_interval, bool) or not isinstance(touch_interval, int | float):
            raise ConfigurationError("touch_interval must be a number of seconds")
        if not 0 <= touch_interval < self.idle_timeout:
            raise ConfigurationError("touch_interval must be >= 0 and below idle_timeout")
        self.touch_interval = float(touch_interval)
        self._clock = clock

    @property
    def expiry_settings(self) -> ExpirySettings:
        """The settings these rules were made from (to make the same rules elsewhere)."""
        return ExpirySettings(
            idle_timeout=self.idle_timeout,
            absolute_timeout=self.absolute_timeout,
            clock=self._clock,
            touch_interval=self.touch_interval,
        )

    # -- expiry rules shared by the backends ---------------------------------------------

    def _now(self) -> float:
        return float(self._clock())

    def _is_live(self, created_at: float, last_seen_at: float, now: float) -> bool:
        """True while the session is neither idle- nor absolute-expired."""
        return now - last_seen_at < self.idle_timeout and now - created_at < self.absolute_timeout

    def _expires_at(self, created_at: float, last_seen_at: float) -> float:
        """The moment the session expires if nothing touches it."""
        return min(last_seen_at + self.idle_timeout, created_at + self.absolute_timeout)

    def _needs_touch(self, last_seen_at: float, now: float) -> bool:
        return now - last_seen_at >= self.touch_interval

    def _servable(self, session: StoredSession, now: float) -> bool:
        """A copy of ``session`` (from a process-local cache) may be served at ``now``: it is
        live and no touch is due. (An idle limit reached by a cached ``last_seen_at`` may have
        been pushed back by another process's touch, which also dropped the entry: only the
        store can tell.)"""
        return (  # touch_interval < idle_timeout: no touch due implies not idle
            now - session.last_seen_at < self.touch_interval
            and now - session.created_at < self.absolute_timeout
        )


class SessionStore(ExpiryRules, ABC):
    """Server-side session storage with idle/absolute expiry and single-use values.

    Every method may raise :class:`SessionStoreUnavailableError` when the backend is down.
    Methods are safe to call from several threads; backends are also safe across processes.
    Each backend also provides :attr:`locks` over the same connection.
    """

    locks: StoreLocks
    """Locks shared by every process that uses this store."""

    # -- the interface ------------------------------------------------------------------

    @abstractmethod
    def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""

    @abstractmethod
    def get(self, session_id: str) -> StoredSession | None:
        """The live session, or None if unknown, expired or its row is corrupt.

        Counts as activity: ``last_seen_at`` moves forward (at most once per
        ``touch_interval`` to spare writes).
        """

    @abstractmethod
    def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        """Atomic read-modify-write of a live session's payload; None if it is gone.

        ``fn`` receives the stored payload and returns the new one; an exception from it
        leaves the session unchanged. It runs inside the store's write transaction (and may
        run again on a conflict), so it must be quick and must not do I/O. A session deleted
        or expired meanwhile is never brought back.
        """

    @abstractmethod
    def delete(self, session_id: str) -> None:
        """Remove a session (no error if it does not exist)."""

    @abstractmethod
    def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        """Store a single-use payload (e.g. a login transaction) for ``ttl`` seconds."""

    @abstractmethod
    def pop_transient(self, key: str) -> bytes | None:
        """Atomically fetch and delete a transient payload; None if absent or expired."""

    @abstractmethod
    def cleanup(self) -> int:
        """Delete expired sessions and transient values; returns how many were removed."""

    @abstractmethod
    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
