"""Peer: Flask-Login + Flask-Session with Redis, signed in through authlib's Flask client.

The common server-side setup: Flask-Session keeps ``flask.session`` in Redis (its defaults:
permanent session, stored again on every request), the callback stores the token dict and
the user's profile there and calls ``login_user``; ``@login_required`` and a ``user_loader``
that builds the user from the profile in the session (no database lookup: the cheapest
loader there is) protect the view.

Config: ``$BENCH_APP_CONFIG`` as in bench/apps/peer_authlib_cookie.py, plus ``BENCH_REDIS_URL``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import redis
from flask import Flask, session
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_session import Session

from bench.apps.oidc_login import register_login
from bench.apps.service import BODY


class User(UserMixin):  # type: ignore[misc]  # Flask-Login ships no type hints
    """The signed-in user, from the ID-token claims."""

    def __init__(self, profile: dict[str, Any]) -> None:
        self.id = profile["sub"]
        self.email = profile.get("email")
        self.groups = profile.get("cognito:groups", [])


def create_app() -> Flask:
    """Open view, the same view behind ``@login_required``, and ``/whoami``."""
    app = Flask("bench_peer_flask_login")
    app.config.update(json.loads(Path(os.environ["BENCH_APP_CONFIG"]).read_text()))
    app.config.update(
        SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(app.config["BENCH_REDIS_URL"])
    )
    Session(app)
    manager = LoginManager(app)
    manager.login_view = "login"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        profile = session.get("profile")
        return User(profile) if profile and profile.get("sub") == user_id else None

    def sign_in(token: dict[str, Any]) -> None:
        session["token"] = token
        session["profile"] = dict(token["userinfo"])
        login_user(User(session["profile"]))

    register_login(app, sign_in)

    @app.get("/open")
    def open_view() -> str:
        return BODY

    @app.get("/session")
    @login_required  # type: ignore[untyped-decorator]
    def session_view() -> str:
        return BODY

    @app.get("/whoami")
    @login_required  # type: ignore[untyped-decorator]
    def whoami() -> str:
        return str(session["profile"]["sub"])

    return app
