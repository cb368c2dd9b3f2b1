"""Where a served request's time goes: py-spy samples of the gunicorn workers under wrk load.

The stack of bench/overhead.py is started; for each view, wrk loads it (16 connections) while
``py-spy record --subprocesses`` samples the app's gunicorn workers (active threads only).
Each sample is a whole stack, so the share of samples whose stack passes through a module
is the share of the workers' busy time spent in it (inclusive).

Run: ``.venv/bin/python -m bench.served_profile`` (``--seconds``). Needs py-spy and the right to
ptrace the workers (root, or ``kernel.yama.ptrace_scope=0``).
Results: bench/results/served_profile.json.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import harness, loadgen, results
from bench.overhead import protected_stack

# share of samples whose stack contains the marker (inclusive); first column is the label
# (py-spy names frames "function (package/module.py:line)")
CATEGORIES = (
    ("cognito_sso (all)", ("(cognito_sso/",)),
    ("session store", ("(cognito_sso/sessions/",)),
    ("redis client", ("(redis/",)),
    ("token verifier", ("(cognito_sso/verifier.py", "(cognito_sso/jwks.py")),
)


def parse_raw(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    """py-spy's raw (collapsed) output: total samples, samples by category, by ours-leaf."""
    total = 0
    by_category: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        for label, markers in CATEGORIES:
            if any(marker in stack for marker in markers):
                by_category[label] += count
        ours = [frame for frame in stack.split(";") if "(cognito_sso/" in frame]
        if ours:
            by_function[ours[-1].rsplit(":", 1)[0] + ")"] += count
    return total, by_category, by_function


def record(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Start py-spy on ``pid`` and its children."""
    spy = harness.VENV_BIN / "py-spy"
    argv = [str(spy), "record", "--pid", str(pid), "--subprocesses", "--rate", "250"]
    argv += ["--duration", str(round(seconds)), "--format", "raw", "--output", str(out)]
    argv += ["--nonblocking"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main(argv: list[str] | None = None) -> int:
    """Profile each view under load; print the shares; save."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per view (default 6)")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    work = harness.Workdir()
    views: dict[str, Any] = {}
    try:
        with protected_stack(work) as (variants, apps):
            for variant in variants:
                if variant.name == "open (again)":
                    continue
                app = apps["redis" if variant.name == "session-redis" else "sqlite"]
                out = work.file(f"spy-{variant.name}.txt")
                spy = record(app.pid, out, args.seconds)
                time.sleep(1.0)  # py-spy attaches to the workers
                summary = loadgen.run_wrk(
                    variant.url,
                    connections=args.connections,
                    seconds=args.seconds - 2,
                    headers=variant.headers,
                )
                _, err = spy.communicate(timeout=args.seconds + 60)
                if spy.returncode or not out.exists():
                    raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
                total, by_category, by_function = parse_raw(out)
                views[variant.name] = {
                    "rps": round(summary["rps"]),
                    "samples": total,
                    "share": {k: round(v / total, 3) for k, v in by_category.items()},
                    "top_cognito_sso": [
                        [name, round(n / total, 3)] for name, n in by_function.most_common(6)
                    ],
                }
                shares = ", ".join(f"{k} {v:.0%}" for k, v in views[variant.name]["share"].items())
                print(f"  {variant.name:<16} {total:6} samples: {shares}")
    finally:
        work.cleanup()
    path = results.save(
        "served_profile",
        {"connections": args.connections, "seconds": args.seconds, "views": views},
        command=results.command("bench.served_profile", argv),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
