"""Fixtures for provisioning tests: a fresh local IdP per test module/test, and the demo spec."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cognito_sso.local.server import RunningServer, run_in_thread
from cognito_sso.provisioning.aws import Connection, connect
from cognito_sso.provisioning.spec import Spec, load_spec

DEMO_SPEC = Path(__file__).resolve().parents[2] / "provisioning" / "pools" / "sso-demo.toml"
MAXIMAL_SPEC = Path(__file__).resolve().parent / "maximal.toml"  # every spec key set

# The demo spec's ExampleCorp identity provider reads its secret from the environment
# (`cognito-sso demo` sets it from the Example Corp pool; an apply without it is refused).
# Set at import: module-scoped fixtures apply the spec before any monkeypatch could.
os.environ.setdefault("EXAMPLE_CORP_CLIENT_SECRET", "example-corp-client-secret-for-tests")


@pytest.fixture
def fresh_idp() -> Iterator[RunningServer]:
    """A local IdP of its own (provisioning looks pools up by name, so tests must not share)."""
    server = run_in_thread()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def conn(fresh_idp: RunningServer) -> Connection:
    return connect(endpoint_url=fresh_idp.base_url, region="eu-west-1")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry sleeps, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", recorded.append)
    return recorded


@pytest.fixture
def demo_spec() -> Spec:
    return load_spec(DEMO_SPEC)


def spec_variant(
    tmp_path: Path, *replacements: tuple[str, str], name: str = "variant", base: Path = DEMO_SPEC
) -> Path:
    """A copy of the demo spec (or `base`) with exact text replacements (each must match once)."""
    text = base.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once in the demo spec"
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path
