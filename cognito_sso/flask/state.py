"""Per-app state of the extension, kept in ``app.extensions["cognito_sso"]``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from cognito_sso.bearer_revocation import BearerRevocationCheck
from cognito_sso.config import SSOConfig
from cognito_sso.login import LoginFlow
from cognito_sso.oidc import OIDCClient
from cognito_sso.permissions import PermissionPolicy
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import Session, SessionStore, SessionStoreUnavailableError
from cognito_sso.sessions.cache import DerivedCache
from cognito_sso.signout_retry import SignOutRetries
from cognito_sso.user import User, user_from_access_claims, user_from_session
from cognito_sso.verifier import TokenVerifier

__all__ = ["EXTENSION_KEY", "AppState", "get_state"]

log = logging.getLogger(__name__)

EXTENSION_KEY = "cognito_sso"
_CLEANUP_EVERY = 300.0


@dataclass
class AppState:
    """Everything the extension keeps per Flask app (``app.extensions["cognito_sso"]``)."""

    config: SSOConfig
    store: SessionStore
    oidc: OIDCClient
    verifier: TokenVerifier
    bearer_verifier: TokenVerifier
    policy: PermissionPolicy
    login: LoginFlow
    sessions: SessionService
    signout_retries: SignOutRetries
    bearer_revocation: BearerRevocationCheck
    """Whether bearer tokens are still accepted by the IdP (``decorators._bearer_user``)."""
    close_callbacks: list[Callable[[], None]] = field(default_factory=list)
    users: DerivedCache[Session, User] = field(default_factory=DerivedCache)
    """Each session's user, built once per session record (see ``identity.resolve_user``)."""
    bearer_users: DerivedCache[Mapping[str, Any], User] = field(default_factory=DerivedCache)
    """Each bearer token's user, built once per verification (``decorators._bearer_user``)."""
    last_cleanup: float = 0.0
    cleanup_lock: threading.Lock = field(default_factory=threading.Lock)

    def user_of_session(self, session: Session) -> User:
        """The user a session record stands for (built once per record through ``users``)."""
        return user_from_session(session, self.policy)

    def user_of_claims(self, claims: Mapping[str, Any]) -> User:
        """The user of a verified bearer token (built once per verification: ``bearer_users``)."""
        return user_from_access_claims(claims, self.policy)

    def close(self) -> None:
        """Release the HTTP client and the session store (tests, app shutdown)."""
        for callback in self.close_callbacks:
            callback()
        self.store.close()

    def cleanup_if_due(self) -> None:
        """Delete expired sessions at most every few minutes (on the sign-in path)."""
        now = time.monotonic()
        if now - self.last_cleanup < _CLEANUP_EVERY or not self.cleanup_lock.acquire(False):
            return
        try:
            self.last_cleanup = now
            removed = self.store.cleanup()
            if removed:
                log.info("removed %d expired sessions", removed)
        except SessionStoreUnavailableError:
            log.warning("expired-session cleanup skipped: session store unavailable")
        finally:
            self.cleanup_lock.release()


def get_state(app: Flask | None = None) -> AppState:
    """The state of ``app`` (default: the current app); RuntimeError without init_app."""
    if app is None:  # the proxy once, not for each attribute
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, AppState):
        raise RuntimeError("CognitoSSO.init_app(app) has not been called for this app")
    return state
