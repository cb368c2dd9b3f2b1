"""Write docs/performance.md, docs/reliability.md and docs/img/*.png from bench/results/*.json.

Only measured numbers appear: a benchmark without a result file is listed as not run.

Run: ``.venv/bin/python -m bench.report`` (after the benchmarks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import results
from bench.harness import ROOT

DOCS = ROOT / "docs"
IMG = DOCS / "img"


def _machine(data: dict[str, Any]) -> str:
    m = data["machine"]
    start = ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
    end = ", ".join(f"{x:.2f}" for x in m.get("loadavg_at_end", []))
    return (
        f"{m['date_utc']} UTC (start) on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"{m['os']}; load average (1, 5, 15 min) {start} at the start, {end} at the end"
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cmd(data: dict[str, Any]) -> str:
    command = data["command"].strip()
    return f"`{command}`" if command.startswith(".venv/") else f"`.venv/bin/{command}`"


def _levels(data: dict[str, Any]) -> list[str]:
    return [str(x) for x in data["levels"]]


# --- plots ------------------------------------------------------------------------------------


def plot_overhead(data: dict[str, Any]) -> list[str]:
    """Throughput and ratio vs concurrency."""
    levels = data["levels"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, cells in data["cells"].items():
        left.plot(levels, [cells[str(lvl)]["rps"] for lvl in levels], marker="o", label=name)
        right.plot(
            levels, [data["ratios"][name][str(lvl)] for lvl in levels], marker="o", label=name
        )
    for goal in sorted(set(data["goals"].values())):
        right.axhline(goal, color="grey", linestyle="--", linewidth=1)
        right.text(levels[0], goal + 0.01, f"goal {goal:g}", fontsize=8, color="grey")
    for ax, title, ylabel in (
        (left, "throughput", "requests / s"),
        (right, "ratio to the open view", "x open"),
    ):
        ax.set_xscale("log", base=2)
        ax.set_xticks(levels, [str(x) for x in levels])
        ax.set_xlabel("concurrent connections (wrk)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    left.legend(fontsize=8)
    right.set_ylim(0, max(1.2, *(max(r.values()) for r in data["ratios"].values())) + 0.05)
    fig.tight_layout()
    fig.savefig(IMG / "overhead.png", dpi=110)
    plt.close(fig)
    return ["img/overhead.png"]


def plot_signin(data: dict[str, Any]) -> list[str]:
    """Token endpoint throughput vs concurrency, with the JWKS GET baseline."""
    levels = data["levels"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in ("token", "jwks"):
        ax.plot(
            levels,
            [data["token_endpoint"][name][str(lvl)]["rps"] for lvl in levels],
            marker="o",
            label={"token": "POST /oauth2/token (refresh)", "jwks": "GET jwks.json (baseline)"}[
                name
            ],
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(levels, [str(x) for x in levels])
    ax.set_xlabel("concurrent connections (wrk)")
    ax.set_ylabel("requests / s")
    ax.set_title("local IdP throughput")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "idp-token-endpoint.png", dpi=110)
    plt.close(fig)
    return ["img/idp-token-endpoint.png"]


def plot_timeline(
    series: list[dict[str, Any]], faults: list[dict[str, Any]], name: str, title: str
) -> str:
    """Requests/s by outcome and p50/max latency over time, fault windows shaded."""
    t = [p["t"] for p in series]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 5.5), sharex=True)
    layers = [
        ("ok", "ok", "#4c9a2a"),
        ("status_5xx", "5xx", "#d62728"),
        ("conn_error", "connection error", "#ff7f0e"),
        ("other", "other", "#9467bd"),
    ]
    bottom_of = [0] * len(series)
    for key, label, colour in layers:
        values = [p[key] for p in series]
        top.bar(t, values, width=1.0, align="edge", bottom=bottom_of, label=label, color=colour)
        bottom_of = [b + v for b, v in zip(bottom_of, values, strict=True)]
    top.set_ylim(0, max([*bottom_of, 1]) * 1.3)
    top.set_ylabel("requests / s")
    top.legend(loc="lower left", fontsize=7, ncol=4)
    bottom.plot(t, [p["p50_ms"] for p in series], label="p50")
    bottom.plot(t, [p["max_ms"] for p in series], label="max", alpha=0.6)
    bottom.set_yscale("log")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("seconds since the users started")
    bottom.legend(loc="lower left", fontsize=7, ncol=2)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
        for fault in faults:
            ax.axvspan(fault["t_start"], fault["t_end"], color="grey", alpha=0.2)
    for i, fault in enumerate(faults):
        height = top.get_ylim()[1] * (0.97 - 0.08 * (i % 2))
        top.text(fault["t_start"], height, fault["name"], fontsize=7, va="top")
    top.set_title(title)
    fig.tight_layout()
    fig.savefig(IMG / name, dpi=110)
    plt.close(fig)
    return f"img/{name}"


# --- performance.md ---------------------------------------------------------------------------


def section_overhead(data: dict[str, Any] | None) -> str:
    """Benchmark 1."""
    if data is None:
        return "## 1. Per-request cost of protection\n\nNot run yet: `python -m bench.overhead`.\n"
    levels = _levels(data)
    rows = []
    for name, cells in data["cells"].items():
        goal = data["goals"].get(name)
        ratios = [data["ratios"][name][lvl] for lvl in levels]
        verdict = "" if goal is None else ("met" if min(ratios) >= goal else "**missed**")
        rows.append(
            [name]
            + [f"{cells[lvl]['rps']:.0f} ({r:.2f}x)" for lvl, r in zip(levels, ratios, strict=True)]
            + [f">= {goal}" if goal else ("baseline" if name == "open" else "noise check"), verdict]
        )
    errors = sum(cells[lvl]["errors"] for cells in data["cells"].values() for lvl in levels)
    all_rounds = [
        r for cells in data["cells"].values() for lvl in levels for r in cells[lvl]["rounds"]
    ]
    multi = sum(1 for r in all_rounds if r["connections"] >= 2)
    redone = sum(1 for r in all_rounds if r.get("attempt", 1) > 1)
    images = plot_overhead(data)
    missed = [
        f"{name} (lowest {min(data['ratios'][name][lvl] for lvl in levels):.2f}x, goal {goal})"
        for name, goal in data["goals"].items()
        if min(data["ratios"][name][lvl] for lvl in levels) < goal
    ]
    verdict = (
        "Every goal is met at every concurrency level."
        if not missed
        else (
            "Missed: " + "; ".join(missed) + ". Where the time goes is measured below, in "
            "[Where the time goes](#where-the-time-goes): the in-process cost each protection "
            "adds to a request, and a profile of each protected view."
        )
    )
    return f"""## 1. Per-request cost of protection

