"""COGNITO_* configuration: defaults, derivations and errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.config import (
    ADMIN_SCOPE,
    UnknownConfigKeyWarning,
    UnknownGroupWarning,
    default_cookie_name,
    load_config,
    load_outputs,
)
from cognito_sso.errors import ConfigurationError

POOL = "eu-west-1_AbC123def"


def base(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "COGNITO_USER_POOL_ID": POOL,
        "COGNITO_CLIENT_ID": "abc123client",
        "COGNITO_REDIRECT_URI": "https://billing.example.com/auth/callback",
    }
    config.update(overrides)
    return {k: v for k, v in config.items() if v is not None}


def test_defaults_from_pool_id() -> None:
    cfg = load_config(base())
    assert cfg.region == "eu-west-1"
    assert cfg.issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert cfg.endpoint_url == "https://cognito-idp.eu-west-1.amazonaws.com/"
    assert cfg.logout_uri == "https://billing.example.com/auth/logged-out"
    assert cfg.scopes == ("openid", "email", "profile", ADMIN_SCOPE)
    assert cfg.session_check_interval == 60
    assert cfg.http_timeout == 5
    assert cfg.cookie_secure is True
    assert cfg.client_secret is None
    assert cfg.app_origin == "https://billing.example.com"
    assert cfg.cookie_name == default_cookie_name("abc123client")
    assert "s3cr3t-value" not in repr(load_config(base(COGNITO_CLIENT_SECRET="s3cr3t-value")))


def test_issuer_gives_pool_and_region() -> None:
    cfg = load_config(
        base(
            COGNITO_USER_POOL_ID=None,
            COGNITO_ISSUER=f"http://127.0.0.1:9229/{POOL}/",
            COGNITO_ENDPOINT_URL="http://127.0.0.1:9229",
            COGNITO_REDIRECT_URI="http://127.0.0.1:5001/auth/callback",
        )
    )
    assert cfg.issuer == f"http://127.0.0.1:9229/{POOL}"
    assert cfg.user_pool_id == POOL
    assert cfg.region == "eu-west-1"
    assert cfg.cookie_secure is False  # loopback http


def test_explicit_region_wins() -> None:
    cfg = load_config(base(COGNITO_REGION="us-east-2"))
    assert cfg.issuer.startswith("https://cognito-idp.us-east-2.amazonaws.com/")


def test_scopes_as_string_or_list() -> None:
    assert load_config(base(COGNITO_SCOPES="openid email")).scopes == ("openid", "email")
    assert load_config(base(COGNITO_SCOPES=["openid", "profile"])).scopes == ("openid", "profile")


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"COGNITO_CLIENT_ID": None}, "COGNITO_CLIENT_ID"),
        ({"COGNITO_CLIENT_ID": "bad id!"}, "COGNITO_CLIENT_ID"),
        ({"COGNITO_USER_POOL_ID": None}, "COGNITO_ISSUER"),
        ({"COGNITO_USER_POOL_ID": "not-a-pool"}, "COGNITO_USER_POOL_ID"),
        ({"COGNITO_REDIRECT_URI": None}, "COGNITO_REDIRECT_URI"),
        (
            {"COGNITO_REDIRECT_URI": "http://billing.example.com/auth/callback"},
            "COGNITO_REDIRECT_URI",
        ),
        ({"COGNITO_REDIRECT_URI": "/auth/callback"}, "COGNITO_REDIRECT_URI"),
        ({"COGNITO_REDIRECT_URI": "https://x.example/auth/callback#f"}, "COGNITO_REDIRECT_URI"),
        ({"COGNITO_LOGOUT_URI": "http://evil.example/out"}, "COGNITO_LOGOUT_URI"),
        ({"COGNITO_ISSUER": "http://idp.example.com/" + POOL}, "COGNITO_ISSUER"),
        ({"COGNITO_ENDPOINT_URL": "ftp://x"}, "COGNITO_ENDPOINT_URL"),
        ({"COGNITO_SCOPES": "email profile"}, "COGNITO_SCOPES"),
        ({"COGNITO_SCOPES": 42}, "COGNITO_SCOPES"),
        ({"COGNITO_PERMISSIONS": {"admins": "invoices:create"}}, "COGNITO_PERMISSIONS"),
        ({"COGNITO_PERMISSIONS": ["admins"]}, "COGNITO_PERMISSIONS"),
        ({"COGNITO_HTTP_TIMEOUT": -1}, "COGNITO_HTTP_TIMEOUT"),
        ({"COGNITO_HTTP_TIMEOUT": "soon"}, "COGNITO_HTTP_TIMEOUT"),
        ({"COGNITO_SESSION_CHECK_INTERVAL": -5}, "COGNITO_SESSION_CHECK_INTERVAL"),
        ({"COGNITO_SESSION_IDLE_TIMEOUT": 10**9}, "COGNITO_SESSION_IDLE_TIMEOUT"),
        ({"COGNITO_URL_PREFIX": "auth"}, "COGNITO_URL_PREFIX"),
        ({"COGNITO_COOKIE_NAME": "bad name;"}, "COGNITO_COOKIE_NAME"),
        ({"COGNITO_COOKIE_SECURE": False}, "COGNITO_COOKIE_SECURE"),
        ({"COGNITO_BEARER_CLIENT_IDS": ["ok", "b@d"]}, "COGNITO_BEARER_CLIENT_IDS"),
        ({"COGNITO_ISSUER": "https://x.example/eu-west-1_Other1"}, "COGNITO_ISSUER"),
    ],
)
def test_errors_name_the_key(overrides: dict[str, Any], key: str) -> None:
    config = base()
    for name, value in overrides.items():
        if value is None:
            config.pop(name, None)
        else:
            config[name] = value
    with pytest.raises(ConfigurationError, match=key):
        load_config(config)


def test_misspelt_keys_warn_with_a_suggestion() -> None:
    with pytest.warns(UnknownConfigKeyWarning, match="did you mean COGNITO_SESSION_STORE"):
        load_config(base(COGNITO_SESION_STORE="redis://127.0.0.1:1/0"))


def test_known_keys_do_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    load_config(base(COGNITO_SESSION_CHECK_INTERVAL=5, COGNITO_BEARER_CLIENT_IDS=["other"]))
    assert not [w for w in recwarn if issubclass(w.category, UnknownConfigKeyWarning)]


def test_zero_check_interval_means_every_request() -> None:
    assert load_config(base(COGNITO_SESSION_CHECK_INTERVAL=0)).session_check_interval == 0


def test_unknown_groups_in_permission_map_warn() -> None:
    with pytest.warns(UnknownGroupWarning, match="admns"):
        load_config(
            base(
                COGNITO_GROUPS=["admins", "billing"],
                COGNITO_PERMISSIONS={"admns": ["x"], "billing": ["y"]},
            )
        )


def test_cookie_names_differ_per_client() -> None:
    assert default_cookie_name("billing1") != default_cookie_name("reports1")


OUTPUTS = {
    "pool_name": "sso-demo",
    "pool_id": POOL,
    "region": "eu-west-1",
    "issuer": f"http://127.0.0.1:9229/{POOL}",
    "hosted_ui_base_url": "http://127.0.0.1:9229",
    "endpoint_url": "http://127.0.0.1:9229",
    "groups": ["billing", "reports", "admins"],
    "services": {
        "billing": {
            "client_id": "billing1",
            "client_secret": "s3cr3t",
            "redirect_uri": "http://localhost:5001/auth/callback",
            "logout_uri": "http://localhost:5001/auth/logged-out",
            "scopes": ["openid", "email", "profile", ADMIN_SCOPE],
        },
        "reports": {
            "client_id": "reports1",
            "client_secret": None,
            "redirect_uri": "http://localhost:5002/auth/callback",
            "logout_uri": "http://localhost:5002/auth/logged-out",
            "scopes": ["openid", "email"],
        },
    },
}


def test_load_outputs(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(OUTPUTS))
    keys = load_outputs(path, "reports")
    assert keys["COGNITO_CLIENT_ID"] == "reports1"
    assert "COGNITO_CLIENT_SECRET" not in keys
    cfg = load_config(keys)
    assert cfg.issuer == f"http://127.0.0.1:9229/{POOL}"
    assert cfg.endpoint_url == "http://127.0.0.1:9229"
    assert cfg.scopes == ("openid", "email")
    assert cfg.logout_uri == "http://localhost:5002/auth/logged-out"


def test_outputs_file_key_with_overrides(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(OUTPUTS))
    cfg = load_config(
        {
            "COGNITO_OUTPUTS_FILE": str(path),
            "COGNITO_SERVICE": "billing",
            "COGNITO_SCOPES": "openid",
        }
    )
    assert cfg.client_id == "billing1"
    assert cfg.client_secret == "s3cr3t"
    assert cfg.scopes == ("openid",)


def test_outputs_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_outputs(tmp_path / "missing.json", "billing")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigurationError, match="not readable JSON"):
        load_outputs(bad, "billing")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(OUTPUTS))
    with pytest.raises(ConfigurationError, match=r"'payroll'.*billing"):
        load_outputs(good, "payroll")


def test_other_partitions_and_issuer_formats() -> None:
    cfg = load_config(base(COGNITO_USER_POOL_ID="eusc-de-east-1_AbC123def"))
    assert cfg.region == "eusc-de-east-1"
    updated = load_config(
        base(
            COGNITO_USER_POOL_ID=None,
            COGNITO_ISSUER=f"https://issuer-cognito-idp.eu-west-1.amazonaws.com/{POOL}",
        )
    )
    assert updated.endpoint_url == "https://cognito-idp.eu-west-1.amazonaws.com/"


def test_outputs_groups_feed_the_unknown_group_warning(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(OUTPUTS))
    keys = load_outputs(path, "billing")
    assert keys["COGNITO_GROUPS"] == ["billing", "reports", "admins"]
    with pytest.warns(UnknownGroupWarning, match="Admins"):
        load_config({**keys, "COGNITO_PERMISSIONS": {"Admins": ["x"], "billing": ["y"]}})


def test_default_logout_uri_keeps_the_redirect_uris_spelling() -> None:
    """Cognito matches sign-out URLs as strings; only the Origin check normalises ports."""
    cfg = load_config(base(COGNITO_REDIRECT_URI="https://billing.example.com:443/auth/callback"))
    assert cfg.logout_uri == "https://billing.example.com:443/auth/logged-out"
    assert cfg.app_origin == "https://billing.example.com"
