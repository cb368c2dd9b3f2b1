"""SQLite session store and its locks: one file (:class:`SQLiteFile`), safe for many
threads and processes on one host (gunicorn workers, or several services sharing the file).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import sqlite3
import time
from typing import Unpack

from cognito_sso.sessions.base import (
    ExpirySettings,
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
    stored_payload,
)
from cognito_sso.sessions.cache import DEFAULT_CAPACITY, SessionCache
from cognito_sso.sessions.locks import StoreLocks
from cognito_sso.sessions.sqlite_file import SQLiteFile, unavailable

__all__ = ["SQLiteLocks", "SQLiteSessionStore"]

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen_at REAL NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS transients (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS locks (
    key TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO generation (id, value) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS sessions_data_changed AFTER UPDATE OF data ON sessions
BEGIN UPDATE generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS sessions_deleted AFTER DELETE ON sessions
BEGIN UPDATE generation SET value = value + 1 WHERE id = 1; END;
"""
# ``generation`` moves whenever any process (any writer of the file, whatever its version:
# the triggers live in the file) changes a session's payload or deletes a session. Touches
# (``last_seen_at``) and new sessions leave it alone. A cached session labelled with the
# generation read *before* its row is current while the generation has not moved.
_GENERATION = "SELECT value FROM generation WHERE id = 1"

# A value is expired when its deadline has passed or is not a number at all (corrupt row).
_EXPIRED = "(expires_at <= ? OR typeof(expires_at) NOT IN ('real', 'integer'))"
_SESSION_EXPIRED_OR_CORRUPT = (
    "(expires_at <= ? OR typeof(expires_at) NOT IN ('real', 'integer')"
    " OR typeof(created_at) NOT IN ('real', 'integer')"
    " OR typeof(last_seen_at) NOT IN ('real', 'integer'))"
)


