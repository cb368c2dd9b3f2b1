"""Benchmark 1 for FastAPI: per-request cost of protection, as throughput ratios against an
open view, with the FastAPI adapter (bench/apps/fastapi_service.py) under uvicorn.

uvicorn runs 2 worker processes (one event loop each; ``--workers 2``), load from wrk in a
separate process: the stack, variants (open, session in SQLite and in Redis, permission,
bearer, open again), measurement and report of ``bench.overhead`` (``overhead.run``).
uvicorn's workers share one listening socket: the lopsided-worker re-measurement of
``bench.overhead`` (which reads gunicorn's worker pids) is not applied here.

Run: ``.venv/bin/python -m bench.fastapi_overhead`` (``--seconds``, ``--levels``, ``--rounds``,
``--keep``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bench import harness
from bench.overhead import run

WORKERS = 2


def uvicorn_proc(
    work: harness.Workdir, name: str, config: Mapping[str, Any], port: int
) -> harness.Proc:
    """The FastAPI bench app under uvicorn (``WORKERS`` processes)."""
    config_path = work.file(f"{name}.json")
    config_path.write_text(json.dumps(dict(config)))
    argv = [
        str(harness.VENV_BIN / "uvicorn"),
        "--factory", "bench.apps.fastapi_service:create_app",
        "--host", harness.HOST, "--port", str(port),
        "--workers", str(WORKERS),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {"BENCH_APP_CONFIG": str(config_path)}
    return harness.Proc(name=name, argv=argv, port=port, log_path=work.file(f"{name}.log"), env=env)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the ratios, save ``bench/results/fastapi_overhead.json``."""
    return run(
        argv,
        name="fastapi_overhead",
        doc=__doc__,
        serve=uvicorn_proc,
        rebalance=False,
        server=f"uvicorn, {WORKERS} workers (one event loop each), keep-alive",
        server_tool="uvicorn",
        goals={},
    )


if __name__ == "__main__":
    raise SystemExit(main())
