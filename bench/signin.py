"""Benchmark 3: sign-in latency and round trips, and the local IdP's token endpoint throughput.

- Full first sign-in: app ``/auth/login`` -> hosted UI -> sign-in form -> callback -> page,
  driven over HTTP by a fresh cookie jar per user (bench/browser.py).
- Silent second-service sign-in: the same browser then opens the second service, whose
  ``/auth/login`` goes to the hosted UI, which answers at once from its SSO cookie.
- Token endpoint: ``grant_type=refresh_token`` under wrk at several concurrency levels,
  against the IdP's JWKS document (a static GET on the same server) as the baseline.

Baselines in the same run: one GET of the app's open view (latency), JWKS GET (throughput).

Run: ``.venv/bin/python -m bench.signin`` (``--iterations``, ``--seconds``).
"""

from __future__ import annotations

import argparse
import base64
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import harness, idp_setup, loadgen, results
from bench.browser import Browser


def signin_latencies(
    directory: idp_setup.Directory, iterations: int
) -> tuple[dict[str, list[float]], dict[str, list[int]], dict[str, list[str]]]:
    """Time ``iterations`` full + silent sign-ins; also the open-view GET baseline."""
    billing = directory.clients["billing"].base_url
    reports = directory.clients["reports"].base_url
    times: dict[str, list[float]] = {"full": [], "silent": [], "open_get": []}
    trips: dict[str, list[int]] = {"full": [], "silent": []}
    sequences: dict[str, list[str]] = {}
    for i in range(iterations):
        user = directory.users[i % len(directory.users)]
        browser = Browser()
        try:
            started = time.perf_counter()
            browser.request("GET", f"{billing}/open")
            times["open_get"].append(time.perf_counter() - started)
            # the first sign-in (password form) on billing, then the silent one on reports
            for kind, url, password in (
                ("full", billing, idp_setup.PASSWORD),
                ("silent", reports, None),
            ):
                browser.hops.clear()
                started = time.perf_counter()
                page = browser.sign_in(url, user, password, "/whoami")
                times[kind].append(time.perf_counter() - started)
                if page.json().get("username") != user:
                    raise RuntimeError(f"{kind} sign-in gave {page.json()!r}, expected {user}")
                trips[kind].append(len(browser.hops))
                hops = [f"{h.method} {h.url} -> {h.status}" for h in browser.hops]
                sequences.setdefault(kind, hops)
        finally:
            browser.close()
    return times, trips, sequences


def token_throughput(
    directory: idp_setup.Directory, levels: list[int], seconds: float
) -> dict[str, dict[int, dict[str, Any]]]:
    """wrk on POST /oauth2/token (refresh_token grant) and on GET JWKS, per level."""
    client = directory.clients["billing"]
    refresh = idp_setup.password_tokens(directory, "billing", directory.users[0])["RefreshToken"]
    token_url = f"{directory.endpoint_url}/oauth2/token"
    jwks_url = f"{directory.issuer}/.well-known/jwks.json"
    basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urlencode({"grant_type": "refresh_token", "refresh_token": refresh})
    check = httpx.post(token_url, content=body, headers=headers, timeout=10)
    if check.status_code != 200 or "access_token" not in check.json():
        raise RuntimeError(f"token endpoint answered {check.status_code}: {check.text[:200]}")
    if httpx.get(jwks_url, timeout=10).status_code != 200:
        raise RuntimeError("JWKS endpoint is not answering 200")
    out: dict[str, dict[int, dict[str, Any]]] = {"token": {}, "jwks": {}}
    for level in levels:
        out["jwks"][level] = loadgen.run_wrk(jwks_url, connections=level, seconds=seconds)
        out["token"][level] = loadgen.run_wrk(
            token_url, connections=level, seconds=seconds, method="POST", body=body, headers=headers
        )
        print(
            f"  c={level:<3} token {out['token'][level]['rps']:7.0f} req/s "
            f"(p50 {out['token'][level]['p50_ms']:.1f} ms)   "
            f"jwks {out['jwks'][level]['rps']:7.0f} req/s"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run, print, save ``bench/results/signin.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=40, help="sign-ins (default 40)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per wrk cell (default 5)")
    parser.add_argument("--levels", default="1,4,16", help="token endpoint connections")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    work = harness.Workdir(keep=args.keep)
    print(f"work directory: {work.path}")
    idp = harness.idp_proc(work)
    try:
        with harness.running(idp):
            ports = {"billing": harness.free_port(), "reports": harness.free_port()}
            directory = idp_setup.create_directory(
                idp.url,
                {name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
                users=min(args.iterations, 50),
            )
            apps = [
                harness.service_proc(
                    work,
                    name,
                    idp_setup.service_config(
                        directory, name, session_store=f"sqlite:///{work.file(name + '.db')}"
                    ),
                    port=port,
                )
                for name, port in ports.items()
            ]
            with harness.running(*apps):
                signin_latencies(directory, 3)  # warm: discovery, JWKS, imports
                times, trips, sequences = signin_latencies(directory, args.iterations)
                throughput = token_throughput(directory, levels, args.seconds)
    finally:
        work.cleanup()
    latency = {k: results.percentiles([t * 1000 for t in v]) for k, v in times.items()}
    base = latency["open_get"]["p50"]
    print("\nsign-in latency (ms)        p50      p90      p99   round trips   p50 / open GET")
    for kind in ("full", "silent"):
        row = latency[kind]
        print(
            f"  {kind:<24} {row['p50']:7.1f}  {row['p90']:7.1f}  {row['p99']:7.1f}   "
            f"{max(trips[kind]):>5}          {row['p50'] / base:6.1f}x"
        )
    print(f"  open view GET (baseline)  {base:7.1f}")
    ratios = {
        lvl: throughput["token"][lvl]["rps"] / throughput["jwks"][lvl]["rps"] for lvl in levels
    }
    for lvl in levels:
        print(f"  token endpoint c={lvl}: {ratios[lvl]:.2f}x the JWKS GET throughput")
    path = results.save(
        "signin",
        {
            "iterations": args.iterations,
            "levels": levels,
            "seconds": args.seconds,
            "latency_ms": latency,
            "round_trips": {k: {"min": min(v), "max": max(v)} for k, v in trips.items()},
            "sequences": sequences,
            "token_endpoint": throughput,
            "token_vs_jwks": ratios,
            "idp_server": "local IdP on werkzeug's threaded server, one process",
            "app_server": "gunicorn, 2 workers, gthread; SQLite session store",
        },
        command=results.command("bench.signin", argv),
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
