"""The browser fixtures' rule: no Chromium fails in CI, skips (with a reason) elsewhere."""

from __future__ import annotations

import pytest

from tests.plugins import browser


def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI: /nowhere not found"):
        browser._unavailable("/nowhere not found")


def test_missing_chromium_skips_locally_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install Debian's chromium"):
        browser._unavailable("/nowhere not found")
