"""Validation of "return to" targets (``?next=``): same-origin paths only.

An open redirect lets an attacker send users through our login to a site of their choice
(see fedora-infra/flask-oidc#101). Browsers are lenient with URLs: they treat ``\\`` like
``/``, drop tabs and newlines, resolve ``/./`` and ``%2e%2e`` segments, and some components
apply Unicode compatibility folding (U+FF0F FULLWIDTH SOLIDUS becomes ``/``). So a
candidate is checked in every form it might take on the way (as given, NFKC-folded, and
percent-decoded until stable) and refused if any form could leave the origin or smuggle a
control character.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

__all__ = ["MAX_NEXT_LENGTH", "safe_next_path"]

MAX_NEXT_LENGTH = 2048
"""Longest accepted value, before and after normalisation."""

_MAX_DECODE_ROUNDS = 4
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ENCODED_DOT = re.compile(r"%2[eE]")
# RFC 3986 characters kept as they are; everything else (non-ASCII, space, quotes, <>...)
# is percent-encoded. "%" is kept so existing escapes survive.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def safe_next_path(value: str | None, default: str = "/") -> str:
    """Return ``value`` as a normalised same-origin path (plus query), else ``default``.

    Accepted: an absolute path such as ``/invoices?page=2``. The fragment is dropped, dot
    segments are resolved and characters outside RFC 3986 are percent-encoded.
    Refused: anything with a scheme or authority (``//host``, ``/\\host``, ``https:...``),
    backslashes, control or invisible formatting characters (raw or percent-encoded),
    encodings that decode to any of these, ``@`` in the first path segment, and values
    longer than :data:`MAX_NEXT_LENGTH`. ``default`` is returned unchecked.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return default
    without_fragment = value.split("#", 1)[0]
    path, has_query, query = without_fragment.partition("?")
    if not _path_is_safe(path) or not _query_is_safe(query):
        return default
    result = _encode(_remove_dot_segments(_ENCODED_DOT.sub(".", path)), _PATH_SAFE)
    if has_query and query:
        result += "?" + _encode(query, _QUERY_SAFE)
    # Belt and braces: the normalised result must pass the same checks.
    if len(result) > MAX_NEXT_LENGTH or not _path_is_safe(result.partition("?")[0]):
        return default
    return result


def _forms(text: str) -> list[str] | None:
    """Every reading of ``text``: raw, NFKC-folded, and each percent-decoding round."""
    forms: list[str] = []
    for start in dict.fromkeys((text, unicodedata.normalize("NFKC", text))):
        current = start
        forms.append(current)
        for _round in range(_MAX_DECODE_ROUNDS):
            decoded = unquote(current, errors="replace")
            if decoded == current:
                break
            current = decoded
            forms.append(current)
            forms.append(unicodedata.normalize("NFKC", current))
        else:
            if unquote(current, errors="replace") != current:
                return None  # still encoded after several rounds: nobody needs that
    return forms


def _is_forbidden_char(char: str) -> bool:
    """Control, invisible-formatting and line/paragraph separators; whitespace but space."""
    if char == " ":
        return False
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _path_is_safe(path: str) -> bool:
    forms = _forms(path)
    if forms is None:
        return False
    for form in forms:
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return False
        if any(_is_forbidden_char(char) for char in form):
            return False
        resolved = _remove_dot_segments(form)
        if resolved.startswith("//"):
            return False
        # "/@evil.com" is harmless as a path, but becomes "https://host@evil.com" for any
        # code that glues a host in front of it without the slash; refuse the ambiguity.
        if "@" in resolved[1:].split("/", 1)[0]:
            return False
    return True


def _query_is_safe(query: str) -> bool:
    if "\\" in query:
        return False
    forms = _forms(query)
    if forms is None:
        return False
    # A decoded backslash is data inside a query value; control characters never are.
    return not any(_is_forbidden_char(char) for form in forms for char in form)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path."""
    segments = path.split("/")[1:]
    output: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    result = "/" + "/".join(output)
    if segments and segments[-1] in (".", "..") and not result.endswith("/"):
        result += "/"
    return result


def _encode(text: str, safe: str) -> str:
    return _LONE_PERCENT.sub("%25", quote(text, safe=safe))
