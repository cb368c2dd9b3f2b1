"""SQLite-only behaviour: file safety, WAL, sharing one file, faults of the database itself."""

from __future__ import annotations

import _thread
import ctypes
import multiprocessing
import os
import signal
import sqlite3
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from cognito_sso.errors import ConfigurationError
from cognito_sso.sessions import SessionStoreUnavailableError, SQLiteSessionStore
from tests.bursts import in_processes
from tests.sessions.conftest import IDLE, FakeClock, P


def _open(path: Path, **options: object) -> SQLiteSessionStore:
    return SQLiteSessionStore(path, idle_timeout=IDLE, absolute_timeout=3600, **options)  # type: ignore[arg-type]


def test_file_is_private_and_parent_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "sessions.db"
    store = _open(path)
    store.create(P({"a": 1}))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    store.close()


def test_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _open(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_stores_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    billing, reports = _open(path), _open(path)
    session = billing.create(P({"app": "billing"}))
    loaded = reports.get(session.id)
    assert loaded is not None and loaded.payload == P({"app": "billing"})
    with (
        billing.locks.lock("shared-lock", wait=0) as first,
        reports.locks.lock("shared-lock", wait=0) as second,
    ):
        assert (first, second) == (True, False)
    billing.close()
    reports.close()


def test_sessions_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = _open(path)
    session = store.create(P({"a": 1}))
    store.close()
    reopened = _open(path)
    loaded = reopened.get(session.id)
    assert loaded is not None and loaded.payload == P({"a": 1})
    reopened.close()


def test_each_thread_uses_its_own_connection(tmp_path: Path) -> None:
    store = _open(tmp_path / "sessions.db")
    seen: list[int] = []

    def remember() -> None:
        seen.append(id(store._db.conn()))

    threads = [threading.Thread(target=remember) for _ in range(3)]
    for thread in threads:
        thread.start()
        thread.join()  # one after the other: ids of live objects cannot be reused
    main = id(store._db.conn())
    assert main not in seen
    store.close()


def test_a_thread_started_outside_threading_keeps_its_connection(tmp_path: Path) -> None:
    """Servers that start threads in C (uWSGI, mod_wsgi) run requests on threads that
    ``threading.enumerate()`` does not list: another thread opening its connection must not
    close theirs (every later request on that thread would be a 503)."""
    store = _open(tmp_path / "sessions.db")
    session = store.create(P({"a": 1}))
    opened, other_opened, done = threading.Event(), threading.Event(), threading.Event()
    results: list[object] = []

    def serve() -> None:  # like a server's thread: opens, waits for another, reads again
        try:
            results.append(store.get(session.id))
            opened.set()
            other_opened.wait(10)
            results.append(store.get(session.id))
        except Exception as exc:  # noqa: BLE001 (shown by the assertion below)
            results.append(exc)
        finally:
            opened.set()
            done.set()

    _thread.start_new_thread(serve, ())
    assert opened.wait(10)
    other = threading.Thread(target=lambda: store.get(session.id))
    other.start()
    other.join()
    other_opened.set()
    assert done.wait(10)

    assert len(results) == 2 and all(getattr(r, "id", None) == session.id for r in results), results
    store.close()


def test_the_connection_of_an_ended_thread_is_closed(tmp_path: Path) -> None:
    store = _open(tmp_path / "sessions.db")
    opened: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: opened.append(store._db.conn()))
    thread.start()
    thread.join()

    next_thread = threading.Thread(target=store._db.conn)  # opening one closes ended ones
    next_thread.start()
    next_thread.join()

    with pytest.raises(sqlite3.ProgrammingError):
        opened[0].execute("SELECT 1")
    store.close()


def test_usable_after_fork(tmp_path: Path) -> None:
    store = _open(tmp_path / "sessions.db")
    session = store.create(P({"from": "parent"}))
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        loaded = store.get(session.id)
        queue.put(None if loaded is None else loaded.payload)
        store.create(P({"from": "child"}))

    process = ctx.Process(target=child)
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert queue.get(timeout=10) == P({"from": "parent"})
    assert store.get(session.id) is not None  # the parent's connection still works
    store.close()


