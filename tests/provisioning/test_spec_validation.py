"""Spec validation: the demo spec is valid, and each rule has a spec that fails it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.provisioning.spec import Duration, SpecError, load_spec, parse_spec

DEMO = Path(__file__).resolve().parents[2] / "provisioning" / "pools" / "sso-demo.toml"


def demo_data() -> dict[str, Any]:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    found: dict[str, str] = {}
    for p in info.value.problems:
        found[p.key] = f"{found[p.key]} | {p.message}" if p.key in found else p.message
    return found


def test_demo_spec_is_valid_and_complete() -> None:
    spec = load_spec(DEMO)
    pool = spec.pool
    assert pool.name == "sso-demo"
    assert pool.username_attributes == ("email",) and pool.case_sensitive is False
    assert pool.required_attributes == ("email", "name")
    assert pool.password_policy.minimum_length == 8
    assert pool.password_policy.temporary_password_validity_days == 1
    assert pool.admin_only is True
    assert (pool.mfa.mode, pool.mfa.totp, pool.mfa.sms) == ("optional", True, False)
    assert pool.account_recovery == ("verified_email",)
    assert pool.auto_verified_attributes == ("email",)
    assert pool.sms is None
    assert pool.email.sending_account == "COGNITO_DEFAULT"
    assert pool.verification.default_option == "link"
    assert pool.invitation.email_message and "{####}" in pool.invitation.email_message
    assert dict(pool.tags) == {"project": "sso-demo", "cost-centre": "platform"}
    assert pool.devices.remember == "user_opt_in"
    assert spec.domain_prefix == "sso-demo-platform"
    assert [g.name for g in spec.groups] == ["billing", "reports", "admins"]
    assert [c.name for c in spec.clients] == ["billing", "reports", "audit"]
    billing = spec.clients[0]
    assert billing.access_token_validity == Duration(5, "minutes")
    assert billing.refresh_token_validity.seconds == 30 * 86400
    assert billing.callback_urls == ("http://localhost:5001/auth/callback",)
    assert spec.clients[1].logout_urls == ("http://localhost:5002/auth/logged-out",)
    assert {u.email: u.groups for u in spec.users} == {
        "alice@example.com": ("billing", "reports"),
        "bob@example.com": ("reports",),
        "carol@example.com": ("admins",),
    }


def test_unknown_keys_are_reported_with_their_full_key() -> None:
    data = demo_data()
    data["pool"]["password_policy"]["minimum_lenght"] = 10
    data["clients"]["billing"]["acess_token_validity"] = "5m"
    data["colour"] = "blue"
    problems = problems_of(data)
    assert problems["pool.password_policy.minimum_lenght"] == (
        "unknown key; did you mean minimum_length?"
    )
    assert problems["clients.billing.acess_token_validity"] == (
        "unknown key; did you mean access_token_validity?"
    )
    assert problems["colour"] == "unknown key"  # nothing close to suggest


def test_wrong_types_are_reported() -> None:
    data = demo_data()
    data["pool"]["password_policy"]["minimum_length"] = "8"
    data["pool"]["admin_create_user_only"] = "yes"
    data["clients"]["billing"]["callback_urls"] = "http://localhost:5001/auth/callback"
    data["groups"]["admins"]["precedence"] = 1.5
    problems = problems_of(data)
    assert problems["pool.password_policy.minimum_length"] == "expected integer, got string"
    assert problems["pool.admin_create_user_only"] == "expected boolean, got string"
    assert "expected array of strings, got string" in problems["clients.billing.callback_urls"]
    assert problems["groups.admins.precedence"] == "expected integer, got float"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("access_token_validity", "4m"),
        ("access_token_validity", "2d"),
        ("id_token_validity", "1441m"),
        ("refresh_token_validity", "59m"),
        ("refresh_token_validity", "3651d"),
    ],
)
def test_token_validity_out_of_range(key: str, value: str) -> None:
    data = demo_data()
    data["clients"]["reports"][key] = value
    assert "out of range" in problems_of(data)[f"clients.reports.{key}"]


def test_token_validity_malformed_and_longer_than_refresh() -> None:
    data = demo_data()
    data["clients"]["billing"]["access_token_validity"] = "5 minutes"
    data["clients"]["reports"]["refresh_token_validity"] = "60m"
    data["clients"]["reports"]["id_token_validity"] = "2h"
    problems = problems_of(data)
    assert "expected a duration" in problems["clients.billing.access_token_validity"]
    assert "longer than refresh" in problems["clients.reports.id_token_validity"]


@pytest.mark.parametrize(
    "url",
    [
        "http://billing.example.com/auth/callback",
        "http://127.0.0.2/cb",  # loopback, but not one of the hosts Cognito allows http for
        "/auth/callback",
        "https://billing.example.com/cb#frag",
        "http://localhost.example.com/cb",
    ],
)
def test_callback_and_logout_urls_must_be_https_or_loopback(url: str) -> None:
    data = demo_data()
    data["clients"]["billing"]["callback_urls"] = [url]
    data["clients"]["reports"]["logout_urls"] = ["http://localhost:5002/ok", url]
    problems = problems_of(data)
    assert "clients.billing.callback_urls[0]" in problems
    assert "clients.reports.logout_urls[1]" in problems
    assert "clients.reports.logout_urls[0]" not in problems


@pytest.mark.parametrize(
    "url",
    ["https://billing.example.com/cb", "http://127.0.0.1:8000/cb", "http://[::1]/cb", "myapp://cb"],
)
def test_https_and_loopback_http_urls_are_allowed(url: str) -> None:
    data = demo_data()
    data["clients"]["billing"]["callback_urls"] = [url]
    parse_spec(data)


def test_templates_need_their_placeholders() -> None:
    data = demo_data()
    data["pool"]["invitation"]["email_message"] = "Welcome {username}, no password here."
    data["pool"]["verification"]["email_message"] = "Click somewhere to verify."
    problems = problems_of(data)
    assert "{####}" in problems["pool.invitation.email_message"]
    assert "{##Verify Email##}" in problems["pool.verification.email_message"]


def test_code_verification_needs_code_placeholder_and_no_username() -> None:
    data = demo_data()
    data["pool"]["verification"] = {
        "default_option": "code",
        "email_subject": "Your code",
        "email_message": "Hello {username}, verify with {##Verify##}",
    }
    problems = problems_of(data)
    assert "{####}" in problems["pool.verification.email_message"]
    data["pool"]["verification"]["email_message"] = "Hello {username}, your code is {####}"
    assert "not allowed" in problems_of(data)["pool.verification.email_message"]


def test_device_remembering_needs_mfa() -> None:
    data = demo_data()
    data["pool"]["mfa"] = {"mode": "off"}
    problems = problems_of(data)
    assert "needs MFA" in problems["pool.devices.remember"]


def test_sms_mfa_needs_an_sms_role() -> None:
    data = demo_data()
    data["pool"]["mfa"]["sms"] = True
    assert "SMS role" in problems_of(data)["pool.mfa.sms"]
    data["pool"]["sms"] = {"role_arn": "arn:aws:iam::123456789012:role/cognito-sms"}
    parse_spec(data)


def test_developer_email_needs_source_arn() -> None:
    data = demo_data()
    data["pool"]["email"] = {"sending_account": "DEVELOPER", "from": "SSO <no-reply@example.com>"}
    assert "DEVELOPER" in problems_of(data)["pool.email.source_arn"]
    data["pool"]["email"]["source_arn"] = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
    data["pool"]["email"]["reply_to"] = "support@example.com"
    spec = parse_spec(data)
    assert spec.pool.email.sending_account == "DEVELOPER"
    assert spec.pool.email.reply_to == "support@example.com"


def test_every_problem_is_reported_at_once() -> None:
    data = demo_data()
    data["pool"]["mfa"]["sms"] = True
    data["pool"]["email"]["sending_account"] = "DEVELOPER"
    data["clients"]["billing"]["access_token_validity"] = "1m"
    data["clients"]["billing"]["callback_urls"] = ["http://example.com/cb"]
    data["pool"]["invitation"]["email_message"] = "no placeholders at all"
    data["users"]["bob"]["groups"] = ["nobody"]
    data["domain"]["prefix"] = "My_Domain"
    problems = problems_of(data)
    assert {
        "pool.mfa.sms",
        "pool.email.source_arn",
        "clients.billing.access_token_validity",
        "clients.billing.callback_urls[0]",
        "pool.invitation.email_message",
        "users.bob.groups",
        "domain.prefix",
    } <= set(problems)


def test_other_rules() -> None:
    data = demo_data()
    data["pool"]["mfa"] = {"mode": "on"}  # no factor
    data["pool"]["account_recovery"]["mechanisms"] = ["admin_only", "verified_email"]
    data["pool"]["password_policy"]["minimum_length"] = 5
    data["domain"]["prefix"] = "my-cognito-login"
    del data["users"]["carol"]["name"]
    problems = problems_of(data)
    assert "at least one of totp or sms" in problems["pool.mfa.mode"]
    assert "admin_only" in problems["pool.account_recovery.mechanisms"]
    assert "between 6 and 99" in problems["pool.password_policy.minimum_length"]
    assert "cognito" in problems["domain.prefix"]
    assert "required" in problems["users.carol.name"]


def test_missing_pool_table_and_bad_toml(tmp_path: Path) -> None:
    assert "pool" in problems_of({})
    bad = tmp_path / "bad.toml"
    bad.write_text("[pool\nname = 1", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    assert "not valid TOML" in str(info.value)


def test_parse_does_not_mutate_input() -> None:
    data = demo_data()
    before = copy.deepcopy(data)
    parse_spec(data)
    assert data == before


def test_required_attributes_users_cannot_have() -> None:
    data = demo_data()
    data["pool"]["attributes"]["required"] = ["email", "name", "family_name"]
    found = problems_of(data)
    assert (
        "family_name cannot be required while [users] are invited"
        in found["pool.attributes.required"]
    )
    del data["users"]  # without invited users, any standard attribute may be required
    assert parse_spec(data).pool.required_attributes == ("email", "name", "family_name")


def test_issuer_format_and_refresh_token_rotation() -> None:
    data = demo_data()
    data["pool"]["issuer_format"] = "updated"
    data["clients"]["billing"]["refresh_token_rotation"] = True
    data["clients"]["billing"]["refresh_token_grace_period"] = "10s"
    spec = parse_spec(data)
    assert spec.pool.issuer_format == "updated"
    billing, reports, _audit = spec.clients
    assert billing.refresh_token_rotation and billing.refresh_token_grace_period.seconds == 10
    assert not reports.refresh_token_rotation
    assert load_spec(DEMO).pool.issuer_format is None  # not managed unless stated


@pytest.mark.parametrize(
    ("pool", "client", "key", "message"),
    [
        ({"issuer_format": "new"}, {}, "pool.issuer_format", "must be one of original, updated"),
        (
            {},
            {"refresh_token_rotation": "yes"},
            "clients.billing.refresh_token_rotation",
            "boolean",
        ),
        (
            {},
            {"refresh_token_rotation": True, "refresh_token_grace_period": "61s"},
            "clients.billing.refresh_token_grace_period",
            "61s is out of range (0s to 1m)",
        ),
        (
            {},
            {"refresh_token_rotation": True, "refresh_token_grace_period": "10"},
            "clients.billing.refresh_token_grace_period",
            "expected a duration",
        ),
        (
            {},
            {"refresh_token_grace_period": "10s"},
            "clients.billing.refresh_token_grace_period",
            "needs refresh_token_rotation = true",
        ),
    ],
)
def test_issuer_format_and_rotation_rules(
    pool: dict[str, Any], client: dict[str, Any], key: str, message: str
) -> None:
    data = demo_data()
    data["pool"].update(pool)
    data["clients"]["billing"].update(client)
    assert message in problems_of(data)[key]
