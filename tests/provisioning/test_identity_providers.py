"""`[identity_providers.NAME]` (issue 18): validation, then plan/apply/drift of OIDC, SAML and
Google providers against the local IdP (it stores every type; signing in through SAML and
Google is not emulated, which provisioning does not need). Secrets never reach a plan."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import make_cognito_client
from cognito_sso.outputs import load_outputs
from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.plan import DELETE, REPLACE
from cognito_sso.provisioning.spec import SpecError, parse_spec
from tests.provisioning.conftest import DEMO_SPEC
from tests.provisioning.test_drift_and_replace import fields_of

SECRET = "corp-client-secret-0123456789abcdef"
GOOGLE_SECRET = "google-client-secret-0123456789abcdef"
PROVIDERS = """
[identity_providers.Corp]
type = "oidc"
issuer = "https://idp.example.com"
client_id = "corp-client"
client_secret_env = "CORP_CLIENT_SECRET"   # the secret comes from the environment
scopes = ["openid", "email", "profile"]
attributes_request_method = "GET"
[identity_providers.Corp.attribute_mapping]
email = "email"
name = "name"

[identity_providers.Partner]
type = "saml"
metadata_file = "partner-metadata.xml"
idp_sign_out = true
[identity_providers.Partner.attribute_mapping]
email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"

