"""`cognito-sso provision ...` through `provisioning.cli.main` against the local IdP."""

from __future__ import annotations

import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path

from local_cognito.server import RunningServer
from local_cognito.testing import make_cognito_client
from provisioning.cli import main
from tests.provisioning.conftest import DEMO_SPEC, spec_variant


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


def test_unreachable_endpoint_fails_cleanly() -> None:
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
