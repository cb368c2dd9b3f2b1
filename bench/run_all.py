"""Run every benchmark in turn, then regenerate the docs from their results.

Run: ``.venv/bin/python -m bench.run_all`` (``--quick`` for a short smoke run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench.harness import ROOT

FULL = [
    ["bench.verify_interpreters"],
    ["bench.overhead", "--seconds", "3", "--rounds", "2"],
    ["bench.fastapi_overhead", "--seconds", "3", "--rounds", "2"],
    ["bench.profile_views"],
    ["bench.served_profile"],
    ["bench.signin"],
    ["bench.provisioning_calls"],
    ["bench.peer"],
    ["bench.cpu_cost"],
    ["bench.bearer_revocation"],
    ["bench.load"],
]
QUICK = [
    ["bench.verify_interpreters", "--rounds", "1", "--repeat", "2"],
    ["bench.overhead", "--seconds", "1", "--levels", "1,8"],
    ["bench.fastapi_overhead", "--seconds", "1", "--levels", "1,8"],
    ["bench.profile_views", "--requests", "300", "--rounds", "1"],
    ["bench.served_profile", "--seconds", "4"],
    ["bench.signin", "--iterations", "5", "--seconds", "1", "--levels", "1,4"],
    ["bench.provisioning_calls"],
    ["bench.peer", "--seconds", "1", "--levels", "1,8"],
    ["bench.cpu_cost", "--requests", "200", "--rounds", "1"],
    ["bench.bearer_revocation", "--requests", "200", "--rounds", "1"],
    ["bench.load", "--users", "20", "--duration", "10", "--fault-seconds", "3", "--gap", "1"],
]


def main(argv: list[str] | None = None) -> int:
    """Each benchmark in its own process; the report at the end. Exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny runs (numbers not for docs)")
    args = parser.parse_args(argv)
    failed = []
    verify = ROOT / "bench" / "verify.py"
    if verify.exists():  # the verifier's benchmark (bench/results/verify.json)
        print("\n=== python bench/verify.py --save", flush=True)
        if subprocess.run(
            [sys.executable, str(verify), "--save"], cwd=ROOT, check=False
        ).returncode:
            failed.append("bench/verify.py")
    for module in QUICK if args.quick else FULL:
        print(f"\n=== python -m {' '.join(module)}", flush=True)
        if subprocess.run([sys.executable, "-m", *module], cwd=ROOT, check=False).returncode:
            failed.append(module[0])
    subprocess.run([sys.executable, "-m", "bench.report"], cwd=ROOT, check=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
