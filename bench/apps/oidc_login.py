"""The sign-in half both tutorial-style peers share: authlib's Flask client against the IdP.

``register_login(app, on_tokens)`` adds ``/auth/login`` (remembers ``next``, redirects to
the hosted UI) and ``/auth/callback`` (exchanges the code, hands the token dict to
``on_tokens``, returns to ``next``), the way authlib's Flask examples do it. Config keys:
``OIDC_ISSUER``, ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``, ``OIDC_REDIRECT_URI``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, request, session
from werkzeug.wrappers import Response


def register_login(app: Flask, on_tokens: Callable[[dict[str, Any]], None]) -> None:
    """Sign-in routes with authlib's Flask OAuth client (PKCE, state, nonce)."""
    oauth = OAuth(app)
    idp = oauth.register(
        "cognito",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )

    @app.get("/auth/login")
    def login() -> Response:
        session["next"] = request.args.get("next", "/")
        response: Response = idp.authorize_redirect(app.config["OIDC_REDIRECT_URI"])
        return response

    @app.get("/auth/callback")
    def callback() -> Response:
        on_tokens(dict(idp.authorize_access_token()))
        return redirect(session.pop("next", "/"))