Command: {_cmd(data)}

Measured {_machine(data)}.
Server: {data["server"]}; load: {data["client"]} from a separate process, {data["seconds"]:g} s
per cell, {data["rounds"]} round(s) (median kept), variants interleaved at each level. Every view
answers the same 60-byte body; each variant is checked to answer 200 with that body before
and after its load (a redirect to the sign-in page would fake a high throughput).
Socket/HTTP errors over all cells: {errors}. gunicorn's two workers race for wrk's
keep-alive connections, and now and then one wins them all for a whole cell (the other
idles), which halves that cell whatever the view; so the CPU ticks of both workers are read
around every cell with 2+ connections, and a cell where one worker did under 25% of the work
is measured again (up to 4 attempts, the most balanced kept): {redone} of {multi} such cells
were redone.

Requests per second (ratio to the open view at the same concurrency, same run):

{_table(["variant"] + [f"c={lvl}" for lvl in levels] + ["goal", "verdict"], rows)}

{verdict}

![throughput and ratio to the open view]({images[0]})
"""


def section_fastapi_overhead(data: dict[str, Any] | None) -> str:
    """Benchmark 1 with the FastAPI adapter."""
    title = "## 1b. Per-request cost of protection, FastAPI"
    if data is None:
        return f"{title}\n\nNot run yet: `python -m bench.fastapi_overhead`.\n"
    levels = _levels(data)
    rows = [
        [name] + [f"{cells[lvl]['rps']:.0f} ({data['ratios'][name][lvl]:.2f}x)" for lvl in levels]
        for name, cells in data["cells"].items()
    ]
    errors = sum(cells[lvl]["errors"] for cells in data["cells"].values() for lvl in levels)
    again = [data["ratios"]["open (again)"][lvl] for lvl in levels]
    noise = f"{min(again):.2f}x to {max(again):.2f}x"
    return f"""{title}

Command: {_cmd(data)}

Measured {_machine(data)}.
The same views and variants as above, served by the FastAPI adapter (`cognito_sso.fastapi`,
app in `bench/apps/fastapi_service.py`). Server: {data["server"]}; load: {data["client"]}, \
{data["seconds"]:g} s per cell, {data["rounds"]} round(s) (median kept), variants interleaved.
The session service runs in a worker thread: a SQLite store there, a Redis store from its
process-local cache there or else through redis-py's asyncio client on the loop; token checks
run on the loop with keys in memory. Socket/HTTP errors over all cells: {errors}.

Requests per second (ratio to the open FastAPI view at the same concurrency, same run):

{_table(["variant"] + [f"c={lvl}" for lvl in levels], rows)}

