"""The session service: starting a session at sign-in, transparent refresh under a lock,
the periodic revocation probe, and logout's remote steps. Framework-free.

Sessions are :class:`~cognito_sso.sessions.record.Session` records, stored as versioned
JSON by a :class:`~cognito_sso.sessions.base.SessionStore`. A stored session that does not
decode (corrupt, hostile, or of an unknown format) is deleted: the user signs in again.
Tokens never leave the store except as request headers to the IdP.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from cognito_sso.errors import (
    CognitoSSOError,
    InvalidClaimError,
    InvalidTokenError,
    KeysUnavailableError,
)
from cognito_sso.json_records import RecordError
from cognito_sso.oidc import (
    DiscoveryError,
    IdPUnavailableError,
    InvalidGrantError,
    OIDCClient,
    OIDCError,
    TokenRevokedError,
)
from cognito_sso.sessions.cache import DerivedCache
from cognito_sso.sessions.record import Session

if TYPE_CHECKING:
    from cognito_sso.sessions.base import SessionStore, StoredSession
    from cognito_sso.sessions.locks import StoreLocks

__all__ = [
    "EndedCallback",
    "SessionService",
    "TokenVerifierLike",
    "verify_token_pair",
]

log = logging.getLogger(__name__)


class TokenVerifierLike(Protocol):
    """The part of :class:`cognito_sso.verifier.TokenVerifier` this module uses."""

    def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> Mapping[str, Any]: ...

    def verify_access_token(self, token: str, *, scopes: Any = ()) -> Mapping[str, Any]: ...


EndedCallback = Callable[[str, Session], None]
"""Called as ``on_ended(reason, session)`` when the service ends (or refreshes) a session."""


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


class SessionService:
    """Keeps stored sessions alive and honest: refresh, revocation probe, logout.

    ``locks`` serialise refreshes and probes of one session across processes; by default the
    store's own (:attr:`SessionStore.locks`). The decisions themselves (is a refresh or a
    probe due, what the refreshed session holds) are pure methods of
    :class:`~cognito_sso.sessions.record.Session`, for sync and async services alike.
    """

    def __init__(
        self,
        *,
        store: SessionStore,
        locks: StoreLocks | None = None,
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
        self.locks = locks if locks is not None else store.locks
        self.oidc = oidc
        self.verifier = verifier
        self.refresh_leeway = refresh_leeway
        self.check_interval = check_interval
        self.lock_wait = lock_wait
        self._on_ended = on_ended
        self._on_refreshed = on_refreshed
        self._clock = clock
        self._decoded: DerivedCache[bytes, Session] = DerivedCache()

    # --- starting and loading ------------------------------------------------------------

    def start(self, session: Session) -> str:
        """Store a new session (after a sign-in) under a fresh random id and return the id."""
        return self.store.create(session.to_json()).id

    def load(self, session_id: str) -> Session | None:
        """The live session, refreshed and revocation-checked as needed; None if it is over.

        Raises :class:`IdPUnavailableError` when a refresh is required (the access token is
        expired) but the IdP cannot answer, and ``SessionStoreUnavailableError`` from the store.
        """
        session = self.get(session_id)
        return None if session is None else self.settle(session_id, session)

    def settle(self, session_id: str, session: Session) -> Session | None:
        """:meth:`load` for a session just read with :meth:`get` (in this request)."""
        now = self._clock()
        if session.needs_refresh(now, self.refresh_leeway):
            return self._refresh(session_id)
        if session.check_due(now, self.check_interval):
            return self._probe(session_id, session, now)
        return session

    def get(self, session_id: str) -> Session | None:
        """The stored session as it is (no refresh, no check), or None when it is gone or
        does not decode (such a session is deleted: the user signs in again)."""
        return self._decode(session_id, self.store.get(session_id))

    def _decode(self, session_id: str, stored: StoredSession | None) -> Session | None:
        if stored is None:
            return None
        try:  # decoded once per payload
            return self._decoded.get(session_id, stored.payload, Session.from_json)
        except RecordError as exc:
            log.warning("discarding an unreadable session: %s", exc)
            self.store.delete(session_id)
            return None

    def _end(self, session_id: str, session: Session, reason: str) -> None:
        self.store.delete(session_id)
        log.info("session ended: %s", reason)
        if self._on_ended is not None:
            self._on_ended(reason, session)

    # --- refresh ---------------------------------------------------------------------------

    def _refresh(self, session_id: str) -> Session | None:
        with self.locks.lock(f"refresh:{session_id}", ttl=30, wait=self.lock_wait) as acquired:
            current = self.get(session_id)
            if current is None:
                return None
            now = self._clock()
            if not current.needs_refresh(now, self.refresh_leeway):
                return current  # another request (thread or process) refreshed it meanwhile
            if not acquired:
                return _still_valid_or_raise(current, now, "refresh lock wait timed out")
            refreshed = self._refreshed(session_id, current, now)
            if refreshed is None or refreshed is current:
                return refreshed  # ended, or kept as it is after a transient failure
            return self._save(session_id, current.tokens.refresh_token, refreshed)

    def _save(self, session_id: str, used: str | None, refreshed: Session) -> Session | None:
        """Store a session refreshed with the refresh token ``used``; what is stored after
        (a newer rotation another worker stored meanwhile wins); None if it is gone."""
        stored = self.store.update(session_id, lambda old: _unless_rotated(old, used, refreshed))
        if stored is None:
            return None
        latest = Session.from_json(stored.payload)
        if self._on_refreshed is not None:
            self._on_refreshed("refreshed", latest)
        return latest

    def _refreshed(self, session_id: str, current: Session, now: float) -> Session | None:
        """The session with fresh tokens; None (session ended) when the IdP or the new
        tokens say it is over; the session as it is while a failure is transient."""
        refresh_token = current.tokens.refresh_token
        if not refresh_token:
            self._end(session_id, current, "no_refresh_token")
            return None
        try:
            tokens = self.oidc.refresh(refresh_token)
            if tokens.id_token is None:
                raise IdPUnavailableError("refresh returned no ID token")
            id_claims, access_claims = verify_token_pair(
                self.verifier, tokens.id_token, tokens.access_token
            )
        except InvalidGrantError:
            latest = self.get(session_id)
            if latest is not None and latest.tokens.refresh_token != refresh_token:
                # Refresh-token rotation: another worker refreshed with this token and stored
                # the new one meanwhile (its lock expired under us). A lost race, not the end.
                log.info("refresh token rotated by another worker meanwhile; using its session")
                return latest
            self._end(session_id, current, "invalid_grant")
            return None
        except DiscoveryError:
            raise  # misconfigured: the users' sessions are not at fault
        except (IdPUnavailableError, KeysUnavailableError) as exc:
            log.warning("token refresh failed transiently: %s", exc)
            return _still_valid_or_raise(current, now, "token refresh failed")
        except InvalidTokenError as exc:
            log.warning("refreshed tokens rejected (%s); ending the session", type(exc).__name__)
            self._end(session_id, current, "invalid_refreshed_token")
            return None
        except OIDCError as exc:
            log.warning("token refresh refused (%s); ending the session", exc)
            self._end(session_id, current, "refresh_refused")
            return None
        if id_claims.get("sub") != current.sub:
            log.warning("refreshed tokens name another subject; ending the session")
            self._end(session_id, current, "subject_changed")
            return None
        return Session.from_tokens(tokens, id_claims, access_claims, now=now, previous=current)

    # --- revocation probe ------------------------------------------------------------------

    def _probe(self, session_id: str, session: Session, now: float) -> Session | None:
        """Ask the IdP whether the access token is still accepted (userInfo).

        One probe per session at a time: a request that finds another one probing goes on
        with the session as it is (the check is at most every ``check_interval`` seconds).
        """
        with self.locks.lock(f"check:{session_id}", ttl=30, wait=0) as acquired:
            if not acquired:
                return session
            current = self.get(session_id)
            if current is None:
                return None
            if not current.check_due(now, self.check_interval):
                return current  # checked meanwhile
            try:
                self.oidc.userinfo(current.tokens.access_token)
            except TokenRevokedError:
                self._end(session_id, current, "revoked")
                return None
            except OIDCError as exc:
                # Fail open until the access token expires: the next refresh is authoritative.
                log.warning("session check failed transiently: %s", exc)
            try:
                stored = self.store.update(
                    session_id, lambda raw: Session.from_json(raw).checked(now).to_json()
                )
            except RecordError:
                return self._decode(session_id, self.store.get(session_id))
            return self._decode(session_id, stored)

    # --- logout ----------------------------------------------------------------------------

    def logout(self, session_id: str, session: Session) -> None:
        """Global sign-out (when the scope allows), revoke the refresh token, delete the
        session. Remote failures are logged (without secrets) and never stop the local part."""
        tokens = session.tokens
        try:
            if session.may_sign_out_globally:
                try:
                    self.oidc.global_sign_out(tokens.access_token)
                except TokenRevokedError:
                    log.info("global sign-out: access token already rejected")
                except CognitoSSOError as exc:
                    log.warning("global sign-out failed: %s", exc)
            if tokens.refresh_token:
                try:
                    self.oidc.revoke(tokens.refresh_token)
                except CognitoSSOError as exc:
                    log.warning("refresh token revocation failed: %s", exc)
        finally:
            self.store.delete(session_id)


def _unless_rotated(old: bytes, used: str | None, refreshed: Session) -> bytes:
    """The payload to store after a refresh made with the refresh token ``used``: the
    refreshed session, unless the stored one already holds another refresh token (with
    rotation, a worker that refreshed meanwhile stored a newer one: it is kept, never
    overwritten by an older answer)."""
    try:
        stored = Session.from_json(old)
    except RecordError:
        return refreshed.to_json()
    return refreshed.to_json() if stored.tokens.refresh_token == used else old


def _still_valid_or_raise(session: Session, now: float, why: str) -> Session:
    if session.access_token_valid(now):
        return session
    raise IdPUnavailableError(why)
