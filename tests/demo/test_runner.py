"""`cognito-sso demo` as a command: output, Ctrl-C, a second run in a row."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx

from cognito_sso.provisioning.spec import load_spec
from demo_apps.runner import DEFAULT_SPEC, with_service_urls
from tests.ports import free_ports


def test_with_service_urls_moves_only_the_origin() -> None:
    spec = load_spec(DEFAULT_SPEC)
    moved = with_service_urls(spec, {"billing": "http://localhost:6101"})
    billing = next(c for c in moved.clients if c.name == "billing")
    reports = next(c for c in moved.clients if c.name == "reports")
    assert billing.callback_urls == ("http://localhost:6101/auth/callback",)
    assert billing.logout_urls == ("http://localhost:6101/auth/logged-out",)
    assert reports == next(c for c in spec.clients if c.name == "reports")
    assert replace(moved, clients=spec.clients) == spec


def _run_demo_until_ready(args: list[str]) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "demo_apps.runner", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if "Press Ctrl-C to stop." in line or time.monotonic() > deadline:
            break
    return process, lines


def test_command_prints_everything_and_stops_cleanly_twice_in_a_row(tmp_path: Path) -> None:
    idp, billing, reports, audit = free_ports(4)
    args = [
        "--state-dir", str(tmp_path / "state"),
        "--idp-port", str(idp), "--billing-port", str(billing), "--reports-port", str(reports),
        "--audit-port", str(audit),
    ]  # fmt: skip
    keys = []
    for _run in range(2):
        process, lines = _run_demo_until_ready(args)
        try:
            output = "\n".join(lines)
            assert "Press Ctrl-C to stop." in output, output
            assert f"http://localhost:{billing}" in output
            assert f"http://localhost:{reports}" in output
            assert f"http://localhost:{audit}" in output
            for email in ("alice@example.com", "bob@example.com", "carol@example.com"):
                line = next(x for x in lines if email in x)
                assert "(see the outbox)" not in line, line
            response = httpx.get(f"http://localhost:{billing}/invoices")
            assert response.status_code == 302
        finally:
            process.send_signal(signal.SIGINT)
            rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output + rest
        assert "Stopped." in rest
        assert "Traceback" not in output + rest
        keys.append((tmp_path / "state" / "billing" / "secret_key").read_text())
    assert keys[0] == keys[1]


def test_command_explains_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        idp, reports, audit = free_ports(3)
        argv = [
            sys.executable, "-m", "demo_apps.runner", "--state-dir", str(tmp_path),
            "--idp-port", str(idp), "--billing-port", str(port), "--reports-port", str(reports),
            "--audit-port", str(audit),
        ]  # fmt: skip
        result = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} for billing" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_explains_a_missing_local_extra(tmp_path: Path) -> None:
    # Simulates an installation without the `local` extra: importing pyotp fails.
    code = (
        "import sys; sys.modules['pyotp'] = None\n"
        "from demo_apps.runner import main\n"
        f"sys.exit(main(['--state-dir', {str(tmp_path)!r}, '--idp-port', '0']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert "missing (pyotp)" in result.stderr
    assert "pip install 'cognito-sso[local]'" in result.stderr
    assert "Traceback" not in result.stderr
