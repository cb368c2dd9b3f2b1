"""Fast load and fault tests (CI): 20 users on both services, then faults under that load.

The long versions (200 users, 60 s, 10 s faults) are ``python -m bench.load``. These tests
assert behaviour only (no 5xx, no identity mix-ups, no lost sessions, the expected answer
to each fault), never timings. Everything runs on 127.0.0.1: the local IdP behind a TCP
front end, redis-server, two gunicorn services (billing: SQLite store, reports: Redis).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bench import fault_plan, loadtest
from tests.plugins.redis_server import require_redis_server

pytestmark = [pytest.mark.redis, pytest.mark.timeout(180)]

USERS = 20
HTTP_TIMEOUT = 3.0


@pytest.fixture(scope="module")
def stack() -> Iterator[loadtest.Stack]:
    """The whole system, shared by the tests of this module."""
    require_redis_server()  # skip locally, fail under CI, when redis-server is missing
    with loadtest.stack(
        users=USERS, probe_users=10, http_timeout=HTTP_TIMEOUT, session_check_interval=3.0
    ) as running:
        yield running


def test_twenty_users_browse_both_services_without_errors(stack: loadtest.Stack) -> None:
    run = loadtest.start_users(stack, users=USERS, duration=10, ramp=3)
    events = run.wait()
    summary = loadtest.summarise(events)

    assert loadtest.users_signed_in(events) == USERS, summary
    assert summary["by_kind"]["browse"].get("ok", 0) > USERS, summary
    assert summary["status_5xx"] == 0, summary
    assert summary["mixups"] == 0, summary
    assert summary["lost_sessions"] == 0, summary
    assert summary["conn_errors"] == 0, summary
    assert {e.service for e in events} == {"billing", "reports"}


def test_faults_under_load_keep_sessions_and_answer_503(stack: loadtest.Stack) -> None:
    run = loadtest.start_users(stack, users=USERS, duration=300, ramp=2)
    try:
        time.sleep(max(0.0, run.start_at + 4 - time.time()))  # users signed in
        prober = loadtest.Prober(stack)
        faults = fault_plan.run_all(
            stack, prober, fault_seconds=2, gap=0.5, hang=HTTP_TIMEOUT + 2,
            http_timeout=HTTP_TIMEOUT, log=lambda _: None,
        )  # fmt: skip
        time.sleep(1)
    finally:
        run.stop()
        events = run.wait()
    verdict = fault_plan.evaluate(events, faults)

    for fault in faults:
        assert fault.passed, (fault.name, fault.checks, fault.probes)
    assert verdict["overall"]["mixups"] == 0, verdict["overall"]
    assert verdict["overall"]["lost_sessions"] == 0, verdict["overall"]
    assert verdict["status_5xx_outside_fault_windows"] == 0, verdict["overall"]
    assert verdict["overall"]["users_signed_in"] == USERS
