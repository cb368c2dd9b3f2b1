"""What the bearer revocation check (``COGNITO_BEARER_REVOCATION_CHECK_INTERVAL``) costs.

A Flask app in this process, called as a WSGI app (``bench/cpu_probe.py``'s calls), with one
real access token from the local IdP (its own process, so its CPU is not counted here):

- ``open``: an unprotected view (same header);
- ``bearer``: ``bearer_required()`` with the check off: the baseline;
- ``bearer+check cached``: the check on, the IdP's answer cached (every request but the first);
- ``bearer+check asked``: an interval so short that every request asks the IdP (GetUser over
  loopback): the cost of a cache miss, once per token per interval in real use.

Probes are interleaved round after round and the best round kept (CPU time of this process);
the ratios are against ``bearer`` from the same run. The asked probe also reports wall time.

Run: ``.venv/bin/python -m bench.bearer_revocation`` (``--requests``, ``--rounds``).
Results: bench/results/bearer_revocation.json.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from flask import Flask

from bench import harness, results
from bench.apps.service import BODY
from bench.cpu_probe import call, cpu_per_request, environ_for
from bench.idp_setup import create_directory, password_tokens, service_config
from cognito_sso.flask import CognitoSSO

CACHED_INTERVAL = 3600.0
ASKED_INTERVAL = 1e-9  # every answer is stale at once: each request asks
BASELINE = "bearer"


def build_app(config: dict[str, Any]) -> Flask:
    """The measured views (each answers ``BODY``)."""
    app = Flask("bearer_revocation_bench")
    app.config.update(config)
    sso = CognitoSSO(app)

    def body() -> str:
        return BODY

    views = {
        "/open": body,
        "/bearer": sso.bearer_required(revocation_check_interval=0)(body),
        "/cached": sso.bearer_required(revocation_check_interval=CACHED_INTERVAL)(body),
        "/asked": sso.bearer_required(revocation_check_interval=ASKED_INTERVAL)(body),
    }
    for path, view in views.items():
        app.add_url_rule(path, path, view)
    return app


def measure(app: Flask, token: str, requests: int, rounds: int) -> dict[str, dict[str, float]]:
    """Best-of-``rounds`` CPU per request of every probe, and wall time of the asked one."""
    headers = {"Authorization": f"Bearer {token}"}
    probes = {
        "open": environ_for("/open", headers),
        BASELINE: environ_for("/bearer", headers),
        "bearer+check cached": environ_for("/cached", headers),
        "bearer+check asked": environ_for("/asked", headers),
    }
    for name, environ in probes.items():
        status, body = call(app, environ)
        if not status.startswith("200 ") or body != BODY.encode():
            raise RuntimeError(f"{name}: {status} {body[:80]!r}")
    counts = {name: requests for name in probes}
    counts["bearer+check asked"] = max(20, requests // 50)  # a loopback call each
    best = dict.fromkeys(probes, float("inf"))
    wall = float("inf")
    for _ in range(rounds):
        for name, environ in probes.items():
            started = time.perf_counter()
            best[name] = min(best[name], cpu_per_request(app, environ, counts[name]))
            if name == "bearer+check asked":
                wall = min(wall, (time.perf_counter() - started) / counts[name])
    base = best[BASELINE]
    rows = {
        name: {
            "cpu_us": round(cpu * 1e6, 2),
            "added_cpu_us": round((cpu - base) * 1e6, 2),
            "ratio_to_bearer": round(cpu / base, 3),
            "requests_per_round": counts[name],
        }
        for name, cpu in best.items()
    }
    rows["bearer+check asked"]["wall_us"] = round(wall * 1e6, 1)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure, print, save bench/results/bearer_revocation.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per probe and round")
    parser.add_argument("--rounds", type=int, default=7, help="best of N (default 7)")
    args = parser.parse_args(argv)
    work = harness.Workdir()
    idp = harness.idp_proc(work)
    try:
        with harness.running(idp):
            directory = create_directory(idp.url, {"api": "http://127.0.0.1:8000"}, users=1)
            token = password_tokens(directory, "api", directory.users[0])["AccessToken"]
            store = f"sqlite:///{work.file('sessions.db')}"
            app = build_app(service_config(directory, "api", session_store=store))
            rows = measure(app, token, args.requests, args.rounds)
    finally:
        work.cleanup()
    print("CPU per request, in-process WSGI calls (best of rounds), baseline: bearer, check off")
    print(f"  {'view':<22}{'us/req':>9}{'added':>9}{'ratio':>8}")
    for name, row in rows.items():
        print(
            f"  {name:<22}{row['cpu_us']:9.1f}{row['added_cpu_us']:+9.1f}"
            f"{row['ratio_to_bearer']:8.2f}"
        )
    print(f"  asked: {rows['bearer+check asked']['wall_us']:.0f} us wall per request (GetUser)")
    path = results.save(
        "bearer_revocation",
        {
            "requests": args.requests,
            "rounds": args.rounds,
            "library_commit": results.git_commit(),
            "views": rows,
        },
        command=results.command("bench.bearer_revocation", argv),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
