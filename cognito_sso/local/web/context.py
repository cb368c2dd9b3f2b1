"""Per-application state of the hosted UI and OAuth2 endpoints (codes, cookies, sign-ins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from flask import current_app

from cognito_sso.local.state import LocalCognito
from cognito_sso.local.web.csrf import CsrfSigner
from cognito_sso.local.web.federation_store import FederationTransactions
from cognito_sso.local.web.stores import CodeStore, LoginTransactions, SsoSessions

STATE_KEY: Final = "cognito_sso.local"
WEB_STATE_KEY: Final = "cognito_sso.local.web"


@dataclass
class WebState:
    """Everything the browser-facing endpoints remember between requests."""

    codes: CodeStore = field(default_factory=CodeStore)
    sso: SsoSessions = field(default_factory=SsoSessions)
    csrf: CsrfSigner = field(default_factory=CsrfSigner)
    transactions: LoginTransactions = field(default_factory=LoginTransactions)
    federation: FederationTransactions = field(default_factory=FederationTransactions)


def local_state() -> LocalCognito:
    """The `LocalCognito` served by the current Flask app."""
    state: LocalCognito = current_app.extensions[STATE_KEY]
    return state


def web_state() -> WebState:
    """The `WebState` of the current Flask app."""
    web: WebState = current_app.extensions[WEB_STATE_KEY]
    return web