class SQLiteSessionStore(SessionStore):
    """Session store in a local SQLite file (WAL mode, created with mode 0600).

    Sessions read are kept in a process-local cache of ``cache_size`` entries (0: none);
    serving one from it costs one read of the file's generation counter instead of the row.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 5.0,
        cleanup_interval: float = 300.0,
        cache_size: int = DEFAULT_CAPACITY,
        **expiry: Unpack[ExpirySettings],
    ) -> None:
        super().__init__(**expiry)
        self._db = SQLiteFile(path, schema=_SCHEMA, busy_timeout=busy_timeout)
        self.path = self._db.path
        self.locks: SQLiteLocks = SQLiteLocks(self._db)
        self._cleanup_interval = float(cleanup_interval)
        self._last_cleanup = -math.inf
        self._cache: SessionCache[tuple[StoredSession, int]] = SessionCache(cache_size)

    # -- sessions -----------------------------------------------------------------------

    def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""
        payload = as_payload(payload)
        self._maybe_cleanup()
        now = self._now()
        expires_at = self._expires_at(now, now)
        while True:
            session_id = new_session_id()
            with self._db.write() as conn:
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO sessions (id, data, created_at, last_seen_at, "
                    "expires_at) VALUES (?, ?, ?, ?, ?)",
                    (session_id, payload, now, now, expires_at),
                ).rowcount
            if inserted == 1:
                return StoredSession(session_id, payload, now, now)

    def _read(self, conn: sqlite3.Connection, session_id: str) -> StoredSession | None:
        """Load a live session; deletes it (and returns None) if corrupt or expired."""
        row = conn.execute(
            "SELECT data, created_at, last_seen_at FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        payload = stored_payload(row[0])
        created_at, last_seen_at = as_timestamp(row[1]), as_timestamp(row[2])
        if payload is None or created_at is None or last_seen_at is None:
            log.warning("discarding a corrupt session record")
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            return None
        if not self._is_live(created_at, last_seen_at, self._now()):
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            return None
        return StoredSession(session_id, payload, created_at, last_seen_at)

    def get(self, session_id: str) -> StoredSession | None:
        """The live session, or None (see :meth:`SessionStore.get`)."""
        if not is_valid_session_id(session_id):
            return None
        try:  # not ``guard()``: a context manager costs more than a cached read
            cursor = self._db.cursor()
            conn = cursor.connection
            now = self._now()
            if self._cache.enabled:
                row = cursor.execute(_GENERATION).fetchone()
                if row is None:  # the file was tampered with: no cached session is safe
                    raise sqlite3.DatabaseError("the generation row is missing")
                generation: int = row[0]
                cached = self._cache.get(session_id)
                # live and no touch due; else the row decides (``_servable``)
                if (
                    cached is not None
                    and cached[1] == generation
                    and self._servable(cached[0], now)
                ):
                    return cached[0]
                session = self._fill(conn, session_id, generation)
            else:
                generation, session = 0, self._read(conn, session_id)
            if session is None or not self._needs_touch(session.last_seen_at, now):
                return session
            # One statement, so it is atomic on its own and never overwrites data.
            conn.execute(
                "UPDATE sessions SET last_seen_at = ?, expires_at = ? "
                "WHERE id = ? AND last_seen_at < ?",
                (now, self._expires_at(session.created_at, now), session_id, now),
            )
        except sqlite3.Error as exc:
            raise unavailable(exc) from exc
        session = dataclasses.replace(session, last_seen_at=now)
        self._cache.replace(session_id, (session, generation))
        return session

    def _fill(
        self, conn: sqlite3.Connection, session_id: str, generation: int
    ) -> StoredSession | None:
        """The session's row, cached under ``generation`` (read *before* the row, so an
        entry is never newer than its label says: a change committed in between moves the
        generation past it)."""
        session = self._read(conn, session_id)
        if session is None:
            self._cache.invalidate(session_id)
        else:
            self._cache.put(session_id, (session, generation))
        return session

    def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        """Atomic read-modify-write (see :meth:`SessionStore.update`)."""
        if not is_valid_session_id(session_id):
            return None
        with self._db.write() as conn:
            session = self._read(conn, session_id)
            if session is None:
                return None
            payload = apply_update(fn, session.payload)
            now = max(self._now(), session.last_seen_at)
            conn.execute(
                "UPDATE sessions SET data = ?, last_seen_at = ?, expires_at = ? WHERE id = ?",
                (payload, now, self._expires_at(session.created_at, now), session_id),
            )
        self._cache.invalidate(session_id)
        return StoredSession(session_id, payload, session.created_at, now)

    def delete(self, session_id: str) -> None:
        """Remove a session (no error if it does not exist)."""
        if not is_valid_session_id(session_id):
            return
        with self._db.guard():
            self._db.conn().execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self._cache.invalidate(session_id)

    # -- transient values ---------------------------------------------------------------

    def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        """Store a single-use payload for ``ttl`` seconds (replacing one under the same key)."""
        require_key(key)
        require_ttl(ttl)
        payload = as_payload(payload)
        self._maybe_cleanup()
        with self._db.guard():
            self._db.conn().execute(
                "INSERT OR REPLACE INTO transients (key, value, expires_at) VALUES (?, ?, ?)",
                (key, payload, self._now() + ttl),
            )

    def pop_transient(self, key: str) -> bytes | None:
        """Atomically fetch and delete a transient payload (exactly one caller gets it)."""
        if not is_valid_key(key):
            return None
        with self._db.guard():
            row = (
                self._db.conn()
                .execute("DELETE FROM transients WHERE key = ? RETURNING value, expires_at", (key,))
                .fetchone()
            )
        if row is None:
            return None
        expires_at = as_timestamp(row[1])
        if expires_at is None or expires_at <= self._now():
            return None
        return stored_payload(row[0])

    # -- housekeeping -------------------------------------------------------------------

    def cleanup(self) -> int:
        """Delete expired sessions, transient values and stale locks; returns the count."""
        now = self._now()
        self._last_cleanup = now
        with self._db.write() as conn:
            removed = conn.execute(
                f"DELETE FROM sessions WHERE {_SESSION_EXPIRED_OR_CORRUPT}",  # noqa: S608
                (now,),
            ).rowcount
            removed += conn.execute(
                f"DELETE FROM transients WHERE {_EXPIRED}",  # noqa: S608
                (now,),
            ).rowcount
            conn.execute(f"DELETE FROM locks WHERE {_EXPIRED}", (time.time(),))  # noqa: S608
        return removed

    def _maybe_cleanup(self) -> None:
        """Opportunistic cleanup, at most once per ``cleanup_interval`` per store object."""
        if self._now() - self._last_cleanup >= self._cleanup_interval:
            try:
                self.cleanup()
            except SessionStoreUnavailableError:
                log.warning("opportunistic session cleanup failed; will retry later")

    def close(self) -> None:
        """Close every connection this store opened (in this process)."""
        self._cache.disable()
        self._db.close()


class SQLiteLocks(StoreLocks):
    """Locks in the ``locks`` table of the session database (shared by every process that
    opens the file)."""

    def __init__(self, db: SQLiteFile) -> None:
        self._db = db

    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        # Lock deadlines use the real wall clock (shared by all processes), not the
        # injectable clock: they protect against crashed holders, not session expiry.
        now = time.time()
        with self._db.write() as conn:
            conn.execute(f"DELETE FROM locks WHERE key = ? AND {_EXPIRED}", (key, now))  # noqa: S608
            inserted = conn.execute(
                "INSERT OR IGNORE INTO locks (key, token, expires_at) VALUES (?, ?, ?)",
                (key, token, now + ttl),
            ).rowcount
        return inserted == 1

    def _release(self, key: str, token: str) -> None:
        with self._db.guard():
            self._db.conn().execute("DELETE FROM locks WHERE key = ? AND token = ?", (key, token))
