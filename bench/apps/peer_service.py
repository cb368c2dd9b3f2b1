"""The benchmark view protected by flask-cognito-lib (a peer library), for a comparison row.

flask-cognito-lib builds its issuer and JWKS URL from ``AWS_REGION`` and the pool id
(``https://cognito-idp.<region>.amazonaws.com/<pool>``); since 1.8.0 a `Config` subclass can
be injected, which is how it is pointed at the local IdP here. It reads the access token from
its ``cognito_access_token`` cookie and verifies it on every request.

Runs in a separate venv holding flask-cognito-lib (see bench/peer.py), so it is not imported
by anything else in this repository. Config: JSON file named by ``$BENCH_APP_CONFIG``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask
from flask_cognito_lib import CognitoAuth
from flask_cognito_lib.config import Config
from flask_cognito_lib.decorators import auth_required

BODY = "ok " * 20


class LocalIdPConfig(Config):  # type: ignore[misc]  # the peer ships in its own venv
    """flask-cognito-lib's config with the issuer taken from the app config."""

    @property
    def issuer(self) -> str:
        """The local IdP's issuer instead of the AWS one."""
        from flask import current_app

        return str(current_app.config["BENCH_ISSUER"])


def create_app() -> Flask:
    """Open view and the same view behind ``@auth_required()``."""
    app = Flask("bench_peer")
    app.config.update(json.loads(Path(os.environ["BENCH_APP_CONFIG"]).read_text()))
    CognitoAuth(app, cfg=LocalIdPConfig())

    @app.get("/open")
    def open_view() -> str:
        return BODY

    @app.get("/protected")
    @auth_required()  # type: ignore[untyped-decorator]
    def protected_view() -> str:
        return BODY

    return app
