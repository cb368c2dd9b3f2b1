"""`flask --app examples/minimal/app.py run` with five lines of configuration, signed in
through the local IdP end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.plugins.flask_apps import SSOEnv
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flask_run(sso_env: SSOEnv, tmp_path: Path) -> Iterator[tuple[str, SSOEnv]]:
    app_file = tmp_path / "app.py"  # a copy, so the instance folder lands in tmp_path
    app_file.write_text((ROOT / "examples" / "minimal" / "app.py").read_text())
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client = sso_env.client(base_url)
    env = {
        **os.environ,
        "SECRET_KEY": "example-secret-key-long-enough-123",
        "COGNITO_ISSUER": sso_env.issuer,
        "COGNITO_CLIENT_ID": client["ClientId"],
        "COGNITO_CLIENT_SECRET": client["ClientSecret"],
        "COGNITO_REDIRECT_URI": f"{base_url}/auth/callback",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            str(app_file),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(base_url + "/auth/logged-out", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base_url, sso_env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_minimal_example_under_flask_run(flask_run: tuple[str, SSOEnv]) -> None:
    base_url, sso_env = flask_run
    email = sso_env.user()
    browser = sso_env.browser()
    page = browser.sign_in(base_url + "/", email)
    assert page.status_code == 200
    assert f"Hello {email}" in page.text
    assert 'name="csrf_token"' in page.text