Noise floor: the open view measured again at the end ran at {noise} of the first
measurement. Differences between variants smaller than that spread are not measured by this
run; a run on an idle machine (load average near 0 at the start) is needed to resolve them.
"""


def section_verify() -> str:
    """Benchmark 2 (bench/verify.py, written with the verifier)."""
    if not (ROOT / "bench" / "verify.py").exists():
        return "## 2. Token verification\n\n`bench/verify.py` is not in the tree yet.\n"
    data = results.load("verify")
    text = (
        "## 2. Token verification\n\nMeasured by `bench/verify.py` (written with the verifier; "
        "its docstring explains the method): one Cognito-shaped RS256 access token verified "
        "again and again, CPU time per call, best of N runs, against the raw `cryptography` "
        "RSA verify of the same signature in the same run.\n"
    )
    if data is None:
        return text + "\nNot run yet: `.venv/bin/python bench/verify.py --save`.\n"
    rows = [
        [name, f"{us:.2f}", f"{data['ratio_to_raw'][name]:.2f}x"]
        for name, us in data["us_per_call"].items()
    ]
    goals, met = data["goals"], data["met"]
    return (
        text
        + f"""
Command: {_cmd(data)}

Measured {_machine(data)}.

{_table(["verifier", "us / call", "x raw RSA verify"], rows)}

Goals: cold (verified-token cache off) within {goals["cold_ratio_max"]}x raw:
{"met" if met["cold"] else "**missed**"}; warm under {goals["warm_us_max"]} us:
{"met" if met["warm"] else "**missed**"}.
{_verify_stages(data.get("stages_us"))}{_verify_interpreters(results.load("verify_interpreters"))}"""
    )


def _python(entry: dict[str, Any]) -> str:
    return f"`{entry['binary']}` {entry['version']} ({entry['build']})"


def _verify_interpreters(data: dict[str, Any] | None) -> str:
    """The cold/raw ratio under several CPython builds (bench/verify_interpreters.py)."""
    if data is None:
        return ""
    rows = []
    for entry in data["interpreters"]:
        for number, run in enumerate(entry["rounds"], 1):
            peers = ", ".join(f"{name} {r:.2f}x" for name, r in run["peer_ratios"].items())
            rows.append(
                [
                    _python(entry),
                    number,
                    f"{run['raw_us']:.2f}",
                    f"{run['cold_us']:.2f}",
                    f"**{run['cold_ratio']:.2f}x**",
                    f"{run['warm_us']:.2f}",
                    peers,
                ]
            )
    header = [
        "interpreter",
        "round",
        "raw RSA us",
        "cold us",
        "cold x raw",
        "warm us",
        "peers x raw",
    ]
    return f"""
### The same benchmark under other builds of CPython

The RSA verify is OpenSSL's assembly whatever runs it; the rest of a cold verify is Python,
whose speed depends on how the interpreter was built. Debian's `python3.11` is built with
profile-guided and link-time optimisation (PGO/LTO), as most distribution and official builds
are; pyenv builds without them unless asked to (with
`PYTHON_CONFIGURE_OPTS="--enable-optimizations --with-lto"`), and the `.venv` of the
benchmark machine comes from such a pyenv build. Same code, same machine, rounds alternating
between the interpreters (goal: cold within {data["goal_cold_ratio_max"]}x raw).

Command: {_cmd(data)}

Measured {_machine(data)}.

{_table(header, rows)}
"""


def _verify_stages(stages: dict[str, dict[str, float]] | None) -> str:
    """Where the cold verify's time goes (bench/verify_stages.py), when measured."""
    if not stages:
        return ""
    rows = [[name, f"{c['alone']:.2f}", f"{c['in_context']:.2f}"] for name, c in stages.items()]
    return f"""
Where the cold verify's time goes, in us per call: each stage alone, and in context (the cold
verify minus the cold verify with that stage replaced by its precomputed result). Stages cost
more in context than alone: the RSA verify and the Python work around it evict each other
from the CPU caches.

{_table(["stage", "alone", "in context"], rows)}
"""


def section_bearer_revocation(data: dict[str, Any] | None) -> str:
    """What the opt-in bearer revocation check costs (bench/bearer_revocation.py)."""
    title = "## 2b. Bearer revocation check"
    if data is None:
        return f"{title}\n\nNot run yet: `.venv/bin/python -m bench.bearer_revocation`.\n"
    rows = [
        [name, f"{v['cpu_us']:.1f}", f"{v['added_cpu_us']:+.1f}", f"{v['ratio_to_bearer']:.2f}x"]
        for name, v in data["views"].items()
    ]
    asked = data["views"].get("bearer+check asked", {}).get("wall_us")
    wall = f" A request that asks took {asked / 1000:.1f} ms of wall time." if asked else ""
    return f"""{title}

Command: {_cmd(data)}

Measured {_machine(data)}. One Flask app called as a WSGI app in the benchmark process with
one real access token (the local IdP runs in its own process: its CPU is not counted);
probes interleaved, {data["requests"]} requests per round, best of {data["rounds"]} rounds. The
baseline is `bearer_required()` with the check off; "cached" is the check on with the IdP's
answer cached (every request of an interval but the first); "asked" asks the IdP (GetUser)
on every request, which in real use happens once per token per interval.{wall}

{_table(["view", "CPU us / request", "added us", "x bearer"], rows)}
"""


