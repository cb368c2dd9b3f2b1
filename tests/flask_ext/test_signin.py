"""Sign-in, what only the Flask extension has: its signals and template helpers, and the
Secure cookie flag read from the configuration (the sign-in flow itself, shared with the
FastAPI adapter, is tested in tests/adapters/test_signin.py)."""

from __future__ import annotations

from cognito_sso.flask import signals
from tests.plugins.flask_apps import SSOEnv


def test_secure_cookie_for_https_apps(sso_env: SSOEnv) -> None:
    """The Secure flag follows the configured redirect URI, not the request."""
    from cognito_sso.config import load_config

    cfg = load_config(
        {
            "COGNITO_ISSUER": sso_env.issuer,
            "COGNITO_CLIENT_ID": "abc",
            "COGNITO_REDIRECT_URI": "https://billing.example.com/auth/callback",
        }
    )
    assert cfg.cookie_secure


def test_signals_and_template_helpers(sso_env: SSOEnv) -> None:
    app = sso_env.app()
    email = sso_env.user()
    seen: list[str | None] = []

    def on_login(sender: object, user: object) -> None:
        seen.append(getattr(user, "email", None))

    signals.user_logged_in.connect(on_login)
    try:
        browser = sso_env.signed_in(app.url("/me"), email)
    finally:
        signals.user_logged_in.disconnect(on_login)
    assert seen == [email]
    home = browser.get(app.url("/"))
    assert f"hello {email}" in home.text
    assert 'name="csrf_token"' in home.text
    assert 'action="/auth/logout"' in home.text
    assert 'method="post"' in home.text
