"""One refresh per session across processes: three app processes share one SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.bursts import get_together
from tests.plugins.flask_apps import SSOEnv, edit_json

SCRIPT = Path(__file__).with_name("proc_app.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        proc.terminate()
    for proc in started:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()


def start(config: dict[str, Any], processes: list[subprocess.Popen[str]]) -> str:
    env = {**os.environ, "SSO_TEST_CONFIG": json.dumps(config), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT)], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    processes.append(proc)
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    assert port.isdigit(), "app process did not start"
    return f"http://127.0.0.1:{port}"


def test_one_refresh_across_processes(
    sso_env: SSOEnv, processes: list[subprocess.Popen[str]]
) -> None:
    app = sso_env.app()
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    config = {
        k: v for k, v in app.app.config.items() if k.startswith("COGNITO_") or k == "SECRET_KEY"
    }
    urls = [app.base_url] + [start(config, processes) for _ in range(2)]

    state = app.sso.state(app.app)
    cookie = {state.config.cookie_name: app.session_id(browser)}
    for url in urls:  # every process serves the same session
        assert httpx.get(url + "/me", cookies=cookie, timeout=10).status_code == 200

    expire = edit_json(access_exp=time.time() - 1)
    assert state.store.update(cookie[state.config.cookie_name], expire) is not None
    sso_env.idp.reset_counts()
    responses = get_together([urls[i % 3] + "/me" for i in range(18)], cookies=cookie)
    assert [response.status_code for response in responses] == [200] * 18
    pids = {response.json().get("pid") for response in responses}
    assert len(pids - {None}) == 2  # both child processes
    assert sso_env.idp.count("POST", "/oauth2/token") == 1


def test_sign_in_completes_on_another_worker_with_another_secret_key(
    sso_env: SSOEnv, processes: list[subprocess.Popen[str]]
) -> None:
    """Peers keep the login transaction in the signed Flask session, so a per-process random
    SECRET_KEY (or a callback landing on another worker) loses it. Ours lives in the shared
    store: the callback may reach any worker, whatever its SECRET_KEY."""
    app = sso_env.app()
    email = sso_env.user()
    config = {k: v for k, v in app.app.config.items() if k.startswith("COGNITO_")}
    other = start({**config, "SECRET_KEY": os.urandom(24).hex()}, processes)

    browser = sso_env.browser()
    page = browser.follow(browser.get(app.url("/auth/login?next=/me")))  # worker 1
    hop = browser.submit(page, {"username": email, "password": "Passw0rd!Local"})
    hop = browser.follow(hop, stop_at=app.url("/auth/callback"))
    callback = hop.headers["location"]
    assert callback.startswith(app.url("/auth/callback?"))
    done = browser.get(other + callback[len(app.base_url) :])  # worker 2
    assert done.status_code == 302, done.text
    assert done.headers["location"] == "/me"
    assert browser.get(other + "/me").json()["sub"]
