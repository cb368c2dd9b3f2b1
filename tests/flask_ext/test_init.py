"""init_app: misconfiguration fails early and names the key; wiring without an IdP."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cognito_sso import CognitoSSO, ConfigurationError
from cognito_sso.flask import current_user
from tests.library.test_content_negotiation import ACCEPT_CASES

POOL = "eu-west-1_AbC123def"
ISSUER = f"http://127.0.0.1:9/{POOL}"  # nothing listens on port 9: no IdP needed here


def make_app(tmp_path: Path, **config: Any) -> Flask:
    app = Flask("t", instance_path=str(tmp_path / "instance"))
    app.config.update(
        SECRET_KEY="a-very-long-and-random-secret-key",
        COGNITO_ISSUER=ISSUER,
        COGNITO_CLIENT_ID="client1",
        COGNITO_REDIRECT_URI="http://127.0.0.1:5001/auth/callback",
    )
    for key, value in config.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value
    return app


@pytest.fixture
def apps() -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for app in made:
        if "cognito_sso" in app.extensions:
            app.extensions["cognito_sso"].close()


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev"}, "SECRET_KEY"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"COGNITO_CLIENT_ID": None}, "COGNITO_CLIENT_ID"),
        (
            {"COGNITO_REDIRECT_URI": "http://billing.example.com/auth/callback"},
            "COGNITO_REDIRECT_URI",
        ),
        ({"COGNITO_PERMISSIONS": {"admins": "x:y"}}, "COGNITO_PERMISSIONS"),
        ({"COGNITO_PERMISSIONS": {"bad group": ["x"]}}, "COGNITO_PERMISSIONS"),
        ({"COGNITO_SESSION_STORE": "ftp://nowhere"}, "COGNITO_SESSION_STORE"),
    ],
)
def test_misconfiguration_fails_at_init_app(
    tmp_path: Path, config: dict[str, Any], key: str
) -> None:
    app = make_app(tmp_path, **config)
    with pytest.raises(ConfigurationError, match=key):
        CognitoSSO(app)


def test_default_store_in_instance_folder_and_routes(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    sso = CognitoSSO()
    sso.init_app(app)
    assert (tmp_path / "instance" / "cognito-sso-sessions.sqlite3").exists()
    rules = {r.rule: r.methods for r in app.url_map.iter_rules()}
    assert "/auth/login" in rules and "/auth/callback" in rules and "/auth/logged-out" in rules
    assert rules["/auth/logout"] is not None and "GET" not in rules["/auth/logout"]
    with pytest.raises(ConfigurationError, match="already"):
        sso.init_app(app)


def test_url_prefix(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(
        tmp_path,
        COGNITO_URL_PREFIX="/sso",
        COGNITO_REDIRECT_URI="http://127.0.0.1:5001/sso/callback",
    )
    apps.append(app)
    CognitoSSO(app)
    assert any(r.rule == "/sso/login" for r in app.url_map.iter_rules())
    assert app.extensions["cognito_sso"].config.logout_uri == "http://127.0.0.1:5001/sso/logged-out"


def test_unprotected_pages_and_app_errors_untouched(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    sso = CognitoSSO(app)

    @app.get("/public")
    def public() -> str:
        return "anonymous" if not current_user.is_authenticated else "user"

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("app bug")

    @app.get("/private")
    @sso.login_required
    def private() -> str:
        return "secret"

    client = app.test_client()
    assert client.get("/public").text == "anonymous"
    # the app's own 404 and 500 are not hijacked by the extension
    missing = client.get("/nope")
    assert missing.status_code == 404 and "Not Found" in missing.text
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/boom").status_code == 500
    # unknown or malformed session cookies are ignored and cleared
    client.set_cookie(app.extensions["cognito_sso"].config.cookie_name, "garbage;")
    response = client.get("/private")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/private"


def test_not_signed_in_api_vs_browser(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    sso = CognitoSSO(app)

    @app.get("/private")
    @sso.login_required
    def private() -> str:
        return "secret"

    client = app.test_client()
    browser = client.get("/private?a=1&b=%2F", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 302
    assert browser.headers["Location"].startswith("/auth/login?next=/private%3Fa%3D1")
    for headers in ({"Accept": "application/json"}, {"Authorization": "Bearer x"}):
        api = client.get("/private", headers=headers)
        assert api.status_code == 401
        assert api.headers["WWW-Authenticate"].startswith("Bearer")
        assert api.json is not None and api.json["error"]
    html_first = client.get("/private", headers={"Accept": "text/html,application/json;q=0.9"})
    assert html_first.status_code == 302
    # Basic auth (a proxy in front of the app) is no API client
    basic = client.get("/private", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 302
    for accept, as_json in ACCEPT_CASES:
        answer = client.get("/private", headers={} if accept is None else {"Accept": accept})
        assert answer.status_code == (401 if as_json else 302), accept


def test_logout_is_post_only_and_csrf_checked(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    CognitoSSO(app)
    client = app.test_client()
    not_allowed = client.get("/auth/logout")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["Cache-Control"] == "no-store"
    assert not_allowed.headers["Referrer-Policy"] == "no-referrer"
    foreign = client.post("/auth/logout", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.headers["Cache-Control"] == "no-store"
    null_origin = client.post("/auth/logout", headers={"Origin": "null"})
    assert null_origin.status_code == 403


def test_logged_out_page(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    CognitoSSO(app)
    response = app.test_client().get("/auth/logged-out")
    assert response.status_code == 200
    assert "signed out" in response.text
    assert 'href="/auth/login?next=/"' in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_idp_unreachable_gives_503(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path, COGNITO_HTTP_TIMEOUT=1)
    apps.append(app)
    CognitoSSO(app)
    response = app.test_client().get("/auth/login")
    assert response.status_code == 503
    assert "not reachable" in response.text
    assert "Traceback" not in response.text
    assert response.headers["Retry-After"]


def test_minimal_example_imports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "example-secret-key-long-enough")
    monkeypatch.setenv("COGNITO_ISSUER", ISSUER)
    monkeypatch.setenv("COGNITO_CLIENT_ID", "client1")
    app_file = tmp_path / "minimal_app.py"  # a copy, so the instance folder lands in tmp_path
    app_file.write_text(
        (Path(__file__).resolve().parents[2] / "examples/minimal/app.py").read_text()
    )
    spec = importlib.util.spec_from_file_location("minimal_app_copy", app_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "minimal_app_copy", module)
    monkeypatch.chdir(tmp_path)
    spec.loader.exec_module(module)
    try:
        response = module.app.test_client().get("/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/auth/login?next=/"
        assert (tmp_path / "instance" / "cognito-sso-sessions.sqlite3").exists()
    finally:
        module.app.extensions["cognito_sso"].close()


def test_decorator_arguments_are_checked(tmp_path: Path, apps: list[Flask]) -> None:
    app = make_app(tmp_path)
    apps.append(app)
    sso = CognitoSSO(app)
    with pytest.raises(ConfigurationError):
        sso.groups_required()
    with pytest.raises(ConfigurationError):
        sso.groups_required("a", mode="most")
    with pytest.raises(ConfigurationError):
        sso.permission_required()
    with pytest.raises(ConfigurationError):
        sso.groups_required("")
    with pytest.raises(ConfigurationError):
        sso.bearer_required(scopes="openid")
    with pytest.raises(ConfigurationError):
        sso.bearer_required(groups=["a"], mode="most")
