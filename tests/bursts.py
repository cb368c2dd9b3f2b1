"""Things done at the same moment: the way to make workers race (updates of one session,
refresh under a lock, one revocation check for many requests), in threads or processes."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import httpx

T = TypeVar("T")


def together(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every one of ``calls`` in its own thread, released together by a barrier; their
    results in the order of ``calls`` (an exception in one is raised here)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def at_once(count: int, call: Callable[[], T]) -> list[T]:
    """``call`` in ``count`` threads at the same moment; their results."""
    return together([call] * count)


def get_together(
    urls: Sequence[str],
    *,
    cookies: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[httpx.Response]:
    """GET every one of ``urls`` at the same moment (a connection each, opened before);
    the responses, in the order of ``urls``."""
    clients = [httpx.Client(cookies=dict(cookies or {}), headers=headers, timeout=30) for _ in urls]
    try:
        return together([partial(c.get, url) for c, url in zip(clients, urls, strict=True)])
    finally:
        for client in clients:
            client.close()


def burst(
    urls: Sequence[str],
    *,
    cookies: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[int]:
    """The statuses of :func:`get_together`."""
    return [r.status_code for r in get_together(urls, cookies=cookies, headers=headers)]


def in_processes(count: int, target: Callable[..., object], *args: object) -> None:
    """Run ``target(*args)`` in ``count`` spawned processes side by side (``target`` lives in an
    importable module); each must exit 0 within 90 s."""
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=target, args=args) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
        assert worker.exitcode == 0
