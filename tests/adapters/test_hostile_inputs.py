"""Hostile query strings on the ``/auth`` routes of each framework adapter, over real HTTP:
always a clean 4xx (or the normal answer), never a 500, a traceback or an echoed script."""

from __future__ import annotations

import httpx

from tests.flask_ext.test_hostile_inputs import ODD_VALUES
from tests.plugins.adapters import AdapterEnv


def assert_clean(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "{{7*7}}" not in response.text or "49" not in response.text


def test_hostile_query_strings_on_auth_routes(adapter_env: AdapterEnv) -> None:
    app = adapter_env.app()
    with httpx.Client(base_url=app.base_url, timeout=10) as client:
        for value in ODD_VALUES:
            for query in (
                {"next": value},
                {"state": value},
                {"state": value, "code": value},
                {"code": value},
                {"error": value, "state": value},
                {"error": value, "error_description": value},
            ):
                for path in ("/auth/login", "/auth/callback", "/auth/logged-out"):
                    assert_clean(client.get(path, params=query))
        # repeated parameters, raw bytes in the query string
        assert_clean(client.get("/auth/callback?state=a&state=b&code=c&code=d"))
        assert_clean(client.get("/auth/callback?state=%ff%00&code=%c3"))
        assert_clean(client.get("/auth/login?next=%ff%00/\\evil"))
