"""Hostile cookies, headers and bodies on a FastAPI app (uvicorn): the cases of
tests/flask_ext/test_hostile_inputs.py over real HTTP (query strings, damaged session rows
and login transactions, for both adapters: tests/adapters), always a clean 4xx (or the
normal answer), never a 500, a traceback or an echoed secret."""

import logging

import httpx
import pytest

from tests.adapters.test_hostile_inputs import assert_clean
from tests.flask_ext.test_hostile_inputs import ODD_VALUES
from tests.plugins.fastapi_apps import FastAPIEnv, RunningASGIApp


@pytest.fixture
def app(fastapi_env: FastAPIEnv) -> RunningASGIApp:
    return fastapi_env.app()


def test_hostile_cookies_and_headers(app: RunningASGIApp) -> None:
    for value in ODD_VALUES:
        if any(ord(c) > 255 for c in value) or value != value.strip() or "\x00" in value:
            continue  # HTTP clients cannot send these in headers
        cookie = f"{app.cookie_name}={value}; {app.cookie_name}_login={value}"
        with httpx.Client(base_url=app.base_url, timeout=10, headers={"Cookie": cookie}) as client:
            for path in ("/", "/me", "/api/invoices", "/api/ping"):
                assert_clean(client.get(path))
            assert_clean(client.get("/auth/callback", params={"state": "s" * 43, "code": "c"}))
            assert_clean(client.post("/auth/logout", data={"csrf_token": value}))
            for header in (
                {"Authorization": "Bearer " + value},
                {"Authorization": value},
                {"Origin": value},
                {"Referer": value},
                {"Accept": value},
                {"Content-Type": value},
            ):
                try:
                    for path in ("/api/invoices", "/api/ping", "/me"):
                        assert_clean(client.get(path, headers=header))
                    assert_clean(client.post("/auth/logout", headers=header, content=value))
                except httpx.LocalProtocolError:
                    continue  # e.g. trailing whitespace: not sendable as a header value


def test_oversized_logout_body_is_refused(app: RunningASGIApp) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": app.base_url}
    body = "csrf_token=" + "a" * 100_000
    response = httpx.post(app.url("/auth/logout"), headers=form, content=body)
    assert_clean(response)


def test_hostile_inputs_log_no_secrets(
    app: RunningASGIApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_code = "CODE-" + "x" * 30
    httpx.get(app.url("/auth/callback"), params={"state": "s" * 43, "code": secret_code})
    httpx.get(app.url("/api/invoices"), headers={"Authorization": "Bearer SECRET.TOKEN.VALUE"})
    # the app's log lines (the test's own HTTP client logs its request URLs: not ours)
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(r.getMessage() for r in ours)
    assert secret_code not in text
    assert "SECRET.TOKEN.VALUE" not in text
    assert (app.client_secret or "unset") not in text
