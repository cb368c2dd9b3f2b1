"""Versioned JSON records: encoding, and field readers that refuse anything unexpected.

Stored records (sessions, login transactions) come back from a store that other processes,
older versions of this library, or an attacker with write access may have written. Every
reader here checks the type of what it returns and raises :class:`RecordError` otherwise, so
a record either decodes completely or not at all. Decoding is strict
(:mod:`cognito_sso.strict_json`): no ``NaN``/``Infinity``, no duplicate member names, no
nesting deeper than :data:`RECORD_MAX_DEPTH`; this module never writes any of them, so what
it writes it can read back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

from cognito_sso.errors import CognitoSSOError
from cognito_sso.strict_json import MAX_DEPTH, assert_nesting, json_parser

__all__ = [
    "RECORD_MAX_DEPTH",
    "RecordError",
    "decode_object",
    "decode_record",
    "encode_object",
    "read_number",
    "read_optional_str",
    "read_str",
    "read_str_list",
]


class RecordError(CognitoSSOError, ValueError):
    """A stored record is not valid JSON, has an unknown format version, or a field is
    missing or of the wrong type. Never carries the record's content."""


RECORD_MAX_DEPTH: Final = MAX_DEPTH + 2
"""Deepest nesting of a record. A session record holds a verified token's claims (a document
of at most :data:`~cognito_sso.strict_json.MAX_DEPTH` levels) one level down; one more level
is room for a future format."""

_parse_record = json_parser(unique_names=True, max_depth=RECORD_MAX_DEPTH)


def encode_object(value: Mapping[str, Any]) -> bytes:
    """Compact JSON bytes (UTF-8); RecordError for what JSON cannot carry (a non-finite
    number, a value of another type, a cycle) and for nesting deeper than a record may."""
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        assert_nesting(text, RECORD_MAX_DEPTH)
    except (ValueError, TypeError, RecursionError) as exc:
        raise RecordError(f"not storable as JSON ({type(exc).__name__})") from None
    return text.encode()


def decode_object(raw: bytes | str) -> dict[str, Any]:
    """The JSON object in ``raw``; RecordError for anything else."""
    try:
        value = _parse_record(raw.decode() if isinstance(raw, bytes) else raw)
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise RecordError("not JSON") from None
    if not isinstance(value, dict):
        raise RecordError("not a JSON object")
    return value


def decode_record(
    raw: bytes | str, formats: tuple[int, ...], what: str, *, default: int | None = None
) -> dict[str, Any]:
    """The JSON object in ``raw`` if its format version ``v`` (absent: ``default``) is one of
    ``formats``; RecordError (``unknown {what} format``) otherwise."""
    data = decode_object(raw)
    version = data.get("v", default)
    # a tuple, not a set: a hostile "v" may be unhashable (a list) and must not raise TypeError
    if isinstance(version, bool) or version not in formats:
        raise RecordError(f"unknown {what} format")
    return data


def read_str(data: Mapping[str, Any], name: str) -> str:
    """A required string field."""
    value = data.get(name)
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} is not a string")
    return value


def read_optional_str(data: Mapping[str, Any], name: str) -> str | None:
    """A string field that may be absent or null."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"field {name!r} is not a string")
    return value


def read_number(data: Mapping[str, Any], name: str) -> float:
    """A required finite number (JSON booleans are not numbers)."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RecordError(f"field {name!r} is not a finite number")
    return float(value)


def read_str_list(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A required list of strings."""
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"field {name!r} is not a list of strings")
    return tuple(value)
