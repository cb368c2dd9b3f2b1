"""Peer: authlib's Flask client with the tokens in Flask's signed-cookie session.

The common tutorial setup: after the code exchange the whole token dict (access, ID and
refresh tokens, the parsed ID-token claims) goes into ``flask.session``, which Flask signs
and sends back as a cookie; a small decorator lets a request in when the session holds a
token that has not expired. Nothing is looked up server-side per request.

Config: a JSON file of Flask config keys named by ``$BENCH_APP_CONFIG`` (``SECRET_KEY`` and
the ``OIDC_*`` keys of bench/apps/oidc_login.py).
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, redirect, request, session

from bench.apps.oidc_login import register_login
from bench.apps.service import BODY


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let the request in when the cookie session holds an unexpired token."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = session.get("token")
        if not token or token.get("expires_at", 0) <= time.time():
            return redirect(f"/auth/login?next={request.path}")
        return view(*args, **kwargs)

    return wrapper


def create_app() -> Flask:
    """Open view, the same view behind ``login_required``, and ``/whoami``."""
    app = Flask("bench_peer_authlib_cookie")
    app.config.update(json.loads(Path(os.environ["BENCH_APP_CONFIG"]).read_text()))

    def keep_tokens(token: dict[str, Any]) -> None:
        session["token"] = token

    register_login(app, keep_tokens)

    @app.get("/open")
    def open_view() -> str:
        return BODY

    @app.get("/session")
    @login_required
    def session_view() -> str:
        return BODY

    @app.get("/whoami")
    @login_required
    def whoami() -> str:
        return str(session["token"]["userinfo"]["sub"])

    return app
