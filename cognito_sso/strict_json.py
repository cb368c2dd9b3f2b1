"""JSON parsing for untrusted documents (tokens, JWKS, stored records): RFC 8259 only, errors
as ``ValueError``.

``NaN``, ``Infinity`` and ``-Infinity`` (which :mod:`json` accepts by default) are refused,
and so are numbers too large for a float (``1e999``, which :mod:`json` reads as infinity):
whatever these parsers return, :func:`json.dumps` can write back with ``allow_nan=False``.

Objects and arrays may nest at most :data:`MAX_DEPTH` levels (a parser may allow more, see
:func:`json_parser`); deeper documents raise :class:`JsonNestingError`. Without this limit only
Python's recursion limit bounds them, and a document parsed at a shallow stack could fail
later with ``RecursionError`` when re-encoded at a deeper one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, Final

from cognito_sso.errors import CognitoSSOError

__all__ = [
    "MAX_DEPTH",
    "JsonNestingError",
    "JsonParser",
    "assert_nesting",
    "json_parser",
    "parse_json",
    "parse_json_without_duplicates",
]

JsonParser = Callable[[str], Any]

MAX_DEPTH: Final = 32
"""Deepest nesting of objects and arrays in a document. Cognito tokens nest 3 levels (payload
-> ``identities`` array -> identity object), a pre-token-generation Lambda's object and array
claims a few more, a JWKS 3; 32 leaves ample room and stays far below the recursion limit."""

_FOLD_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")  # nesting depth ignores the kind
_NOT_BRACKETS: Final = bytes(set(range(256)) - set(b"[]{}"))


class JsonNestingError(CognitoSSOError, ValueError):
    """A JSON document nests objects and arrays deeper than allowed. (Callers of the parsers
    see it as the error of the document's kind, e.g. ``MalformedTokenError``.)"""

    def __init__(self) -> None:
        super().__init__("JSON is nested too deeply")


def assert_nesting(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`JsonNestingError` if objects and arrays in the JSON ``text`` nest deeper
    than ``max_depth`` levels (``ValueError`` if its brackets do not pair up at all).

    On a usual document, two character counts. Otherwise the brackets outside strings, in C
    passes (never recursive): each pass takes the innermost pairs away, so a document is gone
    after as many passes as it is deep."""
    # A document cannot nest deeper than it has opening brackets.
    if text.count("[") + text.count("{") <= max_depth:
        return
    brackets = _outside_strings(text.encode("utf-8", "surrogatepass"))
    brackets = brackets.translate(_FOLD_BRACKETS, _NOT_BRACKETS)
    if b"[" * (max_depth + 1) in brackets:  # the usual attack, at once
        raise JsonNestingError
    for _ in range(max_depth):
        inner = brackets.replace(b"[]", b"")
        if len(inner) == len(brackets):
            break
        brackets = inner
    if not brackets:
        return
    if b"[]" in brackets:
        raise JsonNestingError
    raise ValueError("JSON brackets do not pair up")


def _outside_strings(data: bytes) -> bytes:
    """The JSON text ``data`` without its strings. Escapes go first (an escaped backslash, then
    an escaped quote), so the quotes left alternate between opening and closing a string."""
    if b'"' not in data:
        return data
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(unescaped.split(b'"')[::2])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def json_parser(
    object_hook: Callable[[dict[str, Any]], Any] | None = None,
    *,
    unique_names: bool = False,
    max_depth: int = MAX_DEPTH,
) -> JsonParser:
    """A parser by these rules. ``object_hook`` (as in :mod:`json`) builds each object from
    the ``dict`` parsed; with ``unique_names`` a duplicate member name raises ``ValueError``;
    ``max_depth`` is the deepest nesting allowed."""
    pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
    if unique_names:
        pairs_hook = _object_without_duplicates
        if object_hook is not None:  # json ignores object_hook when given object_pairs_hook
            build = object_hook
            pairs_hook = lambda pairs: build(_object_without_duplicates(pairs))  # noqa: E731

    decoder = json.JSONDecoder(
        parse_constant=_reject_constant,
        parse_float=_finite_float,
        object_hook=object_hook,
        object_pairs_hook=pairs_hook,
    )
    return _parser(decoder, max_depth)


def _parser(decoder: json.JSONDecoder, max_depth: int) -> JsonParser:
    def parse(text: str) -> Any:
        assert_nesting(text, max_depth)
        try:
            try:  # raw_decode: decode minus its whitespace scans, for the usual bare value
                value, end = decoder.raw_decode(text)
                if end == len(text):
                    return value
            except json.JSONDecodeError:
                pass  # whitespace first, or not JSON: decode tells which
            return decoder.decode(text)
        except RecursionError:  # the caller's own stack was nearly exhausted already
            raise JsonNestingError from None

    return parse


_parse = json_parser()
_parse_without_duplicates = json_parser(unique_names=True)


def parse_json(text: str) -> Any:
    """The value of a JSON text; of duplicate member names the last one wins (as RFC 7515
    section 5.2 and RFC 7519 section 4 allow). Raises ``ValueError``."""
    return _parse(text)


def parse_json_without_duplicates(text: str) -> Any:
    """:func:`parse_json`, but an object with a duplicate member name raises ``ValueError``."""
    return _parse_without_duplicates(text)