def section_signin(data: dict[str, Any] | None) -> str:
    """Benchmark 3."""
    if data is None:
        return "## 3. Sign-in\n\nNot run yet: `.venv/bin/python -m bench.signin`.\n"
    lat = data["latency_ms"]
    base = lat["open_get"]["p50"]
    rows = [
        [
            {"full": "full first sign-in", "silent": "silent second-service sign-in"}[k],
            f"{lat[k]['p50']:.1f}",
            f"{lat[k]['p90']:.1f}",
            f"{lat[k]['p99']:.1f}",
            f"{lat[k]['max']:.1f}",
            data["round_trips"][k]["max"],
            f"{lat[k]['p50'] / base:.1f}x",
        ]
        for k in ("full", "silent")
    ]
    open_get = lat["open_get"]
    baseline_row = [f"{base:.1f}", f"{open_get['p90']:.1f}", f"{open_get['p99']:.1f}"]
    rows.append(
        ["one GET of the open view (baseline)", *baseline_row, f"{open_get['max']:.1f}", 1, "1.0x"]
    )
    levels = _levels(data)
    tok = data["token_endpoint"]
    trows = [
        [
            f"c={lvl}",
            f"{tok['token'][lvl]['rps']:.0f}",
            f"{tok['token'][lvl]['p50_ms']:.1f}",
            f"{tok['token'][lvl]['p99_ms']:.1f}",
            f"{tok['jwks'][lvl]['rps']:.0f}",
            f"{data['token_vs_jwks'][lvl]:.2f}x",
        ]
        for lvl in levels
    ]
    seq_full = "\n".join(f"{i + 1}. `{s}`" for i, s in enumerate(data["sequences"]["full"]))
    seq_silent = "\n".join(f"{i + 1}. `{s}`" for i, s in enumerate(data["sequences"]["silent"]))
    images = plot_signin(data)
    return f"""## 3. Sign-in

Command: {_cmd(data)}

Measured {_machine(data)}.
IdP: {data["idp_server"]}. Apps: {data["app_server"]}. {data["iterations"]} sign-ins, one after
another, each with a new cookie jar (bench/browser.py drives the hosted-UI form over HTTP);
latency is wall time from the first request to the final page, in milliseconds.

{_table(["flow", "p50", "p90", "p99", "max", "round trips", "p50 / baseline"], rows)}

Round trips of a full first sign-in:

{seq_full}

Round trips of the silent sign-in at the second service (the hosted UI recognises its SSO cookie):

{seq_silent}

Token endpoint (`grant_type=refresh_token`, client_secret_basic) under wrk, {data["seconds"]:g} s
per cell, against the JWKS document on the same server as the baseline:

{_table(["connections", "token req/s", "p50 ms", "p99 ms", "JWKS req/s", "token / JWKS"], trows)}

![token endpoint throughput]({images[0]})
"""


def section_provisioning(data: dict[str, Any] | None) -> str:
    """Benchmark 4."""
    if data is None:
        return (
            "## 4. Provisioning\n\nNot run yet: `.venv/bin/python -m bench.provisioning_calls`.\n"
        )
    rows = [
        [label, r["calls"], r["writes"], r["reads"], f"{r['seconds']:.2f}"]
        for label, r in data["runs"].items()
    ]
    first = data["runs"]["first apply"]["by_operation"]
    again = data["runs"]["repeated apply"]["by_operation"]
    ops = sorted(set(first) | set(again))
    orows = [[op, first.get(op, 0), again.get(op, 0)] for op in ops]
    return f"""## 4. Provisioning

Command: {_cmd(data)}

Measured {_machine(data)}, against the local IdP in its own process; spec `{data["spec"]}`.
Calls are counted by a botocore `before-call` hook; writes are every operation that is not
Describe/Get/List/AdminGet/AdminList.

{_table(["run", "API calls", "writes", "reads", "seconds"], rows)}

The repeated apply makes {data["repeated_vs_first_calls"]:.2f}x the calls of the first and
{data["runs"]["repeated apply"]["writes"]} writes{" (idempotent)" if data["idempotent"] else ""}.

Calls by operation:

{_table(["operation", "first apply", "repeated apply"], orows)}
"""


