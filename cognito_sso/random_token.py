"""Unguessable random strings: state, nonce, CSRF tokens, session ids, browser bindings."""

from __future__ import annotations

import secrets

__all__ = ["random_token"]


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random string of ``nbytes`` random bytes (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)
