"""CSRF protection for the hosted-UI forms: a per-form token bound to the IdP's own cookie.

The browser gets a random ``XSRF-TOKEN`` cookie (HttpOnly) from the first form page it sees;
each form carries ``HMAC(secret, cookie value + form name)`` in its ``csrf_token`` field. A
POST without the cookie, without the field, or with a token for another cookie or form fails.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

from cognito_sso.base64url import b64url_encode
from cognito_sso.local.equal_secrets import equal_secrets

CSRF_COOKIE: Final = "XSRF-TOKEN"
_COOKIE_SHAPE: Final = re.compile(r"[A-Za-z0-9_\-]{32,64}")


def new_browser_id() -> str:
    """A fresh random value for the CSRF cookie."""
    return secrets.token_urlsafe(32)


def is_browser_id(value: str | None) -> bool:
    """True when ``value`` looks like a cookie this module issued."""
    return value is not None and _COOKIE_SHAPE.fullmatch(value) is not None


class CsrfSigner:
    """Makes and checks form tokens with a per-process secret."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def token(self, browser_id: str, form: str) -> str:
        """The token to embed in ``form`` for the browser holding ``browser_id``."""
        mac = hmac.new(self._secret, f"{browser_id}|{form}".encode(), hashlib.sha256)
        return b64url_encode(mac.digest())

    def check(self, browser_id: str | None, form: str, token: str | None) -> bool:
        """True when ``token`` is the token of ``form`` for this browser."""
        if not is_browser_id(browser_id) or not token or len(token) > 128:
            return False
        assert browser_id is not None
        return equal_secrets(token, self.token(browser_id, form))
