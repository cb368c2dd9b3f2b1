"""base64url without padding (RFC 7515 section 2), the encoding of JWS segments, JWK numbers,
``at_hash`` and PKCE challenges. Decoding is strict about the alphabet and refuses padding."""

from __future__ import annotations

import base64
import binascii

__all__ = ["b64url_decode", "b64url_encode"]

_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"", b"==", b"=")  # by length % 4; 1 is impossible and fails to decode
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SEXTET = {char: value for value, char in enumerate(_ALPHABET)}
# the bits of the last character that encode nothing, by length % 4: they must be zero
_UNUSED_BITS = (0, 0, 0b1111, 0b11)


def b64url_encode(data: bytes) -> str:
    """``data`` as base64url text without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str | bytes) -> bytes:
    """The bytes of a base64url segment without padding.

    Raises ``ValueError`` for padding, the standard alphabet's ``+``/``/``, whitespace, any
    other character outside the base64url alphabet, non-ASCII text, and a last character
    whose unused bits are set: each value has exactly one spelling, so one token cannot be
    presented in several forms that verify alike (and miss every cache keyed by the text).
    """
    data = segment.encode("ascii") if isinstance(segment, str) else segment
    # Map the URL alphabet to the standard one and delete what base64url forbids but
    # a2b_base64 would accept ('+', '/', '='); a change in length reveals them.
    standard = data.translate(_URL_TO_STANDARD, b"+/=")
    if len(standard) != len(data):
        raise ValueError("not base64url without padding")
    rest = len(standard) % 4
    if rest > 1 and _SEXTET.get(data[-1], 0) & _UNUSED_BITS[rest]:
        raise ValueError("not canonical base64url (unused bits set)")
    return binascii.a2b_base64(standard + _PADDING[rest], strict_mode=True)
