"""``flask --app APP cognito check`` against a good and several bad configurations."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import Result

from tests.plugins.flask_apps import RunningApp, SSOEnv


def check(app: RunningApp) -> Result:
    return app.app.test_cli_runner().invoke(args=["cognito", "check"])


def test_a_good_configuration_is_ok(sso_env: SSOEnv) -> None:
    result = check(sso_env.app())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "ok"
    assert "signing key" in result.stdout
    assert result.stderr == ""


def _wrong(sso_env: SSOEnv, what: str) -> tuple[dict[str, Any], str]:
    port = sso_env.idp.base_url.rsplit(":", 1)[1]
    return {
        "issuer": (
            {"COGNITO_ISSUER": f"http://localhost:{port}/{sso_env.pool_id}"},
            "COGNITO_ISSUER: the discovery document's issuer",
        ),
        "pool": (
            {"COGNITO_ISSUER": f"{sso_env.idp.base_url}/eu-west-1_NoSuchPool"},
            "answered HTTP 404",
        ),
        "secret": ({"COGNITO_CLIENT_SECRET": "not-the-secret"}, "refused COGNITO_CLIENT_SECRET"),
        "client": ({"COGNITO_CLIENT_ID": "nosuchclient0000000000000"}, "invalid_client"),
        "callback": (
            {"COGNITO_URL_PREFIX": "/sso"},
            "COGNITO_REDIRECT_URI",
        ),
    }[what]


@pytest.mark.parametrize("what", ["issuer", "pool", "secret", "client", "callback"])
def test_a_bad_configuration_says_what_is_wrong(sso_env: SSOEnv, what: str) -> None:
    config, expected = _wrong(sso_env, what)
    app = sso_env.app(config=config)
    result = check(app)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "ok" not in result.stdout.splitlines()
    assert app.client_secret and app.client_secret not in result.output
