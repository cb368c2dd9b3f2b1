"""Nesting depth of untrusted JSON (strict_json.MAX_DEPTH): tokens, JWKS and the parsers
themselves refuse documents nested deeper, cleanly, up to far beyond the recursion limit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest

from cognito_sso import errors
from cognito_sso.base64url import b64url_encode
from cognito_sso.claims import parse_claims
from cognito_sso.jwks import parse_jwks
from cognito_sso.strict_json import (
    MAX_DEPTH,
    JsonNestingError,
    JsonParser,
    assert_nesting,
    json_parser,
    parse_json,
    parse_json_without_duplicates,
)
from cognito_sso.verifier import TokenVerifier
from tests.verifier.minting import SigningKey, access_claims, b64json, jwks, mint, mint_raw

FAR_BEYOND = 10_000  # levels, far beyond the recursion limit
assert FAR_BEYOND > sys.getrecursionlimit()


def arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def objects(levels: int) -> str:
    return '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)


def mixed(levels: int) -> str:
    """Objects and arrays in turn, with a string full of brackets at the bottom."""
    opening = "".join("[" if i % 2 else '{"a":' for i in range(levels))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(levels)))
    return opening + '"[[{{"' + closing


def depth_of(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | tuple | dict):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


SHAPES: list[Callable[[int], str]] = [arrays, objects, mixed]
PARSERS: list[JsonParser] = [parse_json, parse_json_without_duplicates, parse_claims]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.__name__)
def test_the_shapes_nest_as_deep_as_named(shape: Callable[[int], str]) -> None:
    for levels in (1, 2, 7, 8):
        assert depth_of(json.loads(shape(levels))) == levels, shape(levels)


@pytest.mark.parametrize("parse", PARSERS, ids=["parse_json", "without_duplicates", "parse_claims"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.__name__)
@pytest.mark.parametrize(
    ("levels", "accepted"), [(MAX_DEPTH, True), (MAX_DEPTH + 1, False), (FAR_BEYOND, False)]
)
def test_parsers_refuse_documents_nested_too_deeply(
    parse: JsonParser, shape: Callable[[int], str], levels: int, accepted: bool
) -> None:
    text = shape(levels)
    if accepted:
        assert depth_of(parse(text)) == levels
    else:
        with pytest.raises(JsonNestingError, match="nested too deeply"):
            parse(text)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"a": "[" * 100 + "{" * 100}),  # brackets in strings do not nest
        json.dumps({"a": '\\"[[[[' * 50}),  # nor after escaped quotes and backslashes
        json.dumps(["x"] * 100),  # many arrays side by side do not nest either
        json.dumps([{"a": [1]}] * 100),
    ],
)
def test_many_brackets_that_do_not_nest_are_accepted(text: str) -> None:
    assert parse_json(text) == json.loads(text)
    assert_nesting(text)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('"\\"' + "[" * 40 + '"', None),  # an escaped quote: the brackets are in the string
        ('"\\\\"' + "[" * 40, JsonNestingError),  # an escaped backslash: the string ended
        ('"\\\\\\"' + "[" * 40 + '"', None),  # a backslash, then an escaped quote
        ("é" * 10 + "[" * 40 + "]" * 40, JsonNestingError),
        ("[]" * 40, None),
        ("][" * 40, ValueError),  # not JSON, and not deep either
    ],
)
def test_only_brackets_outside_strings_count(text: str, refused: type[Exception] | None) -> None:
    if refused is None:
        assert_nesting(text)
        return
    with pytest.raises(refused) as info:
        assert_nesting(text)
    assert type(info.value) is refused


def test_a_parser_may_allow_more_levels() -> None:
    assert depth_of(json_parser(max_depth=MAX_DEPTH + 2)(arrays(MAX_DEPTH + 2))) == MAX_DEPTH + 2
    with pytest.raises(JsonNestingError):
        json_parser(max_depth=MAX_DEPTH + 2)(arrays(MAX_DEPTH + 3))


def nested_claim(levels: int) -> Any:
    """A claim value that makes the payload nest ``levels`` deep (the payload is one)."""
    value: Any = "bottom"
    for i in range(levels - 1):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize(("levels", "accepted"), [(MAX_DEPTH, True), (MAX_DEPTH + 1, False)])
def test_verifier_refuses_a_signed_payload_nested_too_deeply(
    verifier: TokenVerifier, issuer: str, access_key: SigningKey, levels: int, accepted: bool
) -> None:
    """A pre-token-generation Lambda can add object and array claims: the verifier takes at
    most MAX_DEPTH levels (so the session that stores them can be written and read back)."""
    token = mint(access_key, access_claims(issuer, custom=nested_claim(levels)))
    if accepted:
        assert "custom" in verifier.verify_access_token(token)
    else:
        with pytest.raises(
            errors.MalformedTokenError, match=f"payload nests deeper than {levels - 1}"
        ):
            verifier.verify_access_token(token)


@pytest.mark.parametrize("part", ["header", "payload"])
def test_verifier_refuses_nesting_far_beyond_the_recursion_limit(
    verifier: TokenVerifier, access_key: SigningKey, part: str
) -> None:
    deep = b64url_encode(arrays(5_000).encode())  # as deep as the 16 KiB token cap allows
    normal = b64json({"alg": "RS256", "kid": access_key.kid} if part == "payload" else {})
    header, payload = (normal, deep) if part == "payload" else (deep, normal)
    with pytest.raises(errors.MalformedTokenError, match=f"token {part} nests deeper"):
        verifier.verify_access_token(mint_raw(access_key, header, payload))


def test_jwks_nested_too_deeply_is_refused(access_key: SigningKey) -> None:
    at_most = jwks(access_key.jwk(), {"kid": "junk", "x": nested_claim(MAX_DEPTH - 2)})
    assert list(parse_jwks(json.dumps(at_most))) == [access_key.kid]
    too_deep = jwks(access_key.jwk(), {"kid": "junk", "x": nested_claim(MAX_DEPTH - 1)})
    for document in (json.dumps(too_deep), arrays(FAR_BEYOND), objects(FAR_BEYOND)):
        with pytest.raises(errors.InvalidJwksError, match="not valid JSON"):
            parse_jwks(document)
