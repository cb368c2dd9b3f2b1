"""Access-log redaction: codes and tokens in request lines never reach a log record."""

from __future__ import annotations

import logging

import pytest

from cognito_sso.redaction import RedactSecretsFilter, install_access_log_redaction, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /auth/callback?code=abc-123&state=xyz HTTP/1.1" 302 -',
            '"GET /auth/callback?code=[redacted]&state=[redacted] HTTP/1.1" 302 -',
        ),
        ("GET /x?next=/a&ACCESS_TOKEN=eyJ.a.b", "GET /x?next=/a&ACCESS_TOKEN=[redacted]"),
        (
            "POST /oauth2/revoke token=r1;client_secret=s",
            "POST /oauth2/revoke token=[redacted];client_secret=[redacted]",
        ),
        ("GET /invoices?page=2&postcode=1000", "GET /invoices?page=2&postcode=1000"),
        ("GET /auth/login?next=/invoices", "GET /auth/login?next=/invoices"),
    ],
)
def test_redact_replaces_only_secret_parameters(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_filter_rewrites_werkzeug_style_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redaction.werkzeug")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info('%s - - [%s] "%s" %s', "127.0.0.1", "now", "GET /cb?code=SECRET1 HTTP/1.1", 302)
    assert "SECRET1" not in caplog.text
    assert "code=[redacted]" in caplog.text


def test_gunicorn_style_dict_args_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redaction.gunicorn")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("%(r)s %(s)s", {"r": "GET /cb?state=S&code=SECRET2 HTTP/1.1", "s": 302})
    assert "SECRET2" not in caplog.text


def test_install_is_idempotent() -> None:
    name = "tests.redaction.install"
    install_access_log_redaction((name,))
    install_access_log_redaction((name,))
    filters = logging.getLogger(name).filters
    assert sum(isinstance(f, RedactSecretsFilter) for f in filters) == 1
