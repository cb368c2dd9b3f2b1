"""SQLite session store: one file, safe for many threads and processes on one host.

The database runs in WAL mode with a busy timeout. Every write is one ``BEGIN IMMEDIATE``
transaction, so readers never see half-written state and concurrent writers (gunicorn
workers, or two services sharing the file) queue instead of corrupting each other. Each
thread gets its own connection; connections are never shared between threads or carried
across ``fork``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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
    stored_payload,
)

__all__ = ["SQLiteSessionStore"]

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
"""

# A value is expired when its deadline has passed or is not a number at all (corrupt row).
_EXPIRED = "(expires_at <= ? OR typeof(expires_at) NOT IN ('real', 'integer'))"
_SESSION_EXPIRED_OR_CORRUPT = (
    "(expires_at <= ? OR typeof(expires_at) NOT IN ('real', 'integer')"
    " OR typeof(created_at) NOT IN ('real', 'integer')"
    " OR typeof(last_seen_at) NOT IN ('real', 'integer'))"
)


class SQLiteSessionStore(SessionStore):
    """Session store in a local SQLite file (WAL mode, created with mode 0600)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        idle_timeout: float,
        absolute_timeout: float,
        clock: Clock = time.time,
        touch_interval: float | None = None,
        busy_timeout: float = 5.0,
        cleanup_interval: float = 300.0,
    ) -> None:
        super().__init__(
            idle_timeout=idle_timeout,
            absolute_timeout=absolute_timeout,
            clock=clock,
            touch_interval=touch_interval,
        )
        if not (isinstance(busy_timeout, int | float) and math.isfinite(busy_timeout)):
            raise ConfigurationError("busy_timeout must be a number of seconds")
        if busy_timeout <= 0:
            raise ConfigurationError("busy_timeout must be positive")
        self.path = Path(path)
        if str(path) in ("", ":memory:") or str(path).startswith("file:"):
            raise ConfigurationError(
                "the SQLite session store needs a file path (a shared database, not :memory:)"
            )
        self._busy_timeout = float(busy_timeout)
        self._cleanup_interval = float(cleanup_interval)
        self._last_cleanup = -math.inf
        self._local = threading.local()
        self._registry_lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._pid = os.getpid()
        self._closed = False
        self._create_file()
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        """Switch the file to WAL and create the tables (idempotent, safe to race)."""
        # Several workers opening a new file at once can get "database is locked" here
        # without SQLite's busy handler ever waiting (the switch to WAL needs an exclusive
        # lock), so retry for up to busy_timeout ourselves.
        deadline = time.monotonic() + self._busy_timeout
        with self._guard():
            conn = self._conn()
            while True:
                try:
                    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
                    if mode is not None and str(mode[0]).lower() == "wal":
                        conn.executescript(_SCHEMA)
                        return
                except sqlite3.OperationalError:
                    if time.monotonic() >= deadline:
                        raise
                else:
                    if time.monotonic() >= deadline:
                        raise SessionStoreUnavailableError(
                            "the session database could not switch to WAL mode"
                        )
                time.sleep(0.005 + secrets.randbelow(20) / 1000)

    # -- connections --------------------------------------------------------------------

    def _create_file(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create it ourselves so the mode is 0600 from the first byte; SQLite gives
            # the -wal and -shm files the same mode as the database file.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the session database {self.path}: {exc.strerror}"
            ) from None
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                log.warning(
                    "session database %s is accessible to other users (mode %o); use 0600",
                    self.path,
                    mode,
                )

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, replaced after a fork)."""
        if self._closed:
            raise SessionStoreUnavailableError("the session store is closed")
        if os.getpid() != self._pid:
            # Connections inherited through fork must not be used (nor closed) here, and
            # the inherited registry lock may have been held by a thread that did not fork.
            self._registry_lock = threading.Lock()
            self._connections = {}
            self._local = threading.local()
            self._pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # only so close() may close it from another thread
        )
        conn.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
        conn.execute("PRAGMA foreign_keys=ON")
        self._local.conn = conn
        with self._registry_lock:
            self._prune_dead_threads()
            self._connections[threading.get_ident()] = conn
        return conn

    def _prune_dead_threads(self) -> None:
        alive = {thread.ident for thread in threading.enumerate()}
        for ident in [ident for ident in self._connections if ident not in alive]:
            with contextlib.suppress(sqlite3.Error):
                self._connections.pop(ident).close()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite failures (locked too long, I/O errors, not a database) into 503s."""
        try:
            yield
        except sqlite3.Error as exc:
            log.error("session store (sqlite) failed: %s", type(exc).__name__)
            raise SessionStoreUnavailableError("the session store is unavailable") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (taken up front, so it cannot deadlock on upgrade)."""
        with self._guard():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

    # -- sessions -----------------------------------------------------------------------

    def create(self, payload: bytes) -> StoredSession:
        """Store ``payload`` under a new random id and return the new session."""
        payload = as_payload(payload)
        self._maybe_cleanup()
        now = self._now()
        expires_at = self._expires_at(now, now)
        while True:
            session_id = new_session_id()
            with self._write() as conn:
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
        with self._guard():
            conn = self._conn()
            session = self._read(conn, session_id)
            if session is None:
                return None
            now = self._now()
            if self._needs_touch(session.last_seen_at, now):
                # One statement, so it is atomic on its own and never overwrites data.
                conn.execute(
                    "UPDATE sessions SET last_seen_at = ?, expires_at = ? "
                    "WHERE id = ? AND last_seen_at < ?",
                    (now, self._expires_at(session.created_at, now), session_id, now),
                )
                return dataclasses.replace(session, last_seen_at=now)
            return session

    def update(self, session_id: str, fn: UpdateFn) -> StoredSession | None:
        """Atomic read-modify-write (see :meth:`SessionStore.update`)."""
        if not is_valid_session_id(session_id):
            return None
        with self._write() as conn:
            session = self._read(conn, session_id)
            if session is None:
                return None
            payload = apply_update(fn, session.payload)
            now = max(self._now(), session.last_seen_at)
            conn.execute(
                "UPDATE sessions SET data = ?, last_seen_at = ?, expires_at = ? WHERE id = ?",
                (payload, now, self._expires_at(session.created_at, now), session_id),
            )
        return StoredSession(session_id, payload, session.created_at, now)

    def delete(self, session_id: str) -> None:
        """Remove a session (no error if it does not exist)."""
        if not is_valid_session_id(session_id):
            return
        with self._guard():
            self._conn().execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- transient values ---------------------------------------------------------------

    def put_transient(self, key: str, payload: bytes, ttl: float) -> None:
        """Store a single-use payload for ``ttl`` seconds (replacing one under the same key)."""
        require_key(key)
        require_ttl(ttl)
        payload = as_payload(payload)
        self._maybe_cleanup()
        with self._guard():
            self._conn().execute(
                "INSERT OR REPLACE INTO transients (key, value, expires_at) VALUES (?, ?, ?)",
                (key, payload, self._now() + ttl),
            )

    def pop_transient(self, key: str) -> bytes | None:
        """Atomically fetch and delete a transient payload (exactly one caller gets it)."""
        if not is_valid_key(key):
            return None
        with self._guard():
            row = (
                self._conn()
                .execute("DELETE FROM transients WHERE key = ? RETURNING value, expires_at", (key,))
                .fetchone()
            )
        if row is None:
            return None
        expires_at = as_timestamp(row[1])
        if expires_at is None or expires_at <= self._now():
            return None
        return stored_payload(row[0])

    # -- locks --------------------------------------------------------------------------

    def _try_acquire(self, key: str, token: str, ttl: float) -> bool:
        # Lock deadlines use the real wall clock (shared by all processes), not the
        # injectable clock: they protect against crashed holders, not session expiry.
        now = time.time()
        with self._write() as conn:
            conn.execute(f"DELETE FROM locks WHERE key = ? AND {_EXPIRED}", (key, now))  # noqa: S608
            inserted = conn.execute(
                "INSERT OR IGNORE INTO locks (key, token, expires_at) VALUES (?, ?, ?)",
                (key, token, now + ttl),
            ).rowcount
        return inserted == 1

    def _release(self, key: str, token: str) -> None:
        with self._guard():
            self._conn().execute("DELETE FROM locks WHERE key = ? AND token = ?", (key, token))

    # -- housekeeping -------------------------------------------------------------------

    def cleanup(self) -> int:
        """Delete expired sessions, transient values and stale locks; returns the count."""
        now = self._now()
        self._last_cleanup = now
        with self._write() as conn:
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
        with self._registry_lock:
            self._closed = True
            if os.getpid() == self._pid:
                for conn in self._connections.values():
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
            self._connections = {}
            self._local = threading.local()
