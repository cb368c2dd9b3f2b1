"""``cognito-sso local`` (cognito_sso.local.cli.main): prints its URL, serves, stops cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = "import sys; from cognito_sso.local.cli import main; sys.exit(main(sys.argv[1:]))"


def _start(*args: str, sigint_ignored: bool = False) -> subprocess.Popen[str]:
    """The CLI in a child process, with SIGINT's default action (as from a terminal) or, with
    ``sigint_ignored``, ignored (as a shell starts a command with ``&``; Python then installs
    no KeyboardInterrupt handler of its own). A child inherits "ignored" or, for a handler,
    the default action, whatever the test run itself was started with."""
    previous = signal.signal(
        signal.SIGINT, signal.SIG_IGN if sigint_ignored else signal.default_int_handler
    )
    try:
        return subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-c", RUN, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize(
    ("stop_signal", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["SIGINT", "SIGINT-when-started-with-it-ignored", "SIGTERM"],
)
def test_cli_serves_until_interrupted(stop_signal: signal.Signals, sigint_ignored: bool) -> None:
    process = _start("--host", "127.0.0.1", "--port", "0", sigint_ignored=sigint_ignored)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{base_url}/eu-west-1_Missing01/.well-known/jwks.json", timeout=5)
        assert response.status_code == 404
        process.send_signal(stop_signal)
        assert _exit_status(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _exit_status(process: subprocess.Popen[str]) -> int:
    """The exit status; if the process has not exited within 15 s, fail with the stack of
    each of its threads (faulthandler prints them on SIGABRT) to show where it hangs."""
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        _, err = process.communicate(timeout=15)
        pytest.fail(f"still running 15 s after the signal; its threads:\n{err[-8000:]}")


def test_cli_reports_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _start("--port", str(port))
        _, err = process.communicate(timeout=15)
    assert process.returncode == 1
    assert "cannot listen" in err


def test_run_in_thread_raises_oserror_for_a_busy_port() -> None:
    from cognito_sso.local.server import run_in_thread

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError, match="in use"):
            run_in_thread(port=busy.getsockname()[1])
