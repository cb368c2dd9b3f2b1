"""Benchmark 5: the peers users would pick instead, on the same protected view, same run.

bench/peer_stack.py starts our app (SQLite and Redis session stores) and the peers' apps
(Flask-Login + Flask-Session in Redis; authlib with tokens in Flask's signed cookie;
flask-cognito-lib from PyPI in a throwaway venv) under the same gunicorn settings, one local
IdP and one Redis for all, one signed-in user each. wrk loads every app's open view and its
protected view at each level, all variants interleaved; a protected view's ratio is taken
against its own app's open view (and shown in req/s beside ours).

flask-cognito-lib verifies the access token from its cookie on each request, and fetches the
JWKS each time (counted at the IdP after the measurement).

Run: ``.venv/bin/python -m bench.peer`` (``--seconds``, ``--levels``, ``--rounds``,
``--fcl-venv``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench import harness, loadgen, results
from bench.overhead import Variant, measure
from bench.peer_stack import DEFAULT_FCL_VENV, App, ensure_fcl_venv, peer_stack

JWKS_GET = "GET /{pool}/.well-known/jwks.json"


def jwks_fetches_per_request(idp_log: Path, variant: Variant) -> dict[str, int]:
    """Load ``variant`` for 2 s and count the JWKS GETs the IdP logged meanwhile."""
    before = harness.idp_request_counts(idp_log).get(JWKS_GET, 0)
    summary = loadgen.run_wrk(variant.url, connections=4, seconds=2, headers=variant.headers)
    time.sleep(0.5)  # let the IdP flush its access log
    after = harness.idp_request_counts(idp_log).get(JWKS_GET, 0)
    return {"requests": summary["requests"], "jwks_fetches": after - before}


def variants_of(app: App) -> list[Variant]:
    """The app's open view (named ``<app> open``) and each protected view."""
    url, pid = app.proc.url, app.proc.pid
    found = [Variant(f"{app.name} open", f"{url}/open", {}, pid)]
    for path, label in app.protected.items():
        found.append(Variant(label, f"{url}{path}", app.credentials[path], pid))
    return found


def main(argv: list[str] | None = None) -> int:
    """Run, print, save bench/results/peer.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--levels", default="1,4,16,64")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--fcl-venv", type=Path, default=DEFAULT_FCL_VENV)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    version = ensure_fcl_venv(args.fcl_venv)
    print(f"flask-cognito-lib {version}")
    work = harness.Workdir()
    try:
        with peer_stack(work, fcl_venv=args.fcl_venv) as apps:
            variants = [v for app in apps.values() for v in variants_of(app)]
            data = measure(
                variants, levels=levels, seconds=args.seconds, rounds=args.rounds,
                baseline="ours-sqlite open",
            )  # fmt: skip
            fcl = variants_of(apps["flask-cognito-lib"])[1]
            ours_bearer = next(v for v in variants if v.name == "ours bearer")
            fetches = {
                v.name: jwks_fetches_per_request(work.file("idp.log"), v)
                for v in (ours_bearer, fcl)
            }
            own_open = {v.name: f"{a.name} open" for a in apps.values() for v in variants_of(a)}
    finally:
        work.cleanup()
    for name, open_name in own_open.items():  # each app against its own open view
        for level in levels:
            cells = data["cells"]
            data["ratios"][name][level] = cells[name][level]["rps"] / cells[open_name][level]["rps"]
    for name, row in fetches.items():
        print(f"{name}: {row['jwks_fetches']} JWKS fetches for {row['requests']} requests")
    print("\nthroughput ratio vs the same app's open view (same run):")
    for name, by_level in data["ratios"].items():
        print(f"  {name:<22}" + "".join(f"c={lvl}: {r:.2f}  " for lvl, r in by_level.items()))
    from importlib.metadata import version as installed

    path = results.save(
        "peer",
        {
            "versions": {
                "flask-cognito-lib": version,
                **{n: installed(n) for n in ("flask-login", "flask-session", "authlib")},
            },
            "own_open": own_open,
            "levels": levels,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "jwks_fetches": fetches,
            **data,
        },
        command=results.command("bench.peer", argv),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
