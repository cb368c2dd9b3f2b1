"""The load and fault engine shared by ``bench/load.py`` (long runs) and ``tests/load/`` (CI).

A `Stack` is a real system on 127.0.0.1: the local IdP behind a TCP front end (so it can be
taken off the network without losing its in-memory pool), Redis with an append-only file,
and two services under gunicorn (2 workers each): ``billing`` (SQLite store) and ``reports``
(Redis store), both the bench service app (bench/apps/service.py).

Simulated users run in worker processes, one thread per user, each with its own cookie jar:
sign in at both services by driving the hosted-UI form over HTTP, then browse ``/whoami``
on either service at random with a think time, checking that every page shows the user's
own identity. Every request becomes an `Event`; `summarise` buckets them by time window.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from bench import harness, idp_setup
from bench.browser import Browser, SignInError

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Event:
    """One request (or one whole sign-in) of a simulated user."""

    t: float  # epoch seconds at start
    user: str
    service: str
    kind: str  # "signin" | "browse" | "probe_signin" | "probe_callback" | "probe_login"
    outcome: str  # ok | mixup | lost | http_<status> | conn_error | signin_failed
    status: int
    seconds: float
    detail: str = ""


@dataclass
class Stack:
    """The running system under test."""

    work: harness.Workdir
    idp: harness.Proc
    proxy: harness.Proc
    redis: harness.Proc
    services: dict[str, harness.Proc]
    directory: idp_setup.Directory

    @property
    def idp_admin_url(self) -> str:
        """The IdP's own port (reachable even when the front end is stopped)."""
        return self.idp.url

    def service_urls(self) -> dict[str, str]:
        """Service name -> base URL."""
        return {name: proc.url for name, proc in self.services.items()}

    def set_fault(self, endpoint: str, mode: str, *, seconds: float = 5, count: int = 1000) -> None:
        """POST {idp}/_local/faults."""
        body = {"endpoint": endpoint, "mode": mode, "seconds": seconds, "count": count}
        response = httpx.post(f"{self.idp_admin_url}/_local/faults", json=body, timeout=10)
        response.raise_for_status()

    def clear_faults(self) -> None:
        """DELETE {idp}/_local/faults."""
        httpx.delete(f"{self.idp_admin_url}/_local/faults", timeout=10).raise_for_status()


