"""Benchmark: bench/verify.py's cold/raw ratio under several builds of CPython, same machine.

The raw RSA verify is OpenSSL's assembly whatever runs it; the rest of a cold verify is
Python, whose speed depends on how the interpreter was built (with profile-guided and
link-time optimisation, as Debian's python3, or without, as pyenv's default build), so the
same code has a different ratio under each. This runs bench/verify.py (without its stage
breakdown) under each interpreter in alternating rounds and records every round.

    .venv/bin/python -m bench.verify_interpreters [--python /usr/bin/python3] [--rounds 3]

The running interpreter is always measured. Each ``--python`` gets a venv (made once in the
temp folder, without pip) with the versions of cryptography, httpx and the peer libraries
installed here, put in by this venv's pip from the package index; cognito_sso itself is
imported from this checkout. Writes bench/results/verify_interpreters.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.harness import ROOT
from bench.results import command, save

VERIFY = ROOT / "bench" / "verify.py"
PACKAGES = ("cryptography", "httpx", "PyJWT", "joserfc", "python-jose")  # what verify.py imports
DEFAULT_OTHERS = ("/usr/bin/python3",)  # the distribution's CPython, when there is one


def pinned_requirements() -> list[str]:
    """``name==version`` of each package verify.py uses, as installed in this venv."""
    pins = []
    for name in PACKAGES:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return pins


def same_interpreter(python: str) -> bool:
    """Whether ``python`` is the binary running this (a venv's python links to its base)."""
    return Path(python).resolve() == Path(sys.executable).resolve()


def venv_python(python: str) -> str:
    """A venv of ``python`` with the pinned packages; the path of its interpreter."""
    tag = hashlib.sha256(str(Path(python).resolve()).encode()).hexdigest()[:12]
    venv = Path(tempfile.gettempdir()) / f"cognito-sso-bench-verify-{tag}"
    executable = venv / "bin" / "python"
    if not executable.exists():
        print(f"creating {venv} from {python}", flush=True)
        subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [sys.executable, "-m", "pip", "--python", str(executable), "install", "-q"]
    subprocess.run([*install, *pinned_requirements()], check=True)
    return str(executable)


def run_once(python: str, repeat: int) -> dict[str, Any]:
    """One bench/verify.py run under ``python``; its results."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verify.json"
        argv = [python, str(VERIFY), "--repeat", str(repeat), "--no-stages", "--json", str(out)]
        subprocess.run(argv, cwd=ROOT, check=True)
        data: dict[str, Any] = json.loads(out.read_text())
        return data


def summary(run: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run that the report shows."""
    ratio, us = run["ratio_to_raw"], run["us_per_call"]
    return {
        "raw_us": us["raw cryptography RSA verify"],
        "cold_us": us["cognito_sso cold (cache off)"],
        "warm_us": us["cognito_sso warm (cached)"],
        "cold_ratio": ratio["cognito_sso cold (cache off)"],
        "peer_ratios": {name: ratio[name] for name in ("PyJWT", "joserfc") if name in ratio},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", help="another interpreter (repeatable)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per interpreter")
    parser.add_argument("--repeat", type=int, default=20, help="bench/verify.py --repeat")
    args = parser.parse_args(argv)
    others = args.python or [p for p in DEFAULT_OTHERS if Path(p).exists()]
    pythons = [sys.executable] + [venv_python(p) for p in others if not same_interpreter(p)]
    rounds: dict[str, list[dict[str, Any]]] = {}
    interpreters: dict[str, dict[str, str]] = {}
    for number in range(1, args.rounds + 1):
        for python in pythons:
            print(f"\n=== round {number}/{args.rounds}: {python}", flush=True)
            run = run_once(python, args.repeat)
            interpreters[python] = run["interpreter"]
            rounds.setdefault(python, []).append(summary(run))
    data = {
        "goal_cold_ratio_max": run["goals"]["cold_ratio_max"],
        "interpreters": [{**interpreters[python], "rounds": rounds[python]} for python in pythons],
    }
    print()
    for entry in data["interpreters"]:
        ratios = ", ".join(f"{r['cold_ratio']:.2f}" for r in entry["rounds"])
        print(f"{entry['executable']} ({entry['version']}): cold/raw {ratios}")
    print(f"saved {save('verify_interpreters', data, command('bench.verify_interpreters', argv))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
