"""Hostile cookies, headers and store contents: always a clean 4xx (or the normal answer),
never a 500, a traceback or an echoed secret (query strings, damaged session rows and login
transactions, for both adapters: tests/adapters)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.plugins.flask_apps import RunningApp, SSOEnv

HUGE = "A" * 20_000
ODD_VALUES = [
    "",
    " ",
    HUGE,
    "%00",
    "\x00",
    "\r\nSet-Cookie: x=1",
    "é☃\U0001f600",
    "%ff%fe",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example",
    "a" * 43,
    "{{7*7}}",
    "<script>alert(1)</script>",
]


def client_with_cookies(app: RunningApp, **cookies: str) -> FlaskClient:
    client = app.app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="localhost")
    return client


def assert_clean(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert "<script>alert(1)</script>" not in body
    assert "{{7*7}}" not in body or "49" not in body


@pytest.fixture
def app(sso_env: SSOEnv) -> RunningApp:
    return sso_env.app()


@pytest.mark.filterwarnings("ignore:The '.*' cookie is too large")
def test_hostile_cookies_and_headers(app: RunningApp) -> None:
    config = app.sso.state(app.app).config
    for value in ODD_VALUES:
        if any(ord(c) > 255 for c in value):
            continue  # cookies travel as latin-1
        client = client_with_cookies(
            app, **{config.cookie_name: value, config.cookie_name + "_login": value}
        )
        assert_clean(client.get("/"))
        assert_clean(client.get("/me"))
        assert_clean(client.get("/api/invoices"))
        assert_clean(client.get("/auth/callback", query_string={"state": "s" * 43, "code": "c"}))
        assert_clean(client.post("/auth/logout", data={"csrf_token": value}))
        if any(c in value for c in "\r\n\x00"):
            continue  # HTTP clients cannot send these in headers
        for header in (
            {"Authorization": "Bearer " + value},
            {"Authorization": value},
            {"Origin": value},
            {"Referer": value},
            {"Accept": value},
        ):
            assert_clean(client.get("/api/invoices", headers=header))
            assert_clean(client.get("/api/ping", headers=header))
            assert_clean(client.get("/me", headers=header))
            assert_clean(client.post("/auth/logout", headers=header))


def test_a_session_row_of_the_previous_release_still_works(
    sso_env: SSOEnv, app: RunningApp
) -> None:
    """Format 1 (no version field, written before the session record existed) loads."""
    email = sso_env.user()
    browser = sso_env.signed_in(app.url("/me"), email)
    state = app.sso.state(app.app)
    session_id = app.session_id(browser)

    def as_format_1(raw: bytes) -> bytes:
        data = {k: v for k, v in json.loads(raw).items() if k != "v"}
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()

    state.store.update(session_id, as_format_1)
    response = browser.get(app.url("/me"))
    assert response.status_code == 200
    assert response.json()["email"] == email


def test_hostile_inputs_log_no_secrets(app: RunningApp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = app.app.test_client()
    secret_code = "CODE-" + "x" * 30
    client.get("/auth/callback", query_string={"state": "s" * 43, "code": secret_code})
    client.get("/api/invoices", headers={"Authorization": "Bearer SECRET.TOKEN.VALUE"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert secret_code not in text
    assert "SECRET.TOKEN.VALUE" not in text
    assert (app.client_secret or "unset") not in text