def section_peer(data: dict[str, Any] | None) -> str:
    """Benchmark 5: the peers, same run."""
    title = "## 5. Peers, same run"
    if data is None or "own_open" not in data:
        return f"{title}\n\nNot run yet: `.venv/bin/python -m bench.peer`.\n"
    levels = _levels(data)
    fetch_rows = [
        [name, row["requests"], row["jwks_fetches"]]
        for name, row in data.get("jwks_fetches", {}).items()
    ]
    rows = [
        [name, data["own_open"][name].removesuffix(" open")]
        + [
            f"{data['cells'][name][lvl]['rps']:.0f} ({data['ratios'][name][lvl]:.2f}x)"
            for lvl in levels
        ]
        for name in data["cells"]
    ]
    versions = ", ".join(f"{name} {v}" for name, v in data["versions"].items())
    return f"""{title}

Command: {_cmd(data)}

Measured {_machine(data)}. Versions: {versions}.

The same view (same body) protected the ways users build it today, each app under gunicorn
(2 workers, gthread, 4 threads), one local IdP and one Redis for all, one signed-in user each
(bench/peer_stack.py); wrk, {data["seconds"]:g} s per cell, all variants interleaved at each
level, {data["rounds"]} round(s):

- `ours-*`: bench/apps/service.py (`login_required` with the SQLite or Redis store,
  `permission_required`, `bearer_required` with a warm token cache);
- `flask-login`: Flask-Login + Flask-Session with Redis (its defaults: the session is
  stored again on every request), signed in through authlib's Flask client, the user built
  from the profile in the session (bench/apps/peer_flask_login.py);
- `authlib-cookie`: authlib's Flask client with the token dict in Flask's signed-cookie
  session, a decorator checking it has not expired (bench/apps/peer_authlib_cookie.py);
- `flask-cognito-lib`: from PyPI in a throwaway venv, `@auth_required()` verifying the access
  token from its cookie on each request (bench/apps/peer_service.py points its `Config` at
  the local IdP).

Requests per second; in brackets the ratio to the same app's open view:

{_table(["variant", "app"] + [f"c={lvl}" for lvl in levels], rows)}

JWKS downloads counted in the local IdP's access log while each token-verifying view was
loaded for 2 s (4 connections) after the measurement:

{_table(["view", "requests", "JWKS fetches at the IdP"], fetch_rows)}
"""


def section_cpu_cost(data: dict[str, Any] | None) -> str:
    """CPU time each protection adds per request, ours and the peers' (bench/cpu_cost.py)."""
    title = "## 6. CPU time added per request"
    if data is None:
        return f"{title}\n\nNot run yet: `.venv/bin/python -m bench.cpu_cost`.\n"
    rows = []
    for name, v in data["views"].items():
        goal = data["goals_us"].get(name)
        verdict = "" if goal is None else ("met" if v["added_us"] <= goal else "**missed**")
        rows.append(
            [
                name,
                f"{v['us_per_request']:.1f}",
                f"{v['open_same_credentials_us']:.1f}",
                f"{v['added_us']:+.1f}",
                f"{v['added_over_bare_open_us']:+.1f}",
                f"<= {goal:g}" if goal is not None else "",
                verdict,
            ]
        )
    versions = ", ".join(f"{name} {v}" for name, v in data["versions"].items())
    header = ["view", "us / request", "open view, same credentials", "added us",
              "added over the bare open view", "goal (added)", "verdict"]  # fmt: skip
    before = results.load("cpu_cost_baseline")
    baseline = ""
    if before is not None:
        rows_before = [
            [name, f"{v['us_per_request']:.1f}", f"{v['open_same_credentials_us']:.1f}",
             f"{v['added_us']:+.1f}", f"{v['added_us'] / v['open_same_credentials_us']:.2f}"]
            for name, v in before["views"].items()
        ]  # fmt: skip
        header_before = [*header[:4], "added / open"]
        now_ratio = ", ".join(
            f"{name} {v['added_us'] / v['open_same_credentials_us']:.2f}"
            for name, v in data["views"].items()
            if name in before["views"]
        )
        baseline = f"""
Before the session cache (the baseline, same command, cognito_sso at commit
{before.get("library_commit", "?")}), measured {_machine(before)}:

{_table(header_before, rows_before)}

The machine's load differed between the two runs, which scales every absolute figure; the
added cost as a share of the open request's cost is the comparable number: now {now_ratio}.
"""
    return f"""{title}

Command: {_cmd(data)}

Measured {_machine(data)}. Versions: {versions}; cognito_sso at commit
{data.get("library_commit", "?")}.

The steady figure beside throughput. The apps of section 5 are signed in over HTTP; then
each app is created again in a worker process (bench/cpu_probe.py, in the venv holding it)
with the same config and the same stores, and called as a WSGI app, no network: the
protected view, the open view sent the same cookie or header, and the open view sent
nothing, interleaved, {data["requests"]} requests per round, best of {data["rounds"]} rounds of
the process's CPU time. "added" is the protected view minus the open view sent the same
credentials (the issue's measure); the next column is against the open view sent nothing,
which is the fairer one for peers whose session machinery runs on every request that carries
the cookie (Flask-Session reads and rewrites its Redis entry, Flask decodes its signed
cookie, for the open view too). CPU time of other processes (redis-server) is not counted.
On a shared, loaded machine every figure is inflated alike; compare rows of one run.

{_table(header, rows)}
{baseline}"""


