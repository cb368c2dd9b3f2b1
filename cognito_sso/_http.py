"""Small HTTP helpers shared by every cognito_sso module that makes calls or checks URLs."""

from __future__ import annotations

import ipaddress
import time
from urllib.parse import urlsplit

import httpx

from cognito_sso.errors import ConfigurationError

__all__ = [
    "ResponseTooLargeError",
    "is_loopback_url",
    "make_http_client",
    "read_capped",
    "require_https_or_loopback",
]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


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


def _is_loopback_host(host: str) -> bool:
    host = host.lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is loopback: 127.0.0.0/8, ``localhost`` or ``::1``."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and _is_loopback_host(host or "")


def require_https_or_loopback(url: object, what: str) -> None:
    """Raise :class:`ConfigurationError` unless ``url`` is an absolute https URL, or an http
    URL whose host is loopback. ``what`` names the setting in the message."""
    if not isinstance(url, str) or not url:
        raise ConfigurationError(f"{what} must be a non-empty URL string")
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url):
        raise ConfigurationError(f"{what} must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ConfigurationError(f"{what} is not a valid URL: {exc}") from None
    if not host:
        raise ConfigurationError(f"{what} must be an absolute URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(f"{what} must not contain credentials")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _is_loopback_host(host):
        return
    raise ConfigurationError(
        f"{what} must use https:// (http:// is allowed only for loopback hosts: "
        "127.0.0.0/8, localhost, ::1)"
    )
