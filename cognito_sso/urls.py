"""The one home for URL rules: what counts as loopback, which URLs may be plain http, and
which callback/sign-out URLs Cognito accepts, and the origin of a URL.

Two rules, on purpose different:

- our own rule (:func:`is_loopback_host`): ``http://`` is acceptable for endpoints we call
  only when the host is loopback (127.0.0.0/8, ``localhost``, ``::1``);
- Cognito's rule for an app client's callback and sign-out URLs
  (:func:`redirect_url_problem`, reference 5.2): https, except ``http://localhost``,
  ``http://127.0.0.1`` and ``http://[::1]`` exactly (any port); custom schemes allowed.
  ``http://127.0.0.2/`` is loopback to us but refused by Cognito.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

from cognito_sso.errors import ConfigurationError

__all__ = [
    "COGNITO_HTTP_HOSTS",
    "is_loopback_host",
    "is_loopback_url",
    "origin_of",
    "redirect_url_problem",
    "require_https_or_loopback",
]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})

COGNITO_HTTP_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts for which Cognito accepts a plain-http callback or sign-out URL."""

MAX_REDIRECT_URL_LENGTH = 1024


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ``::1`` and ``localhost`` (case-insensitive, trailing dot ok)."""
    host = host.lower().strip("[]")
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
    return bool(host) and is_loopback_host(host or "")


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
    if parts.scheme == "http" and is_loopback_host(host):
        return
    raise ConfigurationError(
        f"{what} must use https:// (http:// is allowed only for loopback hosts: "
        "127.0.0.0/8, localhost, ::1)"
    )


def redirect_url_problem(url: object) -> str | None:
    """Why Cognito refuses ``url`` as a callback or sign-out URL; None when it accepts it.

    Absolute, no fragment, at most 1024 characters; https, except http on
    :data:`COGNITO_HTTP_HOSTS`; other schemes (``myapp://cb``) are allowed.
    """
    if not isinstance(url, str) or not url:
        return "is not a URL"
    if len(url) > MAX_REDIRECT_URL_LENGTH:
        return f"must be at most {MAX_REDIRECT_URL_LENGTH} characters"
    if "#" in url:
        return "must not contain a fragment"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a valid URL"
    if not parts.scheme or not parts.netloc:
        return "is not an absolute URL"
    if parts.scheme == "http" and (host or "") not in COGNITO_HTTP_HOSTS:
        return "must use https (http only for localhost, 127.0.0.1 or [::1])"
    return None


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """The origin of an absolute URL as browsers serialise it in ``Origin``: lower-case
    scheme and host, the port only when it is not the scheme's default."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
