"""safe_next_path: open-redirect payloads are refused, ordinary same-origin paths survive."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from cognito_sso.redirects import MAX_NEXT_LENGTH, safe_next_path

# Collected from open-redirect cheat sheets and from bugs in peer libraries.
ATTACKS = [
    # scheme / authority
    "//evil.com",
    "///evil.com",
    "////evil.com",
    "//evil.com/%2f..",
    "https://evil.com",
    "http://evil.com",
    "https:evil.com",
    "https:/evil.com",
    "HTTPS://evil.com",
    "evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//google.com@evil.com",
    "/@evil.com",
    "/%40evil.com",
    "//user:pass@evil.com",
    # backslashes, raw and encoded
    "/\\evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "/\\\\evil.com",
    "\\/evil.com",
    "/%5Cevil.com",
    "/%5cevil.com",
    "/%5C%5Cevil.com",
    "/a\\b",
    # encoded slashes and dot segments that resolve to "//"
    "/%2F%2Fevil.com",
    "/%2f%2fevil.com",
    "/%2Fevil.com",
    "%2F%2Fevil.com",
    "/%252F%252Fevil.com",
    "/%25252F%25252Fevil.com",
    "/.//evil.com",
    "/..//evil.com",
    "/%2e%2e//evil.com",
    "/%2E//evil.com",
    "/a/..//evil.com",
    "/a/%2e%2e/%2fevil.com",
    # whitespace and control characters that browsers strip
    "/\t/evil.com",
    "/%09/evil.com",
    "/\n/evil.com",
    "/%0a/evil.com",
    "/%0d/evil.com",
    "/\r\n/evil.com",
    "/%0d%0aSet-Cookie:%20x=y",
    "/path%0d%0aLocation:%20https://evil.com",
    "/ok?x=%0d%0aSet-Cookie:a=b",
    "/ok?x=\r\nSet-Cookie:a=b",
    "\x00",
    "/\x00",
    "/%00",
    "/a%00b",
    "/%C2%85",  # NEL, a C1 control
    "/\x7f",
    "\t/evil.com",
    " //evil.com",
    "/%20%09/evil.com",
    "/%E2%80%AE/moc.live",  # right-to-left override
    "/\u200b/evil.com",  # zero-width space
    "/\u2028",  # line separator
    "/\u00a0",  # no-break space (folds to a space, but is whitespace as given)
    "/%ZZ%25252525252525252F",  # still changing after several decode rounds
    # unicode look-alikes that fold to dangerous ASCII
    "\uff0f\uff0fevil.com",  # fullwidth solidus
    "/\uff0fevil.com",
    "/%EF%BC%8Fevil.com",
    "/\uff3cevil.com",  # fullwidth reverse solidus
    "/\uff052F\uff052Fevil.com",  # fullwidth percent
    "/\ufe6bevil.com",  # small commercial at
    "/\uff0e\uff0e//evil.com",  # fullwidth full stops
    "\u2044\u2044evil.com",  # fraction slash
    # not a path at all
    "",
    "?next=/x",
    "#frag",
    "evil",
    "/" + "a" * MAX_NEXT_LENGTH,
]

ACCEPTED = [
    ("/", "/"),
    ("/invoices", "/invoices"),
    ("/invoices?page=2", "/invoices?page=2"),
    ("/invoices?page=2&sort=-date", "/invoices?page=2&sort=-date"),
    ("/a/b#frag", "/a/b"),
    ("/a/b?x=1#frag", "/a/b?x=1"),
    ("/a/b/", "/a/b/"),
    ("/a/./b/../c", "/a/c"),
    ("/a/%2e%2e/c", "/c"),
    ("/..", "/"),
    ("/./", "/"),
    ("/café/日本", "/caf%C3%A9/%E6%97%A5%E6%9C%AC"),
    ("/caf%C3%A9", "/caf%C3%A9"),
    ("/search?q=caf%C3%A9+cr%C3%A8me", "/search?q=caf%C3%A9+cr%C3%A8me"),
    ("/search?q=a b", "/search?q=a%20b"),
    ("/search?q=100%", "/search?q=100%25"),
    ("/search?q=%5C", "/search?q=%5C"),
    ("/reports/2024:q1", "/reports/2024:q1"),
    ("/users/@alice", "/users/@alice"),
    ("/mail/to/a@b.example", "/mail/to/a@b.example"),
    ("/a%2Fb", "/a%2Fb"),
    ("/files/a//b", "/files/a//b"),
    ("/next?url=//evil.com", "/next?url=//evil.com"),  # only the path decides the origin
    ("/javascript:alert(1)", "/javascript:alert(1)"),  # a relative path on our own site
    ("/ok?", "/ok"),
    ("/<script>", "/%3Cscript%3E"),
]


@pytest.mark.parametrize("payload", ATTACKS)
def test_attacks_fall_back_to_the_default(payload: str) -> None:
    assert safe_next_path(payload) == "/"
    assert safe_next_path(payload, default="/home") == "/home"


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_same_origin_paths_survive(value: str, expected: str) -> None:
    assert safe_next_path(value) == expected


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_accepted_values_stay_on_our_origin(value: str, expected: str) -> None:
    # Resolve the result the way a browser resolves a Location header.
    base = "https://app.example.com/auth/callback"
    resolved = urljoin(base, safe_next_path(value))
    assert resolved.startswith("https://app.example.com/")
    assert safe_next_path(expected) == expected  # normalisation is idempotent


@pytest.mark.parametrize("payload", ATTACKS)
def test_no_result_ever_leaves_the_origin(payload: str) -> None:
    resolved = urljoin("https://app.example.com/x", safe_next_path(payload, default="/"))
    assert resolved.startswith("https://app.example.com/")


@pytest.mark.parametrize("value", [None, b"/bytes", 42, ["/list"]])
def test_non_strings(value: object) -> None:
    assert safe_next_path(value) == "/"  # type: ignore[arg-type]


def test_length_cap() -> None:
    longest = "/" + "a" * (MAX_NEXT_LENGTH - 1)
    assert safe_next_path(longest) == longest
    assert safe_next_path(longest + "a") == "/"
    # Valid input whose encoded form would exceed the cap is refused too.
    assert safe_next_path("/" + "é" * 1000) == "/"


def test_random_mixtures_never_escape_or_crash() -> None:
    import random

    rng = random.Random(20240601)
    alphabet = ["/", "\\", ".", "%", "2", "f", "F", "5", "c", "e", "@", ":", "?", "#", "a",
                "\t", "\n", "\x00", " ", "\uff0f", "\uff05", "\uff0e", "é", "%2f", "%5c", "%2e",
                "%25", "//", "http:", "evil.com"]  # fmt: skip
    for _ in range(3000):
        candidate = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        result = safe_next_path(candidate)
        resolved = urljoin("https://app.example.com/x", result)
        assert resolved.startswith("https://app.example.com/"), candidate
        assert safe_next_path(result) == result, candidate
