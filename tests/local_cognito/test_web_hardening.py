"""CSRF, hostile input, security headers, discovery/JWKS shape and fault injection."""

from __future__ import annotations

import httpx
import pytest

from bench.browser import forms_in
from cognito_sso.local.server import RunningServer
from tests.local_cognito.captures import load_capture
from tests.plugins.idp_web import Browser, HostedPool

DISCOVERY_KEYS = set(load_capture("discovery")["document"])


# --- CSRF --------------------------------------------------------------------------------


def test_forms_need_their_csrf_token(
    hosted_pool: HostedPool, idp_browser: Browser, make_idp_browser: object
) -> None:
    pool = hosted_pool
    pool.factory.user(pool.pool_id, "quinn@example.com")
    page = idp_browser.follow(idp_browser.authorize(pool.billing))
    form = idp_browser.form(page)
    action = str(page.url.copy_with(query=None)) + "?" + page.url.query.decode()
    credentials = {"username": "quinn@example.com", "password": "Passw0rd!Local"}

    missing = idp_browser.http.post(action, data=credentials)
    assert missing.status_code == 400
    assert "code=" not in missing.headers.get("location", "")

    wrong = idp_browser.http.post(action, data={**credentials, "csrf_token": "x" * 43})
    assert wrong.status_code == 400

    # a token is bound to the cookie of the idp_browser it was made for
    other: Browser = make_idp_browser()  # type: ignore[operator]
    other.follow(other.authorize(pool.billing))
    stolen = other.http.post(action, data={**credentials, "csrf_token": form.fields["csrf_token"]})
    assert stolen.status_code == 400

    ok = idp_browser.submit(page, **credentials)
    assert ok.status_code == 302


def test_non_ascii_csrf_token_is_refused_cleanly(
    hosted_pool: HostedPool, idp_browser: Browser
) -> None:
    page = idp_browser.follow(idp_browser.authorize(hosted_pool.billing))
    response = idp_browser.submit(
        page, username="x@example.com", password="Passw0rd!Local", csrf_token="\u00e9" * 43
    )
    assert response.status_code == 400
    assert "did not come from this site" in response.text


