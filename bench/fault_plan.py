"""The faults injected while users browse, each with its expectation and its checks.

Shared by ``bench/load.py`` (long: 10 s faults under 200 users) and ``tests/load/`` (CI:
short faults under 20 users). Each step records probe events and returns a `FaultResult`
whose ``checks`` are booleans the test suite asserts and the report prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import loadtest
from bench.loadtest import Event, Prober, Stack


@dataclass
class FaultResult:
    """One fault: what was done, what should happen, what the probes saw."""

    name: str
    action: str
    expected: str
    start: float
    end: float
    probes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    users_may_get_503: bool = False  # the fault takes a store away: 503 is the right answer
    unaffected_service: str | None = None  # a service that must not notice the fault at all

    def record(self, label: str, *events: Event) -> None:
        """Keep probe events under ``label``."""
        self.probes.setdefault(label, []).extend(asdict(e) for e in events)

    @property
    def passed(self) -> bool:
        """Every check held."""
        return all(self.checks.values())


def _sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def idp_down(stack: Stack, prober: Prober, seconds: float) -> FaultResult:
    """Stop the IdP's front end (connection refused) for ``seconds``, then start it again."""
    signed = prober.session("reports")
    pending = prober.pending_callback("billing")
    result = FaultResult(
        "IdP down",
        f"the TCP front end of the local IdP stopped for {seconds:g} s (connections refused)",
        "signed-in users keep working; a sign-in that reaches the app's callback gets the 503 "
        "page; new sign-ins work again once the IdP is back, without restarting the services",
        time.time(),
        0.0,
    )
    stack.proxy.stop()
    result.record("login_during", prober.login_page("billing"))
    result.record("callback_during", prober.deliver_callback(pending))
    result.record("session_during", signed.whoami())
    result.record("signin_during", prober.sign_in("billing"))
    _sleep_until(result.start + seconds)
    stack.proxy.start()
    result.end = time.time()
    after = [prober.sign_in("billing"), prober.sign_in("reports")]
    result.record("signin_after", *after)
    result.record("session_after", signed.whoami())
    signed.close()
    cb = result.probes["callback_during"][0]
    result.checks = {
        "session kept during outage": result.probes["session_during"][0]["outcome"] == "ok",
        "callback answers 503": cb["status"] == 503,
        "sign-in works after recovery": all(e.outcome == "ok" for e in after),
        "session kept after recovery": result.probes["session_after"][0]["outcome"] == "ok",
    }
    return result


def jwks_failing(stack: Stack, prober: Prober, seconds: float) -> FaultResult:
    """The IdP's JWKS endpoint answers 500 for ``seconds``."""
    result = FaultResult(
        "JWKS endpoint failing",
        f"fault injection: JWKS answers 500 for {seconds:g} s",
        "keys cached by the services keep verifying tokens: sign-ins and browsing continue",
        time.time(),
        0.0,
    )
    stack.set_fault("jwks", "error", count=1000)
    events = []
    while time.time() < result.start + seconds:
        events.append(prober.sign_in("billing"))
        events.append(prober.sign_in("reports"))
        time.sleep(0.5)
    stack.clear_faults()
    result.end = time.time()
    result.record("signin_during", *events)
    result.checks = {"sign-ins succeed with cached keys": all(e.outcome == "ok" for e in events)}
    return result


def token_slow(
    stack: Stack, prober: Prober, seconds: float, hang: float, http_timeout: float
) -> FaultResult:
    """Every token-endpoint call hangs ``hang`` s (longer than the services' HTTP timeout)."""
    result = FaultResult(
        "token endpoint slow",
        f"fault injection: /oauth2/token hangs {hang:g} s per call for {seconds:g} s "
        f"(services' COGNITO_HTTP_TIMEOUT = {http_timeout:g} s)",
        "a callback waits at most the HTTP timeout, then shows the 503 page; browsing is "
        "unaffected",
        time.time(),
        0.0,
    )
    pendings = [prober.pending_callback("billing"), prober.pending_callback("reports")]
    stack.set_fault("token", "hang", seconds=hang, count=1000)
    with ThreadPoolExecutor(2) as pool:
        events = list(pool.map(prober.deliver_callback, pendings, ("billing", "reports")))
    _sleep_until(result.start + seconds)
    stack.clear_faults()
    result.end = time.time()
    result.record("callback_during", *events)
    after = prober.sign_in("billing")
    result.record("signin_after", after)
    result.checks = {
        "callback answers 503 (wait bounded by the timeout)": all(e.status == 503 for e in events),
        "sign-in works after": after.outcome == "ok",
    }
    return result


