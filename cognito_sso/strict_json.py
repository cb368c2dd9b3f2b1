"""JSON parsing for untrusted documents (tokens, JWKS): RFC 8259 only, errors as ``ValueError``.

``NaN``, ``Infinity`` and ``-Infinity`` (which :mod:`json` accepts by default) are refused,
and nesting too deep for the parser is a ``ValueError`` rather than a ``RecursionError``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_json", "parse_json_without_duplicates"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_UNIQUE_NAMES_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates
)


def parse_json(text: str) -> Any:
    """The value of a JSON text; of duplicate member names the last one wins (as RFC 7515
    section 5.2 and RFC 7519 section 4 allow). Raises ``ValueError``."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON is nested too deeply") from None


def parse_json_without_duplicates(text: str) -> Any:
    """:func:`parse_json`, but an object with a duplicate member name raises ``ValueError``."""
    try:
        return _UNIQUE_NAMES_DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON is nested too deeply") from None
