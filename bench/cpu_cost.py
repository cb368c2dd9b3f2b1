"""CPU time each protection adds to a request, in microseconds: ours and the peers'.

The steady figure beside throughput. Each app of bench/peer_stack.py is signed in over HTTP
first; then a worker process (bench/cpu_probe.py, in the venv that holds the app) creates
the app with the same config (same stores, same secret) and calls it as a WSGI app, no
network: each protected view, the open view sent the same cookie or header, and the open
view sent nothing, interleaved round after round, best round kept. The protected view's
cost minus the open view's (same credentials) is what the protection adds; other
processes' load mostly drops out of a best-of-N CPU-time figure.

Run: ``.venv/bin/python -m bench.cpu_cost`` (``--requests``, ``--rounds``, ``--peers``,
``--fcl-venv``). Results: bench/results/cpu_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from typing import Any

from bench import harness, results
from bench.apps.service import BODY
from bench.peer_stack import DEFAULT_FCL_VENV, App, ensure_fcl_venv, peer_stack

# Goals of issue 16: added CPU per request, microseconds.
GOALS_US = {
    "ours-sqlite session": 15.0,
    "ours-redis session": 15.0,
    "ours permission": 15.0,
    "ours bearer": 8.0,
}


def probes_of(app: App) -> list[dict[str, Any]]:
    """The open view bare, and per protected view: the view and the open view with its
    credentials."""
    probes: list[dict[str, Any]] = [{"name": "open", "path": "/open", "headers": {}}]
    for path, label in app.protected.items():
        headers = dict(app.credentials[path])
        probes.append({"name": label, "path": path, "headers": headers})
        probes.append({"name": f"open+{label}", "path": "/open", "headers": headers})
    return probes


def run_probe(app: App, requests: int, rounds: int) -> dict[str, Any]:
    """Run bench/cpu_probe.py for ``app`` in its own python; its JSON answer."""
    spec = {
        "app": app.factory,
        "config": str(app.config_path),
        "requests": requests,
        "rounds": rounds,
        "body": BODY,
        "probes": probes_of(app),
    }
    env = {**os.environ, "PYTHONPATH": str(harness.ROOT)}
    out = subprocess.run(
        [app.python, "-m", "bench.cpu_probe"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=harness.ROOT,
        env=env,
        timeout=1800,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{app.name}: cpu_probe failed:\n{out.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    wrong = {k: v for k, v in answer["answered"].items() if v != "200 ok"}
    if wrong:
        raise RuntimeError(f"{app.name}: not the benchmark body: {wrong}")
    return answer


def rows_of(app: App, us: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per protected view: its cost, and what it adds over the open view (same credentials,
    and no credentials)."""
    return {
        label: {
            "us_per_request": us[label],
            "open_same_credentials_us": us[f"open+{label}"],
            "open_bare_us": us["open"],
            "added_us": round(us[label] - us[f"open+{label}"], 2),
            "added_over_bare_open_us": round(us[label] - us["open"], 2),
        }
        for label in app.protected.values()
    }


def main(argv: list[str] | None = None) -> int:
    """Measure, print, save bench/results/cpu_cost.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per probe and round")
    parser.add_argument("--rounds", type=int, default=7, help="best of N (default 7)")
    parser.add_argument("--peers", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--fcl-venv", type=str, default=str(DEFAULT_FCL_VENV))
    args = parser.parse_args(argv)
    fcl_version = None
    fcl_venv = None
    if args.peers:
        from pathlib import Path

        fcl_venv = Path(args.fcl_venv)
        fcl_version = ensure_fcl_venv(fcl_venv)
    work = harness.Workdir()
    rows: dict[str, dict[str, float]] = {}
    try:
        with peer_stack(work, fcl_venv=fcl_venv) as apps:
            for app in apps.values():
                if not args.peers and not app.name.startswith("ours"):
                    continue
                answer = run_probe(app, args.requests, args.rounds)
                rows.update(rows_of(app, answer["us_per_request"]))
                print(f"{app.name}: {answer['us_per_request']}")
    finally:
        work.cleanup()
    print("\nCPU per request, in-process WSGI calls (best of rounds):")
    print(f"  {'view':<22}{'us/req':>9}{'added':>9}{'vs bare open':>14}  goal")
    for label, row in rows.items():
        goal = GOALS_US.get(label)
        verdict = ""
        if goal is not None:
            verdict = f"<= {goal:g} {'met' if row['added_us'] <= goal else 'MISSED'}"
        print(
            f"  {label:<22}{row['us_per_request']:9.1f}{row['added_us']:+9.1f}"
            f"{row['added_over_bare_open_us']:+14.1f}  {verdict}"
        )
    path = results.save(
        "cpu_cost",
        {
            "requests": args.requests,
            "rounds": args.rounds,
            "goals_us": GOALS_US,
            "versions": _versions(fcl_version),
            "library_commit": results.git_commit(),
            "views": rows,
        },
        command=results.command("bench.cpu_cost", argv),
    )
    print(f"saved {path}")
    return 0


def _versions(fcl_version: str | None) -> dict[str, str]:
    from importlib.metadata import version

    found = {name: version(name) for name in ("flask", "flask-login", "flask-session", "authlib")}
    if fcl_version:
        found["flask-cognito-lib"] = fcl_version
    return found


if __name__ == "__main__":
    raise SystemExit(main())
