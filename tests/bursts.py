"""Simultaneous requests: the way to make workers race (refresh under a lock, one revocation
check for many requests)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx


def burst(
    urls: Sequence[str],
    *,
    cookies: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[int]:
    """GET every one of ``urls`` at the same moment (one thread and connection each, released
    together by a barrier); their statuses, in the order of ``urls``."""
    barrier = threading.Barrier(len(urls))

    def call(url: str) -> int:
        with httpx.Client(cookies=dict(cookies or {}), headers=headers, timeout=30) as http:
            barrier.wait()
            return http.get(url).status_code

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(call, urls))
