"""The login transaction: what :class:`~cognito_sso.login.LoginFlow` remembers between
sending the browser to the hosted UI and the callback, as a frozen, versioned record.

Stored as JSON bytes under its state for a few minutes and consumed once. Transactions
written before this record existed (no ``"v"``) are not read: at worst a sign-in that was in
flight during the upgrade is asked to start again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from cognito_sso.json_records import (
    decode_record,
    encode_object,
    read_str,
)

__all__ = ["TRANSACTION_FORMAT", "LoginTransaction"]

TRANSACTION_FORMAT: Final = 1


@dataclass(frozen=True)
class LoginTransaction:
    """One sign-in attempt in flight. Secrets stay out of ``repr``."""

    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    """The PKCE verifier (only its S256 challenge went to the browser)."""
    binding_hash: str = field(repr=False)
    """SHA-256 of the per-browser binding cookie: the callback must come from this browser."""
    next_path: str
    """Where to go after signing in (already validated as a same-origin path)."""

    def to_json(self) -> bytes:
        """The stored form (format :data:`TRANSACTION_FORMAT`)."""
        return encode_object(
            {
                "v": TRANSACTION_FORMAT,
                "state": self.state,
                "nonce": self.nonce,
                "code_verifier": self.code_verifier,
                "binding_hash": self.binding_hash,
                "next": self.next_path,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> LoginTransaction:
        """Decode a stored transaction; RecordError for anything else."""
        data = decode_record(raw, (TRANSACTION_FORMAT,), "login transaction")
        return cls(
            state=read_str(data, "state"),
            nonce=read_str(data, "nonce"),
            code_verifier=read_str(data, "code_verifier"),
            binding_hash=read_str(data, "binding_hash"),
            next_path=read_str(data, "next"),
        )
