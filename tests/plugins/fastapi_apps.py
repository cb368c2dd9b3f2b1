"""pytest plugin: FastAPI apps using ``cognito_sso.fastapi`` served by uvicorn (a real ASGI
server) on loopback sockets, next to the Flask apps of ``tests.plugins.flask_apps``.

Fixture ``fastapi_env`` (function): the ``sso_env`` pool plus ``.app(...)``, which registers
an app client and serves a FastAPI app with the views of the Flask tests; every app is
stopped at teardown.
"""

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from cognito_sso.fastapi import CognitoSSO, User
from cognito_sso.session_service import SessionService
from tests.aio import run_in_fresh_loop
from tests.plugins.flask_apps import SCOPES, ServedApp, SSOEnv


@dataclass
class ServedASGI:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread."""

    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_asgi(app_factory: Callable[[str], Any]) -> tuple[ServedASGI, Any]:
    """Bind a free loopback port first (the app's config needs its own URL), then serve."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = app_factory(base_url)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"asgi-{base_url}"
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    return ServedASGI(base_url, server, thread), app


@dataclass
class RunningASGIApp(ServedApp):
    app: FastAPI
    sso: CognitoSSO
    served: ServedASGI

    @property
    def cookie_name(self) -> str:
        return self.sso.state.config.cookie_name

    @property
    def sessions(self) -> SessionService:
        return self.sso.state.sessions


@dataclass
class FastAPIEnv:
    """``sso_env`` plus FastAPI apps under uvicorn."""

    sso: SSOEnv
    running: list[RunningASGIApp] = field(default_factory=list)

    def app(
        self,
        *,
        config: Mapping[str, Any] | None = None,
        secret: bool = True,
        scopes: Sequence[str] = SCOPES,
        client: Mapping[str, Any] | None = None,
        client_extra: Mapping[str, Any] | None = None,
        setup: Callable[[FastAPI, CognitoSSO], None] | None = None,
    ) -> RunningASGIApp:
        """Register an app client (``client_extra``: more CreateUserPoolClient parameters),
        or use ``client``, and serve a FastAPI app (``setup(app, sso)`` adds to it)."""
        env = self.sso
        made: dict[str, Any] = {}

        def factory(base_url: str) -> FastAPI:
            registered = dict(
                client or env.client(base_url, secret=secret, scopes=scopes, **(client_extra or {}))
            )
            sso = CognitoSSO({**env.app_config(base_url, registered, scopes), **(config or {})})
            app = FastAPI()
            app.include_router(sso.router)
            install_views(app, sso)
            if setup is not None:
                setup(app, sso)
            made.update(env.served_fields(base_url, registered), app=app, sso=sso)
            return app

        served, _ = serve_asgi(factory)
        running = RunningASGIApp(served=served, **made)
        self.running.append(running)
        return running


@pytest.fixture
def fastapi_env(sso_env: SSOEnv) -> Iterator[FastAPIEnv]:
    """The ``sso_env`` pool with FastAPI apps; they are stopped at teardown."""
    env = FastAPIEnv(sso_env)
    yield env
    for running in env.running:
        running.served.stop()
        run_in_fresh_loop(running.sso.aclose())


def install_views(app: FastAPI, sso: CognitoSSO) -> None:
    """The views of ``tests.plugins.flask_apps.install_views``, in FastAPI."""

    def user_json(user: User) -> dict[str, Any]:
        return {
            "sub": user.sub,
            "username": user.username,
            "email": user.email,
            "name": user.name,
            "groups": sorted(user.groups),
            "permissions": sorted(user.permissions),
            "identity_provider": user.identity_provider,
            "via": user.source,
        }

    Anyone = Annotated[User, Depends(sso.current_user)]
    SignedIn = Annotated[User, Depends(sso.login_required)]
    Creator = Annotated[User, Depends(sso.permission_required("invoices:create"))]
    AnyGroup = Annotated[User, Depends(sso.groups_required("reports", "billing-admins"))]
    AllGroups = Annotated[
        User, Depends(sso.groups_required("reports", "billing-admins", mode="all"))
    ]
    Reader = Annotated[User, Depends(sso.permission_required("invoices:read", api=True))]
    Bearer = Annotated[User, Depends(sso.bearer_required(scopes=("openid",)))]

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, user: Anyone) -> str:
        if user.is_authenticated:
            return f"hello {user.email}{sso.logout_form(request)}"
        return "anonymous"

    @app.get("/me")
    async def me(user: SignedIn) -> dict[str, Any]:
        return user_json(user)

    @app.get("/invoices/new")
    async def new_invoice(_: Creator) -> str:
        return "invoice form"

    @app.get("/reports")
    async def reports(_: AnyGroup) -> str:
        return "reports"

    @app.get("/both")
    async def both(_: AllGroups) -> str:
        return "both"

    @app.get("/api/invoices")
    async def api_invoices(user: Reader) -> dict[str, Any]:
        return {"invoices": [], "user": user.sub, "via": user.source}

    @app.get("/api/ping")
    async def api_ping(user: Bearer) -> dict[str, Any]:
        return {"pong": True, "sub": user.sub}

    @app.get("/open")
    async def open_view() -> dict[str, bool]:
        return {"open": True}
