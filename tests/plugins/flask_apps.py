"""pytest plugin: Flask apps using CognitoSSO served on real loopback sockets, a counting local
IdP, and a scripted "browser" (httpx, redirects followed hop by hop, hosted-UI forms filled in).

Fixtures:
- ``sso_idp`` (session): a dedicated local IdP wrapped in a request-counting WSGI middleware
  (``.base_url``, ``.state``, ``.count(method, path)``, ``.reset_counts()``, ``.faults(...)``).
- ``sso_env`` (function): a fresh pool with groups and helpers to create users, app clients
  and running Flask apps (``SSOEnv``); everything is stopped at teardown.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from bench.browser import forms_in
from cognito_sso.flask import CognitoSSO
from cognito_sso.local.testing import DEFAULT_PASSWORD, make_cognito_client
from cognito_sso.session_service import SessionService
from tests.bursts import burst

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
SCOPES = ("openid", "email", "profile", ADMIN_SCOPE)
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
GROUPS = ("billing-admins", "billing-readers", "reports")
PERMISSIONS = {
    "billing-admins": ["invoices:create", "invoices:read"],
    "billing-readers": ["invoices:read"],
    "reports": ["reports:read"],
}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


class _Counting:
    """WSGI middleware counting requests per (method, path); the inner app is set later."""

    def __init__(self) -> None:
        self.app: WSGIApp | None = None
        self.counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._lock:
            self.counts[(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))] += 1
        assert self.app is not None
        return self.app(environ, start_response)


@dataclass
class Served:
    """A WSGI app serving on 127.0.0.1 in a background thread."""

    base_url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(app_factory: Callable[[str], WSGIApp]) -> tuple[Served, WSGIApp]:
    """Bind a free loopback port first (the app's config needs its own URL), then serve."""
    holder: dict[str, WSGIApp] = {}

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    base_url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    holder["app"] = app_factory(base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name=f"wsgi-{base_url}")
    thread.start()
    return Served(base_url, server, thread), holder["app"]


@dataclass
class CountingIdP:
    base_url: str
    state: Any  # cognito_sso.local.state.LocalCognito
    counter: _Counting
    served: Served

    def count(self, method: str, path: str) -> int:
        return self.counter.counts[(method, path)]

    def reset_counts(self) -> None:
        self.counter.counts.clear()

    def fault(self, endpoint: str, mode: str = "error", **extra: Any) -> None:
        body = {"endpoint": endpoint, "mode": mode, **extra}
        httpx.post(f"{self.base_url}/_local/faults", json=body, timeout=5).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/_local/faults", timeout=5)


@pytest.fixture(scope="session")
def sso_idp() -> Iterator[CountingIdP]:
    """A local IdP of our own, so refresh calls can be counted exactly."""
    from cognito_sso.local.app import create_app as create_idp_app
    from cognito_sso.local.state import LocalCognito

    counter = _Counting()
    states: list[LocalCognito] = []

    def factory(base_url: str) -> WSGIApp:
        state = LocalCognito(base_url)
        states.append(state)
        counter.app = create_idp_app(state=state)
        return counter

    served, _ = serve(factory)
    try:
        yield CountingIdP(served.base_url, states[0], counter, served)
    finally:
        served.stop()


# --- the scripted browser --------------------------------------------------------------------


def edit_json(**changes: Any) -> Callable[[bytes], bytes]:
    """A store update that sets top-level fields of a stored JSON session (tests use it to
    age a session or to damage it)."""
    return lambda raw: json.dumps({**json.loads(raw), **changes}).encode()


class Browser:
    """A cookie-keeping HTTP client that follows redirects one hop at a time."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=20)
        self.hops: list[httpx.Response] = []

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def follow(self, response: httpx.Response, *, stop_at: str | None = None) -> httpx.Response:
        """Follow Location headers hop by hop (at most 15); stop early at a URL prefix."""
        for _ in range(15):
            self.hops.append(response)
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            target = urljoin(str(response.url), response.headers["location"])
            if stop_at is not None and target.startswith(stop_at):
                return response
            response = self.http.get(target)
        raise AssertionError("too many redirects")

    def submit(
        self, page: httpx.Response, fields: Mapping[str, str], index: int = -1
    ) -> httpx.Response:
        """Fill in and POST a form of ``page`` (hidden fields such as CSRF are kept)."""
        forms = forms_in(page.text, str(page.url))
        assert forms, f"no form on {page.url}"
        form = forms[index]
        data = {**form.fields, **fields}
        return self.http.post(form.action, data=data)

    def sign_in(
        self,
        start: str,
        username: str,
        password: str = DEFAULT_PASSWORD,
        *,
        new_password: str | None = None,
    ) -> httpx.Response:
        """From an app URL to the page after sign-in, through the hosted UI's forms."""
        page = self.follow(self.get(start))
        if "password" not in page.text or page.request.method != "GET":
            return page  # already signed in at the IdP (silent SSO) or an error page
        page = self.follow(self.submit(page, {"username": username, "password": password}))
        if new_password is not None and "new_password" in page.text:
            page = self.follow(
                self.submit(page, {"new_password": new_password, "confirm_password": new_password})
            )
        return page


# --- environment: pool, clients, apps ------------------------------------------------------------


@dataclass
class ServedApp:
    """What the tests use of a served app, Flask or FastAPI (``RunningASGIApp``)."""

    base_url: str
    client_id: str
    client_secret: str | None

    @property
    def cookie_name(self) -> str:
        raise NotImplementedError

    @property
    def sessions(self) -> SessionService:
        raise NotImplementedError

    def url(self, path: str) -> str:
        return self.base_url + path

    def tokens(self, browser: Browser, email: str) -> dict[str, Any]:
        """Sign ``email`` in on ``browser`` through the hosted UI; the session's real tokens,
        read from the store."""
        assert browser.sign_in(self.url("/me"), email).status_code == 200
        session = self.sessions.get(self.session_id(browser))
        assert session is not None
        return session.tokens.to_dict()

    def bearer_get(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        """GET ``path`` with ``Authorization: Bearer <token>`` (no header without a token)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.url(path), headers=headers, timeout=10, **kwargs)

    def session_id(self, browser: Browser) -> str:
        """The browser's session cookie for this app (fails when there is none)."""
        value = browser.http.cookies.get(self.cookie_name)
        assert value, "no session cookie"
        return value

    def log_out(self, browser: Browser) -> httpx.Response:
        """Sign out the way a page's logout form does (CSRF token from the home page)."""
        home = browser.get(self.url("/"))
        token = home.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return browser.http.post(
            self.url("/auth/logout"), data={"csrf_token": token}, headers={"Origin": self.base_url}
        )


@dataclass
class RunningApp(ServedApp):
    app: Flask
    sso: CognitoSSO
    served: Served

    @property
    def cookie_name(self) -> str:
        return self.sso.state(self.app).config.cookie_name

    @property
    def sessions(self) -> SessionService:
        return self.sso.state(self.app).sessions

    def burst(self, session_id: str, path: str, count: int) -> list[int]:
        """``count`` simultaneous GETs of ``path`` with one session cookie; their statuses."""
        return burst([self.url(path)] * count, cookies={self.cookie_name: session_id})


@dataclass
class SSOEnv:
    idp: CountingIdP
    tmp_path: Path
    pool_id: str = ""
    cognito: Any = None
    apps: list[RunningApp] = field(default_factory=list)
    browsers: list[Browser] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"{self.idp.base_url}/{self.pool_id}"

    def browser(self) -> Browser:
        browser = Browser()
        self.browsers.append(browser)
        return browser

    def signed_in(self, url: str, email: str) -> Browser:
        """A new browser signed in as ``email`` through the hosted UI, starting at ``url``
        (the page it ends on answered 200)."""
        browser = self.browser()
        assert browser.sign_in(url, email).status_code == 200
        return browser

    def user(
        self,
        email: str | None = None,
        *,
        groups: Sequence[str] = (),
        permanent: bool = True,
        password: str = DEFAULT_PASSWORD,
    ) -> str:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": "Test User"},
            ],
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
        )
        if permanent:
            self.cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=email, Password=password, Permanent=True
            )
        for group in groups:
            self.cognito.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=email, GroupName=group
            )
        return email

    def client(
        self, base_url: str, *, secret: bool = True, scopes: Sequence[str] = SCOPES, **extra: Any
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "ClientName": f"app-{uuid.uuid4().hex[:6]}",
            "GenerateSecret": secret,
            "CallbackURLs": [f"{base_url}/auth/callback"],
            "LogoutURLs": [f"{base_url}/auth/logged-out"],
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": list(scopes),
            "AllowedOAuthFlowsUserPoolClient": True,
            "SupportedIdentityProviders": ["COGNITO"],
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "EnableTokenRevocation": True,
        }
        params.update(extra)
        return dict(self.cognito.create_user_pool_client(**params)["UserPoolClient"])

    def app_config(
        self, base_url: str, client: Mapping[str, Any], scopes: Sequence[str]
    ) -> dict[str, Any]:
        """The configuration of a test app served at ``base_url`` as app client ``client``
        (sessions in a new SQLite file)."""
        return {
            "SECRET_KEY": SECRET_KEY,
            "COGNITO_ISSUER": self.issuer,
            "COGNITO_ENDPOINT_URL": self.idp.base_url,
            "COGNITO_CLIENT_ID": client["ClientId"],
            "COGNITO_CLIENT_SECRET": client.get("ClientSecret"),
            "COGNITO_REDIRECT_URI": f"{base_url}/auth/callback",
            "COGNITO_SCOPES": list(scopes),
            "COGNITO_PERMISSIONS": PERMISSIONS,
            "COGNITO_SESSION_STORE": str(self.tmp_path / f"sessions-{uuid.uuid4().hex[:6]}.db"),
        }

    @staticmethod
    def served_fields(base_url: str, client: Mapping[str, Any]) -> dict[str, Any]:
        """The :class:`ServedApp` fields of an app served at ``base_url`` as ``client``."""
        return {
            "base_url": base_url,
            "client_id": client["ClientId"],
            "client_secret": client.get("ClientSecret"),
        }

    def app(
        self,
        *,
        config: Mapping[str, Any] | None = None,
        setup: Callable[[Flask, CognitoSSO], None] | None = None,
        secret: bool = True,
        scopes: Sequence[str] = SCOPES,
        client_extra: Mapping[str, Any] | None = None,
    ) -> RunningApp:
        """Register an app client and serve a Flask app using it (demo views included)."""
        made: dict[str, Any] = {}

        def factory(base_url: str) -> WSGIApp:
            client = self.client(base_url, secret=secret, scopes=scopes, **(client_extra or {}))
            app = Flask(f"app_{uuid.uuid4().hex[:6]}", instance_path=str(self.tmp_path / "inst"))
            app.config.update(self.app_config(base_url, client, scopes))
            app.config.update(config or {})
            sso = CognitoSSO(app)
            install_views(app, sso)
            if setup is not None:
                setup(app, sso)
            made.update(self.served_fields(base_url, client), app=app, sso=sso)
            return app

        served, _ = serve(factory)
        running = RunningApp(served=served, **made)
        self.apps.append(running)
        return running


