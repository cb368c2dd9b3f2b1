"""The verifier's benchmark scripts run and record what the report reads (no timings
asserted: the numbers themselves are the benchmark's business)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import report, verify_interpreters
from bench.verify import main as verify_main

CANDIDATES = (
    "raw cryptography RSA verify",
    "cognito_sso cold (cache off)",
    "cognito_sso warm (cached)",
)


def test_verify_records_the_interpreter_and_every_candidate(tmp_path: Path) -> None:
    out = tmp_path / "verify.json"
    args = ["--seconds", "0.002", "--repeat", "1", "--no-stages", "--json", str(out)]

    assert verify_main(args) == 0

    data = json.loads(out.read_text())
    assert data["interpreter"]["executable"] == sys.executable
    assert Path(data["interpreter"]["binary"]) == Path(sys.executable).resolve()
    assert set(CANDIDATES) <= set(data["us_per_call"])
    assert data["ratio_to_raw"]["raw cryptography RSA verify"] == 1.0
    assert data["stages_us"] == {}


def test_interpreters_run_verify_and_keep_each_round() -> None:
    run = verify_interpreters.run_once(sys.executable, repeat=1)
    figures = verify_interpreters.summary(run)

    assert figures["cold_us"] == run["us_per_call"]["cognito_sso cold (cache off)"]
    assert figures["cold_ratio"] == run["ratio_to_raw"]["cognito_sso cold (cache off)"]
    assert verify_interpreters.same_interpreter(sys.executable)
    assert any(p.startswith("cryptography==") for p in verify_interpreters.pinned_requirements())


def test_report_shows_every_round_of_every_interpreter() -> None:
    entry = {"binary": "/usr/bin/python3.11", "version": "3.11.2", "build": "main"}
    run = {
        "raw_us": 42.0,
        "cold_us": 80.0,
        "warm_us": 1.4,
        "cold_ratio": 1.9,
        "peer_ratios": {"PyJWT": 4.3},
    }
    data = {
        "command": "python -m bench.verify_interpreters",
        "machine": {
            "date_utc": "2026-12-04 05:00:00",
            "cpu": "cpu",
            "cores": 2,
            "python": "3.11.7",
            "os": "Linux",
            "loadavg_at_start": [0.1, 0.1, 0.1],
        },
        "goal_cold_ratio_max": 2.0,
        "interpreters": [{**entry, "rounds": [run, {**run, "cold_ratio": 2.1}]}],
    }

    text = report._verify_interpreters(data)

    assert "`/usr/bin/python3.11` 3.11.2 (main) | 1 | 42.00 | 80.00 | **1.90x**" in text
    assert "| 2 |" in text and "**2.10x**" in text and "PyJWT 4.30x" in text
    assert "1.90x-2.10x under `/usr/bin/python3.11`" in report._interpreters_summary(data)
