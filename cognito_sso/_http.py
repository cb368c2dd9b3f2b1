"""Small HTTP helpers shared by every cognito_sso module that makes calls."""

from __future__ import annotations

import time

import httpx

__all__ = ["ResponseTooLargeError", "make_http_client", "read_capped"]


class ResponseTooLargeError(Exception):
    """A response body exceeded the caller's size cap (internal; callers translate it)."""


def make_http_client(timeout: float, *, connect_timeout: float | None = None) -> httpx.Client:
    """An httpx client with explicit timeouts that never follows redirects.

    ``timeout`` bounds each read/write/pool wait; ``connect_timeout`` (default: the smaller of
    ``timeout`` and 5 s) bounds the TCP/TLS connect.
    """
    connect = min(timeout, 5.0) if connect_timeout is None else connect_timeout
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect),
        follow_redirects=False,
        headers={"User-Agent": "cognito-sso"},
    )


def read_capped(response: httpx.Response, max_bytes: int, *, deadline: float) -> bytes:
    """Read a streamed response body, refusing more than ``max_bytes`` or reading past
    ``deadline`` (a ``time.monotonic()`` value; a slow drip would otherwise dodge the read
    timeout, which applies per chunk).

    Raises :class:`ResponseTooLargeError` or :class:`httpx.TimeoutException`.
    """
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLargeError(f"declared body of {declared} bytes exceeds {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLargeError(f"body exceeds {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("response body not received in time")
        chunks.append(chunk)
    return b"".join(chunks)
