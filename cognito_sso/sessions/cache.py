"""A process-local, bounded cache of stored sessions, invalidated exactly by its store.

The store decides when an entry is still true (SQLite: a generation counter its triggers
bump; Redis: invalidation messages pushed by the server); this class only keeps entries
and makes the one race of every read-through cache impossible: a reader that fetched a
session *before* another process changed it must not put that old copy into the cache
*after* the invalidation went by. :meth:`begin_fill` hands out a ticket, :meth:`invalidate`
and :meth:`clear` void the tickets they pass, and :meth:`fill` stores only with a live one.

A disabled cache (``enabled`` False: the store cannot currently learn of changes) holds
nothing and stores nothing. Thread-safe; no I/O.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["DerivedCache", "SessionCache"]

S = TypeVar("S")
V = TypeVar("V")

DEFAULT_CAPACITY = 4096


class SessionCache(Generic[V]):
    """Session id -> value, at most ``capacity`` entries (the oldest go first)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            raise ValueError("the session cache capacity is a number of entries (>= 0)")
        self.capacity = capacity
        self._entries: dict[str, V] = {}
        self._tickets: dict[str, object] = {}
        self._lock = threading.Lock()
        self._enabled = capacity > 0

    @property
    def enabled(self) -> bool:
        """Whether entries are kept at all."""
        return self._enabled

    def get(self, session_id: str) -> V | None:
        """The cached value, or None."""
        return self._entries.get(session_id)

    def begin_fill(self, session_id: str) -> object:
        """A ticket to take *before* reading ``session_id`` from the store."""
        ticket = object()
        with self._lock:
            if self._enabled:
                self._tickets[session_id] = ticket
                if len(self._tickets) > 4 * self.capacity:  # readers that never filled
                    del self._tickets[next(iter(self._tickets))]
        return ticket

    def fill(self, session_id: str, value: V, ticket: object) -> None:
        """Keep ``value`` unless ``session_id`` was invalidated since ``ticket`` was taken."""
        with self._lock:
            if self._tickets.get(session_id) is not ticket:
                return
            del self._tickets[session_id]
            self._store(session_id, value)

    def put(self, session_id: str, value: V) -> None:
        """Keep ``value`` unconditionally: for values checked against the store on every use
        (a decoded payload kept beside the payload it came from)."""
        with self._lock:
            if self._enabled:
                self._store(session_id, value)

    def replace(self, session_id: str, value: V) -> None:
        """Swap an entry that is still cached for an equivalent newer copy (a touch)."""
        with self._lock:
            if session_id in self._entries:
                self._entries[session_id] = value

    def _store(self, session_id: str, value: V) -> None:
        self._entries.pop(session_id, None)  # re-inserted last: the newest entry
        self._entries[session_id] = value
        while len(self._entries) > self.capacity:
            del self._entries[next(iter(self._entries))]

    def invalidate(self, session_id: str) -> None:
        """Forget ``session_id`` (changed or deleted) and void its pending ticket."""
        with self._lock:
            self._entries.pop(session_id, None)
            self._tickets.pop(session_id, None)

    def clear(self) -> None:
        """Forget everything and void every pending ticket."""
        with self._lock:
            self._entries.clear()
            self._tickets.clear()

    def disable(self) -> None:
        """Clear and keep nothing until :meth:`enable`."""
        with self._lock:
            self._enabled = False
            self._entries.clear()
            self._tickets.clear()

    def enable(self) -> None:
        """Start keeping entries again (empty: what was missed while disabled is unknown)."""
        with self._lock:
            self._entries.clear()
            self._tickets.clear()
            self._enabled = self.capacity > 0

    def __len__(self) -> int:
        return len(self._entries)


class DerivedCache(Generic[S, V]):
    """What is built from a session (its decoded record, its user), built once per version.

    Each key keeps the source its value was built from; :meth:`get` rebuilds when it is
    handed another source (a new payload, a new record) and is otherwise a dictionary
    lookup and an identity check. Nothing here decides freshness: the source does.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._built: SessionCache[tuple[S, V]] = SessionCache(capacity)

    def get(self, key: str, source: S, build: Callable[[S], V]) -> V:
        """``build(source)``, or the value built from an equal ``source`` before."""
        known = self._built.get(key)
        if known is not None and (known[0] is source or known[0] == source):
            return known[1]
        value = build(source)
        self._built.put(key, (source, value))
        return value
