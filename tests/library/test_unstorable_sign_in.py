"""A sign-in whose session the store could not take is a sign-in error (the adapters' "Sign-in
failed" page), never an exception at the callback (a 500).

The verifier's JSON rules make such claims unreachable (tests/verifier/test_nesting.py), so a
verifier that returns them stands in for one without those rules; the IdP is played by an
httpx MockTransport (tests/flask_ext/test_oidc_hostile.py) and the store is a real SQLite file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cognito_sso.login import LoginError, LoginFlow
from cognito_sso.sessions import open_store
from tests.flask_ext.test_oidc_hostile import GOOD, answer, client_for


class ClaimsVerifier:
    """Returns the given claims for both tokens, whatever the tokens."""

    def __init__(self, claims: Mapping[str, Any]) -> None:
        self.claims = claims

    def verify_id_token(
        self, token: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> Mapping[str, Any]:
        return {**self.claims, "nonce": nonce}

    def verify_access_token(self, token: str, *, scopes: Any = ()) -> Mapping[str, Any]:
        return self.claims


def deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("extra", "storable"),
    [({}, True), ({"x": deep(10_000)}, False), ({"x": float("inf")}, False)],
    ids=["ordinary", "nested-far-too-deep", "infinite"],
)
def test_claims_that_cannot_be_stored_fail_the_sign_in(
    tmp_path: Path, extra: dict[str, Any], storable: bool
) -> None:
    store = open_store(tmp_path / "s.db", idle_timeout=600, absolute_timeout=3600)
    flow = LoginFlow(
        store=store,
        oidc=client_for(answer(200, json.dumps(GOOD))),
        verifier=ClaimsVerifier({"sub": "user-1", "exp": 4_000_000_000, **extra}),
        redirect_uri="https://app.example/auth/callback",
        scopes=["openid"],
    )
    url = flow.begin(binding="browser-1", next_path="/me")
    state = parse_qs(urlsplit(url).query)["state"][0]
    params = {"state": state, "code": "the-code"}
    if storable:
        store.create(flow.complete(params, binding="browser-1").session.to_json())
        return
    with pytest.raises(LoginError, match="cannot store") as info:
        flow.complete(params, binding="browser-1")
    assert info.value.code == "invalid_token" and info.value.status == 400
