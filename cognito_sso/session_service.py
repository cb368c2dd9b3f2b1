"""The session service: building session data at sign-in, transparent refresh under a lock,
the periodic revocation probe, and logout's remote steps. Framework-free.

Session data layout (JSON, stored by a :class:`~cognito_sso.sessions.base.SessionStore`)::

    {"sub", "username", "email", "name", "groups": [...], "claims": {ID token claims},
     "scopes": [...], "access_exp": epoch s, "checked_at": epoch s, "csrf": str,
     "tokens": {"access_token", "id_token", "refresh_token"}}

Tokens never leave the store except as request headers to the IdP.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from cognito_sso.claims import groups_claim, scopes_claim, str_claim
from cognito_sso.config import ADMIN_SCOPE
from cognito_sso.errors import (
    CognitoSSOError,
    InvalidClaimError,
    InvalidTokenError,
    KeysUnavailableError,
)
from cognito_sso.oidc import (
    IdPUnavailableError,
    InvalidGrantError,
    OIDCClient,
    OIDCError,
    TokenResponse,
    TokenRevokedError,
)
from cognito_sso.random_token import random_token

if TYPE_CHECKING:
    from cognito_sso.sessions.base import Session, SessionStore

__all__ = [
    "SessionService",
    "TokenVerifierLike",
    "session_data_from_tokens",
    "verify_token_pair",
]

log = logging.getLogger(__name__)


class TokenVerifierLike(Protocol):
    """The part of :class:`cognito_sso.verifier.TokenVerifier` this module uses."""

    def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> Mapping[str, Any]: ...

    def verify_access_token(self, token: str, *, scopes: Any = ()) -> Mapping[str, Any]: ...


EndedCallback = Callable[[str, Mapping[str, Any]], None]
"""Called as ``on_ended(reason, session_data)`` when the service ends a session."""


def verify_token_pair(
    verifier: TokenVerifierLike, id_token: str, access_token: str, *, nonce: str | None = None
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Verify the ID and access tokens of one token response together: each on its own,
    ``at_hash`` (and ``nonce`` at sign-in), and both naming the same user.

    Returns ``(id_claims, access_claims)``; raises :class:`InvalidTokenError`.
    """
    access_claims = verifier.verify_access_token(access_token)
    id_claims = verifier.verify_id_token(id_token, nonce=nonce, access_token=access_token)
    if id_claims.get("sub") != access_claims.get("sub"):
        raise InvalidClaimError("the ID and access tokens name different users")
    return id_claims, access_claims


