"""Benchmark 4: API calls and writes of a first and a repeated apply of the demo spec.

The local IdP runs in its own process; provisioning's Python API applies
``provisioning/pools/sso-demo.toml`` twice. Every cognito-idp call boto3 makes is counted by a
``before-call`` hook (reads: Describe/Get/List/AdminGet/AdminList; every other operation is a
write). The ratio printed is repeated apply / first apply, measured in the same run.

Run: ``.venv/bin/python -m bench.provisioning_calls`` (``--spec``).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import harness, results
from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import is_write_operation

DEFAULT_SPEC = harness.ROOT / "provisioning" / "pools" / "sso-demo.toml"


class CallCounter:
    """All cognito-idp operations, in order (a botocore ``before-call`` handler)."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def take(self) -> list[str]:
        """The operations since the last `take`."""
        ops, self.operations = self.operations, []
        return ops


def summary(ops: list[str], seconds: float) -> dict[str, Any]:
    """Calls, writes, by operation, seconds."""
    writes = [op for op in ops if is_write_operation(op)]
    return {
        "calls": len(ops),
        "writes": len(writes),
        "reads": len(ops) - len(writes),
        "seconds": round(seconds, 3),
        "by_operation": dict(sorted(Counter(ops).items())),
    }


def main(argv: list[str] | None = None) -> int:
    """Apply twice, print the table, save bench/results/provisioning.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    args = parser.parse_args(argv)
    spec = api.load_spec(args.spec)
    work = harness.Workdir()
    idp = harness.idp_proc(work)
    runs: dict[str, dict[str, Any]] = {}
    try:
        with harness.running(idp):
            conn = api.connect(endpoint_url=idp.url)
            counter = CallCounter()
            conn.client.meta.events.register("before-call", counter)
            for label in ("first apply", "repeated apply"):
                started = time.perf_counter()
                result = api.apply(conn, spec)
                runs[label] = summary(counter.take(), time.perf_counter() - started)
                runs[label]["apply_result_writes"] = result.writes
            started = time.perf_counter()
            api.write_outputs_for(conn, spec, work.file("outputs.json"))
            runs["outputs"] = summary(counter.take(), time.perf_counter() - started)
    finally:
        work.cleanup()
    first, again = runs["first apply"], runs["repeated apply"]
    print(f"spec {args.spec}")
    print("                    calls  writes  reads  seconds")
    for label, row in runs.items():
        print(
            f"  {label:<16} {row['calls']:6} {row['writes']:7} {row['reads']:6} "
            f"{row['seconds']:8.2f}"
        )
    ratio_calls = again["calls"] / first["calls"] if first["calls"] else 0.0
    print(f"repeated / first apply: {ratio_calls:.2f}x the calls, {again['writes']} writes")
    path = results.save(
        "provisioning",
        {
            "spec": str(Path(args.spec).resolve().relative_to(harness.ROOT)),
            "runs": runs,
            "repeated_vs_first_calls": ratio_calls,
            "idempotent": again["writes"] == 0,
        },
        command=results.command("bench.provisioning_calls", argv),
    )
    print(f"saved {path}")
    return 0 if again["writes"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