def section_profile(data: dict[str, Any] | None) -> str:
    """In-process cost per view and the pyinstrument profile (bench/profile_views.py)."""
    if data is None:
        return ""
    rows = [
        [
            name,
            f"{v['us_per_request']:.1f}",
            f"{v['added_us']:+.1f}",
            f"{v['open_over_variant']:.2f}x",
        ]
        for name, v in data["views"].items()
    ]
    path = results.RESULTS_DIR / "profile.txt"
    profile = path.read_text().strip() if path.exists() else "(no profile.txt)"
    return f"""## Where the time goes

Command: {_cmd(data)}

Measured {_machine(data)}. The bench app is created inside the benchmark process with the
same config (same SQLite file, same Redis) and each view is called {data["requests"]} times
as a WSGI app with the same cookie or token (best of {data["rounds"]} rounds, CPU time;
not interleaved: section 6 has the steadier figure). No network, no other process.

{_table(["view", "CPU us / request", "added us", "open / view"], rows)}

pyinstrument profile of each protected view (library frames folded):

```
{profile}
```
"""


def section_served_profile(data: dict[str, Any] | None) -> str:
    """py-spy shares of the served workers' samples (bench/served_profile.py)."""
    if data is None:
        return ""
    labels = ["cognito_sso (all)", "session store", "redis client", "token verifier"]
    rows = [
        [name, view["rps"], view["samples"]]
        + [f"{view['share'].get(label, 0):.0%}" for label in labels]
        + ["<br>".join(f"{f} {share:.1%}" for f, share in view["top_cognito_sso"][:3])]
        for name, view in data["views"].items()
    ]
    return f"""### Served: py-spy on the gunicorn workers

Command: {_cmd(data)}

Measured {_machine(data)}. Each view is loaded by wrk ({data["connections"]} connections) while
`py-spy record --subprocesses` samples the app's two gunicorn workers (non-idle threads, 250
samples/s). A column is the share of samples whose stack passes through that code, i.e. the
share of the workers' busy time spent in it (inclusive).

{_table(["view", "req/s", "samples", *labels, "top cognito_sso functions"], rows)}
"""


def _interpreters_summary(data: dict[str, Any] | None) -> str:
    """The cold/raw range under each interpreter measured, for the summary."""
    if data is None:
        return ""
    parts = []
    for entry in data["interpreters"]:
        ratios = [run["cold_ratio"] for run in entry["rounds"]]
        parts.append(f"{min(ratios):.2f}x-{max(ratios):.2f}x under {_python(entry)}")
    return " Cold by interpreter build (section 2): " + "; ".join(parts) + "."


def summary() -> str:
    """Headline results, each linked to its section."""
    lines = []
    data = results.load("overhead")
    if data is not None:
        levels = _levels(data)
        for name, goal in data["goals"].items():
            low = min(data["ratios"][name][lvl] for lvl in levels)
            high = max(data["ratios"][name][lvl] for lvl in levels)
            verdict = "met" if low >= goal else "**missed**"
            lines.append(
                f"- `{name}` view: {low:.2f}x-{high:.2f}x the open view's throughput over "
                f"c={levels[0]}..{levels[-1]} (goal >= {goal}: {verdict})."
            )
    data = results.load("verify")
    if data is not None:
        cold = data["ratio_to_raw"]["cognito_sso cold (cache off)"]
        warm = data["us_per_call"]["cognito_sso warm (cached)"]
        verdict = "met" if data["met"]["cold"] else "**missed**"
        lines.append(
            f"- token verification: cold {cold:.2f}x the raw RSA verify (goal <= "
            f"{data['goals']['cold_ratio_max']}: {verdict}); warm {warm:.2f} us."
            + _interpreters_summary(results.load("verify_interpreters"))
        )
    data = results.load("bearer_revocation")
    if data is not None:
        cached = data["views"]["bearer+check cached"]["added_cpu_us"]
        asked = data["views"]["bearer+check asked"]["added_cpu_us"]
        lines.append(
            f"- bearer revocation check: {cached:+.1f} us of CPU per request with the answer "
            f"cached, {asked:+.0f} us when it asks the IdP (section 2b)."
        )
    data = results.load("signin")
    if data is not None:
        lat, trips = data["latency_ms"], data["round_trips"]
        lines.append(
            f"- sign-in: full first sign-in p50 {lat['full']['p50']:.0f} ms in "
            f"{trips['full']['max']} round trips; silent second-service sign-in p50 "
            f"{lat['silent']['p50']:.0f} ms in {trips['silent']['max']} round trips."
        )
    data = results.load("provisioning")
    if data is not None:
        first, again = data["runs"]["first apply"], data["runs"]["repeated apply"]
        lines.append(
            f"- provisioning the demo spec: first apply {first['calls']} calls / "
            f"{first['writes']} writes, repeated apply {again['calls']} calls / "
            f"{again['writes']} writes."
        )
    data = results.load("peer")
    if data is not None and "own_open" in data:
        levels = _levels(data)
        peers = [n for n in data["cells"] if not n.startswith("ours") and not n.endswith(" open")]
        for name in peers:
            ratios = ", ".join(f"{data['ratios'][name][lvl]:.2f}x" for lvl in levels)
            lines.append(
                f"- peer `{name}`: {ratios} of its open view (c={', '.join(levels)}; section 5)."
            )
    data = results.load("cpu_cost")
    if data is not None:
        for name, goal in data["goals_us"].items():
            added = data["views"][name]["added_us"]
            verdict = "met" if added <= goal else "**missed**"
            lines.append(
                f"- `{name}`: adds {added:.1f} us of CPU per request (goal <= {goal:g}: {verdict})."
            )
    return "## Summary\n\n" + "\n".join(lines) + "\n" if lines else ""


