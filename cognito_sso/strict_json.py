"""JSON parsing for untrusted documents (tokens, JWKS): RFC 8259 only, errors as ``ValueError``.

``NaN``, ``Infinity`` and ``-Infinity`` (which :mod:`json` accepts by default) are refused,
and nesting too deep for the parser is a ``ValueError`` rather than a ``RecursionError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["JsonParser", "json_parser", "parse_json", "parse_json_without_duplicates"]

JsonParser = Callable[[str], Any]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def json_parser(object_hook: Callable[[dict[str, Any]], Any] | None = None) -> JsonParser:
    """A parser by these rules; ``object_hook`` (as in :mod:`json`) builds each object from
    the ``dict`` parsed."""
    return _parser(json.JSONDecoder(parse_constant=_reject_constant, object_hook=object_hook))


def _parser(decoder: json.JSONDecoder) -> JsonParser:
    def parse(text: str) -> Any:
        try:
            try:  # raw_decode: decode minus its whitespace scans, for the usual bare value
                value, end = decoder.raw_decode(text)
                if end == len(text):
                    return value
            except json.JSONDecodeError:
                pass  # whitespace first, or not JSON: decode tells which
            return decoder.decode(text)
        except RecursionError:
            raise ValueError("JSON is nested too deeply") from None

    return parse


_parse = json_parser()
_parse_without_duplicates = _parser(
    json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates)
)


def parse_json(text: str) -> Any:
    """The value of a JSON text; of duplicate member names the last one wins (as RFC 7515
    section 5.2 and RFC 7519 section 4 allow). Raises ``ValueError``."""
    return _parse(text)


def parse_json_without_duplicates(text: str) -> Any:
    """:func:`parse_json`, but an object with a duplicate member name raises ``ValueError``."""
    return _parse_without_duplicates(text)