@contextlib.contextmanager
def stack(
    *,
    users: int,
    probe_users: int = 20,
    http_timeout: float = 5.0,
    session_check_interval: float = 60.0,
    keep: bool = False,
) -> Iterator[Stack]:
    """Start IdP, front end, Redis and both services; create ``users`` + probe users."""
    work = harness.Workdir(keep=keep)
    proxy_port = harness.free_port()
    idp = harness.idp_proc(work, public_port=proxy_port)
    proxy = harness.proxy_proc(work, idp.port, port=proxy_port)
    redis = harness.redis_proc(work, persist=True)
    try:
        with harness.running(idp, proxy, redis):
            ports = {"billing": harness.free_port(), "reports": harness.free_port()}
            directory = idp_setup.create_directory(
                idp.url,
                {name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
                users=users,
            )
            idp_setup.add_users(
                directory, (f"probe{i:04d}" for i in range(probe_users)), groups=("staff",)
            )
            directory.endpoint_url = proxy.url  # what apps and browsers use from now on
            stores = {
                "billing": f"sqlite:///{work.file('billing-sessions.db')}",
                "reports": f"redis://127.0.0.1:{redis.port}/0",
            }
            extra = {
                "COGNITO_HTTP_TIMEOUT": http_timeout,
                "COGNITO_SESSION_CHECK_INTERVAL": session_check_interval,
            }
            services = {
                name: harness.service_proc(
                    work,
                    name,
                    idp_setup.service_config(
                        directory, name, session_store=stores[name], extra=extra
                    ),
                    port=port,
                )
                for name, port in ports.items()
            }
            with harness.running(*services.values()):
                yield Stack(work, idp, proxy, redis, services, directory)
    finally:
        work.cleanup()


# --- simulated users (run in worker processes) -------------------------------------------


def _classify_browse(response: httpx.Response, user: str) -> tuple[str, str]:
    if response.status_code == 200:
        try:
            who = response.json().get("username")
        except ValueError:
            return "http_200_not_json", response.text[:80]
        return ("ok", "") if who == user else ("mixup", f"saw {who}")
    if response.status_code in REDIRECTS and "/auth/login" in response.headers.get("location", ""):
        return "lost", ""
    if response.status_code == 401:
        return "lost", ""
    return f"http_{response.status_code}", _page_text(response)[:120]


def _user_loop(
    user: str,
    services: dict[str, str],
    start_at: float,
    deadline: float,
    think: tuple[float, float],
    seed: int,
    events: list[Event],
    stop_file: str | None = None,
) -> None:
    rng = random.Random(seed)
    browser = Browser(timeout=30)
    signed_in = dict.fromkeys(services, False)
    names = sorted(services)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        first = rng.sample(names, len(names))  # sign in at every service first, random order
        while time.time() < deadline and not (stop_file and os.path.exists(stop_file)):
            service = first.pop() if first else rng.choice(names)
            url = services[service]
            started = time.time()
            clock = time.perf_counter()
            browser.hops.clear()
            if not signed_in[service]:
                try:
                    page = browser.sign_in(url, user, idp_setup.PASSWORD, "/whoami")
                    outcome, detail = _classify_browse(page, user)
                    signed_in[service] = outcome == "ok"
                    status = page.status_code
                except SignInError as exc:
                    status = exc.response.status_code if exc.response is not None else 0
                    outcome, detail = "signin_failed", str(exc)[:120]
                except httpx.HTTPError as exc:
                    status, outcome, detail = 0, "conn_error", type(exc).__name__
                kind = "signin"
            else:
                try:
                    response = browser.request("GET", f"{url}/whoami")
                    outcome, detail = _classify_browse(response, user)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status, outcome, detail = 0, "conn_error", type(exc).__name__
                if outcome == "lost":
                    signed_in[service] = False
                kind = "browse"
            seconds = time.perf_counter() - clock
            events.append(Event(started, user, service, kind, outcome, status, seconds, detail))
            time.sleep(rng.uniform(*think))
    finally:
        browser.close()


def run_users_in_process(
    users: Sequence[str],
    services: dict[str, str],
    start_at: float,
    ramp: float,
    deadline: float,
    think: tuple[float, float],
    seed: int,
    stop_file: str | None = None,
) -> list[dict[str, Any]]:
    """Worker-process entry: one thread per user; returns the events as dicts."""
    events: list[Event] = []
    threads = []
    for i, user in enumerate(users):
        begin = start_at + ramp * i / max(1, len(users))
        args = (user, services, begin, deadline, think, seed + i, events, stop_file)
        threads.append(threading.Thread(target=_user_loop, args=args, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.time() + 60))
    return [asdict(e) for e in events]


@dataclass
class LoadRun:
    """Handle of a running user load (see `start_users`)."""

    pool: ProcessPoolExecutor
    futures: list[Any]
    start_at: float
    deadline: float
    stop_file: str

    def stop(self) -> None:
        """Ask every user to finish its current request and stop."""
        with open(self.stop_file, "w") as handle:
            handle.write("stop\n")

    def wait(self) -> list[Event]:
        """Wait for the users to finish; all their events."""
        events: list[Event] = []
        try:
            for future in self.futures:
                timeout = max(5.0, self.deadline - time.time() + 90)
                events.extend(Event(**e) for e in future.result(timeout=timeout))
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return events


def start_users(
    stack_: Stack,
    *,
    users: int,
    duration: float,
    ramp: float,
    think: tuple[float, float] = (0.5, 1.5),
    users_per_process: int = 50,
    seed: int = 8,
) -> LoadRun:
    """Start ``users`` simulated users for ``duration`` seconds (sign-ins spread over ``ramp``)."""
    names = stack_.directory.users[:users]
    processes = max(1, math.ceil(len(names) / users_per_process))
    chunks = [names[i::processes] for i in range(processes)]
    start_at = time.time() + 2.0 + 0.5 * processes  # worker processes need to import first
    deadline = start_at + duration
    stop_file = str(stack_.work.file(f"stop-{time.time_ns()}"))
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    futures = [
        pool.submit(
            run_users_in_process,
            chunk,
            stack_.service_urls(),
            start_at,
            ramp,
            deadline,
            think,
            seed + 1000 * i,
            stop_file,
        )
        for i, chunk in enumerate(chunks)
    ]
    return LoadRun(pool, futures, start_at, deadline, stop_file)


# --- probes run by the orchestrator during faults ----------------------------------------


class Prober:
    """Fresh sign-ins by dedicated probe users, each recorded as an `Event`."""

    def __init__(self, stack_: Stack) -> None:
        self.stack = stack_
        self.events: list[Event] = []
        self._next = 0
        self._lock = threading.Lock()

    def _user(self) -> str:
        with self._lock:
            probes = [u for u in self.stack.directory.users if u.startswith("probe")]
            user = probes[self._next % len(probes)]
            self._next += 1
            return user

    def record(
        self,
        kind: str,
        user: str,
        service: str,
        started: float,
        clock: float,
        outcome: str,
        status: int,
        detail: str,
    ) -> Event:
        """Keep a probe's event (``started``: epoch seconds; ``clock``: its perf_counter)."""
        event = Event(
            started, user, service, kind, outcome, status, time.perf_counter() - clock, detail
        )
        self.events.append(event)
        return event

    def sign_in(self, service: str = "billing") -> Event:
        """A complete first sign-in with a new cookie jar."""
        user = self._user()
        url = self.stack.services[service].url
        browser = Browser(timeout=30)
        started, clock = time.time(), time.perf_counter()
        try:
            page = browser.sign_in(url, user, idp_setup.PASSWORD, "/whoami")
            outcome, detail = _classify_browse(page, user)
            status = page.status_code
        except SignInError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            outcome = "signin_failed" if status == 0 else f"http_{status}"
            detail = _last_hop(browser) + " " + str(exc)[:80]
        except httpx.HTTPError as exc:
            status, outcome = 0, "conn_error"
            detail = f"{type(exc).__name__} at {_last_url(browser)}"
        finally:
            browser.close()
        return self.record("probe_signin", user, service, started, clock, outcome, status, detail)

    def pending_callback(self, service: str = "billing") -> tuple[Browser, str, str]:
        """A sign-in stopped just before the callback: (browser, callback URL, user)."""
        user = self._user()
        browser = Browser(timeout=60)
        url = self.stack.services[service].url
        return (
            browser,
            browser.sign_in_until_callback(url, user, idp_setup.PASSWORD, "/whoami"),
            user,
        )

    def deliver_callback(
        self, pending: tuple[Browser, str, str], service: str = "billing"
    ) -> Event:
        """Request the callback now (e.g. during a fault); the app exchanges the code."""
        browser, callback, user = pending
        started, clock = time.time(), time.perf_counter()
        try:
            response = browser.get(callback)
            if response.status_code == 200 and str(response.url).endswith("/whoami"):
                outcome, detail = _classify_browse(response, user)
            else:
                outcome = f"http_{response.status_code}"
                detail = _page_text(response)
            status = response.status_code
        except httpx.HTTPError as exc:
            status, outcome, detail = 0, "conn_error", type(exc).__name__
        finally:
            browser.close()
        return self.record("probe_callback", user, service, started, clock, outcome, status, detail)

    def login_page(self, service: str = "billing") -> Event:
        """``GET {app}/auth/login`` alone (no redirect followed): what the app answers."""
        browser = Browser(timeout=30)
        started, clock = time.time(), time.perf_counter()
        try:
            response = browser.request("GET", f"{self.stack.services[service].url}/auth/login")
            status = response.status_code
            outcome = f"http_{status}"
            detail = response.headers.get("location", "").split("?")[0] or _page_text(response)
        except httpx.HTTPError as exc:
            status, outcome, detail = 0, "conn_error", type(exc).__name__
        finally:
            browser.close()
        return self.record("probe_login", "-", service, started, clock, outcome, status, detail)

    def session(self, service: str) -> SignedIn:
        """A probe user signed in at ``service``, to check later that the session survives."""
        user = self._user()
        browser = Browser(timeout=30)
        browser.sign_in(self.stack.services[service].url, user, idp_setup.PASSWORD, "/whoami")
        return SignedIn(self, browser, service, user)


@dataclass
class SignedIn:
    """A signed-in probe browser."""

    prober: Prober
    browser: Browser
    service: str
    user: str

    def whoami(self) -> Event:
        """``GET /whoami`` without following redirects; recorded as ``probe_session``."""
        url = self.prober.stack.services[self.service].url
        started, clock = time.time(), time.perf_counter()
        try:
            response = self.browser.request("GET", f"{url}/whoami")
            outcome, detail = _classify_browse(response, self.user)
            if outcome.startswith("http_"):
                detail = _page_text(response)
            status = response.status_code
        except httpx.HTTPError as exc:
            status, outcome, detail = 0, "conn_error", type(exc).__name__
        return self.prober.record(
            "probe_session", self.user, self.service, started, clock, outcome, status, detail
        )

    def close(self) -> None:
        """Release the connections."""
        self.browser.close()


def _last_url(browser: Browser) -> str:
    return browser.current_url or "?"


def _last_hop(browser: Browser) -> str:
    if not browser.hops:
        return ""
    hop = browser.hops[-1]
    return f"{hop.method} {hop.url} -> {hop.status}"


def _page_text(response: httpx.Response) -> str:
    """A short, tag-free excerpt of an HTML page (for the report)."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    text = re.sub(r"<title>.*?</title>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:200]


# --- summaries ------------------------------------------------------------------------------


def summarise(
    events: Sequence[Event], start: float | None = None, end: float | None = None
) -> dict[str, Any]:
    """Counts by kind and outcome, 5xx, mix-ups, lost sessions, latency of the events in range."""
    chosen = [e for e in events if (start is None or e.t >= start) and (end is None or e.t < end)]
    by_kind: dict[str, Counter[str]] = {}
    for e in chosen:
        by_kind.setdefault(e.kind, Counter())[e.outcome] += 1
    browse = sorted(e.seconds for e in chosen if e.kind == "browse")
    signin = sorted(e.seconds for e in chosen if e.kind == "signin" and e.outcome == "ok")

    def pct(p: float, values: list[float] = browse) -> float | None:
        if not values:
            return None
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 1)

    return {
        "events": len(chosen),
        "by_kind": {k: dict(v) for k, v in by_kind.items()},
        "status_5xx": sum(1 for e in chosen if e.status >= 500),
        "mixups": sum(1 for e in chosen if e.outcome == "mixup"),
        "lost_sessions": sum(1 for e in chosen if e.outcome == "lost"),
        "conn_errors": sum(1 for e in chosen if e.outcome == "conn_error"),
        "browse_ms": {"p50": pct(50), "p99": pct(99), "max": pct(100)},
        "signin_ms": {"p50": pct(50, signin), "p99": pct(99, signin), "max": pct(100, signin)},
        "max_seconds": round(max((e.seconds for e in chosen), default=0.0), 3),
        "samples": sorted(
            {f"{e.kind}:{e.outcome}:{e.detail}" for e in chosen if e.outcome != "ok"}
        )[:8],
    }


def users_signed_in(events: Sequence[Event]) -> int:
    """How many distinct users completed at least one sign-in."""
    return len({e.user for e in events if e.kind == "signin" and e.outcome == "ok"})


def timeseries(events: Sequence[Event], start: float, step: float = 1.0) -> list[dict[str, Any]]:
    """Per-``step`` buckets from ``start``: ok, 5xx, other failures, p50/max latency (ms)."""
    buckets: dict[int, list[Event]] = {}
    for e in events:
        buckets.setdefault(int((e.t - start) // step), []).append(e)
    out = []
    for index in range(min(buckets, default=0), max(buckets, default=-1) + 1):
        chosen = buckets.get(index, [])
        latencies = sorted(e.seconds * 1000 for e in chosen)
        out.append(
            {
                "t": round(index * step, 3),
                "ok": sum(1 for e in chosen if e.outcome == "ok"),
                "status_5xx": sum(1 for e in chosen if e.status >= 500),
                "conn_error": sum(1 for e in chosen if e.outcome == "conn_error"),
                "other": sum(
                    1 for e in chosen if e.outcome != "ok" and e.status < 500 and e.status != 0
                ),
                "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
                "max_ms": round(latencies[-1], 1) if latencies else None,
            }
        )
    return out
