"""pytest plugin: the behaviour both framework adapters share, tested once for each.

Fixture ``adapter_env`` (function, parametrized ``flask`` / ``fastapi``): the ``sso_env`` pool
and ``.app(config=...)``, which serves an app of that adapter with the same views (Flask
under werkzeug from ``tests.plugins.flask_apps``, FastAPI under uvicorn from
``tests.plugins.fastapi_apps``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from tests.plugins.fastapi_apps import FastAPIEnv, RunningASGIApp
from tests.plugins.flask_apps import RunningApp, SSOEnv

ServedApp = RunningApp | RunningASGIApp


def app_state(app: ServedApp) -> Any:
    """The adapter's per-app state: ``config``, ``store``, ``sessions``."""
    return app.sso.state(app.app) if isinstance(app, RunningApp) else app.sso.state


@dataclass
class AdapterEnv:
    """``sso_env`` and apps of one adapter (``kind``)."""

    kind: str
    sso: SSOEnv
    make: Callable[..., ServedApp]

    def app(self, *, config: Mapping[str, Any] | None = None) -> ServedApp:
        """Register an app client and serve an app of this adapter using it."""
        return self.make(config=config)


@pytest.fixture(params=["flask", "fastapi"])
def adapter_env(request: pytest.FixtureRequest, sso_env: SSOEnv) -> AdapterEnv:
    """The ``sso_env`` pool with apps of the Flask, then of the FastAPI adapter."""
    if request.param == "flask":
        return AdapterEnv("flask", sso_env, sso_env.app)
    fastapi_env: FastAPIEnv = request.getfixturevalue("fastapi_env")
    return AdapterEnv("fastapi", sso_env, fastapi_env.app)
