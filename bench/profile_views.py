"""Where the time of a protected request goes: in-process cost per view, and a profile.

The same stack as bench/overhead.py (IdP, Redis, the bench app signed in under gunicorn) is
started; then the app is also created in this process with the same config (same stores,
same secret) and each view is called as a WSGI app with the same cookie or
bearer token, as a WSGI app (bench/cpu_probe.py). No network and no other process is involved
in the timed part. Then pyinstrument profiles the protected views. (bench/cpu_cost.py gives
the steadier figure: interleaved, against the open view sent the same credentials.)

Run: ``.venv/bin/python -m bench.profile_views`` (``--requests``). Needs pyinstrument.
Results: bench/results/inprocess.json and bench/results/profile.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from bench import harness, results
from bench.cpu_probe import call, cpu_per_request, environ_for
from bench.overhead import Variant, protected_stack

APP_OF_VARIANT = {"session-redis": "redis"}  # every other variant runs on the SQLite app


def _app(work: harness.Workdir, name: str) -> Flask:
    from bench.apps.service import create_app

    os.environ["BENCH_APP_CONFIG"] = str(work.file(f"{name}.json"))
    return create_app()


def _call(app: Flask, variant: Variant, count: int) -> float:
    """CPU seconds per request for ``count`` calls of the app as a WSGI app (as
    bench/cpu_probe.py calls it; the test client would add its own cost)."""
    environ = environ_for(urlsplit(variant.url).path, dict(variant.headers))
    status, _body = call(app, environ)
    if not status.startswith("200 "):
        raise RuntimeError(f"{variant.name}: {variant.url} answered {status} in-process")
    return cpu_per_request(app, environ, count)


# what a row of the CPU profile is kept for: our code and the costly calls it makes
_PROFILE_KEEP = ("cognito_sso", "sqlite3", "json", "redis", "headers.py", "flask/app.py")


def cpu_profile(run: Callable[[], object], rows: int = 22) -> str:
    """cProfile of ``run`` on the process-time clock: the costliest functions of
    ``_PROFILE_KEEP``, cumulative microseconds per request."""
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    run()
    profile.disable()
    stats = pstats.Stats(profile)
    calls = max(
        (
            v[0]
            for k, v in stats.stats.items()
            if k[2] == "__call__" and k[0].endswith("flask/app.py")
        ),  # type: ignore[attr-defined]
        default=1,
    )
    found = []
    for (path, line, name), (_cc, ncalls, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(part in path for part in _PROFILE_KEEP) or "sqlite3" in name:
            where = path.split("site-packages/")[-1].split("/perf/")[-1]
            found.append((cumulative, f"{where}:{line}({name})", ncalls))
    found.sort(reverse=True)
    lines = [f"{'us/req':>9} {'calls/req':>9}  function"]
    for cumulative, label, ncalls in found[:rows]:
        lines.append(f"{cumulative / calls * 1e6:9.1f} {ncalls / calls:9.2f}  {label}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and profile; print; save."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per view (default 3000)")
    parser.add_argument("--rounds", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    work = harness.Workdir()
    costs: dict[str, float] = {}
    profiles: list[str] = []
    try:
        with protected_stack(work) as (all_variants, _apps):
            variants = [v for v in all_variants if v.name != "open (again)"]
            apps = {name: _app(work, name) for name in ("sqlite", "redis")}
            for variant in variants:
                app = apps[APP_OF_VARIANT.get(variant.name, "sqlite")]
                costs[variant.name] = min(
                    _call(app, variant, args.requests) for _ in range(args.rounds)
                )
            for variant in variants[1:]:
                app = apps[APP_OF_VARIANT.get(variant.name, "sqlite")]
                profiler = Profiler(interval=0.0005)
                profiler.start()
                _call(app, variant, args.requests)
                profiler.stop()
                text = profiler.output_text(unicode=False, color=False, show_all=False)
                cpu = cpu_profile(lambda a=app, v=variant: _call(a, v, args.requests))
                profiles.append(
                    f"### {variant.name} ({args.requests} requests)\n\n"
                    f"CPU time (cProfile, process-time clock), us per request, cumulative:\n\n"
                    f"{cpu}\n\npyinstrument (wall clock, library frames folded):\n{text}"
                )
    finally:
        work.cleanup()
    base = costs["open"]
    table: dict[str, Any] = {
        name: {
            "us_per_request": round(cost * 1e6, 1),
            "added_us": round((cost - base) * 1e6, 1),
            "open_over_variant": round(base / cost, 3),
        }
        for name, cost in costs.items()
    }
    print("in-process CPU per request (WSGI calls; best of rounds)")
    for name, row in table.items():
        print(
            f"  {name:<16} {row['us_per_request']:8.1f} us  (+{row['added_us']:.1f} us, "
            f"open/variant {row['open_over_variant']:.2f})"
        )
    results.RESULTS_DIR.mkdir(exist_ok=True)
    (results.RESULTS_DIR / "profile.txt").write_text("\n".join(profiles))
    path = results.save(
        "inprocess",
        {"requests": args.requests, "rounds": args.rounds, "views": table},
        command=results.command("bench.profile_views", argv),
    )
    print(f"saved {path} and {results.RESULTS_DIR / 'profile.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
