"""Processes the benchmarks and load tests run: local IdP, TCP front end, Redis, WSGI services.

Everything listens on 127.0.0.1 only, on free ports. Each process writes its output to a log
file in the run's work directory, so a failed start can be explained.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until something accepts TCP connections on ``127.0.0.1:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout:.0f} s")


def wait_for_no_port(port: int, timeout: float = 15.0) -> None:
    """Block until ``127.0.0.1:port`` refuses connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                pass
        except OSError:
            return
        time.sleep(0.05)
    raise TimeoutError(f"{HOST}:{port} still accepts connections")


@dataclass
class Proc:
    """A child process listening on one port; can be stopped and started again."""

    name: str
    argv: list[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        """The child's process id."""
        assert self.popen is not None
        return self.popen.pid

    def start(self, timeout: float = 30.0) -> Proc:
        """Start the process (in its own process group) and wait until it listens."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        try:
            wait_for_port(self.port, timeout, self.popen)
        except Exception as exc:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"{self.name} did not start: {exc}\n--- {self.log_path}\n{tail}"
            ) from exc
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers; wait until the port is free."""
        if self.popen is None or self.popen.poll() is not None:
            self.popen = None
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)
        self.popen = None
        wait_for_no_port(self.port)

    def restart(self) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        self.start()


class Workdir:
    """A temporary directory holding logs, configs, SQLite and Redis files of one run."""

    def __init__(self, prefix: str = "cognito-sso-bench-", keep: bool = False) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self.keep = keep

    def file(self, name: str) -> Path:
        """Path of ``name`` inside the work directory."""
        return self.path / name

    def cleanup(self) -> None:
        """Delete the directory unless asked to keep it."""
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def idp_proc(work: Workdir, *, public_port: int | None = None) -> Proc:
    """The local IdP (werkzeug, threaded). ``public_port``: base URL port when behind a proxy."""
    port = free_port()
    public = f"http://{HOST}:{public_port or port}"
    return Proc(
        name="idp",
        argv=[PYTHON, "-m", "bench.idp_main", "--port", str(port), "--base-url", public],
        port=port,
        log_path=work.file("idp.log"),
    )


def proxy_proc(work: Workdir, target_port: int, port: int | None = None) -> Proc:
    """A TCP forwarder (bench/tcp_proxy.py) in front of ``target_port``."""
    port = port or free_port()
    return Proc(
        name="idp-proxy",
        argv=[PYTHON, "-m", "bench.tcp_proxy", "--listen", str(port), "--target", str(target_port)],
        port=port,
        log_path=work.file("proxy.log"),
    )


def redis_proc(work: Workdir, *, persist: bool = True) -> Proc:
    """Debian's redis-server; with ``persist`` an append-only file survives restarts."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    data = work.file("redis")
    data.mkdir(exist_ok=True)
    argv = [server, "--bind", HOST, "--port", str(port), "--dir", str(data), "--save", ""]
    argv += ["--appendonly", "yes" if persist else "no", "--protected-mode", "yes"]
    return Proc(name="redis", argv=argv, port=port, log_path=work.file("redis.log"))


def service_proc(
    work: Workdir,
    name: str,
    config: Mapping[str, Any],
    *,
    port: int | None = None,
    app: str = "bench.apps.service:create_app()",
    workers: int = 2,
    threads: int = 4,
    gunicorn: Path | None = None,
    pythonpath: Sequence[str] = (),
) -> Proc:
    """A Flask app under gunicorn (``workers`` processes, gthread workers with keep-alive)."""
    port = port or free_port()
    config_path = work.file(f"{name}.json")
    config_path.write_text(json.dumps(dict(config)))
    binary = gunicorn or VENV_BIN / "gunicorn"
    argv = [
        str(binary),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--keep-alive", "30",
        "--graceful-timeout", "5",
        "--log-level", "warning",
        app,
    ]  # fmt: skip
    env = {"BENCH_APP_CONFIG": str(config_path)}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(ROOT)])
    return Proc(name=name, argv=argv, port=port, log_path=work.file(f"{name}.log"), env=env)


@contextlib.contextmanager
def running(*procs: Proc) -> Iterator[None]:
    """Start the processes in order, stop them in reverse order on exit."""
    started: list[Proc] = []
    try:
        for proc in procs:
            proc.start()
            started.append(proc)
        yield
    finally:
        for proc in reversed(started):
            with contextlib.suppress(Exception):
                proc.stop()


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers, for a master), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def cpu_ticks(pid: int) -> int:
    """User + system CPU ticks used so far by ``pid`` (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def idp_request_counts(log_path: Path) -> dict[str, int]:
    """Requests the local IdP logged (werkzeug access log), by method and path kind."""
    counts: Counter[str] = Counter()
    if not log_path.exists():
        return {}
    text = re.sub(r"\x1b\[[0-9;]*m", "", log_path.read_text(errors="replace"))  # ANSI colours
    for line in text.splitlines():
        match = re.search(r'"(GET|POST|DELETE|PUT) ([^ ?"]+)[^"]*" (\d{3})', line)
        if match is None:
            continue
        method, path, _status = match.groups()
        if path.endswith("/.well-known/jwks.json"):
            path = "/{pool}/.well-known/jwks.json"
        elif path.endswith("/.well-known/openid-configuration"):
            path = "/{pool}/.well-known/openid-configuration"
        counts[f"{method} {path}"] += 1
    return dict(sorted(counts.items()))
