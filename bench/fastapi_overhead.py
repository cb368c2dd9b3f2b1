"""Benchmark 1 for FastAPI: per-request cost of protection, as throughput ratios against an
open view, with the FastAPI adapter (bench/apps/fastapi_service.py) under uvicorn.

uvicorn runs 2 worker processes (one event loop each; ``--workers 2``), load from wrk in a
separate process, the same variants as ``bench.overhead`` (open, session in SQLite and in
Redis, permission, bearer, open again) and the same measurement (``overhead.measure``).
uvicorn's workers share one listening socket: the lopsided-worker re-measurement of
``bench.overhead`` (which reads gunicorn's worker pids) is not applied here.

Run: ``.venv/bin/python -m bench.fastapi_overhead`` (``--seconds``, ``--levels``, ``--rounds``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bench import harness, idp_setup, results
from bench.browser import Browser
from bench.overhead import Variant, measure

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


@contextmanager
def fastapi_stack(work: harness.Workdir) -> Iterator[list[Variant]]:
    """IdP + Redis + the FastAPI bench app twice (SQLite store, Redis store), one user."""
    idp = harness.idp_proc(work)
    redis = harness.redis_proc(work, persist=False)
    with harness.running(idp, redis):
        ports = {"sqlite": harness.free_port(), "redis": harness.free_port()}
        directory = idp_setup.create_directory(
            idp.url, {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}, users=1
        )
        stores = {
            "sqlite": f"sqlite:///{work.file('sessions.db')}",
            "redis": f"redis://127.0.0.1:{redis.port}/0",
        }
        apps = {
            name: uvicorn_proc(
                work,
                name,
                idp_setup.service_config(directory, name, session_store=stores[name]),
                port,
            )
            for name, port in ports.items()
        }
        with harness.running(*apps.values()):
            user = directory.users[0]
            cookies = {}
            for name, app in apps.items():
                browser = Browser()
                browser.sign_in(app.url, user, idp_setup.PASSWORD, "/whoami")
                cookies[name] = {"Cookie": f"{name}_sso={browser.client.cookies[f'{name}_sso']}"}
                browser.close()
            token = idp_setup.password_tokens(directory, "sqlite", user)["AccessToken"]
            sqlite_url, redis_url = apps["sqlite"].url, apps["redis"].url
            yield [
                Variant("open", f"{sqlite_url}/open", {}),
                Variant("session-sqlite", f"{sqlite_url}/session", cookies["sqlite"]),
                Variant("session-redis", f"{redis_url}/session", cookies["redis"]),
                Variant("permission", f"{sqlite_url}/perm", cookies["sqlite"]),
                Variant("bearer", f"{sqlite_url}/bearer", {"Authorization": f"Bearer {token}"}),
                Variant("open (again)", f"{sqlite_url}/open", {}),
            ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the ratios, save ``bench/results/fastapi_overhead.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per cell (default 5)")
    parser.add_argument("--levels", default="1,4,16,64", help="wrk connections (default 1,4,16,64)")
    parser.add_argument("--rounds", type=int, default=1, help="repeats; median kept (default 1)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    work = harness.Workdir()
    try:
        with fastapi_stack(work) as variants:
            data = measure(variants, levels=levels, seconds=args.seconds, rounds=args.rounds)
    finally:
        work.cleanup()
    print("\nthroughput ratio vs open (same run):")
    for name, by_level in data["ratios"].items():
        print(name.ljust(16) + "".join(f"{by_level[lvl]:<9.2f}" for lvl in levels))
    path = results.save(
        "fastapi_overhead",
        {
            "levels": levels,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "server": f"uvicorn, {WORKERS} workers (one event loop each), keep-alive",
            "client": results.tool_version(["wrk", "--version"]).split(" [")[0],
            "uvicorn": results.tool_version([str(harness.VENV_BIN / "uvicorn"), "--version"]),
            **data,
        },
        command="python -m bench.fastapi_overhead "
        + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