def test_dns_rebinding_host_names_are_refused(hosted_pool: HostedPool) -> None:
    """A web page whose domain was re-pointed at 127.0.0.1 must not read the outbox (temporary
    passwords, codes) nor drive the JSON API; IP addresses and localhost are fine."""
    base = hosted_pool.base_url
    port = base.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", "rebind.attacker.test"):
        outbox = httpx.get(f"{base}/_outbox.json", headers={"Host": host})
        assert outbox.status_code == 400 and outbox.json() == {"error": "access_denied"}
        api = httpx.post(
            f"{base}/",
            headers={
                "Host": host,
                "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
                "Content-Type": "application/x-amz-json-1.1",
            },
            content=b'{"MaxResults": 10}',
        )
        assert api.status_code == 400
        assert api.headers["x-amzn-ErrorType"] == "AccessDeniedException:"
        page = httpx.get(f"{base}/login", headers={"Host": host})
        assert page.status_code == 400 and "text/html" in page.headers["content-type"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert httpx.get(f"{base}/_outbox.json", headers={"Host": host}).status_code == 200


# --- hostile input -----------------------------------------------------------------------


def test_html_in_username_is_escaped(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    attack = '"><script>alert(1)</script>'
    response = idp_browser.sign_in(hosted_pool.billing, attack, "whatever-Passw0rd!")
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text or "&#34;&gt;&lt;script" in response.text
    assert forms_in(response.text, str(response.url))[0].fields["username"] == attack


@pytest.mark.parametrize(
    "username",
    ["a\x00b", "line\r\nbreak", "x" * 5000, "\x1b[31mred"],
)
def test_control_characters_and_huge_usernames_give_clean_400(
    hosted_pool: HostedPool, idp_browser: Browser, username: str
) -> None:
    response = idp_browser.sign_in(hosted_pool.billing, username, "Passw0rd!Local")
    assert response.status_code == 400
    assert "Incorrect username or password." in response.text


def test_hostile_query_strings_never_500(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    client_id = hosted_pool.billing.client_id
    cases: list[dict[str, str]] = [
        {"client_id": "<script>", "redirect_uri": "x"},
        {"client_id": "a" * 10000},
        {"client_id": client_id, "redirect_uri": "\x00"},
        {"client_id": client_id, "redirect_uri": "h" * 20000},
        {"client_id": client_id, "redirect_uri": hosted_pool.billing.redirect_uri, "scope": "\x7f"},
        {
            "client_id": client_id,
            "redirect_uri": hosted_pool.billing.redirect_uri,
            "response_type": "code",
            "nonce": "n" * 20000,
        },
    ]
    for params in cases:
        for path in ("/oauth2/authorize", "/login", "/forgotPassword", "/logout"):
            response = idp_browser.get(path, params=params)
            assert 300 <= response.status_code < 500, (path, params, response.status_code)
    error = idp_browser.get("/error", params={"error": "<b>x</b>", "client_id": "<i>y</i>"})
    assert error.status_code == 400
    assert "<b>" not in error.text and "<i>" not in error.text
    repeated = idp_browser.get(
        f"/oauth2/authorize?client_id={client_id}&client_id={client_id}"
        f"&redirect_uri={hosted_pool.billing.redirect_uri}&response_type=code"
    )
    assert repeated.headers["location"].startswith("/error?")
    assert idp_browser.get("/newPassword", params={"txn": "x" * 5000}).status_code == 400
    assert idp_browser.get("/mfa").status_code == 400


def test_oversized_bodies_are_refused(hosted_pool: HostedPool) -> None:
    url = f"{hosted_pool.base_url}/oauth2/token"
    huge = httpx.post(url, data={"grant_type": "refresh_token", "refresh_token": "x" * 2_000_000})
    assert huge.status_code == 413
    long_value = httpx.post(
        url,
        data={
            "grant_type": "refresh_token",
            "client_id": hosted_pool.billing.client_id,
            "refresh_token": "x" * 50_000,
        },
    )
    assert long_value.json() == {"error": "invalid_request"}


# --- headers -----------------------------------------------------------------------------


def test_security_headers_on_pages_and_json(hosted_pool: HostedPool, idp_browser: Browser) -> None:
    page = idp_browser.follow(idp_browser.authorize(hosted_pool.billing))
    token = httpx.post(f"{hosted_pool.base_url}/oauth2/token", data={})
    for response in (page, token):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"
    assert 'lang="en"' in page.text and 'name="viewport"' in page.text
    assert '<label for="username">' in page.text and '<label for="password">' in page.text
    css = idp_browser.get("/static/style.css")
    assert css.status_code == 200
    assert ":focus-visible" in css.text


# --- discovery and JWKS ------------------------------------------------------------------


def test_discovery_document_and_jwks(hosted_pool: HostedPool) -> None:
    base = hosted_pool.base_url
    doc = httpx.get(f"{hosted_pool.issuer}/.well-known/openid-configuration").json()
    assert set(doc) == DISCOVERY_KEYS
    assert doc["issuer"] == hosted_pool.issuer
    assert doc["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{base}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{base}/oauth2/userInfo"
    assert doc["end_session_endpoint"] == f"{base}/logout"
    assert doc["jwks_uri"] == f"{hosted_pool.issuer}/.well-known/jwks.json"
    assert doc["response_types_supported"] == ["code", "token"]
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    jwks = httpx.get(doc["jwks_uri"]).json()
    assert len(jwks["keys"]) == 2
    assert {k["alg"] for k in jwks["keys"]} == {"RS256"}
    for path in (
        "/eu-west-1_Nope12345/.well-known/openid-configuration",
        "/eu-west-1_Nope12345/.well-known/jwks.json",
        "/%3Cscript%3E/.well-known/jwks.json",
    ):
        missing = httpx.get(base + path)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/json")
        assert "<script>" not in missing.text


# --- fault injection ---------------------------------------------------------------------


@pytest.fixture
def faults(local_idp: RunningServer) -> object:
    yield f"{local_idp.base_url}/_local/faults"
    httpx.delete(f"{local_idp.base_url}/_local/faults")


def test_fault_error_mode_counts_down(hosted_pool: HostedPool, faults: str) -> None:
    jwks = f"{hosted_pool.issuer}/.well-known/jwks.json"
    set_fault = httpx.post(faults, json={"endpoint": "jwks", "mode": "error", "count": 2})
    assert set_fault.status_code == 200
    assert [httpx.get(jwks).status_code for _ in range(3)] == [500, 500, 200]

    httpx.post(faults, json={"endpoint": "token", "mode": "error"})
    assert httpx.post(f"{hosted_pool.base_url}/oauth2/token", data={}).status_code == 500
    assert httpx.post(f"{hosted_pool.base_url}/oauth2/token", data={}).status_code == 400


def test_authorize_failure_goes_back_to_the_app_with_server_error(
    hosted_pool: HostedPool, idp_browser: Browser, faults: str
) -> None:
    """Reference 2.1: an unexpected failure answers 302 {redirect_uri}?error=server_error."""
    httpx.post(faults, json={"endpoint": "authorize", "mode": "error", "count": 2})
    response = idp_browser.authorize(hosted_pool.billing, state="st-fault")
    assert response.status_code == 302
    assert response.headers["location"] == (
        f"{hosted_pool.billing.redirect_uri}?error=server_error&state=st-fault"
    )
    # an untrusted redirect_uri still never gets a redirect
    foreign = idp_browser.authorize(hosted_pool.billing, redirect_uri="https://evil.example/cb")
    assert foreign.status_code == 500 and "evil.example" not in foreign.headers.get("location", "")


def test_fault_api_error_reaches_boto3(hosted_pool: HostedPool, faults: str) -> None:
    httpx.post(faults, json={"endpoint": "api", "mode": "error", "count": 10})  # boto3 retries
    with pytest.raises(Exception, match="InternalErrorException"):
        hosted_pool.factory.client.describe_user_pool(UserPoolId=hosted_pool.pool_id)
    httpx.delete(faults)
    hosted_pool.factory.client.describe_user_pool(UserPoolId=hosted_pool.pool_id)


def test_fault_drop_closes_the_connection(hosted_pool: HostedPool, faults: str) -> None:
    httpx.post(faults, json={"endpoint": "userInfo", "mode": "drop"})
    url = f"{hosted_pool.base_url}/oauth2/userInfo"
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url, headers={"Authorization": "Bearer x"})
    assert httpx.get(url).status_code == 400


def test_fault_hang_makes_clients_time_out(hosted_pool: HostedPool, faults: str) -> None:
    httpx.post(faults, json={"endpoint": "discovery", "mode": "hang", "seconds": 2})
    url = f"{hosted_pool.issuer}/.well-known/openid-configuration"
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, timeout=0.3)
    assert httpx.get(url).status_code == 200


def test_fault_page_and_clearing(
    hosted_pool: HostedPool, idp_browser: Browser, faults: str
) -> None:
    httpx.post(faults, json={"endpoint": "login", "mode": "error", "count": 5})
    assert len(httpx.get(faults).json()) == 1
    page = idp_browser.follow(idp_browser.authorize(hosted_pool.billing))
    assert page.status_code == 500
    assert "could not complete the request" in page.text
    assert httpx.delete(faults).status_code == 204
    assert httpx.get(faults).json() == []
    assert idp_browser.follow(idp_browser.authorize(hosted_pool.billing)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "nope", "mode": "error"},
        {"endpoint": "token", "mode": "explode"},
        {"endpoint": "token", "mode": "hang", "seconds": -1},
        {"endpoint": "token", "mode": "hang", "seconds": 100000},
        {"endpoint": "token", "mode": "error", "count": 0},
        {"endpoint": "token", "mode": "error", "count": True},
        ["token"],
    ],
)
def test_bad_fault_specs_are_refused(faults: str, body: object) -> None:
    response = httpx.post(faults, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_fault"
    assert httpx.post(faults, content=b"not json").status_code == 400
    assert httpx.get(faults).json() == []


def test_start_page_lists_pools(hosted_pool: HostedPool) -> None:
    page = httpx.get(f"{hosted_pool.base_url}/")
    assert page.status_code == 200
    assert f"{hosted_pool.issuer}/.well-known/openid-configuration" in page.text
    assert httpx.get(f"{hosted_pool.base_url}/nothing-here").status_code == 404


def test_unexpected_failures_answer_a_clean_500(monkeypatch: pytest.MonkeyPatch) -> None:
    # a bug cannot be produced on demand by a real component: break the directory on purpose
    from cognito_sso.local.app import create_app

    app = create_app("http://127.0.0.1:9")
    state = app.extensions["cognito_sso.local"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(state.directory, "client", broken)
    monkeypatch.setattr(state.directory, "pool_exists", broken)
    monkeypatch.setattr(state.directory, "pool", broken)
    client = app.test_client()
    page = client.get("/oauth2/authorize?client_id=abc&redirect_uri=http://localhost/cb")
    assert page.status_code == 500
    assert "secret-internal-detail" not in page.text and "Traceback" not in page.text
    document = client.get("/eu-west-1_Abc123456/.well-known/openid-configuration")
    assert (document.status_code, document.get_json()) == (500, {"error": "server_error"})
