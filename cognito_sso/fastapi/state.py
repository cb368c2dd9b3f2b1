"""Everything the FastAPI adapter keeps per :class:`~cognito_sso.fastapi.CognitoSSO`: the
validated config and the core services, wired for async I/O.

The session service and the login flow are the very ones the Flask extension uses. They run
in a worker thread (:func:`~cognito_sso.aio.loops.run_blocking`); every IdP call they make
runs on the event loop through ``httpx.AsyncClient``
(:class:`~cognito_sso.aio.oidc.LoopBridgedOIDCClient`), JWKS fetches likewise
(:class:`~cognito_sso.aio.jwks.AsyncJwksCache`), and so does every call to a Redis store,
through ``redis.asyncio`` (:class:`~cognito_sso.aio.stores.LoopBridgedStore`); a SQLite
store is used in the worker thread itself.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cognito_sso.aio.bearer_revocation import AsyncBearerRevocationCheck
from cognito_sso.aio.oidc import AsyncOIDCClient, LoopBridgedOIDCClient
from cognito_sso.aio.signout_retry import AsyncSignOutRetries
from cognito_sso.aio.stores import LoopBridgedStore, open_loop_store
from cognito_sso.aio.verifier import AsyncTokenVerifier
from cognito_sso.config import SSOConfig
from cognito_sso.errors import ConfigurationError
from cognito_sso.fastapi.errors import Pages
from cognito_sso.login import LoginFlow
from cognito_sso.permissions import PermissionPolicy
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import Session, SessionStore
from cognito_sso.sessions.cache import DerivedCache
from cognito_sso.user import User, user_from_session

__all__ = ["DEFAULT_STORE_FILE", "AsyncAppState", "build_state"]

log = logging.getLogger(__name__)

DEFAULT_STORE_FILE: Final = "cognito-sso-sessions.sqlite3"
"""``COGNITO_SESSION_STORE`` default: this file in the working directory (there is no
instance folder as in Flask)."""


@dataclass
class AsyncAppState:
    """The adapter's services (see the module docstring)."""

    config: SSOConfig
    store: SessionStore
    oidc: AsyncOIDCClient
    bearer_verifier: AsyncTokenVerifier
    policy: PermissionPolicy
    login: LoginFlow
    sessions: SessionService
    pages: Pages
    bearer_revocation: AsyncBearerRevocationCheck
    signout_retries: AsyncSignOutRetries
    users: DerivedCache[Session, User] = field(default_factory=DerivedCache)
    """Each session's user, built once per session record (``identity.session_user``)."""

    def user_of_session(self, session: Session) -> User:
        """The user a session record stands for (built once per record through ``users``)."""
        return user_from_session(session, self.policy)

    async def aclose(self) -> None:
        """Stop the sign-out retries, close the running loop's HTTP clients and the session
        store."""
        self.signout_retries.close()
        await self.oidc.aclose()
        if isinstance(self.store, LoopBridgedStore):
            self.store.async_store.tracker.close()
            await self.store.async_store.aclose()
        else:
            self.store.close()


def default_store_location() -> str:
    """The SQLite file used when ``COGNITO_SESSION_STORE`` is not set."""
    return str(Path(os.getcwd()) / DEFAULT_STORE_FILE)


def build_state(config: SSOConfig, pages: Pages) -> AsyncAppState:
    """Open the store and build the services for one app client."""
    try:
        store = open_loop_store(
            config.session_store or default_store_location(),
            idle_timeout=config.idle_timeout,
            absolute_timeout=config.absolute_timeout,
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"COGNITO_SESSION_STORE: {exc}") from None
    oidc = AsyncOIDCClient(timeout=config.http_timeout, **config.client_settings)
    blocking_oidc = LoopBridgedOIDCClient(oidc)
    verifier = AsyncTokenVerifier(config.issuer, [config.client_id], leeway=config.clock_leeway)
    bearer_verifier = AsyncTokenVerifier(
        config.issuer, config.bearer_audiences, leeway=config.clock_leeway
    )
    sessions = SessionService(
        store=store,
        oidc=blocking_oidc,
        verifier=verifier.sync,
        **config.session_timings,
    )
    login = LoginFlow(
        store=store,
        oidc=blocking_oidc,
        verifier=verifier.sync,
        redirect_uri=config.redirect_uri,
        scopes=config.scopes,
    )
    return AsyncAppState(
        config=config,
        store=store,
        oidc=oidc,
        bearer_verifier=bearer_verifier,
        policy=config.permissions,
        login=login,
        sessions=sessions,
        pages=pages,
        bearer_revocation=AsyncBearerRevocationCheck(oidc, wait_timeout=config.idp_wait),
        signout_retries=AsyncSignOutRetries(oidc),
    )
