"""Reports: revenue per month as a server-rendered SVG chart, fed by billing's JSON API.

Run on its own with `flask --app demo_apps.reports run --port 5002` once the outputs file
exists; `cognito-sso demo` starts it for you.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The reports app. `REPORTS_BILLING_URL` defaults to billing's URL from the outputs file."""
    from demo_apps.common import create_demo_app
    from demo_apps.reports.views import build_blueprint

    app, sso = create_demo_app(__name__, "reports", config)
    app.register_blueprint(build_blueprint(sso))
    return app
