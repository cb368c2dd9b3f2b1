"""Billing and reports over real HTTP against the local IdP (no browser): redirects, the
bearer-protected API (billing and reports client ids accepted, others refused), error pages,
headers and the per-app secret keys."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import render_template

from cognito_sso.errors import ConfigurationError
from cognito_sso.local.testing import make_cognito_client, password_auth, secret_hash
from demo_apps.billing import create_app as create_billing
from demo_apps.reports.billing_client import BillingUnavailable, fetch_invoices
from demo_apps.runner import DemoStack
from tests.demo.browser_steps import CHECK_INTERVAL

PASSWORD = "Api-Passw0rd!"


@pytest.fixture(scope="module")
def outputs(demo_stack: DemoStack) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_stack.outputs_path.read_text())
    return data


@pytest.fixture(scope="module")
def cognito(demo_stack: DemoStack) -> Any:
    return make_cognito_client(demo_stack.idp_url)


def _access_token(
    cognito: Any, outputs: dict[str, Any], service: str, email: str, password: str = PASSWORD
) -> str:
    client = outputs["services"][service]
    result = cognito.initiate_auth(
        ClientId=client["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": password,
            "SECRET_HASH": secret_hash(email, client["client_id"], client["client_secret"]),
        },
    )
    token: str = result["AuthenticationResult"]["AccessToken"]
    return token


@pytest.fixture(scope="module")
def carol(cognito: Any, outputs: dict[str, Any]) -> str:
    """carol (group admins) with a permanent password (the browser tests use alice and bob)."""
    cognito.admin_set_user_password(
        UserPoolId=outputs["pool_id"], Username="carol@example.com", Password=PASSWORD,
        Permanent=True,
    )  # fmt: skip
    return "carol@example.com"


def test_pages_send_anonymous_visitors_to_sign_in(demo_stack: DemoStack) -> None:
    root = httpx.get(demo_stack.billing_url + "/")
    assert root.status_code == 302 and root.headers["location"].endswith("/invoices")
    for url in (demo_stack.billing_url + "/invoices", demo_stack.reports_url + "/"):
        response = httpx.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["location"]


def test_api_needs_a_bearer_token(demo_stack: DemoStack) -> None:
    response = httpx.get(demo_stack.billing_url + "/api/invoices")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    garbage = httpx.get(
        demo_stack.billing_url + "/api/invoices", headers={"Authorization": "Bearer not.a.jwt"}
    )
    assert garbage.status_code == 401


@pytest.mark.parametrize("service", ["billing", "reports"])
def test_api_accepts_access_tokens_of_both_clients(
    demo_stack: DemoStack, cognito: Any, outputs: dict[str, Any], carol: str, service: str
) -> None:
    token = _access_token(cognito, outputs, service, carol)
    response = httpx.get(
        demo_stack.billing_url + "/api/invoices", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    invoices = response.json()["invoices"]
    assert invoices and {"number", "customer", "amount_cents", "issued_on", "status"} <= set(
        invoices[0]
    )


def test_api_refuses_tokens_of_other_clients(
    demo_stack: DemoStack, cognito: Any, outputs: dict[str, Any], carol: str
) -> None:
    other = cognito.create_user_pool_client(
        UserPoolId=outputs["pool_id"],
        ClientName="not-a-demo-service",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    token = password_auth(cognito, other["ClientId"], carol, PASSWORD)["AuthenticationResult"][
        "AccessToken"
    ]
    response = httpx.get(
        demo_stack.billing_url + "/api/invoices", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_api_refuses_users_without_the_permission(
    demo_stack: DemoStack, cognito: Any, outputs: dict[str, Any]
) -> None:
    email = "nogroups@example.com"
    cognito.admin_create_user(
        UserPoolId=outputs["pool_id"], Username=email, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "No Groups"}],
    )  # fmt: skip
    cognito.admin_set_user_password(
        UserPoolId=outputs["pool_id"], Username=email, Password=PASSWORD, Permanent=True
    )
    token = _access_token(cognito, outputs, "reports", email)
    response = httpx.get(
        demo_stack.billing_url + "/api/invoices", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")


def test_signed_out_page_has_the_demo_look_and_safe_headers(demo_stack: DemoStack) -> None:
    response = httpx.get(demo_stack.reports_url + "/auth/logged-out")
    assert response.status_code == 200
    assert "You are signed out" in response.text
    assert f"notice within {CHECK_INTERVAL:g} seconds" in response.text
    assert "/_demo/static/demo.css" in response.text
    assert 'name="viewport"' in response.text
    assert '<link rel="icon" href="data:,">' in response.text  # no /favicon.ico 404
    assert demo_stack.billing_url in response.text  # the link to the other service
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    css = httpx.get(demo_stack.reports_url + "/_demo/static/demo.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_unknown_pages_get_a_friendly_404(demo_stack: DemoStack) -> None:
    page = httpx.get(demo_stack.billing_url + "/no/such/page")
    assert page.status_code == 404 and "There is nothing at this address" in page.text
    api = httpx.get(demo_stack.billing_url + "/api/nope")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_each_app_has_its_own_persisted_secret_key(demo_stack: DemoStack) -> None:
    keys = {}
    for name in ("billing", "reports"):
        path = demo_stack.state_dir / name / "secret_key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        keys[name] = path.read_text().strip()
        assert demo_stack.flask_apps[name].config["SECRET_KEY"] == keys[name]
        assert len(keys[name]) >= 40
    assert keys["billing"] != keys["reports"]


def test_users_and_temporary_passwords_come_from_the_outbox(demo_stack: DemoStack) -> None:
    users = {user.key: user for user in demo_stack.users}
    assert set(users) == {"alice", "bob", "carol"}
    assert users["alice"].email == "alice@example.com"
    assert all(user.temporary_password for user in users.values())
    assert len({user.temporary_password for user in users.values()}) == 3


def test_reports_billing_client_reports_failures_without_leaking_the_token(
    demo_stack: DemoStack, cognito: Any, outputs: dict[str, Any], carol: str
) -> None:
    token = _access_token(cognito, outputs, "reports", carol)
    invoices = fetch_invoices(demo_stack.billing_url, token)
    assert invoices and all(isinstance(i["amount_cents"], int) for i in invoices)

    with pytest.raises(BillingUnavailable) as refused:
        fetch_invoices(demo_stack.billing_url, "not-a-token")
    assert "401" in refused.value.reason

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    with pytest.raises(BillingUnavailable) as down:
        fetch_invoices(f"http://127.0.0.1:{closed_port}", token, timeout=2)
    assert down.value.reason == "billing is not reachable"
    assert token not in str(down.value) + str(refused.value)


def test_a_missing_outputs_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cognito-sso demo"):
        create_billing(
            {
                "COGNITO_OUTPUTS_FILE": str(tmp_path / "missing.json"),
                "DEMO_INSTANCE_PATH": str(tmp_path / "billing"),
            }
        )


def test_the_extensions_error_page_gets_the_demo_look(demo_stack: DemoStack) -> None:
    app = demo_stack.flask_apps["reports"]
    with app.test_request_context("/"):
        app.preprocess_request()
        html = render_template(
            "cognito_sso/error.html",
            status=503,
            title="Sign-in is unavailable",
            message="The identity provider did not answer.",
            details=["Try again in a minute."],
            login_url="/auth/login",
        )
    assert "/_demo/static/demo.css" in html
    assert "The identity provider did not answer." in html and "Try again in a minute." in html
    assert 'href="/auth/login"' in html
