"""The service the benchmarks serve: the same small view, unprotected and protected.

Config: a JSON file of Flask config keys named by ``$BENCH_APP_CONFIG``.
gunicorn: ``gunicorn 'bench.apps.service:create_app()'``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, jsonify

from cognito_sso import CognitoSSO

BODY = "ok " * 20


def create_app() -> Flask:
    """The benchmark app; every view answers the same short text body."""
    app = Flask("bench_service")
    app.config.update(json.loads(Path(os.environ["BENCH_APP_CONFIG"]).read_text()))
    sso = CognitoSSO(app)

    @app.get("/health")
    def health() -> str:
        return "up"

    @app.get("/open")
    def open_view() -> str:
        return BODY

    @app.get("/session")
    @sso.login_required
    def session_view() -> str:
        return BODY

    @app.get("/perm")
    @sso.permission_required("reports:read")
    def permission_view() -> str:
        return BODY

    @app.get("/bearer")
    @sso.bearer_required()
    def bearer_view() -> str:
        return BODY

    @app.get("/whoami")
    @sso.login_required
    def whoami() -> Response:
        user = sso.current_user
        return jsonify(sub=user.sub, username=user.username, email=user.email)

    return app
