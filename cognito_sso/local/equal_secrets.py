"""Comparing secrets (client secrets, hashes, CSRF tokens) in constant time."""

from __future__ import annotations

import hmac


def equal_secrets(given: object, expected: str) -> bool:
    """Constant-time check that ``given`` equals ``expected``.

    Compares UTF-8 bytes: ``hmac.compare_digest`` raises ``TypeError`` for ``str`` values
    with non-ASCII characters, which hostile input may well contain.
    """
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())
