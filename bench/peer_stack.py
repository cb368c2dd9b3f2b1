"""Our app and the peers' apps, each signed in once, for the side-by-side benchmarks.

One local IdP and one Redis serve them all; every app runs under gunicorn (2 workers,
gthread) and answers the same body on ``/open`` and on its protected view:

- ``ours-sqlite`` / ``ours-redis``: bench/apps/service.py (``/session``, ``/perm``,
  ``/bearer``), session store in SQLite or Redis;
- ``flask-login``: Flask-Login + Flask-Session in Redis, signed in with authlib
  (bench/apps/peer_flask_login.py);
- ``authlib-cookie``: authlib's Flask client, tokens in Flask's signed-cookie session
  (bench/apps/peer_authlib_cookie.py);
- ``flask-cognito-lib``: from PyPI in a throwaway venv (bench/apps/peer_service.py), only with
  ``fcl_venv``; its own gunicorn and python.

:func:`peer_stack` yields one :class:`App` per name: its process, the python that can import
it, and the credentials of its signed-in user.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import harness, idp_setup
from bench.browser import Browser

DEFAULT_FCL_VENV = Path(tempfile.gettempdir()) / "cognito-sso-bench-peer-venv"


@dataclass(frozen=True)
class App:
    """One running app: where it listens, how to import it, who is signed in."""

    name: str
    proc: harness.Proc
    factory: str  # "module:function" for bench/cpu_probe.py
    config_path: Path
    python: str = harness.PYTHON
    protected: Mapping[str, str] = field(default_factory=dict)  # view path -> its label
    credentials: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # path -> headers


def ensure_fcl_venv(venv: Path) -> str:
    """Create ``venv`` with flask-cognito-lib + gunicorn from PyPI if needed; its version."""
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if not python.exists():
        print(f"creating {venv} and installing flask-cognito-lib from PyPI")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "flask-cognito-lib", "gunicorn"],
            check=True,
            cwd=venv,
            env=env,
        )
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('flask_cognito_lib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=venv,
        env=env,
    )
    return out.stdout.strip()


def _oidc_config(directory: idp_setup.Directory, name: str) -> dict[str, Any]:
    client = directory.clients[name]
    return {
        "SECRET_KEY": hashlib.sha256(f"bench-{name}".encode()).hexdigest(),
        "SESSION_COOKIE_NAME": f"{name}_session",
        "OIDC_ISSUER": directory.issuer,
        "OIDC_CLIENT_ID": client.client_id,
        "OIDC_CLIENT_SECRET": client.client_secret,
        "OIDC_REDIRECT_URI": f"{client.base_url}/auth/callback",
    }


def _fcl_config(directory: idp_setup.Directory) -> dict[str, Any]:
    client = directory.clients["flask-cognito-lib"]
    return {
        "SECRET_KEY": "bench-peer-secret-key",
        "AWS_REGION": idp_setup.REGION,
        "AWS_COGNITO_USER_POOL_ID": directory.pool_id,
        "AWS_COGNITO_USER_POOL_CLIENT_ID": client.client_id,
        "AWS_COGNITO_USER_POOL_CLIENT_SECRET": client.client_secret,
        "AWS_COGNITO_DOMAIN": directory.endpoint_url,
        "AWS_COGNITO_REDIRECT_URL": f"{client.base_url}/auth/callback",
        "AWS_COGNITO_LOGOUT_URL": f"{client.base_url}/auth/logged-out",
        "BENCH_ISSUER": directory.issuer,
    }


def _session_cookie(app_url: str, user: str, cookie_name: str) -> dict[str, str]:
    """Sign ``user`` in through the hosted UI; the ``Cookie`` header of the session."""
    browser = Browser()
    try:
        browser.sign_in(app_url, user, idp_setup.PASSWORD, "/whoami")
        return {"Cookie": f"{cookie_name}={browser.client.cookies[cookie_name]}"}
    finally:
        browser.close()


@contextmanager
def peer_stack(work: harness.Workdir, *, fcl_venv: Path | None = None) -> Iterator[dict[str, App]]:
    """Start everything, sign one user in everywhere; yield the apps by name."""
    names = ["ours-sqlite", "ours-redis", "flask-login", "authlib-cookie"]
    if fcl_venv is not None:
        names.append("flask-cognito-lib")
    idp = harness.idp_proc(work)
    redis = harness.redis_proc(work, persist=False)
    with harness.running(idp, redis), ExitStack() as stack:
        ports = {name: harness.free_port() for name in names}
        directory = idp_setup.create_directory(
            idp.url, {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, users=1
        )
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        stores = {"ours-sqlite": f"sqlite:///{work.file('sessions.db')}", "ours-redis": redis_url}
        specs: dict[str, tuple[str, dict[str, Any]]] = {
            ours: (
                "bench.apps.service:create_app",
                idp_setup.service_config(directory, ours, session_store=stores[ours]),
            )
            for ours in ("ours-sqlite", "ours-redis")
        }
        specs["flask-login"] = (
            "bench.apps.peer_flask_login:create_app",
            {**_oidc_config(directory, "flask-login"), "BENCH_REDIS_URL": redis_url},
        )
        specs["authlib-cookie"] = (
            "bench.apps.peer_authlib_cookie:create_app",
            _oidc_config(directory, "authlib-cookie"),
        )
        if fcl_venv is not None:
            specs["flask-cognito-lib"] = (
                "bench.apps.peer_service:create_app",
                _fcl_config(directory),
            )
        apps: dict[str, App] = {}
        user = directory.users[0]
        for name, (factory, config) in specs.items():
            venv_bin = fcl_venv / "bin" if name == "flask-cognito-lib" and fcl_venv else None
            proc = harness.service_proc(
                work,
                name,
                config,
                port=ports[name],
                app=f"{factory}()",
                gunicorn=venv_bin / "gunicorn" if venv_bin else None,
            )
            stack.enter_context(harness.running(proc))
            apps[name] = App(
                name=name,
                proc=proc,
                factory=factory,
                config_path=work.file(f"{name}.json"),
                python=str(venv_bin / "python") if venv_bin else harness.PYTHON,
                **_credentials(directory, name, proc.url, user),
            )
        yield apps


def _credentials(
    directory: idp_setup.Directory, name: str, url: str, user: str
) -> dict[str, dict[str, Any]]:
    """The protected views of app ``name`` and the headers its signed-in user sends."""
    if name.startswith("ours"):
        cookie = _session_cookie(url, user, f"{name}_sso")
        views = {"/session": f"{name} session"}
        credentials = {"/session": cookie}
        if name == "ours-sqlite":
            token = idp_setup.password_tokens(directory, name, user)["AccessToken"]
            views.update({"/perm": "ours permission", "/bearer": "ours bearer"})
            credentials.update({"/perm": cookie, "/bearer": {"Authorization": f"Bearer {token}"}})
        return {"protected": views, "credentials": credentials}
    if name == "flask-cognito-lib":
        token = idp_setup.password_tokens(directory, name, user)["AccessToken"]
        return {
            "protected": {"/protected": name},
            "credentials": {"/protected": {"Cookie": f"cognito_access_token={token}"}},
        }
    return {
        "protected": {"/session": name},
        "credentials": {"/session": _session_cookie(url, user, f"{name}_session")},
    }
