"""Where the time of a protected request goes: in-process cost per view, and a profile.

The same stack as bench/overhead.py (IdP, Redis, the bench app signed in under gunicorn) is
started; then the app is also created in this process with the same config (same stores,
same secret) and each view is called through Flask's test client with the same cookie or
bearer token. No network and no other process is involved in the timed part, so this
measures the CPU cost the protection adds to a request, which is far steadier than
throughput on a shared machine. Then pyinstrument profiles the protected views.

Run: ``.venv/bin/python -m bench.profile_views`` (``--requests``). Needs pyinstrument.
Results: bench/results/inprocess.json and bench/results/profile.txt.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from bench import harness, results
from bench.overhead import Variant, protected_stack

APP_OF_VARIANT = {"session-redis": "redis"}  # every other variant runs on the SQLite app


def _app(work: harness.Workdir, name: str) -> Flask:
    from bench.apps.service import create_app

    os.environ["BENCH_APP_CONFIG"] = str(work.file(f"{name}.json"))
    return create_app()


def _call(app: Flask, variant: Variant, count: int) -> float:
    """CPU seconds per request for ``count`` requests through the test client."""
    client = app.test_client()
    path = urlsplit(variant.url).path
    headers = dict(variant.headers)
    cookie = headers.pop("Cookie", None)
    if cookie:  # the test client keeps its own cookie jar and drops a Cookie header
        name, _, value = cookie.partition("=")
        client.set_cookie(name, value)
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{variant.name}: {path} answered {response.status_code} in-process")
    started = time.process_time()
    for _ in range(count):
        client.get(path, headers=headers)
    return (time.process_time() - started) / count


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
                profiles.append(f"### {variant.name} ({args.requests} requests)\n{text}")
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
    print("in-process CPU per request (Flask test client; best of rounds)")
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
        command="python -m bench.profile_views "
        + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    print(f"saved {path} and {results.RESULTS_DIR / 'profile.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
