"""Small HTTP helpers shared by every cognito_sso module that makes calls (sync and async)."""

from __future__ import annotations

import time
from typing import Any

import httpx

__all__ = [
    "ResponseTooLargeError",
    "aread_capped",
    "make_async_http_client",
    "make_http_client",
    "read_capped",
]


class ResponseTooLargeError(Exception):
    """A response body exceeded the caller's size cap (internal; callers translate it)."""


def _client_options(timeout: float, connect_timeout: float | None) -> dict[str, Any]:
    connect = min(timeout, 5.0) if connect_timeout is None else connect_timeout
    return {
        "timeout": httpx.Timeout(timeout, connect=connect),
        "follow_redirects": False,
        "headers": {"User-Agent": "cognito-sso"},
    }


def make_http_client(timeout: float, *, connect_timeout: float | None = None) -> httpx.Client:
    """An httpx client with explicit timeouts that never follows redirects.

    ``timeout`` bounds each read/write/pool wait; ``connect_timeout`` (default: the smaller of
    ``timeout`` and 5 s) bounds the TCP/TLS connect.
    """
    return httpx.Client(**_client_options(timeout, connect_timeout))


def make_async_http_client(
    timeout: float, *, connect_timeout: float | None = None
) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` twin of :func:`make_http_client` (same timeouts and rules)."""
    return httpx.AsyncClient(**_client_options(timeout, connect_timeout))


class _CappedBody:
    """Collects a streamed body chunk by chunk, enforcing a size cap and a deadline."""

    def __init__(self, response: httpx.Response, max_bytes: int, deadline: float) -> None:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLargeError(f"declared body of {declared} bytes exceeds {max_bytes}")
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._max_bytes:
            raise ResponseTooLargeError(f"body exceeds {self._max_bytes} bytes")
        if time.monotonic() > self._deadline:
            raise httpx.ReadTimeout("response body not received in time")
        self._chunks.append(chunk)

    def body(self) -> bytes:
        return b"".join(self._chunks)


def read_capped(response: httpx.Response, max_bytes: int, *, deadline: float) -> bytes:
    """Read a streamed response body, refusing more than ``max_bytes`` or reading past
    ``deadline`` (a ``time.monotonic()`` value; a slow drip would otherwise dodge the read
    timeout, which applies per chunk).

    Raises :class:`ResponseTooLargeError` or :class:`httpx.TimeoutException`.
    """
    collected = _CappedBody(response, max_bytes, deadline)
    for chunk in response.iter_bytes():
        collected.add(chunk)
    return collected.body()


async def aread_capped(response: httpx.Response, max_bytes: int, *, deadline: float) -> bytes:
    """:func:`read_capped` for a response streamed by an ``httpx.AsyncClient``."""
    collected = _CappedBody(response, max_bytes, deadline)
    async for chunk in response.aiter_bytes():
        collected.add(chunk)
    return collected.body()
