"""Billing: a small invoicing service (list, create, void; JSON API for other services).

Run on its own with `flask --app demo_apps.billing run --port 5001` once the outputs file
exists; `cognito-sso demo` starts it for you.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The billing app. `config` overrides the defaults (see `create_demo_app`)."""
    from demo_apps.billing.store import InvoiceStore
    from demo_apps.billing.views import build_blueprint
    from demo_apps.common import create_demo_app

    # Billing's API also accepts access tokens issued to the reports and audit clients.
    app, sso = create_demo_app(__name__, "billing", config, bearer_services=("reports", "audit"))
    database = app.config.get("BILLING_DATABASE") or os.path.join(app.instance_path, "billing.db")
    store = InvoiceStore(database)
    if app.config.get("BILLING_SEED", True):
        store.seed_if_empty()
    app.extensions["billing_store"] = store
    app.register_blueprint(build_blueprint(sso, store))
    return app
