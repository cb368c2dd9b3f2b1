"""CSRF defences for the state-changing ``POST /auth/logout``: a per-session token and an
Origin check against the configured app origin (never the Host header). Framework-free."""

from __future__ import annotations

import hmac

from cognito_sso.urls import origin_of

__all__ = ["origin_allowed", "tokens_match"]


def tokens_match(expected: object, given: object) -> bool:
    """Constant-time comparison; False when either side is missing or not a string."""
    if not isinstance(expected, str) or not isinstance(given, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def origin_allowed(origin: str | None, referer: str | None, app_origin: str) -> bool:
    """Whether a request's ``Origin`` (or, without one, ``Referer``) is the app's own origin.

    A request carrying neither header is allowed here; the CSRF token still has to match.
    ``Origin: null`` (sandboxed or privacy-redirected contexts) is refused.
    """
    if origin is not None:
        return origin.strip().lower() == app_origin
    if referer:
        try:
            return origin_of(referer) == app_origin
        except ValueError:
            return False
    return True
