"""`issuer_format` (create-only) and refresh-token rotation, provisioned on the local IdP:
plan, apply, drift, and the UPDATED issuer read from discovery into the outputs file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from flask import Flask

from cognito_sso.flask import CognitoSSO
from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import CognitoFactory, make_cognito_client
from cognito_sso.outputs import load_outputs
from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.plan import REPLACE
from tests.plugins.flask_apps import SECRET_KEY, Browser, serve
from tests.provisioning.conftest import spec_variant
from tests.provisioning.test_drift_and_replace import client_ids, fields_of, full_update_client

UPDATED_ISSUER = ('name = "sso-demo"\n', 'name = "sso-demo"\nissuer_format = "updated"\n')
ROTATION = (
    "[clients.billing]\ngenerate_secret = true\n",
    "[clients.billing]\ngenerate_secret = true\nrefresh_token_rotation = true\n"
    'refresh_token_grace_period = "10s"\n',
)


def test_updated_issuer_reaches_the_outputs_file(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path
) -> None:
    spec = api.load_spec(spec_variant(tmp_path, UPDATED_ISSUER))
    pool_id = api.apply(conn, spec).pool_id
    described = conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["IssuerConfiguration"] == {"Type": "UPDATED"}
    assert api.apply(conn, spec).writes == 0

    api.write_outputs_for(conn, spec, tmp_path / "out.json")
    issuer = load_outputs(tmp_path / "out.json", "billing")["COGNITO_ISSUER"]
    base = fresh_idp.base_url.rstrip("/")
    discovered = httpx.get(f"{base}/{pool_id}/.well-known/openid-configuration", timeout=5)
    assert issuer == discovered.json()["issuer"]
    assert issuer != f"{base}/{pool_id}"  # the UPDATED form, not the assembled original one


def test_a_flask_app_signs_in_with_the_outputs_file_alone(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path
) -> None:
    """Issue 14: a pool with the UPDATED issuer, a Flask app configured only by the outputs
    file (no issuer, no client settings of its own), a real sign-in through the hosted UI."""
    outputs = tmp_path / "outputs.json"

    def app_factory(base_url: str) -> Flask:
        spec_path = spec_variant(
            tmp_path,
            UPDATED_ISSUER,
            ("http://localhost:5001/auth/callback", f"{base_url}/auth/callback"),
            ("http://localhost:5001/auth/logged-out", f"{base_url}/auth/logged-out"),
        )
        spec = api.load_spec(spec_path)
        api.apply(conn, spec)
        api.write_outputs_for(conn, spec, outputs)
        app = Flask("updated_issuer")
        app.config.update(
            SECRET_KEY=SECRET_KEY,
            COGNITO_OUTPUTS_FILE=str(outputs),
            COGNITO_SERVICE="billing",
            COGNITO_SESSION_STORE=f"sqlite:///{tmp_path / 'sessions.db'}",
        )
        sso = CognitoSSO(app)

        @app.get("/private")
        @sso.login_required
        def private() -> str:
            return f"signed in as {sso.current_user.email}"

        return app

    served, _ = serve(app_factory)
    browser = Browser()
    try:
        pool_id = json.loads(outputs.read_text(encoding="utf-8"))["pool_id"]
        issuer = load_outputs(outputs, "billing")["COGNITO_ISSUER"]
        assert issuer == f"{fresh_idp.base_url.rstrip('/')}/issuer/{pool_id}"  # UPDATED form
        factory = CognitoFactory(make_cognito_client(fresh_idp.base_url))
        factory.user(pool_id, "erin@example.com", attributes={"name": "Erin Example"})
        page = browser.sign_in(f"{served.base_url}/private", "erin@example.com")
        assert page.status_code == 200, page.text
        assert page.text == "signed in as erin@example.com"
    finally:
        browser.close()
        served.stop()


def test_changing_the_issuer_format_is_refused_as_a_replacement(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path
) -> None:
    api.apply(conn, api.load_spec(spec_variant(tmp_path, name="original")))
    changed = api.load_spec(spec_variant(tmp_path, UPDATED_ISSUER))
    plan = api.plan(conn, changed)
    change = plan.change("pool", "sso-demo")
    assert change is not None and change.action == REPLACE
    assert fields_of(plan, "pool", "sso-demo") == {"issuer_format": ("original", "updated")}
    assert '    issuer_format: "original" → "updated"  (create-only)' in api.render_plan(plan)
    before = conn.writes.count
    try:
        api.apply(conn, changed)
    except api.ReplacementRequired as exc:
        assert "issuer_format can only be set when it is created" in str(exc)
    else:
        raise AssertionError("apply must refuse a new issuer format")
    assert conn.writes.count == before


def test_refresh_token_rotation_plan_apply_and_drift(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path
) -> None:
    plain = api.load_spec(spec_variant(tmp_path, name="plain"))
    pool_id = api.apply(conn, plain).pool_id
    rotating = api.load_spec(spec_variant(tmp_path, ROTATION))
    plan = api.plan(conn, rotating)
    assert fields_of(plan, "client", "billing") == {
        "refresh_token_rotation": (False, True),
        "refresh_token_grace_period": (None, "10s"),
    }
    assert api.apply(conn, rotating).operations == ["UpdateUserPoolClient"]
    console = make_cognito_client(fresh_idp.base_url)
    billing = client_ids(console, pool_id)["billing"]
    described = console.describe_user_pool_client(UserPoolId=pool_id, ClientId=billing)
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    assert described["UserPoolClient"]["RefreshTokenRotation"] == rotation
    assert api.apply(conn, rotating).writes == 0

    # Drift: someone lengthens the grace period; plan shows it, apply repairs it.
    full_update_client(
        console,
        pool_id,
        billing,
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30},
    )
    plan = api.plan(conn, rotating)
    assert fields_of(plan, "client", "billing") == {"refresh_token_grace_period": ("30s", "10s")}
    assert api.apply(conn, rotating).operations == ["UpdateUserPoolClient"]
    described = console.describe_user_pool_client(UserPoolId=pool_id, ClientId=billing)
    assert described["UserPoolClient"]["RefreshTokenRotation"] == rotation

    # Turning it off again.
    assert fields_of(api.plan(conn, plain), "client", "billing") == {
        "refresh_token_rotation": (True, False)
    }
    api.apply(conn, plain)
    described = console.describe_user_pool_client(UserPoolId=pool_id, ClientId=billing)
    assert described["UserPoolClient"]["RefreshTokenRotation"]["Feature"] == "DISABLED"
    assert api.apply(conn, plain).writes == 0
