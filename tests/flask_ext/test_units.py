"""Small framework-level pieces: Origin checks, CSRF comparison, the user object."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from cognito_sso.access import bearer_challenge
from cognito_sso.csrf import origin_allowed, tokens_match
from cognito_sso.flask.extension import _this_page
from cognito_sso.urls import origin_of
from cognito_sso.user import ANONYMOUS, User

APP = "https://billing.example.com"


@pytest.mark.parametrize(
    ("origin", "referer", "allowed"),
    [
        ("https://billing.example.com", None, True),
        ("HTTPS://Billing.Example.com", None, True),
        ("https://billing.example.com:443", None, False),
        ("http://billing.example.com", None, False),
        ("https://evil.example", None, False),
        ("null", None, False),
        ("", None, False),
        (None, "https://billing.example.com/invoices", True),
        (None, "https://evil.example/billing.example.com", False),
        (None, "https://billing.example.com.evil.example/", False),
        (None, None, True),  # no header at all: the CSRF token decides
    ],
)
def test_origin_allowed(origin: str | None, referer: str | None, allowed: bool) -> None:
    assert origin_allowed(origin, referer, APP) is allowed


def test_tokens_match() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("", "")
    assert not tokens_match(None, "abc")
    assert not tokens_match("abc", None)
    assert not tokens_match("abc", ["abc"])


def test_user() -> None:
    assert not ANONYMOUS.is_authenticated and ANONYMOUS.is_anonymous and not ANONYMOUS
    user = User(
        sub="s",
        groups=frozenset({"Admins"}),
        permissions=frozenset({"x"}),
        is_authenticated=True,
    )
    assert user and user.in_group("Admins") and not user.in_group("admins")
    assert user.has_permission("x") and not user.has_permission("y")


@pytest.mark.parametrize(
    ("args", "extra", "expected"),
    [
        ((), {}, 'Bearer realm="cognito-sso"'),
        (
            ("invalid_token", "The access token expired"),
            {},
            'Bearer realm="cognito-sso", error="invalid_token", '
            'error_description="The access token expired"',
        ),
        (
            ("insufficient_scope", 'say "hi" \\ bye'),
            {"scope": 'a"b'},
            'Bearer realm="cognito-sso", error="insufficient_scope", '
            'error_description="say \\"hi\\" \\\\ bye", scope="a\\"b"',
        ),
        (("invalid_token", "line\r\nX-Injected: 1"), {}, None),
    ],
)
def test_bearer_challenge_quotes_values(
    args: tuple[str, ...], extra: dict[str, str], expected: str | None
) -> None:
    value = bearer_challenge(*args, **extra)
    if expected is not None:
        assert value == expected
    assert "\r" not in value and "\n" not in value


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Billing.Example.com:443/auth/callback", "https://billing.example.com"),
        ("http://localhost:80/auth/callback", "http://localhost"),
        ("http://127.0.0.1:5001/auth/callback", "http://127.0.0.1:5001"),
        ("https://billing.example.com:8443/x", "https://billing.example.com:8443"),
        ("http://[::1]:5000/auth/callback", "http://[::1]:5000"),
    ],
)
def test_app_origin_is_serialised_like_the_origin_header(url: str, origin: str) -> None:
    """Browsers never send a default port in ``Origin``; a redirect URI written with one
    must not make every sign-out look cross-site."""
    assert origin_of(url) == origin
    assert origin_allowed(origin, None, origin_of(url))


def test_reprs_hide_secrets(tmp_path: Path) -> None:
    """Objects holding tokens may end up in logs or error reports' local variables."""
    from cognito_sso.login import LoginResult
    from cognito_sso.login_transaction import LoginTransaction
    from cognito_sso.sessions import Session, SessionTokens, open_store

    session = Session(
        sub="s",
        username=None,
        email=None,
        name=None,
        groups=(),
        claims={"secret_claim": "CLAIM-SECRET"},
        scopes=(),
        access_exp=0.0,
        checked_at=0.0,
        csrf="CSRF-SECRET",
        tokens=SessionTokens("ACCESS-SECRET", "ID-SECRET", "REFRESH-SECRET"),
    )
    transaction = LoginTransaction(
        state="STATE-SECRET",
        nonce="NONCE-SECRET",
        code_verifier="VERIFIER-SECRET",
        binding_hash="BINDING-SECRET",
        next_path="/",
    )
    with open_store(str(tmp_path / "s.db"), idle_timeout=60, absolute_timeout=120) as store:
        stored = store.create(session.to_json())
        for text in (
            repr(stored),
            repr(session),
            repr(LoginResult(session=session, next_path="/")),
            repr(transaction),
        ):
            assert "SECRET" not in text
            assert stored.id not in text


def test_personal_answers_vary_and_are_not_kept() -> None:
    """Vary/Cache-Control marking of answers that depended on the user (one header pass)."""
    from werkzeug.wrappers import Response

    from cognito_sso.flask.extension import _mark_personal

    plain = Response("ok")
    _mark_personal(plain, private=True)
    assert plain.headers.getlist("Vary") == ["Cookie, Authorization"]
    assert plain.headers["Cache-Control"] == "private, no-store"

    anonymous = Response("ok")
    _mark_personal(anonymous, private=False)
    assert anonymous.headers["Vary"] == "Cookie, Authorization"
    assert "Cache-Control" not in anonymous.headers

    # The view's own headers (any case) are kept: Vary merged, Cache-Control untouched.
    own = Response(
        "ok", headers=[("vary", "Accept-Encoding, cookie"), ("cache-control", "no-cache")]
    )
    _mark_personal(own, private=True)
    assert len(own.headers.getlist("Vary")) == 1
    assert {v.strip().lower() for v in own.headers["Vary"].split(",")} == {
        "accept-encoding",
        "cookie",
        "authorization",
    }
    assert own.headers.getlist("Cache-Control") == ["no-cache"]

    # Several Vary lines (CORS adds Origin): every name is kept, in one line.
    lines = Response("ok", headers=[("Vary", "Accept-Encoding"), ("Vary", "Origin, Cookie")])
    _mark_personal(lines, private=True)
    assert lines.headers.getlist("Vary") == ["Accept-Encoding, Origin, Cookie, Authorization"]

    star = Response("ok", headers=[("Vary", "*")])
    _mark_personal(star, private=False)
    assert star.headers.getlist("Vary") == ["*"]


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/reports?next=/a&b=%2F", "/reports?next=/a&b=%2F"),
        ("/%5Cevil.example/x", "/%5Cevil.example/x"),  # decoded, "/\evil.example" is off-site
        ("/%2F%2Fevil.example/x", "/evil.example/x"),  # never "//host"
        ("/caf%C3%A9 menu", "/caf%C3%A9%20menu"),
    ],
)
def test_the_retry_link_stays_on_this_site(path: str, link: str) -> None:
    app = Flask(__name__)
    with app.test_request_context(path):
        assert _this_page() == link
