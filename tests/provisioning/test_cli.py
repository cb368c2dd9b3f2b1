"""`cognito-sso provision ...` through `cognito_sso.provisioning.cli.main` against the local IdP."""

from __future__ import annotations

import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import make_cognito_client
from cognito_sso.provisioning.cli import main
from tests.provisioning.conftest import DEMO_SPEC, spec_variant
from tests.provisioning.scripted_aws import Answer, error, scripted_cognito


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*argv: str, stdin: str = "") -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return Run(code, out.getvalue(), err.getvalue())


def test_validate_ok_and_invalid(tmp_path: Path) -> None:
    ok = run("validate", "--spec", str(DEMO_SPEC))
    assert ok.code == 0 and "is valid" in ok.out
    bad = spec_variant(
        tmp_path,
        (
            '[clients.billing]\ngenerate_secret = true\nrefresh_token_validity = "30d"\n'
            'access_token_validity = "5m"',
            '[clients.billing]\ngenerate_secret = true\nrefresh_token_validity = "30d"\n'
            'access_token_validity = "2m"',
        ),
        (
            'callback_urls = ["http://localhost:5001/auth/callback"]',
            'callback_urls = ["http://billing.example.com/auth/callback"]',
        ),
        ('mode = "optional"', 'mode = "off"\ncolour = "blue"'),
    )
    invalid = run("validate", "--spec", str(bad))
    assert invalid.code == 2
    assert "clients.billing.access_token_validity" in invalid.err
    assert "clients.billing.callback_urls[0]" in invalid.err
    assert "pool.mfa.colour: unknown key" in invalid.err
    assert "pool.devices.remember" in invalid.err
    # An invalid spec never reaches the API, even for apply (the endpoint does not exist).
    assert run("apply", "--spec", str(bad), "--endpoint-url", "http://127.0.0.1:9").code == 2


def test_bad_arguments_exit_2() -> None:
    assert run("frobnicate", "--spec", str(DEMO_SPEC)).code == 2
    assert run("plan").code == 2


def test_unreachable_endpoint_fails_cleanly(waits: list[float]) -> None:
    result = run("plan", "--spec", str(DEMO_SPEC), "--endpoint-url", "http://127.0.0.1:9")
    assert result.code == 1
    assert "error:" in result.err and "Traceback" not in result.err


def test_plan_apply_outputs_destroy(fresh_idp: RunningServer, tmp_path: Path) -> None:
    endpoint = ["--endpoint-url", fresh_idp.base_url, "--region", "eu-west-1"]
    spec = ["--spec", str(DEMO_SPEC)]
    outputs = tmp_path / "out" / "sso-demo.json"
    dotenv = tmp_path / "out" / "sso-demo.env"

    fresh = run("plan", *spec, *endpoint)
    assert fresh.code == 0, fresh.err
    assert "+ create pool sso-demo" in fresh.out
    assert "+ create client billing" in fresh.out
    assert "+ create user alice (invitation e-mail)" in fresh.out

    first = run("apply", *spec, *endpoint, "--outputs", str(outputs), "--dotenv", str(dotenv))
    assert first.code == 0, first.err
    assert "creating user pool sso-demo" in first.out
    assert "0 writes" not in first.out
    data = json.loads(outputs.read_text(encoding="utf-8"))
    secrets = [s["client_secret"] for s in data["services"].values()]
    assert all(secrets)
    for path in (outputs, dotenv):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    env = dotenv.read_text(encoding="utf-8")
    assert f"BILLING_COGNITO_CLIENT_ID={data['services']['billing']['client_id']}" in env
    assert f"COGNITO_ISSUER={data['issuer']}" in env

    again = run("apply", *spec, *endpoint, "--outputs", str(outputs))
    assert again.code == 0
    assert "no changes" in again.out and "\n0 writes\n" in again.out
    planned = run("plan", *spec, *endpoint)
    assert planned.code == 0 and "no changes" in planned.out

    shown = run("outputs", *spec, *endpoint, "--outputs", str(outputs))
    assert shown.code == 0
    printed = json.loads(shown.out[shown.out.index("{") :])
    assert printed["services"]["billing"]["client_secret"].startswith("****")
    for result in (first, again, planned, shown):
        for secret in secrets:
            assert secret not in result.out and secret not in result.err
            assert secret[:-4] not in result.out

    cancelled = run("destroy", *spec, *endpoint, stdin="no\n")
    assert cancelled.code == 1 and "cancelled" in cancelled.err
    console = make_cognito_client(fresh_idp.base_url)
    assert len(console.list_user_pools(MaxResults=60)["UserPools"]) == 1

    confirmed = run("destroy", *spec, *endpoint, stdin="sso-demo\n")
    assert confirmed.code == 0, confirmed.err
    assert console.list_user_pools(MaxResults=60)["UserPools"] == []
    assert console.describe_user_pool_domain(Domain="sso-demo-platform")["DomainDescription"] in (
        {},
        None,
    )
    nothing = run("destroy", *spec, *endpoint, "--yes")
    assert nothing.code == 0 and "nothing to destroy" in nothing.out


