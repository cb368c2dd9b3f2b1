"""TOTP set-up and challenge pages, and the forgotten-password flow through the outbox."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyotp

from tests.plugins.idp_web import NEW_PASSWORD, Browser, HostedPool, query_of

_SECRET = re.compile(r'aria-label="Secret key">([A-Z2-7 ]+)<')


def _totp_secret(page: httpx.Response) -> str:
    found = _SECRET.search(page.text)
    assert found, page.text[:2000]
    return found.group(1).replace(" ", "")


def _require_totp(pool: HostedPool) -> None:
    pool.factory.client.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_totp_setup_then_challenge(hosted_pool: HostedPool, make_idp_browser: object) -> None:
    pool = hosted_pool
    _require_totp(pool)
    pool.factory.user(pool.pool_id, "nia@example.com")
    first: Browser = make_idp_browser()  # type: ignore[operator]

    hop = first.sign_in(pool.billing, "nia@example.com", "Passw0rd!Local")
    assert hop.status_code == 303
    setup = first.follow(hop)
    assert setup.status_code == 200
    assert "<svg" in setup.text and "QR code" in setup.text
    assert "code" in first.form(setup).fields
    secret = _totp_secret(setup)
    totp = pyotp.TOTP(secret)

    wrong = first.submit(setup, code=_other_code(totp.now()))
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.text
    assert _totp_secret(wrong) == secret  # the same secret is shown again
    malformed = first.submit(wrong, code="12ab")
    assert malformed.status_code == 400

    done = first.submit(malformed, code=totp.now())
    assert done.status_code == 302, done.text[:1000]
    assert "code" in query_of(done.headers["location"])

    # a new idp_browser: the password is followed by the TOTP code page
    second: Browser = make_idp_browser()  # type: ignore[operator]
    hop = second.sign_in(pool.billing, "nia@example.com", "Passw0rd!Local")
    assert hop.status_code == 303
    challenge = second.follow(hop)
    assert challenge.status_code == 200
    assert "<svg" not in challenge.text
    refused = second.submit(challenge, code=_other_code(totp.now()))
    assert refused.status_code == 400
    done = second.submit(refused, code=totp.now())
    assert done.status_code == 302
    assert done.headers["location"].startswith(pool.billing.redirect_uri + "?code=")

    # the transaction belongs to the idp_browser that started it
    third: Browser = make_idp_browser()  # type: ignore[operator]
    hop = third.sign_in(pool.billing, "nia@example.com", "Passw0rd!Local")
    stolen = second.get(hop.headers["location"])
    assert stolen.status_code == 400
    assert "expired" in stolen.text


def test_forgot_password_with_code_from_outbox(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "oli@example.com")
    login_page = idp_browser.follow(idp_browser.authorize(pool.billing))
    forgot_link = re.search(r'href="(/forgotPassword\?[^"]+)"', login_page.text)
    assert forgot_link
    forgot = idp_browser.get(forgot_link.group(1).replace("&amp;", "&"))
    assert forgot.status_code == 200
    httpx.delete(f"{pool.base_url}/_outbox.json")

    sent = idp_browser.submit(forgot, username="oli@example.com")
    assert sent.status_code == 303
    confirm = idp_browser.follow(sent)
    assert confirm.status_code == 200
    assert {"code", "new_password", "confirm_password"} <= set(idp_browser.form(confirm).fields)

    messages = httpx.get(f"{pool.base_url}/_outbox.json").json()
    mine = [m for m in messages if m["to"] == "oli@example.com"]
    assert len(mine) == 1
    assert set(mine[0]) == {"to", "subject", "body", "sent_at"}
    code = re.search(r"\b(\d{6})\b", mine[0]["body"])
    assert code
    outbox_page = httpx.get(f"{pool.base_url}/_outbox")
    assert outbox_page.status_code == 200 and "oli@example.com" in outbox_page.text

    wrong = idp_browser.submit(
        confirm,
        code=_other_code(code.group(1)),
        new_password=NEW_PASSWORD,
        confirm_password=NEW_PASSWORD,
    )
    assert wrong.status_code == 400
    assert "Invalid verification code provided, please try again." in wrong.text
    done = idp_browser.submit(
        wrong, code=code.group(1), new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
    )
    assert done.status_code == 303
    back = idp_browser.follow(done)
    assert back.status_code == 200
    assert "Your password has been changed" in back.text
    signed_in = idp_browser.submit(back, username="oli@example.com", password=NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in.headers["location"].startswith(pool.billing.redirect_uri + "?code=")


def test_forgot_password_unknown_user_message(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    page = idp_browser.follow(idp_browser.authorize(pool.billing))
    forgot = idp_browser.get("/forgotPassword?" + str(page.url).split("?", 1)[1])
    response = idp_browser.submit(forgot, username="ghost@example.com")
    assert response.status_code == 400
    assert "Username/client id combination not found." in response.text


def test_new_password_page_asks_for_missing_required_attributes(
    hosted_pool: HostedPool, idp_browser: Browser, cognito_factory: object
) -> None:
    pool = hosted_pool
    factory = pool.factory
    pool_id = factory.pool(
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    )
    from tests.plugins.idp_web import oauth_client

    client = oauth_client(factory, pool_id, "named")
    factory.client.admin_create_user(
        UserPoolId=pool_id,
        Username="pat@example.com",
        UserAttributes=[
            {"Name": "email", "Value": "pat@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": "Placeholder"},
        ],
        TemporaryPassword="Temp0rary!Pass",
        MessageAction="SUPPRESS",
    )
    # a required attribute left empty (as for imported users)
    factory.client.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="pat@example.com", UserAttributeNames=["name"]
    )
    hop = idp_browser.sign_in(client, "pat@example.com", "Temp0rary!Pass")
    page = idp_browser.follow(hop)
    assert "name" in idp_browser.form(page).fields
    missing = idp_browser.submit(page, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert missing.status_code == 400
    done = idp_browser.submit(
        missing, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD, name="Pat Doe"
    )
    assert done.status_code == 302, done.text[:1000]
    user = factory.client.admin_get_user(UserPoolId=pool_id, Username="pat@example.com")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["name"] == "Pat Doe"


def test_new_password_then_totp_setup_in_one_sign_in(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    _require_totp(pool)
    pool.factory.user(pool.pool_id, "ray@example.com", "Temp0rary!Pass", permanent=False)
    new_password = idp_browser.follow(
        idp_browser.sign_in(pool.billing, "ray@example.com", "Temp0rary!Pass")
    )
    hop = idp_browser.submit(new_password, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert hop.status_code == 303
    assert hop.headers["location"].startswith("/mfa?")
    setup = idp_browser.follow(hop)
    done = idp_browser.submit(setup, code=pyotp.TOTP(_totp_secret(setup)).now())
    assert done.status_code == 302
    assert done.headers["location"].startswith(pool.billing.redirect_uri + "?code=")
    # the old page cannot be replayed once the sign-in is complete
    assert idp_browser.get(hop.headers["location"]).status_code == 400


def test_confirmation_link_confirms_a_signed_up_user(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    pool = hosted_pool
    pool.factory.client.update_user_pool(
        UserPoolId=pool.pool_id,
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailMessageByLink": "Welcome! {##Verify Email##}",
            "EmailSubjectByLink": "Confirm your account",
        },
    )
    pool.factory.client.sign_up(
        ClientId=pool.billing.client_id,
        Username="uma@example.com",
        Password="Passw0rd!Local",
        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}],
    )
    messages = httpx.get(f"{pool.base_url}/_outbox.json").json()
    body = next(m["body"] for m in reversed(messages) if m["to"] == "uma@example.com")
    link = re.search(r"(http://\S+/confirmUser\?\S+)", body)
    assert link, body
    confirmed = idp_browser.get(link.group(1))
    assert confirmed.status_code == 200, confirmed.text[:1000]
    assert "Your registration has been confirmed!" in confirmed.text
    user = pool.factory.client.admin_get_user(UserPoolId=pool.pool_id, Username="uma@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    again = idp_browser.get(link.group(1))
    assert again.status_code == 400
    assert 'role="alert"' in again.text
    bad = idp_browser.get("/confirmUser", params={"client_id": "<x>", "user_name": "a"})
    assert bad.status_code == 400


def test_totp_setup_submitted_after_the_challenge_session_expired(
    hosted_pool: HostedPool, make_idp_browser: object, local_idp: Any
) -> None:
    """A code posted for a set-up page never shown (no secret kept yet) once the sign-in's
    challenge session has expired: the session-expired page, and the sign-in is over."""
    pool = hosted_pool
    _require_totp(pool)
    pool.factory.user(pool.pool_id, "oli@example.com")
    browser: Browser = make_idp_browser()  # type: ignore[operator]
    shown = browser.follow(browser.sign_in(pool.billing, "oli@example.com", "Passw0rd!Local"))
    form = browser.form(shown)  # the CSRF token is the browser's, for any of its sign-ins
    unseen = browser.sign_in(pool.billing, "oli@example.com", "Passw0rd!Local")
    txn = query_of(unseen.headers["location"])["txn"]
    auth = local_idp.state.auth
    real_clock = auth._clock
    auth._clock = lambda: real_clock() + 181
    try:
        for _ in range(2):
            late = browser.http.post(form.action, data={**form.fields, "txn": txn, "code": "x"})
            assert late.status_code == 400
            assert "Your sign-in has expired" in late.text
    finally:
        auth._clock = real_clock