def performance() -> str:
    """docs/performance.md."""
    parts = [
        """# Performance

Every number on this page was measured by a script in `bench/` and is regenerated from
`bench/results/*.json` by `.venv/bin/python -m bench.report`. Each benchmark prints ratios
against a baseline measured in the same run, because absolute numbers depend on the
machine; the machine and its load are given with each result. The benchmarks start their
own local IdP, Redis and gunicorn processes on free ports of 127.0.0.1 and need `wrk`
(`apt-get install wrk`) and `redis-server`.

Run them all: `.venv/bin/python -m bench.run_all` (it ends with `python -m bench.report`).

On a shared machine throughput swings with other processes' load (a 2-core machine at a load
average of 5-15 halves or thirds every absolute figure and scatters the ratios), so the
steadiest number here is section 6's: CPU time per request, in-process, interleaved, best of
N. Compare figures within one section: each was measured in one run.
""",
        summary(),
        section_overhead(results.load("overhead")),
        section_fastapi_overhead(results.load("fastapi_overhead")),
        section_verify(),
        section_bearer_revocation(results.load("bearer_revocation")),
        section_signin(results.load("signin")),
        section_provisioning(results.load("provisioning")),
        section_peer(results.load("peer")),
        section_cpu_cost(results.load("cpu_cost")),
        section_profile(results.load("inprocess")),
        section_served_profile(results.load("served_profile")),
    ]
    return "\n".join(p for p in parts if p)


# --- reliability.md ---------------------------------------------------------------------------


PROBE_LABELS = {
    "login_during": "`GET /auth/login` during the fault",
    "callback_during": "a sign-in's callback delivered during the fault",
    "session_during": "a signed-in probe user's page during the fault",
    "signin_during": "fresh sign-ins during the fault",
    "signin_after": "fresh sign-ins after the fault",
    "session_after": "the same signed-in probe user's page after the fault",
}


def _probe_text(events: list[dict[str, Any]]) -> str:
    if len(events) > 2 and all(e["outcome"] == "ok" for e in events):
        slowest = max(e["seconds"] for e in events)
        return f"{len(events)} of {len(events)} ok (200, own identity), slowest {slowest:.2f} s"
    parts = []
    for e in events:
        if e["outcome"] == "ok":
            text = "ok (200, own identity)"
        elif e["outcome"] == "conn_error":
            text = f"connection error ({e['detail']})"
        elif e["outcome"].startswith("http_"):
            text = f"HTTP {e['status']}" + (f' "{e["detail"][:160]}"' if e["detail"] else "")
        else:
            text = f"{e['outcome']} {e['detail'][:160]}"
        parts.append(f"{text} in {e['seconds']:.2f} s")
    return "; ".join(parts)


def _observed(fault: dict[str, Any]) -> str:
    items = [
        f"{PROBE_LABELS.get(label, label)}: {_probe_text(ev)}"
        for label, ev in fault["probes"].items()
    ]
    users = fault["users_during"]
    browse = users["by_kind"].get("browse", {})
    items.append(
        f"simulated users during the window: {users['events']} requests, ok {browse.get('ok', 0)}, "
        f"5xx {users['status_5xx']}, connection errors {users['conn_errors']}, lost sessions "
        f"{users['lost_sessions']}, mix-ups {users['mixups']}"
    )
    checks = ", ".join(f"{k}: {'yes' if v else '**NO**'}" for k, v in fault["checks"].items())
    return "<br>".join(items) + f"<br>checks: {checks}"