def test_destroy_honours_deletion_protection(fresh_idp: RunningServer, tmp_path: Path) -> None:
    endpoint = ["--endpoint-url", fresh_idp.base_url]
    protected = spec_variant(
        tmp_path, ("deletion_protection = false", "deletion_protection = true"), name="p"
    )
    out = ["--outputs", str(tmp_path / "o.json")]
    assert run("apply", "--spec", str(protected), *endpoint, *out).code == 0
    refused = run("destroy", "--spec", str(protected), *endpoint, "--yes")
    assert refused.code == 1
    assert "deletion protection" in refused.err
    console = make_cognito_client(fresh_idp.base_url)
    assert len(console.list_user_pools(MaxResults=60)["UserPools"]) == 1

    lifted = run("apply", "--spec", str(DEMO_SPEC), *endpoint, *out)
    assert "deletion_protection: true → false" in lifted.out
    assert run("destroy", "--spec", str(DEMO_SPEC), *endpoint, "--yes").code == 0
    assert console.list_user_pools(MaxResults=60)["UserPools"] == []


def assert_one_line_error(result: Run, *expected: str) -> None:
    assert result.code == 1
    assert "Traceback" not in result.err
    first = result.err.splitlines()[0]
    assert first.startswith("error: ")
    for text in expected:
        assert text in first, first


def test_no_credentials_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = run("plan", "--spec", str(DEMO_SPEC), "--region", "eu-west-1")
    assert_one_line_error(result, "no usable AWS credentials", "--profile")
    assert "(AWS eu-west-1)" in result.out  # default AWS endpoint, no --endpoint-url


def test_unknown_profile_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    result = run("plan", "--spec", str(DEMO_SPEC), "--profile", "nope")
    assert_one_line_error(result, "nope")


def test_access_denied_is_explained(waits: list[float]) -> None:
    denied = error("AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized")
    with scripted_cognito({"ListUserPools": [denied]}) as (url, script):
        result = run("plan", "--spec", str(DEMO_SPEC), "--endpoint-url", url)
    assert_one_line_error(result, "ListUserPools failed: AccessDeniedException", "permission")
    assert script.calls == ["ListUserPools"]  # not retried


def test_failure_during_apply_says_how_to_continue(waits: list[float]) -> None:
    pool = {"Id": "eu-west-1_AbC", "Arn": "arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_AbC"}
    answers: dict[str, list[Answer]] = {
        "ListUserPools": [(200, {"UserPools": []})],
        "DescribeUserPoolDomain": [(200, {"DomainDescription": {}})],
        "CreateUserPool": [(200, {"UserPool": pool})],
        "SetUserPoolMfaConfig": [error("AccessDeniedException", "not authorized")],
    }
    with scripted_cognito(answers) as (url, _):
        result = run("apply", "--spec", str(DEMO_SPEC), "--endpoint-url", url)
    assert_one_line_error(result, "SetUserPoolMfaConfig failed")
    assert "2 write call(s) were sent before it stopped; run apply again" in result.err
    assert "creating user pool sso-demo" in result.out


def test_unreachable_endpoint_names_it(waits: list[float]) -> None:
    result = run("plan", "--spec", str(DEMO_SPEC), "--endpoint-url", "http://127.0.0.1:9")
    assert_one_line_error(result, "cannot reach Cognito at http://127.0.0.1:9")


def test_refused_plan_is_an_error(fresh_idp: RunningServer, tmp_path: Path) -> None:
    endpoint = ["--endpoint-url", fresh_idp.base_url]
    assert (
        run("apply", "--spec", str(DEMO_SPEC), *endpoint, "--outputs", str(tmp_path / "o")).code
        == 0
    )
    changed = spec_variant(tmp_path, ("case_sensitive = false", "case_sensitive = true"))
    planned = run("plan", "--spec", str(changed), *endpoint)
    assert planned.code == 1 and "(create-only)" in planned.out
    refused = run("apply", "--spec", str(changed), *endpoint)
    assert_one_line_error(refused, "refusing to apply")
    assert "pool sso-demo: sign_in.case_sensitive can only be set when" in refused.err
    assert "write call(s)" not in refused.err


def test_destroy_deletes_a_custom_domain_first(waits: list[float]) -> None:
    pool_id = "eu-west-1_AbC"
    owned = (200, {"DomainDescription": {"UserPoolId": pool_id, "Status": "ACTIVE"}})
    answers: dict[str, list[Answer]] = {
        "ListUserPools": [(200, {"UserPools": [{"Id": pool_id, "Name": "sso-demo"}]})],
        # AWS reports a custom domain under CustomDomain, a prefix under Domain.
        "DescribeUserPool": [
            (200, {"UserPool": {"Id": pool_id, "CustomDomain": "auth.example.com"}})
        ],
        "DescribeUserPoolDomain": [owned],
        "DeleteUserPoolDomain": [(200, {})],
        "DeleteUserPool": [(200, {})],
    }
    with scripted_cognito(answers) as (url, script):
        result = run("destroy", "--spec", str(DEMO_SPEC), "--endpoint-url", url, "--yes")
    assert result.code == 0, result.err
    deleted = [p["Domain"] for op, p in script.requests if op == "DeleteUserPoolDomain"]
    assert sorted(deleted) == ["auth.example.com", "sso-demo-platform"]
    assert script.calls[-1] == "DeleteUserPool"
