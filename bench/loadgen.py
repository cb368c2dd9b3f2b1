"""Load from a separate process: ``wrk`` (Debian's /usr/bin/wrk), results as a dict.

wrk is a C load generator with keep-alive connections, so the client costs far less CPU
than the Python server it measures. Its Lua ``done`` hook prints one JSON line we parse.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_DONE = r"""
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def run_wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    body: str | None = None,
    threads: int | None = None,
    timeout_s: int = 10,
) -> dict[str, Any]:
    """Run wrk against ``url`` (127.0.0.1 only) and return its summary.

    Keys: requests, rps, bytes, errors_* (connect/read/write/status = non-2xx/3xx/timeout),
    p50_ms, p90_ms, p99_ms, max_ms, mean_ms, connections, seconds.
    """
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    script = _DONE
    if method != "GET" or body is not None:
        script = f"wrk.method = {_lua_string(method)}\n" + script
        if body is not None:
            script = f"wrk.body = {_lua_string(body)}\n" + script
    threads = threads or max(1, min(2, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = Path(handle.name)
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s"]
    argv += ["--timeout", f"{timeout_s}s", "-s", str(script_path)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(url)
    try:
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 60, check=True
        ).stdout
    finally:
        script_path.unlink(missing_ok=True)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    result: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["connections"] = connections
    result["seconds"] = seconds
    return result