def test_a_child_forked_in_c_opens_its_own_connection(tmp_path: Path) -> None:
    """uWSGI forks its workers in C by default, so Python's fork hooks never run in them:
    the child must still not use the connection the parent opened before the fork."""
    store = _open(tmp_path / "sessions.db")
    session = store.create(P({"from": "parent"}))
    parent_conn = store._db.conn()
    read_end, write_end = os.pipe()
    pid = ctypes.CDLL(None, use_errno=True).fork()
    if pid == 0:  # the child: no Python after-fork handlers ran
        try:
            loaded = store.get(session.id)  # the hot read path first
            own = store._db.cursor().connection is not parent_conn
            own = own and store._db.conn() is not parent_conn
            ok = own and loaded is not None and loaded.payload == P({"from": "parent"})
            os.write(write_end, b"ok" if ok else b"shared")
        finally:
            os._exit(0)
    assert pid > 0
    os.close(write_end)
    deadline = time.monotonic() + 30
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    assert os.read(read_end, 16) == b"ok"
    os.close(read_end)
    assert store.get(session.id) is not None  # the parent's connection still works
    store.close()


def test_threads_of_a_forked_child_starting_at_once_keep_their_connections(
    tmp_path: Path,
) -> None:
    """A worker forked with several threads (uWSGI's --processes with --threads) may serve
    its first requests on all of them at once: each thread keeps the connection it opened,
    however their first calls interleave (a few children, as the interleaving varies)."""
    store = _open(tmp_path / "sessions.db")
    session = store.create(P({"from": "parent"}))
    threads = 8
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        sys.setswitchinterval(1e-6)  # switch threads as often as possible
        # with a timeout: a thread that fails breaks the barriers instead of hanging the child
        start, opened = (threading.Barrier(threads, timeout=10) for _ in range(2))
        kept: list[bool] = []

        def serve() -> None:
            start.wait()
            conn = store._db.conn()
            found = store.get(session.id) is not None
            opened.wait()  # every thread has opened its connection by now
            kept.append(found and store._db.conn() is conn and store.get(session.id) is not None)

        workers = [threading.Thread(target=serve) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        queue.put(kept.count(True))

    for _ in range(10):
        process = ctx.Process(target=child)
        process.start()
        process.join(60)
        assert process.exitcode == 0
        assert queue.get(timeout=10) == threads
    store.close()


def test_a_missing_generation_row_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    """Without its generation row the file cannot say whether a cached session is still
    current: a 503 (SessionStoreUnavailableError), never a TypeError (a 500)."""
    path = tmp_path / "sessions.db"
    store = _open(path)
    session = store.create(P({"a": 1}))
    assert store.get(session.id) is not None
    tamper = sqlite3.connect(path, isolation_level=None)
    tamper.execute("DELETE FROM generation")
    tamper.close()
    with pytest.raises(SessionStoreUnavailableError):
        store.get(session.id)
    store.close()


def test_database_locked_too_long_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = _open(path, busy_timeout=0.2)
    session = store.create(P({"a": 1}))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SessionStoreUnavailableError):
            store.create(P({"b": 2}))
        with pytest.raises(SessionStoreUnavailableError):
            store.update(session.id, lambda raw: P({"a": 2}))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.update(session.id, lambda raw: P({"a": 3})) is not None
    store.close()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 20)
    path.chmod(0o600)
    with pytest.raises(SessionStoreUnavailableError):
        _open(path)


def test_unwritable_location_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigurationError):
        _open(blocker / "sessions.db")


@pytest.mark.parametrize("path", ["", ":memory:", "file::memory:?cache=shared"])
def test_memory_databases_are_refused(path: str) -> None:
    with pytest.raises(ConfigurationError):
        SQLiteSessionStore(path, idle_timeout=10, absolute_timeout=20)


def test_closed_store_is_unavailable(tmp_path: Path) -> None:
    store = _open(tmp_path / "sessions.db")
    store.close()
    with pytest.raises(SessionStoreUnavailableError):
        store.create(P({}))


def test_opportunistic_cleanup(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "sessions.db"
    store = _open(path, clock=clock, cleanup_interval=60)
    old = store.create(P({"old": True}))
    store.put_transient("old-state", P({"a": 1}), ttl=30)
    clock.advance(IDLE + 1)
    store.create(P({"new": True}))  # triggers the periodic cleanup
    with sqlite3.connect(path) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM sessions")]
        transients = conn.execute("SELECT count(*) FROM transients").fetchone()[0]
    assert old.id not in ids and len(ids) == 1
    assert transients == 0
    store.close()


def test_existing_world_readable_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    _open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_workers_opening_a_new_file_at_once(tmp_path: Path) -> None:
    # Several gunicorn workers start together on a file that does not exist yet.
    from tests.sessions import _workers

    path = tmp_path / "fresh" / "sessions.db"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(4)  # released only when all four are ready
    in_processes(4, _workers.open_and_create, str(path), start, 20)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 80
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