def reliability() -> str:
    """docs/reliability.md."""
    data = results.load("load")
    head = """# Reliability

Load and fault behaviour, measured by `bench/load.py` (long version) on a real system on
127.0.0.1: the local IdP (behind a TCP front end, `bench/tcp_proxy.py`, so that it can be
taken off the network without losing its in-memory pool), `redis-server` with an append-only
file, and two services under gunicorn (2 workers each): *billing* with the SQLite session
store and *reports* with the Redis store. Users are created with AdminCreateUser +
AdminSetUserPassword (permanent); each simulated user has its own cookie jar, signs in by
driving the hosted-UI form over HTTP and then browses `/whoami` on both services with a think
time of 0.5-1.5 s, checking that every page names that user. A request answered with a
redirect to `/auth/login` (or 401) after the user signed in counts as a lost session.

The fast version runs in CI: `.venv/bin/pytest tests/load -q` (20 users for 10 s, then every
fault for 2 s under the same load; it asserts behaviour, never timings).

How the faults are made: *IdP down* stops the TCP front end process (connections refused);
*JWKS failing* and *token endpoint slow* use the local IdP's fault injection
(`POST /_local/faults`); *Redis restarted* stops and starts `redis-server`; *service
restarted* stops and starts one service's gunicorn. Not measured here: what a user sees when
the access token expires during an IdP outage (the pool's access tokens live 60 minutes, far
longer than the outage).
"""
    if data is None:
        return head + "\nNot run yet: `.venv/bin/python -m bench.load`.\n"
    out = [head, f"Command: {_cmd(data)}\n\nMeasured {_machine(data)}.\n"]
    clean = data.get("clean")
    if clean:
        users = data["args"]["users"]
        image = plot_timeline(
            clean["timeseries"], [], "load-clean.png", f"{users} users, no faults"
        )
        rows = [
            ["answers with status 5xx", 0, clean["status_5xx"]],
            ["pages showing another user's identity", 0, clean["mixups"]],
            ["sessions lost", 0, clean["lost_sessions"]],
            ["connection errors", 0, clean["conn_errors"]],
            ["users signed in at least once", users, clean["users_signed_in"]],
        ]
        out.append(f"""## {users} users on both services for {data["args"]["duration"]:g} s

{clean["events"]} requests ({clean["requests_per_second"]}/s); browse latency
p50 {clean["browse_ms"]["p50"]} ms, p99 {clean["browse_ms"]["p99"]} ms,
max {clean["browse_ms"]["max"]} ms; sign-in (whole flow, full or silent) p50
{clean["signin_ms"]["p50"]} ms, p99 {clean["signin_ms"]["p99"]} ms,
max {clean["signin_ms"]["max"]} ms.
Verdict: **{"pass" if clean["passed"] else "FAIL"}**.

{_table(["criterion", "expected", "observed"], rows)}

Requests the local IdP served during this run (its access log), for
{clean["users_signed_in"]} users:

{_table(["request", "count"], list(clean.get("idp_requests", {}).items()))}

![requests and latency over time]({image})
""")
    faults = data.get("faults")
    if faults:
        image = plot_timeline(
            faults["timeseries"], faults["faults"], "load-faults.png",
            f"{faults['users']} users while faults are injected (shaded)",
        )  # fmt: skip
        rows = [
            [
                f["name"] + f" ({'pass' if f['passed'] else '**FAIL**'})",
                f["action"],
                f["expected"],
                _observed(f),
                "`.venv/bin/python -m bench.load --skip-clean`; CI (2 s faults, 20 users): "
                "`.venv/bin/pytest tests/load -k faults`",
            ]
            for f in faults["faults"]
        ]
        overall = faults["overall"]
        out.append(f"""## Faults under load

{faults["users"]} users browse both services while the faults are injected one after another
(services: `COGNITO_HTTP_TIMEOUT` = {faults["http_timeout_s"]:g} s,
`COGNITO_SESSION_CHECK_INTERVAL` = {faults["session_check_interval_s"]:g} s, so that the
sessions' IdP checks happen during the faults). Probe users with fresh cookie jars test
sign-ins and callbacks during each fault.

Over the whole run: {overall["events"]} user requests, mix-ups {overall["mixups"]}, lost
sessions {overall["lost_sessions"]}, 5xx outside fault windows
{faults["status_5xx_outside_fault_windows"]}. Verdict: **{"pass" if faults["passed"] else "FAIL"}**.

{_table(["fault", "action", "expected", "observed", "command"], rows)}

![requests and latency during the faults]({image})
""")
    return "\n".join(out)


def main() -> int:
    """Write both documents and the plots."""
    IMG.mkdir(parents=True, exist_ok=True)
    (DOCS / "performance.md").write_text(performance())
    (DOCS / "reliability.md").write_text(reliability())
    print(f"wrote {DOCS / 'performance.md'}, {DOCS / 'reliability.md'}, plots in {IMG}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