[identity_providers.Google]
type = "google"
client_id = "1234.apps.googleusercontent.com"
client_secret_env = "GOOGLE_CLIENT_SECRET"
[identity_providers.Google.attribute_mapping]
email = "email"
"""
METADATA = '<EntityDescriptor entityID="https://partner.example.com/"></EntityDescriptor>\n'


def federated_spec_text(providers: str = PROVIDERS, billing: str = "") -> str:
    # the demo spec without its own provider (ExampleCorp): these tests declare theirs
    text = DEMO_SPEC.read_text(encoding="utf-8").split("# --- Federation ---", 1)[0]
    text = text.replace('["COGNITO", "ExampleCorp"]', '["COGNITO"]')
    offered = billing or '"COGNITO", "Corp", "Partner", "Google"'
    text = text.replace('identity_providers = ["COGNITO"]', f"identity_providers = [{offered}]", 1)
    return text + providers


def write_spec(tmp_path: Path, text: str, name: str = "federated") -> Path:
    (tmp_path / "partner-metadata.xml").write_text(METADATA, encoding="utf-8")
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORP_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", GOOGLE_SECRET)


# -- validation -----------------------------------------------------------------------------
def test_every_provider_type_validates(tmp_path: Path) -> None:
    spec = api.load_spec(write_spec(tmp_path, federated_spec_text()))
    corp, partner, google = spec.identity_providers
    assert (corp.api_type, corp.issuer, corp.client_secret_env) == (
        "OIDC",
        "https://idp.example.com",
        "CORP_CLIENT_SECRET",
    )
    assert dict(corp.attribute_mapping) == {"email": "email", "name": "name"}
    assert (partner.api_type, partner.metadata, partner.idp_sign_out) == ("SAML", METADATA, True)
    assert (google.api_type, google.scopes) == ("Google", ("openid", "email", "profile"))
    assert spec.clients[0].identity_providers == ("COGNITO", "Corp", "Partner", "Google")


def problems_of(text: str, base_dir: Path) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        parse_spec(tomllib.loads(text), base_dir=base_dir)
    return {p.key: p.message for p in info.value.problems}


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (
            ('issuer = "https://idp.example.com"', 'issuer = "http://idp.example.com"'),
            "identity_providers.Corp.issuer",
            "http:// is allowed only for loopback",
        ),
        (
            ('client_secret_env = "CORP_CLIENT_SECRET"', 'client_secret = "s3cr3t"'),
            "identity_providers.Corp.client_secret",
            "a secret never goes in the spec",
        ),
        (
            ('client_secret_env = "CORP_CLIENT_SECRET"', 'client_secret_env = "not a name"'),
            "identity_providers.Corp.client_secret_env",
            "does not match",
        ),
        (
            ('scopes = ["openid", "email", "profile"]', 'scopes = ["email"]'),
            "identity_providers.Corp.scopes",
            "must include openid",
        ),
        (
            ("[identity_providers.Google]", "[identity_providers.Gmail]"),
            "identity_providers.Gmail",
            "a Google provider must be called Google",
        ),
        (
            ('metadata_file = "partner-metadata.xml"', 'metadata_file = "missing.xml"'),
            "identity_providers.Partner.metadata_file",
            "cannot read",
        ),
        (
            ('metadata_file = "partner-metadata.xml"', ""),
            "identity_providers.Partner",
            "exactly one of metadata_url or metadata_file",
        ),
        (
            ('name = "name"\n', 'nmae = "name"\n'),
            "identity_providers.Corp.attribute_mapping.nmae",
            "is not a user pool attribute",
        ),
        (
            ('attributes_request_method = "GET"', 'attributes_request_methd = "GET"'),
            "identity_providers.Corp.attributes_request_methd",
            "did you mean attributes_request_method?",
        ),
        (
            ('type = "oidc"', 'type = "ldap"'),
            "identity_providers.Corp.type",
            "must be one of oidc, saml, google",
        ),
    ],
)
def test_provider_rules(tmp_path: Path, edit: tuple[str, str], key: str, message: str) -> None:
    text = federated_spec_text()
    assert text.count(edit[0]) == 1
    if edit[0].startswith("[identity_providers.Google]"):
        text = text.replace('"Google"]', '"Gmail"]')
    write_spec(tmp_path, "")
    assert message in problems_of(text.replace(*edit), tmp_path)[key]


def test_loopback_issuer_allowed_and_clients_name_only_known_providers(tmp_path: Path) -> None:
    write_spec(tmp_path, "")
    text = federated_spec_text().replace("https://idp.example.com", "http://127.0.0.1:9229/p")
    parse_spec(tomllib.loads(text), base_dir=tmp_path)  # http on loopback is fine
    problems = problems_of(federated_spec_text(billing='"COGNITO", "Okta"'), tmp_path)
    assert "'Okta' is not a provider" in problems["clients.billing.identity_providers"]


# -- plan, apply, drift against the local IdP -----------------------------------------------
def describe(conn: Connection, pool_id: str, name: str) -> dict[str, Any]:
    provider = conn.client.describe_identity_provider(UserPoolId=pool_id, ProviderName=name)
    return dict(provider["IdentityProvider"])


def test_apply_creates_each_type_and_never_shows_a_secret(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path, secrets: None
) -> None:
    spec = api.load_spec(write_spec(tmp_path, federated_spec_text()))
    lines: list[str] = []
    first = api.apply(conn, spec, progress=lines.append)
    assert first.operations.count("CreateIdentityProvider") == 3
    # providers exist before the client that offers them
    assert first.operations.index("CreateIdentityProvider") < first.operations.index(
        "CreateUserPoolClient"
    )
    shown = "\n".join(lines)
    assert "+ create identity provider Corp" in shown
    assert 'client_secret = "$CORP_CLIENT_SECRET"' in shown
    assert SECRET not in shown and GOOGLE_SECRET not in shown

    corp = describe(conn, first.pool_id, "Corp")
    assert corp["ProviderType"] == "OIDC"
    assert corp["ProviderDetails"] == {
        "client_id": "corp-client",
        "client_secret": SECRET,
        "authorize_scopes": "openid email profile",
        "oidc_issuer": "https://idp.example.com",
        "attributes_request_method": "GET",
    }
    assert corp["AttributeMapping"] == {"email": "email", "name": "name"}
    partner = describe(conn, first.pool_id, "Partner")
    assert partner["ProviderType"] == "SAML"
    assert partner["ProviderDetails"] == {"IDPSignout": "true", "MetadataFile": METADATA}
    google = describe(conn, first.pool_id, "Google")
    assert google["ProviderDetails"]["client_secret"] == GOOGLE_SECRET

    again = api.apply(conn, spec)
    assert again.writes == 0
    assert api.render_plan(api.plan(conn, spec)) == ["no changes"]

    api.write_outputs_for(conn, spec, tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["services"]["billing"]["identity_providers"] == [
        "COGNITO",
        "Corp",
        "Partner",
        "Google",
    ]
    assert data["services"]["reports"]["identity_providers"] == ["COGNITO"]
    config = load_outputs(tmp_path / "out.json", "billing")
    assert config["COGNITO_IDENTITY_PROVIDERS"] == ["COGNITO", "Corp", "Partner", "Google"]


def test_drift_is_repaired_and_a_changed_secret_is_named_not_shown(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path, secrets: None
) -> None:
    spec = api.load_spec(write_spec(tmp_path, federated_spec_text()))
    pool_id = api.apply(conn, spec).pool_id
    console = make_cognito_client(fresh_idp.base_url)
    details = describe(conn, pool_id, "Corp")["ProviderDetails"]
    console.update_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderDetails={
            **details,
            "client_secret": "console-secret",
            "authorize_scopes": "openid",
        },
        AttributeMapping={"email": "email"},
    )
    plan = api.plan(conn, spec)
    assert fields_of(plan, "identity provider", "Corp") == {
        "client_secret": ("(another secret)", "$CORP_CLIENT_SECRET"),
        "scopes": (["openid"], ["email", "openid", "profile"]),
        "attribute_mapping": ({"email": "email"}, {"email": "email", "name": "name"}),
    }
    rendered = "\n".join(api.render_plan(plan))
    assert "console-secret" not in rendered and SECRET not in rendered
    assert api.apply(conn, spec).operations == ["UpdateIdentityProvider"]
    assert describe(conn, pool_id, "Corp")["ProviderDetails"]["client_secret"] == SECRET
    assert api.apply(conn, spec).writes == 0


def test_without_the_secret_plan_skips_it_and_creating_is_refused(
    fresh_idp: RunningServer,
    conn: Connection,
    tmp_path: Path,
    secrets: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = api.load_spec(write_spec(tmp_path, federated_spec_text()))
    pool_id = api.apply(conn, spec).pool_id
    monkeypatch.delenv("CORP_CLIENT_SECRET")
    # An existing provider: the secret is not compared, an update keeps the one it has.
    assert api.render_plan(api.plan(conn, spec)) == ["no changes"]
    changed = api.load_spec(
        write_spec(
            tmp_path,
            federated_spec_text().replace('name = "name"\n', 'name = "name"\nlocale = "locale"\n'),
            name="changed",
        )
    )
    assert api.apply(conn, changed).operations == ["UpdateIdentityProvider"]
    assert describe(conn, pool_id, "Corp")["ProviderDetails"]["client_secret"] == SECRET
    # A new provider cannot be created without it: refused before any write.
    renamed = federated_spec_text().replace("Corp", "Acme")
    other = api.load_spec(write_spec(tmp_path, renamed, name="other"))
    before = conn.writes.count
    with pytest.raises(api.ProvisioningError, match=r"Acme \(\$CORP_CLIENT_SECRET\)"):
        api.apply(conn, other)
    assert conn.writes.count == before


def test_type_change_is_refused_and_remove_deletes(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path, secrets: None
) -> None:
    pool_id = api.apply(conn, api.load_spec(write_spec(tmp_path, federated_spec_text()))).pool_id
    as_saml = federated_spec_text().replace(
        'type = "oidc"\nissuer = "https://idp.example.com"\nclient_id = "corp-client"\n'
        'client_secret_env = "CORP_CLIENT_SECRET"   # the secret comes from the environment\n'
        'scopes = ["openid", "email", "profile"]\nattributes_request_method = "GET"\n',
        'type = "saml"\nmetadata_url = "https://idp.example.com/saml/metadata"\n',
    )
    plan = api.plan(conn, api.load_spec(write_spec(tmp_path, as_saml, name="saml")))
    change = plan.change("identity provider", "Corp")
    assert change is not None and change.action == REPLACE
    assert fields_of(plan, "identity provider", "Corp")["type"] == ("oidc", "saml")

    removed = federated_spec_text(
        providers=PROVIDERS.replace(
            PROVIDERS[: PROVIDERS.index("[identity_providers.Partner]")],
            "[identity_providers.Corp]\nremove = true\n\n",
        ),
        billing='"COGNITO", "Partner", "Google"',
    )
    spec = api.load_spec(write_spec(tmp_path, removed, name="removed"))
    plan = api.plan(conn, spec)
    assert plan.change("identity provider", "Corp") is not None
    assert plan.change("identity provider", "Corp").action == DELETE  # type: ignore[union-attr]
    rendered = api.render_plan(plan)
    assert "- delete identity provider Corp" in rendered
    assert rendered[-1].startswith("Plan: 0 to create, 1 to update, 1 to delete, 0 refused")
    result = api.apply(conn, spec)
    # the client lets go of the provider before it is deleted
    assert result.operations == ["UpdateUserPoolClient", "DeleteIdentityProvider"]
    names = conn.client.list_identity_providers(UserPoolId=pool_id, MaxResults=60)["Providers"]
    assert sorted(p["ProviderName"] for p in names) == ["Google", "Partner"]
    assert api.apply(conn, spec).writes == 0