def session_data_from_tokens(
    tokens: TokenResponse,
    id_claims: Mapping[str, Any],
    access_claims: Mapping[str, Any],
    *,
    now: float,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Session data for freshly issued (or refreshed) tokens.

    On refresh, ``previous`` supplies what the IdP does not resend (the refresh token when
    rotation is off) and what must survive (the CSRF token).
    """
    previous = previous or {}
    old_tokens = previous.get("tokens") or {}
    exp = access_claims.get("exp")
    return {
        "sub": str_claim(id_claims, "sub"),
        "username": str_claim(id_claims, "cognito:username")
        or str_claim(access_claims, "username"),
        "email": str_claim(id_claims, "email"),
        "name": str_claim(id_claims, "name"),
        "groups": groups_claim(id_claims if "cognito:groups" in id_claims else access_claims),
        "claims": dict(id_claims),
        "scopes": scopes_claim(access_claims),
        "access_exp": float(exp) if isinstance(exp, int | float) else now + tokens.expires_in,
        "checked_at": now,
        "csrf": previous.get("csrf") or random_token(),
        "tokens": {
            "access_token": tokens.access_token,
            "id_token": tokens.id_token,
            "refresh_token": tokens.refresh_token or old_tokens.get("refresh_token"),
        },
    }


class SessionService:
    """Keeps stored sessions alive and honest: refresh, revocation probe, logout."""

    def __init__(
        self,
        *,
        store: SessionStore,
        oidc: OIDCClient,
        verifier: TokenVerifierLike,
        refresh_leeway: float,
        check_interval: float,
        lock_wait: float,
        on_ended: EndedCallback | None = None,
        on_refreshed: EndedCallback | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.oidc = oidc
        self.verifier = verifier
        self.refresh_leeway = refresh_leeway
        self.check_interval = check_interval
        self.lock_wait = lock_wait
        self._on_ended = on_ended
        self._on_refreshed = on_refreshed
        self._clock = clock

    # --- loading ---------------------------------------------------------------------------

    def load(self, session_id: str) -> Session | None:
        """The live session, refreshed and revocation-checked as needed; None if it is over.

        Raises :class:`IdPUnavailableError` when a refresh is required (the access token is
        expired) but the IdP cannot answer, and ``SessionStoreUnavailableError`` from the store.
        """
        session = self.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if self._needs_refresh(session.data, now):
            return self._refresh(session)
        if now - float(session.data["checked_at"]) >= self.check_interval:
            return self._probe(session, now)
        return session

    def get(self, session_id: str) -> Session | None:
        """The stored session as it is (no refresh, no check), or None when it is gone or
        its data is not what we wrote (such a session is deleted: the user signs in again)."""
        session = self.store.get(session_id)
        if session is not None and not _well_formed(session.data):
            log.warning("discarding a session with malformed data")
            self.store.delete(session.id)
            return None
        return session

    def _needs_refresh(self, data: Mapping[str, Any], now: float) -> bool:
        return float(data["access_exp"]) - self.refresh_leeway <= now

    def _end(self, session: Session, reason: str) -> None:
        self.store.delete(session.id)
        log.info("session ended: %s", reason)
        if self._on_ended is not None:
            self._on_ended(reason, session.data)

    # --- refresh ---------------------------------------------------------------------------

    def _refresh(self, session: Session) -> Session | None:
        with self.store.lock(f"refresh:{session.id}", ttl=30, wait=self.lock_wait) as acquired:
            current = self.get(session.id)
            if current is None:
                return None
            now = self._clock()
            if not self._needs_refresh(current.data, now):
                return current  # another request (thread or process) refreshed it meanwhile
            if not acquired:
                return self._still_valid_or_raise(current, now, "refresh lock wait timed out")
            refresh_token = current.data["tokens"].get("refresh_token")
            if not refresh_token:
                self._end(current, "no_refresh_token")
                return None
            try:
                tokens = self.oidc.refresh(refresh_token)
                if tokens.id_token is None:
                    raise IdPUnavailableError("refresh returned no ID token")
                id_claims, access_claims = verify_token_pair(
                    self.verifier, tokens.id_token, tokens.access_token
                )
            except InvalidGrantError:
                self._end(current, "invalid_grant")
                return None
            except (IdPUnavailableError, KeysUnavailableError) as exc:
                log.warning("token refresh failed transiently: %s", exc)
                return self._still_valid_or_raise(current, now, "token refresh failed")
            except InvalidTokenError as exc:
                log.warning(
                    "refreshed tokens rejected (%s); ending the session", type(exc).__name__
                )
                self._end(current, "invalid_refreshed_token")
                return None
            except OIDCError as exc:
                log.warning("token refresh refused (%s); ending the session", exc)
                self._end(current, "refresh_refused")
                return None
            if id_claims.get("sub") != current.data.get("sub"):
                log.warning("refreshed tokens name another subject; ending the session")
                self._end(current, "subject_changed")
                return None
            new_data = session_data_from_tokens(
                tokens, id_claims, access_claims, now=now, previous=current.data
            )
            updated = self.store.update(session.id, lambda _old: new_data)
            if updated is not None and self._on_refreshed is not None:
                self._on_refreshed("refreshed", updated.data)
            return updated

    def _still_valid_or_raise(self, session: Session, now: float, why: str) -> Session:
        if float(session.data["access_exp"]) > now:
            return session
        raise IdPUnavailableError(why)

    # --- revocation probe ------------------------------------------------------------------

    def _probe(self, session: Session, now: float) -> Session | None:
        """Ask the IdP whether the access token is still accepted (userInfo).

        One probe per session at a time: a request that finds another one probing goes on
        with the session as it is (the check is at most every ``check_interval`` seconds).
        """
        with self.store.lock(f"check:{session.id}", ttl=30, wait=0) as acquired:
            if not acquired:
                return session
            current = self.get(session.id)
            if current is None:
                return None
            if now - float(current.data["checked_at"]) < self.check_interval:
                return current  # checked meanwhile
            try:
                self.oidc.userinfo(current.data["tokens"]["access_token"])
            except TokenRevokedError:
                self._end(current, "revoked")
                return None
            except OIDCError as exc:
                # Fail open until the access token expires: the next refresh is authoritative.
                log.warning("session check failed transiently: %s", exc)

            def mark(data: dict[str, Any]) -> dict[str, Any]:
                data["checked_at"] = now
                return data

            return self.store.update(session.id, mark)

    # --- logout ----------------------------------------------------------------------------

    def logout(self, session: Session) -> None:
        """Global sign-out (when the scope allows), revoke the refresh token, delete the
        session. Remote failures are logged (without secrets) and never stop the local part."""
        tokens = session.data.get("tokens") or {}
        access_token = tokens.get("access_token")
        refresh_token = tokens.get("refresh_token")
        try:
            if access_token and ADMIN_SCOPE in session.data.get("scopes", []):
                try:
                    self.oidc.global_sign_out(access_token)
                except TokenRevokedError:
                    log.info("global sign-out: access token already rejected")
                except CognitoSSOError as exc:
                    log.warning("global sign-out failed: %s", exc)
            if refresh_token:
                try:
                    self.oidc.revoke(refresh_token)
                except CognitoSSOError as exc:
                    log.warning("refresh token revocation failed: %s", exc)
        finally:
            self.store.delete(session.id)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _well_formed(data: Mapping[str, Any]) -> bool:
    """Whether stored session data has the layout :func:`session_data_from_tokens` writes
    (every field read without a further type check elsewhere)."""
    tokens = data.get("tokens")
    return (
        isinstance(tokens, dict)
        and isinstance(tokens.get("access_token"), str)
        and isinstance(tokens.get("refresh_token"), str | None)
        and _is_number(data.get("access_exp"))
        and _is_number(data.get("checked_at"))
        and isinstance(data.get("csrf"), str)
        and isinstance(data.get("groups"), list)
        and isinstance(data.get("scopes"), list)
        and isinstance(data.get("claims"), dict)
    )
