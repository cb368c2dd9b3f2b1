"""One bearer API served by Flask (werkzeug) or FastAPI (uvicorn) against the counting local
IdP, with the routes the revocation tests call:

- ``/api/ping``: ``bearer_required(scopes=("openid",))``, the configured interval;
- ``/api/checked``: ``bearer_required(revocation_check_interval=300)`` (on for this route);
- ``/api/unchecked``: ``bearer_required(revocation_check_interval=0)`` (off for this route).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Depends
from flask import Flask, jsonify

from cognito_sso.bearer_revocation import RevocationCache
from cognito_sso.flask import CognitoSSO
from cognito_sso.sessions import Session
from tests.bursts import burst
from tests.plugins.fastapi_apps import FastAPIEnv
from tests.plugins.flask_apps import SCOPES, Browser, SSOEnv

ROUTE_INTERVAL = 300.0
API = "/"  # the cognito-idp JSON API of the local IdP (GetUser is the only call made here)


def _flask_routes(app: Flask, sso: CognitoSSO) -> None:
    def ok() -> Any:
        return jsonify(ok=True, sub=sso.current_user.sub)

    for path, interval in (("/api/checked", ROUTE_INTERVAL), ("/api/unchecked", 0)):
        view = sso.bearer_required(revocation_check_interval=interval)(ok)
        app.add_url_rule(path, path, view)


@dataclass
class BearerAPI:
    """A served app, its revocation cache and the IdP it asks."""

    env: SSOEnv
    base_url: str
    cache: RevocationCache
    session_of: Callable[[Browser], Session]
    client_id: str
    client_secret: str | None
    _clock_offset: float = field(default=0.0)

    def url(self, path: str) -> str:
        return self.base_url + path

    def token(self, email: str) -> str:
        """A real access token from a hosted-UI sign-in (read from the session store)."""
        browser = self.env.signed_in(self.url("/me"), email)
        return self.session_of(browser).tokens.access_token

    def get(self, path: str, token: str) -> httpx.Response:
        return httpx.get(self.url(path), headers={"Authorization": f"Bearer {token}"}, timeout=20)

    def burst(self, path: str, token: str, count: int) -> list[int]:
        """``count`` simultaneous requests with one token; their statuses."""
        return burst([self.url(path)] * count, headers={"Authorization": f"Bearer {token}"})

    def later(self, seconds: float) -> None:
        """Let the revocation cache's clock run ``seconds`` further (no sleeping)."""
        self._clock_offset += seconds
        offset = self._clock_offset
        self.cache.clock = lambda: time.monotonic() + offset

    def asked(self) -> int:
        """Calls to the cognito-idp JSON API since the last :meth:`reset`."""
        return self.env.idp.count("POST", API)

    def reset(self) -> None:
        self.env.idp.reset_counts()


def serve_flask(
    env: SSOEnv, config: Mapping[str, Any], scopes: Sequence[str] = SCOPES
) -> BearerAPI:
    running = env.app(config=config, setup=_flask_routes, scopes=scopes)
    state = running.sso.state(running.app)

    def session_of(browser: Browser) -> Session:
        session = state.sessions.get(running.session_id(browser))
        assert session is not None
        return session

    cache = state.bearer_revocation.cache
    return BearerAPI(
        env, running.base_url, cache, session_of, running.client_id, running.client_secret
    )


def serve_fastapi(
    env: FastAPIEnv, config: Mapping[str, Any], scopes: Sequence[str] = SCOPES
) -> BearerAPI:
    running = env.app(config=config, scopes=scopes)
    sso = running.sso
    for path, interval in (("/api/checked", ROUTE_INTERVAL), ("/api/unchecked", 0)):
        bearer = Depends(sso.bearer_required(revocation_check_interval=interval))
        running.app.add_api_route(path, lambda user=bearer: {"ok": True}, methods=["GET"])

    def session_of(browser: Browser) -> Session:
        session = sso.state.sessions.get(running.session_id(browser))
        assert session is not None
        return session

    cache = sso.state.bearer_revocation.cache
    return BearerAPI(
        env.sso, running.base_url, cache, session_of, running.client_id, running.client_secret
    )
