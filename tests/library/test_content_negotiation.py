"""The one "JSON rather than HTML?" rule (RFC 9110 section 12.5.1) over a table of Accept
headers; tests/flask_ext/test_init.py and tests/fastapi_ext/test_access.py send the same table
to a protected view of each adapter (401 JSON vs a redirect to sign-in)."""

from __future__ import annotations

import pytest

from cognito_sso.content_negotiation import MAX_ACCEPT, MAX_RANGES, prefers_json
from tests.flask_ext.test_hostile_inputs import ODD_VALUES

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# (Accept header or None when absent, JSON preferred?); every value is sendable as a header
ACCEPT_CASES: list[tuple[str | None, bool]] = [
    # what clients send
    (None, False),  # absent: anything, so the page
    ("", False),
    (CHROME, False),
    (FIREFOX, False),
    ("*/*", False),  # curl, fetch() and XMLHttpRequest defaults
    ("application/json, text/plain, */*", False),  # axios: JSON only ties with */*
    ("application/json", True),
    ("application/json;q=0", False),
    ("text/html;q=0.9, application/json", True),
    ("text/html,application/json;q=0.9", False),
    ("text/html, application/json", False),  # a tie is HTML
    ("application/json, */*;q=0.5", True),
    # wildcards: the most specific matching range decides
    ("application/*", True),
    ("application/*;q=0.5, text/html;q=0.4", True),
    ("application/*, text/html", False),
    ("text/*", False),
    ("text/*;q=0.5, application/json", True),
    ("*/*;q=0.5, application/json", True),
    ("application/json;q=0.5, */*", False),
    ("text/html;q=0, */*", True),
    ("*/*, application/json;q=0", False),
    ("application/*;q=0.9, application/json;q=0.1, text/html;q=0.5", False),
    ("*/json", False),  # no media range: ignored
    # duplicates: the highest quality among equally specific entries
    ("application/json;q=0.2, application/json;q=0.8, text/html;q=0.5", True),
    ("application/json;q=0, application/json", True),
    ("text/html;q=0.1, text/html, application/json;q=0.9", False),
    # parameters other than q do not change the match; parameters after q are extensions
    ("application/json; charset=utf-8", True),
    ('application/json;charset="utf-8";q=0.5, text/html;q=0.4', True),
    ("text/html;level=1, application/json;q=0.5", False),
    ("application/json;q=0.5;ext=1, text/html;q=0.4", True),
    # case
    ("Application/JSON", True),
    ("APPLICATION/JSON;Q=0.5, TEXT/HTML;Q=0.4", True),
    ("TEXT/*;q=0.1, Application/*", True),
    # q: clamped to 0..1, 3 decimals; an entry with a non-number q is ignored
    ("application/json;q=2, text/html;q=0.9", True),
    ("application/json;q=1.5, text/html", False),
    ("application/json;q=-1", False),
    ("application/json;q=0.0001", False),
    ("application/json;q=0.0019, text/html;q=0.001", False),
    ("application/json;q=.5, text/html;q=0.4", True),
    ("application/json ; q = 0.5 , text/html;q=0.4", True),
    ("application/json;q=abc", False),
    ("text/html;q=abc, application/json", True),
    ("*/*, text/html;q=bogus, application/json;q=0.5", False),
    ("application/json;q=nan", False),
    ("application/json;q=1e3", False),
    ("application/json;q=", False),
    ("application/json;q", False),
    ('application/json;q="1"', False),
    # garbage
    ("garbage", False),
    ("json", False),
    (";;;,,,", False),
    ("application/json/extra", False),
    ("application /json", False),
    ("application/json,", True),
    (",,application/json", True),
    ("text/html;q=0.9, garbage;;q==, application/json", True),
    ("<script>alert(1)</script>", False),
    # bounded: what lies past the first entries or characters is not read
    ("x/y," * (MAX_RANGES - 1) + "application/json", True),
    ("x/y," * MAX_RANGES + "application/json", False),
    ("application/json," + "x" * MAX_ACCEPT, True),
    ("x" * MAX_ACCEPT + ",application/json", False),
    ("application/json;q=0.5, text/html;q=0." + "9" * MAX_ACCEPT, True),
]


@pytest.mark.parametrize(("accept", "expected"), ACCEPT_CASES)
def test_json_is_preferred_only_when_ranked_above_html(accept: str | None, expected: bool) -> None:
    assert prefers_json(accept) is expected


@pytest.mark.parametrize(
    "accept", [*ODD_VALUES, " ", "\t,\x00;q=1", "a/b;" * 10_000, "," * 100_000, "*/*;q=9" * 999]
)
def test_hostile_headers_never_raise(accept: str) -> None:
    assert prefers_json(accept) is False
