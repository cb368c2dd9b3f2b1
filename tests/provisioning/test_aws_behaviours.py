"""Provisioning against AWS behaviours the local IdP lacks, played by a proxy in front of it:
MFA as one field (UpdateUserPool resets it, cannot turn it on) and an issuer whose host is not
the API endpoint's (both AWS issuer forms)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cognito_sso.local.server import RunningServer
from cognito_sso.outputs import load_outputs
from cognito_sso.provisioning import api, discovery
from cognito_sso.provisioning.aws import Connection, WriteCounter
from cognito_sso.provisioning.outputs import dotenv_text
from tests.provisioning.aws_double import IssuerHost, OneMfaField
from tests.provisioning.conftest import DEMO_SPEC, spec_variant
from tests.provisioning.scripted_aws import proxied_cognito

MFA_OFF = (
    ('mode = "optional"\ntotp = true', 'mode = "off"\ntotp = false'),
    ('remember = "user_opt_in"\nchallenge_required_on_new_device = true', 'remember = "off"'),
)
LONGER_PASSWORDS = (("minimum_length = 8", "minimum_length = 10"),)


@pytest.fixture
def mfa() -> OneMfaField:
    return OneMfaField()


@pytest.fixture(params=["aws double", "local IdP"])
def aws_like(
    request: pytest.FixtureRequest, fresh_idp: RunningServer, mfa: OneMfaField
) -> Iterator[Connection]:
    """The AWS double in front of the local IdP, and the local IdP itself (one MFA mode too)."""
    if request.param == "local IdP":
        yield api.connect(endpoint_url=fresh_idp.base_url, region="eu-west-1")
        return
    with proxied_cognito(fresh_idp.base_url.rstrip("/"), on_call=mfa) as url:
        yield api.connect(endpoint_url=url, region="eu-west-1")


def mfa_modes(conn: Connection, pool_id: str) -> tuple[str, str]:
    described = conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    got = conn.client.get_user_pool_mfa_config(UserPoolId=pool_id)
    return described["MfaConfiguration"], got["MfaConfiguration"]


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        ([(), LONGER_PASSWORDS], "OPTIONAL"),  # create, then change another pool field
        ([MFA_OFF, LONGER_PASSWORDS], "OPTIONAL"),  # turn MFA on together with other changes
        ([(), MFA_OFF + LONGER_PASSWORDS], "OFF"),  # turn it off together with other changes
    ],
)
def test_apply_leaves_the_pool_in_the_specs_mfa_mode(
    aws_like: Connection,
    mfa: OneMfaField,
    tmp_path: Path,
    steps: list[tuple[tuple[str, str], ...]],
    final: str,
) -> None:
    for i, changes in enumerate(steps):
        spec = api.load_spec(spec_variant(tmp_path, *changes, name=f"step{i}"))
        result = api.apply(aws_like, spec)
        assert mfa.refused == []
        assert mfa_modes(aws_like, result.pool_id) == (spec.pool.mfa.mode.upper(),) * 2
        assert api.apply(aws_like, spec).writes == 0
    assert mfa_modes(aws_like, result.pool_id) == (final, final)


@pytest.mark.parametrize(
    "host",
    ["cognito-idp.eu-west-1.amazonaws.com", "issuer-cognito-idp.eu-west-1.amazonaws.com"],
)
def test_outputs_carry_the_issuer_discovery_reports(
    fresh_idp: RunningServer, tmp_path: Path, host: str
) -> None:
    """Defect 1 of issue 14: the issuer was `{endpoint}/{pool}`, whatever the tokens say."""
    with proxied_cognito(fresh_idp.base_url.rstrip("/"), on_get=IssuerHost(host)) as url:
        conn = api.connect(endpoint_url=url, region="eu-west-1")
        spec = api.load_spec(DEMO_SPEC)
        pool_id = api.apply(conn, spec).pool_id
        outputs = api.write_outputs_for(conn, spec, tmp_path / "out.json")
    expected = f"https://{host}/{pool_id}"
    assert outputs.issuer == expected
    assert json.loads((tmp_path / "out.json").read_text())["issuer"] == expected
    assert load_outputs(tmp_path / "out.json", "billing")["COGNITO_ISSUER"] == expected
    assert f"COGNITO_ISSUER={expected}\n" in dotenv_text(outputs)


def local_connection(url: str) -> Connection:
    return Connection(client=None, region="eu-west-1", endpoint_url=url, writes=WriteCounter())


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((404, {"message": "no such pool"}), "answered HTTP 404"),
        ((200, {"jwks_uri": "x"}), "names no issuer"),
        ((200, ["not", "an", "object"]), "names no issuer"),
        (
            (200, {"issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"}),
            "not one of pool",
        ),
        ((200, {"issuer": "http://idp.example.com/eu-west-1_Pool1"}), "https"),
    ],
)
def test_unusable_discovery_is_a_clear_error(
    fresh_idp: RunningServer, answer: tuple[int, object], message: str
) -> None:
    def serve(path: str, forward: object) -> tuple[int, object]:
        return answer

    with proxied_cognito(fresh_idp.base_url.rstrip("/"), on_get=serve) as url:  # type: ignore[arg-type]
        with pytest.raises(api.ProvisioningError, match=message) as info:
            discovery.read_issuer(local_connection(url), "eu-west-1_Pool1")
    assert "/eu-west-1_Pool1/.well-known/openid-configuration" in str(info.value)


def test_unreachable_or_silent_discovery_fails_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(discovery, "DISCOVERY_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(api.ProvisioningError, match=r"cannot read .*Timeout"):
            discovery.read_issuer(local_connection(url), "eu-west-1_Pool1")
    with pytest.raises(api.ProvisioningError, match=r"cannot read .*ConnectError"):
        discovery.read_issuer(local_connection(url), "eu-west-1_Pool1")  # closed now
