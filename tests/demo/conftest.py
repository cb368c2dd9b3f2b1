"""One demo stack (local IdP + provisioned pool + billing + reports + audit) on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from demo_apps.extra_clients import ExtraClient
from demo_apps.runner import DemoStack, start_stack
from tests.demo.browser_steps import CHECK_INTERVAL, Shots
from tests.ports import free_port


@pytest.fixture(scope="session")
def demo_extra_client() -> ExtraClient:
    """An app of "yours" the stack registers with ``--extra-client`` (served by a test)."""
    return ExtraClient("notes", f"http://127.0.0.1:{free_port()}/auth/callback")


@pytest.fixture(scope="session")
def demo_stack(
    tmp_path_factory: pytest.TempPathFactory, demo_extra_client: ExtraClient
) -> Iterator[DemoStack]:
    """The stack `cognito-sso demo` runs, started through the runner's Python API.

    Free ports everywhere: the spec's callback URLs are rewritten to them by the runner.
    """
    state_dir: Path = tmp_path_factory.mktemp("demo-state")
    stack = start_stack(
        extra_clients=[demo_extra_client],
        state_dir=state_dir,
        idp_port=0,
        billing_port=0,
        reports_port=0,
        audit_port=0,
        check_interval=CHECK_INTERVAL,
    )
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def shots(browser_output: Path) -> Shots:
    """Numbered full-page screenshots in the test's output folder."""
    return Shots(browser_output)
