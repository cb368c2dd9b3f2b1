"""Lifetimes and bindings of the web layer's stores (codes, SSO cookie, sign-in transactions)."""

from __future__ import annotations

from cognito_sso.local.web import pkce
from cognito_sso.local.web.authorize_request import grant_scopes
from cognito_sso.local.web.csrf import CsrfSigner, new_browser_id
from cognito_sso.local.web.stores import CodeStore, LoginTransactions, SsoSessions
from cognito_sso.token_hashes import s256_challenge


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _issue(store: CodeStore) -> str:
    return store.issue(
        pool_id="p",
        client_id="c",
        redirect_uri="http://localhost/cb",
        sub="s",
        scopes=("openid",),
        auth_time=1,
        nonce=None,
        code_challenge=None,
    )


def test_codes_are_single_use_and_live_five_minutes() -> None:
    clock = Clock()
    store = CodeStore(clock)
    code = _issue(store)
    assert store.redeem(code) is not None
    assert store.redeem(code) is None
    late = _issue(store)
    clock.now += 299
    still = _issue(store)
    clock.now += 2
    assert store.redeem(late) is None
    assert store.redeem(still) is not None


def test_sso_cookie_lasts_one_hour_per_pool_and_rotates() -> None:
    clock = Clock()
    sessions = SsoSessions(clock)
    sid, login = sessions.login(None, "pool-a", "sub-1")
    assert sessions.current(sid, "pool-a") == login
    assert sessions.current(sid, "pool-b") is None
    sid2, _ = sessions.login(sid, "pool-b", "sub-2")
    assert sid2 != sid
    assert sessions.current(sid, "pool-a") is None  # the old value is dead
    assert sessions.current(sid2, "pool-a") == login
    assert sessions.logout(sid2, "pool-b") is False  # pool-a is still signed in
    assert sessions.current(sid2, "pool-b") is None
    clock.now += 3601
    assert sessions.current(sid2, "pool-a") is None
    assert sessions.logout(sid2, "pool-a") is True


def test_transactions_belong_to_one_browser_and_expire() -> None:
    clock = Clock()
    store = LoginTransactions(clock)
    txn = store.start(
        browser_id="browser_id-1", query="q", challenge="MFA_SETUP", session="s", username="u"
    )
    assert store.get(txn.id, "browser_id-1") == txn
    assert store.get(txn.id, "browser_id-2") is None
    assert store.get("other", "browser_id-1") is None
    clock.now += 15 * 60 + 1
    assert store.get(txn.id, "browser_id-1") is None


def test_a_finished_transaction_stays_finished() -> None:
    """Two submits of one challenge page: the first finishes the sign-in, the second must
    not bring the transaction back by moving it on (or remembering a TOTP secret)."""
    store = LoginTransactions(Clock())
    txn = store.start(
        browser_id="browser_id-1", query="q", challenge="MFA_SETUP", session="s", username="u"
    )
    store.finish(txn)

    assert store.advance(txn, challenge="SOFTWARE_TOKEN_MFA", session="s2") is None
    assert store.remember_secret(txn, "SECRET") is None
    assert store.get(txn.id, "browser_id-1") is None


def test_a_pending_transaction_moves_on() -> None:
    store = LoginTransactions(Clock())
    txn = store.start(
        browser_id="browser_id-1", query="q", challenge="MFA_SETUP", session="s", username="u"
    )

    moved = store.advance(txn, challenge="SOFTWARE_TOKEN_MFA", session="s2")

    assert moved is not None and moved.challenge == "SOFTWARE_TOKEN_MFA"
    assert store.get(txn.id, "browser_id-1") == moved


def test_csrf_tokens_bind_cookie_and_form() -> None:
    signer = CsrfSigner()
    browser_id = new_browser_id()
    token = signer.token(browser_id, "login")
    assert signer.check(browser_id, "login", token)
    assert not signer.check(browser_id, "mfa", token)
    assert not signer.check(new_browser_id(), "login", token)
    assert not signer.check(None, "login", token)
    assert not signer.check(browser_id, "login", None)
    assert not CsrfSigner().check(browser_id, "login", token)  # another process's secret


def test_pkce_s256_matches_rfc7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce.verify(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce.verify("short", s256_challenge("short"))


def test_scope_rules() -> None:
    allowed = ("openid", "email", "api/read")
    assert grant_scopes(None, allowed) == allowed
    assert grant_scopes("openid phone", allowed) == ("openid",)  # reserved, not allowed: dropped
    assert grant_scopes("email", allowed) is None  # email needs openid
    assert grant_scopes("openid api/write", allowed) is None
    assert grant_scopes('openid "x"', allowed) is None
