"""Where benchmark results go (``bench/results/<name>.json``) and what machine made them."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """CPU, cores, load average, Python and OS of this run."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


def tool_version(argv: list[str]) -> str:
    """First line of ``argv``'s output (``--version``), or "missing"."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


_AT_START = machine()  # each benchmark runs in its own process and imports this first


def git_commit() -> str:
    """The checked-out commit of this repository, ``+dirty`` when files differ from it."""
    root = RESULTS_DIR.parent.parent
    commit = tool_version(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "cognito_sso"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{commit}+dirty" if dirty else commit


def command(module: str, argv: list[str] | None) -> str:
    """The command line that ran ``module`` (``bench.x``) with ``argv`` (None: this process's
    arguments), as :func:`save` records it."""
    return f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])


def save(name: str, data: dict[str, Any], command: str) -> Path:
    """Write ``results/<name>.json`` with the command that produced it and the machine."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    info = {**_AT_START, "loadavg_at_end": os.getloadavg()}
    payload = {"name": name, "command": command, "machine": info, **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def load(name: str) -> dict[str, Any] | None:
    """A saved result, or None."""
    path = RESULTS_DIR / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def percentiles(samples: list[float], points: tuple[int, ...] = (50, 90, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (p50, p90, p99 by default) plus max and count."""
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)
    out: dict[str, float] = {"count": len(ordered)}
    for p in points:
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        out[f"p{p}"] = ordered[rank]
    out["max"] = ordered[-1]
    out["mean"] = sum(ordered) / len(ordered)
    return out