def redis_restart(stack: Stack, prober: Prober, seconds: float) -> FaultResult:
    """Stop redis-server (append-only file on) for ``seconds``, start it again."""
    signed = prober.session("reports")
    result = FaultResult(
        "Redis restarted",
        f"redis-server (appendonly yes) stopped for {seconds:g} s, then started again",
        "reports (Redis store) answers a clear 503 while Redis is down; its sessions survive "
        "the restart; billing (SQLite store) is unaffected",
        time.time(),
        0.0,
    )
    result.users_may_get_503 = True
    result.unaffected_service = "billing"
    stack.redis.stop()
    result.record("session_during", signed.whoami())
    _sleep_until(result.start + seconds)
    stack.redis.start()
    result.end = time.time()
    time.sleep(0.5)
    result.record("session_after", signed.whoami())
    signed.close()
    during = result.probes["session_during"][0]
    result.checks = {
        "503 while Redis is down": during["status"] == 503,
        "session survives the restart": result.probes["session_after"][0]["outcome"] == "ok",
    }
    return result


def service_restart(stack: Stack, prober: Prober) -> FaultResult:
    """Restart billing's gunicorn (SIGTERM, start again on the same port)."""
    signed = prober.session("billing")
    result = FaultResult(
        "service restarted",
        "billing's gunicorn stopped (SIGTERM) and started again on the same port",
        "sessions survive (they are in the store): the same cookie works after the restart",
        time.time(),
        0.0,
    )
    stack.services["billing"].restart()
    result.end = time.time()
    result.record("session_after", signed.whoami())
    signed.close()
    result.checks = {
        "session survives the restart": result.probes["session_after"][0]["outcome"] == "ok"
    }
    return result


def run_all(
    stack: Stack,
    prober: Prober,
    *,
    fault_seconds: float,
    gap: float,
    hang: float,
    http_timeout: float,
    log: Callable[[str], None] = print,
) -> list[FaultResult]:
    """Every fault in turn, ``gap`` seconds apart."""
    steps: list[Callable[[], FaultResult]] = [
        lambda: idp_down(stack, prober, fault_seconds),
        lambda: jwks_failing(stack, prober, fault_seconds),
        lambda: token_slow(stack, prober, fault_seconds, hang, http_timeout),
        lambda: redis_restart(stack, prober, fault_seconds),
        lambda: service_restart(stack, prober),
    ]
    out = []
    for step in steps:
        result = step()
        log(
            f"  {result.name}: {'ok' if result.passed else 'FAILED'} "
            + ", ".join(f"{k}={v}" for k, v in result.checks.items())
        )
        out.append(result)
        time.sleep(gap)
    return out


def evaluate(events: list[Event], faults: list[FaultResult]) -> dict[str, Any]:
    """Users' view of a fault run: per-fault window summaries and the overall verdict.

    5xx answers are allowed only inside a fault window (plus one second); mix-ups and lost
    sessions are never allowed.
    """
    windows = []
    for i, fault in enumerate(faults):
        # one second of grace after the fault, but never into the next fault
        until = min([fault.end + 1.0, *(f.start for f in faults[i + 1 : i + 2])])
        chosen = [e for e in events if fault.start <= e.t < until]
        window = loadtest.summarise(chosen)
        fault.checks["users: no session lost, no mix-up"] = (
            window["lost_sessions"] == 0 and window["mixups"] == 0
        )
        pages = [e for e in chosen if e.kind == "browse"]  # signed-in users' pages
        if fault.users_may_get_503:
            fault.checks["users: 5xx answers are all 503"] = all(
                e.status == 503 for e in chosen if e.status >= 500
            )
        else:
            fault.checks["users: no 5xx on signed-in pages"] = all(e.status < 500 for e in pages)
        if fault.unaffected_service is not None:
            other = [e for e in chosen if e.service == fault.unaffected_service]
            fault.checks[f"users: {fault.unaffected_service} unaffected"] = all(
                e.outcome == "ok" for e in other
            )
        windows.append({**asdict(fault), "passed": fault.passed, "users_during": window})
    overall = loadtest.summarise(events)
    overall["users_signed_in"] = loadtest.users_signed_in(events)
    inside = sum(
        1 for e in events if e.status >= 500 and any(f.start <= e.t < f.end + 1.0 for f in faults)
    )
    outside = overall["status_5xx"] - inside
    return {
        "faults": windows,
        "overall": overall,
        "status_5xx_outside_fault_windows": outside,
        "passed": all(f.passed for f in faults)
        and overall["mixups"] == 0
        and overall["lost_sessions"] == 0
        and outside == 0,
    }