def install_views(app: Flask, sso: CognitoSSO) -> None:
    """Views used across the integration tests."""
    from flask import jsonify, render_template_string

    @app.get("/")
    def home() -> str:
        return render_template_string(
            "{% if current_user.is_authenticated %}hello {{ current_user.email }}"
            "{{ cognito_logout_form() }}{% else %}anonymous{% endif %}"
        )

    @app.get("/me")
    @sso.login_required
    def me() -> Any:
        user = sso.current_user
        return jsonify(
            sub=user.sub,
            username=user.username,
            email=user.email,
            name=user.name,
            groups=sorted(user.groups),
            permissions=sorted(user.permissions),
            identity_provider=user.identity_provider,
            via=user.source,
        )

    @app.get("/invoices/new")
    @sso.permission_required("invoices:create")
    def new_invoice() -> str:
        return "invoice form"

    @app.get("/reports")
    @sso.groups_required("reports", "billing-admins", mode="any")
    def reports() -> str:
        return "reports"

    @app.get("/both")
    @sso.groups_required("reports", "billing-admins", mode="all")
    def both() -> str:
        return "both"

    @app.get("/api/invoices")
    @sso.permission_required("invoices:read", api=True)
    def api_invoices() -> Any:
        return jsonify(invoices=[], user=sso.current_user.sub, via=sso.current_user.source)

    @app.get("/api/ping")
    @sso.bearer_required(scopes=("openid",))
    def api_ping() -> Any:
        return jsonify(pong=True, sub=sso.current_user.sub)


@pytest.fixture
def sso_env(sso_idp: CountingIdP, tmp_path: Path) -> Iterator[SSOEnv]:
    """A fresh pool with the test groups; apps and browsers are closed afterwards."""
    cognito = make_cognito_client(sso_idp.base_url)
    pool_id = cognito.create_user_pool(
        PoolName=f"pool-{uuid.uuid4().hex[:8]}",
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    for group in GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    env = SSOEnv(idp=sso_idp, tmp_path=tmp_path, pool_id=pool_id, cognito=cognito)
    try:
        yield env
    finally:
        sso_idp.clear_faults()
        for browser in env.browsers:
            browser.close()
        for running in env.apps:
            running.served.stop()
            running.sso.state(running.app).close()
