"""Whether a request's ``Accept`` header asks for JSON rather than an HTML page.

The one rule both framework adapters use to answer an API client with JSON (a 401, an error
body) and a browser with a page or a redirect to sign-in. It follows RFC 9110 section 12.5.1
for the only two media types the library sends, ``application/json`` and ``text/html``:

- each one's quality comes from the most specific range that matches it (``type/subtype``,
  then ``type/*``, then ``*/*``; among entries equally specific, the highest quality wins);
  no matching range means quality 0;
- media-type parameters other than ``q`` are ignored (``application/json; charset=utf-8``
  is ``application/json``); types, subtypes and parameter names are case-insensitive;
- ``q`` is clamped to 0..1 and cut to 3 decimals (``q=1.5`` is 1, ``q=0.9999`` is 0.999);
  an entry whose ``q`` is not a decimal number (``q=abc``, ``q=1e3``) or whose range is not
  ``type/subtype``, ``type/*`` or ``*/*`` is ignored (werkzeug skips those entries too);
- JSON is preferred only when its quality is above 0 and strictly above HTML's: a missing or
  empty header means "anything" (browsers), an unreadable one "nothing", both HTML.

The header is hostile input: only its first :data:`MAX_ACCEPT` characters and
:data:`MAX_RANGES` entries are read, and nothing in it makes :func:`prefers_json` raise.
(A comma inside a quoted parameter value splits the entry: its pieces are ignored as
malformed, which no real client depends on.)
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

__all__ = ["MAX_ACCEPT", "MAX_RANGES", "prefers_json"]

MAX_ACCEPT: Final = 2048
MAX_RANGES: Final = 64

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE: Final = re.compile(rf"({_TCHARS})/({_TCHARS})")
_QVALUE: Final = re.compile(r"[+-]?(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))")


class _Entry(NamedTuple):
    """One readable entry of the header (lowercase; quality in thousandths)."""

    kind: str
    subtype: str
    quality: int


def prefers_json(accept: str | None) -> bool:
    """Whether ``accept`` (an ``Accept`` header value, None when absent) ranks
    ``application/json`` above 0 and strictly above ``text/html``."""
    entries = _entries(accept or "")
    json_q = _quality(entries, "application", "json")
    return json_q > 0 and json_q > _quality(entries, "text", "html")


def _entries(accept: str) -> list[_Entry]:
    """The readable entries of the header's first characters (an entry cut short by the
    length limit is dropped)."""
    if len(accept) > MAX_ACCEPT:
        accept = accept[:MAX_ACCEPT].rpartition(",")[0]
    entries = (_entry(item) for item in accept.split(",", MAX_RANGES)[:MAX_RANGES])
    return [entry for entry in entries if entry is not None]


def _entry(item: str) -> _Entry | None:
    media, *params = item.split(";")
    matched = _RANGE.fullmatch(media.strip())
    if matched is None:
        return None
    kind, subtype = matched.group(1).lower(), matched.group(2).lower()
    if kind == "*" and subtype != "*":
        return None  # "*/json" is no media range
    quality = 1000
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            thousandths = _thousandths(value.strip())
            if thousandths is None:
                return None
            quality = thousandths
            break  # parameters after q are accept extensions
    return _Entry(kind, subtype, quality)


def _thousandths(qvalue: str) -> int | None:
    """``qvalue`` in thousandths, clamped to 0..1000 (None: not a decimal number)."""
    matched = _QVALUE.fullmatch(qvalue)
    if matched is None:
        return None
    whole, fraction, bare_fraction = matched.groups()
    if qvalue.startswith("-"):
        return 0
    if whole is not None and whole.strip("0"):
        return 1000
    return int(((fraction or bare_fraction or "") + "000")[:3])


def _quality(entries: list[_Entry], kind: str, subtype: str) -> int:
    """The quality the most specific matching entries give ``kind/subtype`` (0: none)."""
    best = (-1, 0)  # (specificity, quality)
    for entry_kind, entry_subtype, quality in entries:
        if (entry_kind, entry_subtype) == (kind, subtype):
            specificity = 2
        elif entry_kind == kind and entry_subtype == "*":
            specificity = 1
        elif (entry_kind, entry_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        best = max(best, (specificity, quality))
    return best[1]
