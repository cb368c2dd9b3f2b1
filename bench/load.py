"""Load and faults, long version: 200 users on both services for 60 s, then faults under load.

Part 1 (clean): ``--users`` simulated users sign in (hosted-UI form over HTTP) at billing and
reports and browse both for ``--duration`` seconds. Pass: zero 5xx, zero pages showing
another user's identity, zero sessions lost, every user signed in.

Part 2 (faults): the same users browse while the faults of bench/fault_plan.py are injected
one after another (IdP down, JWKS failing, token endpoint slow, Redis restarted, service
restarted), each ``--fault-seconds`` long. Pass: every fault's checks hold, zero mix-ups,
zero sessions lost, and 5xx only inside fault windows.

Run: ``.venv/bin/python -m bench.load`` (``--users 200 --duration 60``; ``--skip-clean``,
``--skip-faults``). Results: bench/results/load.json.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench import fault_plan, harness, loadtest, results


def clean_run(users: int, duration: float, keep: bool) -> dict[str, Any]:
    """Part 1."""
    with loadtest.stack(users=users, keep=keep) as s:
        print(f"stack up: {s.service_urls()} (work {s.work.path})")
        before = harness.idp_request_counts(s.idp.log_path)  # setup: pool, clients, users
        run = loadtest.start_users(s, users=users, duration=duration, ramp=min(15.0, duration / 4))
        events = run.wait()
        time.sleep(0.5)
        after = harness.idp_request_counts(s.idp.log_path)
        idp_requests = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
    summary = loadtest.summarise(events)
    summary["timeseries"] = loadtest.timeseries(events, run.start_at)
    summary["idp_requests"] = idp_requests
    summary["users_signed_in"] = loadtest.users_signed_in(events)
    summary["requests_per_second"] = round(summary["events"] / duration, 1)
    summary["passed"] = (
        summary["status_5xx"] == 0
        and summary["mixups"] == 0
        and summary["lost_sessions"] == 0
        and summary["conn_errors"] == 0
        and summary["users_signed_in"] == users
    )
    return summary


def fault_run(
    users: int,
    fault_seconds: float,
    gap: float,
    hang: float,
    http_timeout: float,
    keep: bool,
    check_interval: float = 10.0,
) -> dict[str, Any]:
    """Part 2."""
    with loadtest.stack(
        users=users, http_timeout=http_timeout, session_check_interval=check_interval, keep=keep
    ) as s:
        print(f"stack up: {s.service_urls()} (work {s.work.path})")
        ramp = min(15.0, 5 + users / 20)
        # an upper bound: the users are stopped 5 s after the last fault
        run = loadtest.start_users(s, users=users, duration=600, ramp=ramp)
        time.sleep(max(0.0, run.start_at + ramp + 5 - time.time()))
        prober = loadtest.Prober(s)
        faults = fault_plan.run_all(
            s, prober, fault_seconds=fault_seconds, gap=gap, hang=hang, http_timeout=http_timeout
        )
        time.sleep(5)
        run.stop()
        events = run.wait()
        duration = max((e.t for e in events), default=run.start_at) - run.start_at
    verdict = fault_plan.evaluate(events, faults)
    print("  with the users' requests in each window:")
    for fault in faults:
        failed = [k for k, ok in fault.checks.items() if not ok]
        print(f"    {fault.name}: {'ok' if fault.passed else 'FAILED ' + ', '.join(failed)}")
    verdict["timeseries"] = loadtest.timeseries(events, run.start_at)
    for fault in verdict["faults"]:
        fault["t_start"] = round(fault["start"] - run.start_at, 2)
        fault["t_end"] = round(fault["end"] - run.start_at, 2)
    return {
        "users": users,
        "duration_s": duration,
        "session_check_interval_s": check_interval,
        "http_timeout_s": http_timeout,
        **verdict,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both parts, print the verdicts, save bench/results/load.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="clean run seconds")
    parser.add_argument("--fault-users", type=int, default=None, help="default: --users")
    parser.add_argument("--fault-seconds", type=float, default=10.0)
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between faults")
    parser.add_argument("--hang", type=float, default=8.0, help="token endpoint hang seconds")
    parser.add_argument("--http-timeout", type=float, default=5.0, help="COGNITO_HTTP_TIMEOUT")
    parser.add_argument(
        "--session-check-interval", type=float, default=10.0, help="fault run (default 10)"
    )
    parser.add_argument("--skip-clean", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep work directories (logs)")
    args = parser.parse_args(argv)
    data: dict[str, Any] = {}
    ok = True
    if not args.skip_clean:
        print(f"clean run: {args.users} users, {args.duration:g} s")
        data["clean"] = clean = clean_run(args.users, args.duration, args.keep)
        ok = ok and clean["passed"]
        print(
            f"  {clean['events']} requests ({clean['requests_per_second']}/s), 5xx "
            f"{clean['status_5xx']}, mix-ups {clean['mixups']}, lost {clean['lost_sessions']}, "
            f"connection errors {clean['conn_errors']}, users signed in "
            f"{clean['users_signed_in']}/{args.users}: {'PASS' if clean['passed'] else 'FAIL'}"
        )
    if not args.skip_faults:
        users = args.fault_users or args.users
        print(f"fault run: {users} users, faults of {args.fault_seconds:g} s")
        data["faults"] = faults = fault_run(
            users,
            args.fault_seconds,
            args.gap,
            args.hang,
            args.http_timeout,
            args.keep,
            args.session_check_interval,
        )
        ok = ok and faults["passed"]
        print(
            f"  mix-ups {faults['overall']['mixups']}, lost {faults['overall']['lost_sessions']}, "
            f"5xx outside fault windows {faults['status_5xx_outside_fault_windows']}: "
            f"{'PASS' if faults['passed'] else 'FAIL'}"
        )
    path = results.save(
        "load",
        {"args": vars(args), **data, "passed": ok},
        command=results.command("bench.load", argv),
    )
    print(f"saved {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
