"""Benchmark 5: flask-cognito-lib (from PyPI) on the same protected view, as a peer row.

flask-cognito-lib is installed into a throwaway venv (``--venv``, created when missing; only
the ordinary ``pip install flask-cognito-lib gunicorn``), never into the project's .venv.
Its app (bench/apps/peer_service.py) runs under that venv's gunicorn, 2 workers, next to
ours (bench/apps/service.py) under the project's gunicorn, both pointed at one local IdP.
Each protected view is measured as a ratio against its own app's open view, in one run.

flask-cognito-lib keeps the access token in a cookie and verifies it on each request, so its
row compares with our bearer view (a token verified per request) and our session view.

Run: ``.venv/bin/python -m bench.peer`` (``--seconds``, ``--levels``, ``--venv``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import harness, idp_setup, loadgen, results
from bench.apps.service import BODY
from bench.browser import Browser
from bench.overhead import Variant, measure

JWKS_GET = "GET /{pool}/.well-known/jwks.json"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "cognito-sso-bench-peer-venv"


def ensure_venv(venv: Path) -> str:
    """Create the venv and install flask-cognito-lib + gunicorn if needed; its version."""
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if not python.exists():
        print(f"creating {venv} and installing flask-cognito-lib from PyPI")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "flask-cognito-lib", "gunicorn"],
            check=True,
            cwd=venv,
            env=env,
        )
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('flask-cognito-lib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=venv,
        env=env,
    )
    return out.stdout.strip()


def jwks_fetches_per_request(idp: harness.Proc, variant: Variant) -> dict[str, int]:
    """Load ``variant`` for 2 s and count the JWKS GETs the IdP logged meanwhile."""
    before = harness.idp_request_counts(idp.log_path).get(JWKS_GET, 0)
    summary = loadgen.run_wrk(variant.url, connections=4, seconds=2, headers=variant.headers)
    time.sleep(0.5)  # let the IdP flush its access log
    after = harness.idp_request_counts(idp.log_path).get(JWKS_GET, 0)
    return {"requests": summary["requests"], "jwks_fetches": after - before}


def main(argv: list[str] | None = None) -> int:
    """Run, print, save bench/results/peer.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--levels", default="1,16")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    version = ensure_venv(args.venv)
    print(f"flask-cognito-lib {version}")
    work = harness.Workdir()
    idp = harness.idp_proc(work)
    try:
        with harness.running(idp):
            ports = {"ours": harness.free_port(), "peer": harness.free_port()}
            directory = idp_setup.create_directory(
                idp.url, {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, users=1
            )
            ours = harness.service_proc(
                work,
                "ours",
                idp_setup.service_config(
                    directory, "ours", session_store=f"sqlite:///{work.file('s.db')}"
                ),
                port=ports["ours"],
            )
            peer_client = directory.clients["peer"]
            peer = harness.service_proc(
                work,
                "peer",
                {
                    "SECRET_KEY": "bench-peer-secret-key",
                    "AWS_REGION": idp_setup.REGION,
                    "AWS_COGNITO_USER_POOL_ID": directory.pool_id,
                    "AWS_COGNITO_USER_POOL_CLIENT_ID": peer_client.client_id,
                    "AWS_COGNITO_USER_POOL_CLIENT_SECRET": peer_client.client_secret,
                    "AWS_COGNITO_DOMAIN": directory.endpoint_url,
                    "AWS_COGNITO_REDIRECT_URL": f"{peer_client.base_url}/auth/callback",
                    "AWS_COGNITO_LOGOUT_URL": f"{peer_client.base_url}/auth/logged-out",
                    "BENCH_ISSUER": directory.issuer,
                },
                port=ports["peer"],
                app="bench.apps.peer_service:create_app()",
                gunicorn=args.venv / "bin" / "gunicorn",
            )
            with harness.running(ours, peer):
                user = directory.users[0]
                browser = Browser()
                browser.sign_in(ours.url, user, idp_setup.PASSWORD, "/whoami")
                cookie = f"ours_sso={browser.client.cookies['ours_sso']}"
                browser.close()
                our_token = idp_setup.password_tokens(directory, "ours", user)["AccessToken"]
                peer_token = idp_setup.password_tokens(directory, "peer", user)["AccessToken"]
                variants = [
                    Variant("ours open", f"{ours.url}/open", {}, ours.pid),
                    Variant("ours session", f"{ours.url}/session", {"Cookie": cookie}, ours.pid),
                    Variant(
                        "ours bearer",
                        f"{ours.url}/bearer",
                        {"Authorization": f"Bearer {our_token}"},
                        ours.pid,
                    ),
                    Variant("peer open", f"{peer.url}/open", {}, peer.pid),
                    Variant(
                        "peer protected",
                        f"{peer.url}/protected",
                        {"Cookie": f"cognito_access_token={peer_token}"},
                        peer.pid,
                    ),
                ]
                data = measure(
                    variants, levels=levels, seconds=args.seconds, rounds=args.rounds,
                    baseline="ours open", expected_body=BODY,
                )  # fmt: skip
                fetches = {
                    v.name: jwks_fetches_per_request(idp, v)
                    for v in variants[1:]
                    if "open" not in v.name
                }
    finally:
        work.cleanup()
    # each app against its own open view
    for level in levels:
        peer_open = data["cells"]["peer open"][level]["rps"]
        for name in ("peer open", "peer protected"):
            data["ratios"][name][level] = data["cells"][name][level]["rps"] / peer_open
    for name, row in fetches.items():
        print(
            f"{name}: {row['jwks_fetches']} JWKS fetches at the IdP for {row['requests']} requests"
        )
    print("\nthroughput ratio vs the same app's open view (same run):")
    for name, by_level in data["ratios"].items():
        print(f"  {name:<16}" + "".join(f"c={lvl}: {r:.2f}  " for lvl, r in by_level.items()))
    path = results.save(
        "peer",
        {
            "peer": "flask-cognito-lib",
            "peer_version": version,
            "levels": levels,
            "seconds": args.seconds,
            "jwks_fetches": fetches,
            **data,
        },
        command="python -m bench.peer " + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
