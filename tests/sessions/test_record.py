"""The session record and the login transaction: JSON round trips, the format written
before the records existed, and stored rows that are corrupt or hostile."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.json_records import RECORD_MAX_DEPTH, RecordError, encode_object
from cognito_sso.login_transaction import LoginTransaction
from cognito_sso.oidc import TokenResponse
from cognito_sso.session_service import SessionService
from cognito_sso.sessions import SESSION_FORMAT, Session, SessionTokens, open_store
from cognito_sso.sessions.sqlite import SQLiteSessionStore
from cognito_sso.strict_json import MAX_DEPTH

NOW = 1_700_000_000.0

ID_CLAIMS = {
    "sub": "0c6b3c0e-1111-2222-3333-444455556666",
    "cognito:username": "ada",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "cognito:groups": ["billing-admins", "staff"],
    "token_use": "id",
    "exp": NOW + 3600,
}
ACCESS_CLAIMS = {
    "sub": ID_CLAIMS["sub"],
    "username": "ada",
    "scope": "openid email aws.cognito.signin.user.admin",
    "exp": NOW + 3600,
}

# A row exactly as the library wrote it before the record existed (format 1): the layout of
# the old ``session_data_from_tokens`` and the old store encoder (compact, sorted keys).
FORMAT_1: dict[str, Any] = {
    "sub": ID_CLAIMS["sub"],
    "username": "ada",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "groups": ["billing-admins", "staff"],
    "claims": ID_CLAIMS,
    "scopes": ["openid", "email", "aws.cognito.signin.user.admin"],
    "access_exp": NOW + 3600,
    "checked_at": NOW,
    "csrf": "csrf-token-value",
    "tokens": {"access_token": "AT", "id_token": "IT", "refresh_token": "RT"},
}


def arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested(levels: int) -> Any:
    """A value of ``levels`` nested arrays, built without recursion."""
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


def format_1_text(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), allow_nan=False, sort_keys=True)


def a_session() -> Session:
    tokens = TokenResponse("AT", "IT", "RT", 3600, "Bearer")
    return Session.from_tokens(tokens, ID_CLAIMS, ACCESS_CLAIMS, now=NOW)


def service(store: SQLiteSessionStore) -> SessionService:
    # Only the store is used by get(): no IdP is called when reading a session.
    return SessionService(
        store=store,
        oidc=None,  # type: ignore[arg-type]
        verifier=None,  # type: ignore[arg-type]
        refresh_leeway=60,
        check_interval=60,
        lock_wait=1,
    )


@pytest.fixture
def store(tmp_path: Path) -> SQLiteSessionStore:
    opened = open_store(tmp_path / "s.db", idle_timeout=600, absolute_timeout=3600)
    assert isinstance(opened, SQLiteSessionStore)
    return opened


def test_from_tokens_reads_the_claims() -> None:
    session = a_session()
    assert session.sub == ID_CLAIMS["sub"]
    assert (session.username, session.email, session.name) == (
        "ada",
        ID_CLAIMS["email"],
        "Ada Lovelace",
    )
    assert session.groups == ("billing-admins", "staff")
    assert session.scopes == ("openid", "email", "aws.cognito.signin.user.admin")
    assert session.may_sign_out_globally
    assert session.access_exp == NOW + 3600 and session.checked_at == NOW
    assert session.tokens == SessionTokens("AT", "IT", "RT")


def test_refresh_keeps_csrf_and_the_refresh_token_when_not_rotated() -> None:
    first = a_session()
    tokens = TokenResponse("AT2", "IT2", None, 3600, "Bearer")
    second = Session.from_tokens(tokens, ID_CLAIMS, ACCESS_CLAIMS, now=NOW + 10, previous=first)
    assert second.csrf == first.csrf
    assert second.tokens == SessionTokens("AT2", "IT2", "RT")


def test_json_round_trip_with_version() -> None:
    session = a_session()
    raw = session.to_json()
    assert json.loads(raw)["v"] == SESSION_FORMAT
    assert Session.from_json(raw) == session
    assert session.checked(NOW + 5).checked_at == NOW + 5


def test_a_format_1_row_still_loads(store: SQLiteSessionStore) -> None:
    """A row written by the previous release (TEXT JSON, no version) signs nobody out."""
    session_id = "A" * 43
    with sqlite3.connect(store.path, isolation_level=None) as conn:
        conn.execute(
            "INSERT INTO sessions (id, data, created_at, last_seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (session_id, format_1_text(FORMAT_1), time.time(), time.time(), time.time() + 600),
        )
    loaded = service(store).get(session_id)
    assert loaded is not None
    assert loaded.sub == FORMAT_1["sub"]
    assert loaded.groups == ("billing-admins", "staff")
    assert loaded.claims == ID_CLAIMS
    assert loaded.csrf == "csrf-token-value"
    assert loaded.tokens == SessionTokens("AT", "IT", "RT")
    assert (loaded.access_exp, loaded.checked_at) == (NOW + 3600, NOW)
    # written back in the current format on the next change, and still the same session
    stored = store.update(session_id, lambda raw: Session.from_json(raw).to_json())
    assert stored is not None and json.loads(stored.payload)["v"] == SESSION_FORMAT
    assert service(store).get(session_id) == loaded


UNREADABLE: list[bytes] = [
    b"",
    b"{not json",
    b"[1, 2, 3]",
    b"\xff\xfe\x00",
    b"[" * 100_000,
    json.dumps({**FORMAT_1, "v": 99}).encode(),
    json.dumps({**FORMAT_1, "v": True}).encode(),
    json.dumps({**FORMAT_1, "v": [1]}).encode(),  # not hashable: still a RecordError
    json.dumps({**FORMAT_1, "sub": None}).encode(),
    json.dumps({**FORMAT_1, "access_exp": "later"}).encode(),
    json.dumps({**FORMAT_1, "checked_at": None}).encode(),
    json.dumps({**FORMAT_1, "groups": "admins"}).encode(),
    json.dumps({**FORMAT_1, "groups": [1]}).encode(),
    json.dumps({**FORMAT_1, "claims": []}).encode(),
    json.dumps({**FORMAT_1, "csrf": 5}).encode(),
    json.dumps({**FORMAT_1, "tokens": []}).encode(),
    json.dumps({**FORMAT_1, "tokens": {"access_token": None}}).encode(),
    json.dumps({**FORMAT_1, "tokens": {"access_token": "a", "refresh_token": 5}}).encode(),
    b'{"access_exp": 1e999}',
    # strict JSON: a second "sub" (a tampered row) and NaN anywhere are refused
    json.dumps(FORMAT_1).encode()[:-1] + b', "sub": "someone-else"}',
    json.dumps({**FORMAT_1, "claims": {**ID_CLAIMS, "x": float("nan")}}).encode(),
    # nested deeper than a record may be (the claims are one level down), or far beyond the
    # recursion limit
    json.dumps({**FORMAT_1, "claims": {"x": "@"}}).replace('"@"', arrays(RECORD_MAX_DEPTH - 1)),
    json.dumps({**FORMAT_1, "claims": {"x": "@"}}).replace('"@"', arrays(10_000)),
    b'{"claims":' * 10_000 + b"{}" + b"}" * 10_000,
]


@pytest.mark.parametrize("raw", UNREADABLE)
def test_unreadable_rows_end_the_session(
    store: SQLiteSessionStore, raw: bytes | str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(RecordError):
        Session.from_json(raw)
    stored = store.create(raw.encode() if isinstance(raw, str) else raw)
    assert service(store).get(stored.id) is None
    assert store.get(stored.id) is None  # deleted: the user signs in again
    assert "csrf-token-value" not in caplog.text and stored.id not in caplog.text


def test_a_session_of_the_deepest_claims_a_token_may_have_round_trips() -> None:
    """The verifier takes payloads MAX_DEPTH deep; the record holding them can be written and
    read back."""
    claims = {**ID_CLAIMS, "x": nested(MAX_DEPTH - 1)}
    session = Session.from_tokens(
        TokenResponse("AT", "IT", "RT", 3600, "Bearer"), claims, ACCESS_CLAIMS, now=NOW
    )
    assert Session.from_json(session.to_json()).claims["x"] == claims["x"]


class Unencodable:
    pass


cycle: list[Any] = []
cycle.append(cycle)


@pytest.mark.parametrize(
    "value",
    [
        {"x": nested(RECORD_MAX_DEPTH)},  # the record would nest one level too deep to read
        {"x": nested(10_000)},  # json.dumps: RecursionError
        {"x": float("inf")},
        {"x": float("nan")},
        {"x": {1, 2}},
        {"x": Unencodable()},
        {"x": cycle},
        {"x": 10**5000},  # beyond the int to str conversion limit
    ],
    ids=["too-deep", "far-too-deep", "inf", "nan", "set", "object", "cycle", "huge-int"],
)
def test_what_cannot_be_stored_is_a_record_error(value: dict[str, Any]) -> None:
    with pytest.raises(RecordError, match="not storable as JSON"):
        encode_object(value)


def test_a_session_that_cannot_be_stored_is_a_record_error() -> None:
    claims = {**ID_CLAIMS, "x": nested(10_000)}
    session = Session.from_tokens(
        TokenResponse("AT", "IT", "RT", 3600, "Bearer"), claims, ACCESS_CLAIMS, now=NOW
    )
    with pytest.raises(RecordError):
        session.to_json()


def test_login_transaction_round_trip() -> None:
    transaction = LoginTransaction(
        state="s" * 43,
        nonce="n" * 43,
        code_verifier="v" * 64,
        binding_hash="b" * 64,
        next_path="/x",
    )
    assert LoginTransaction.from_json(transaction.to_json()) == transaction
    assert json.loads(transaction.to_json())["v"] == 1


TRANSACTION = {
    "v": 1,
    "state": "s",
    "nonce": "n",
    "code_verifier": "v",
    "binding_hash": "b",
    "next": "/",
}


@pytest.mark.parametrize(
    "raw",
    [
        b"{}",
        b"null",
        json.dumps({**TRANSACTION, "v": 2}).encode(),
        json.dumps({**TRANSACTION, "v": [1]}).encode(),
        json.dumps({**TRANSACTION, "nonce": 5}).encode(),
        json.dumps({k: v for k, v in TRANSACTION.items() if k != "state"}).encode(),
        json.dumps({**TRANSACTION, "x": "@"}).replace('"@"', arrays(RECORD_MAX_DEPTH)),
        json.dumps({**TRANSACTION, "x": "@"}).replace('"@"', arrays(10_000)),
    ],
)
def test_unreadable_login_transactions(raw: bytes | str) -> None:
    with pytest.raises(RecordError):
        LoginTransaction.from_json(raw)
