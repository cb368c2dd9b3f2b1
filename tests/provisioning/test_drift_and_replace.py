"""Drift is detected and repaired; create-only changes are refused; interrupted applies converge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import make_cognito_client
from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection, input_members
from cognito_sso.provisioning.plan import REPLACE, UPDATE
from cognito_sso.provisioning.spec import Spec, load_spec
from tests.provisioning.conftest import DEMO_SPEC, spec_variant


def full_update_pool(client: Any, pool_id: str, **changes: Any) -> None:
    """Like a console edit: send the whole described state with some changes."""
    pool = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    members = input_members(client, "UpdateUserPool")
    request = {k: v for k, v in pool.items() if k in members}
    request.pop("EmailVerificationMessage", None)
    request.pop("EmailVerificationSubject", None)
    request.update(changes)
    request["UserPoolId"] = pool_id
    client.update_user_pool(**request)


def full_update_client(client: Any, pool_id: str, client_id: str, **changes: Any) -> None:
    described = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
        "UserPoolClient"
    ]
    members = input_members(client, "UpdateUserPoolClient")
    request = {k: v for k, v in described.items() if k in members}
    request.update(changes)
    client.update_user_pool_client(**request)


def client_ids(client: Any, pool_id: str) -> dict[str, str]:
    summaries = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    return {c["ClientName"]: c["ClientId"] for c in summaries["UserPoolClients"]}


def fields_of(plan: api.Plan, kind: str, name: str) -> dict[str, tuple[Any, Any]]:
    change = plan.change(kind, name)
    assert change is not None, f"no change planned for {kind} {name}"
    return {f.key: (f.old, f.new) for f in change.fields}


def test_drift_is_detected_and_repaired(
    fresh_idp: RunningServer, conn: Connection, demo_spec: Spec
) -> None:
    pool_id = api.apply(conn, demo_spec).pool_id
    console = make_cognito_client(fresh_idp.base_url)
    arn = console.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    policy = console.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]
    policy["PasswordPolicy"]["MinimumLength"] = 12
    full_update_pool(console, pool_id, Policies=policy)
    console.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    console.untag_resource(ResourceArn=arn, TagKeys=["cost-centre"])
    console.tag_resource(ResourceArn=arn, Tags={"owner": "someone"})
    console.update_group(
        UserPoolId=pool_id, GroupName="reports", Description="edited", Precedence=30
    )
    full_update_client(
        console,
        pool_id,
        client_ids(console, pool_id)["billing"],
        AccessTokenValidity=60,
        CallbackURLs=["http://localhost:5001/auth/callback", "https://evil.example/cb"],
    )
    bob = console.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")["Username"]
    console.admin_remove_user_from_group(UserPoolId=pool_id, Username=bob, GroupName="reports")
    console.admin_add_user_to_group(UserPoolId=pool_id, Username=bob, GroupName="admins")
    console.admin_update_user_attributes(
        UserPoolId=pool_id, Username=bob, UserAttributes=[{"Name": "name", "Value": "Robert"}]
    )

    writes_before_plan = conn.writes.count
    plan = api.plan(conn, demo_spec)
    assert conn.writes.count == writes_before_plan  # plan only reads
    assert not plan.blocking
    pool_fields = fields_of(plan, "pool", "sso-demo")
    assert pool_fields["password_policy.minimum_length"] == (12, 8)
    assert pool_fields["tags"] == (
        {"owner": "someone", "project": "sso-demo"},
        {"cost-centre": "platform", "project": "sso-demo"},
    )
    assert fields_of(plan, "group", "reports") == {
        "description": ("edited", "Can use the reports service")
    }
    client_fields = fields_of(plan, "client", "billing")
    assert client_fields["access_token_validity"] == ("1h", "5m")
    assert client_fields["callback_urls"][1] == ["http://localhost:5001/auth/callback"]
    assert fields_of(plan, "user", "bob") == {
        "name": ("Robert", "Bob Example"),
        "groups": (["admins"], ["reports"]),
    }
    rendered = "\n".join(api.render_plan(plan))
    assert "~ update pool sso-demo" in rendered
    assert "password_policy.minimum_length: 12 → 8" in rendered
    assert 'access_token_validity: "1h" → "5m"' in rendered

    repaired = api.apply(conn, demo_spec)
    assert repaired.writes > 0
    assert "UpdateUserPool" in repaired.operations
    assert "UpdateUserPoolClient" in repaired.operations
    assert api.render_plan(api.plan(conn, demo_spec)) == ["no changes"]
    assert api.apply(conn, demo_spec).writes == 0
    # The repair kept the create-only settings and the MFA factor.
    pool = console.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    mfa = console.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True


def test_mfa_drift_is_repaired(fresh_idp: RunningServer, conn: Connection, demo_spec: Spec) -> None:
    pool_id = api.apply(conn, demo_spec).pool_id
    console = make_cognito_client(fresh_idp.base_url)
    console.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    plan = api.plan(conn, demo_spec)
    assert fields_of(plan, "pool", "sso-demo") == {"mfa.mode": ("on", "optional")}
    result = api.apply(conn, demo_spec)
    assert result.operations == ["SetUserPoolMfaConfig"]
    assert console.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"


def test_spec_change_is_planned_field_by_field_and_applied(
    fresh_idp: RunningServer, conn: Connection, demo_spec: Spec, tmp_path: Path
) -> None:
    api.apply(conn, demo_spec)
    changed = load_spec(
        spec_variant(
            tmp_path,
            ("minimum_length = 8", "minimum_length = 10"),
            ('cost-centre = "platform"', 'cost-centre = "identity"'),
            (
                '[groups.admins]\ndescription = "Administrators of every service"',
                '[groups.admins]\ndescription = "Administrators"',
            ),
            (
                'callback_urls = ["http://localhost:5002/auth/callback"]',
                'callback_urls = ["http://localhost:5002/auth/callback", "https://reports.example.com/auth/callback"]',
            ),
            ('groups = ["reports"]', 'groups = ["reports", "billing"]'),
        )
    )
    plan = api.plan(conn, changed)
    assert [(c.kind, c.name, c.action) for c in plan.changes] == [
        ("pool", "sso-demo", UPDATE),
        ("group", "admins", UPDATE),
        ("client", "reports", UPDATE),
        ("user", "bob", UPDATE),
    ]
    result = api.apply(conn, changed)
    assert sorted(result.operations) == sorted(
        ["UpdateUserPool", "UpdateGroup", "UpdateUserPoolClient", "AdminAddUserToGroup"]
        + (["TagResource"] if "TagResource" in result.operations else [])
    )
    assert api.apply(conn, changed).writes == 0


def test_create_only_change_is_refused(
    fresh_idp: RunningServer, conn: Connection, demo_spec: Spec, tmp_path: Path
) -> None:
    api.apply(conn, demo_spec)
    changed = load_spec(
        spec_variant(
            tmp_path,
            ("case_sensitive = false", "case_sensitive = true"),
            ('required = ["email", "name"]', 'required = ["email"]'),
            ("minimum_length = 8", "minimum_length = 10"),
            (
                "[clients.reports]\ngenerate_secret = true",
                "[clients.reports]\ngenerate_secret = false",
            ),
        )
    )
    plan = api.plan(conn, changed)
    blocking = {(c.kind, c.name): c for c in plan.blocking}
    assert set(blocking) == {("pool", "sso-demo"), ("client", "reports")}
    pool_change = blocking[("pool", "sso-demo")]
    assert pool_change.action == REPLACE
    create_only = {f.key for f in pool_change.fields if f.create_only}
    assert create_only == {"sign_in.case_sensitive", "attributes.required"}
    rendered = "\n".join(api.render_plan(plan))
    assert "! replace required pool sso-demo" in rendered
    assert "sign_in.case_sensitive: false → true  (create-only)" in rendered
    assert "! replace required client reports" in rendered

    before = conn.writes.count
    with pytest.raises(api.ReplacementRequired) as info:
        api.apply(conn, changed)
    assert conn.writes.count == before  # nothing at all was changed
    assert "never does on its own" in str(info.value)
    pool_id = plan.state.pool_id if plan.state else ""
    policy = conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]
    assert policy["PasswordPolicy"]["MinimumLength"] == 8


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("stop_after", [1, 2, 5, 8, 10])
def test_interrupted_apply_converges(
    fresh_idp: RunningServer, conn: Connection, demo_spec: Spec, stop_after: int
) -> None:
    def crash(model: Any, **_: Any) -> None:
        if conn.writes.count >= stop_after:
            raise Interrupted(model.name)

    conn.client.meta.events.register("before-call", crash)
    with pytest.raises(Interrupted):
        api.apply(conn, demo_spec)
    conn.client.meta.events.unregister("before-call", crash)

    api.apply(conn, demo_spec)
    assert api.render_plan(api.plan(conn, demo_spec)) == ["no changes"]
    pools = conn.client.list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools] == ["sso-demo"]
    assert sorted(client_ids(conn.client, pools[0]["Id"])) == ["audit", "billing", "reports"]


def test_unmanaged_account_recovery_is_left_alone(
    fresh_idp: RunningServer, conn: Connection, tmp_path: Path
) -> None:
    spec = load_spec(
        spec_variant(tmp_path, ('[pool.account_recovery]\nmechanisms = ["verified_email"]\n', ""))
    )
    pool_id = api.apply(conn, spec).pool_id
    console = make_cognito_client(fresh_idp.base_url)
    recovery = {"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]}
    full_update_pool(console, pool_id, AccountRecoverySetting=recovery)
    assert api.render_plan(api.plan(conn, spec)) == ["no changes"]
    # A managed change elsewhere keeps it (the full update carries the described setting).
    changed = load_spec(
        spec_variant(
            tmp_path,
            ('[pool.account_recovery]\nmechanisms = ["verified_email"]\n', ""),
            ("minimum_length = 8", "minimum_length = 9"),
            name="changed",
        )
    )
    assert api.apply(conn, changed).operations == ["UpdateUserPool"]
    pool = console.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["AccountRecoverySetting"] == recovery
    assert api.apply(conn, changed).writes == 0


def test_reading_many_users_shows_progress(
    conn: Connection, demo_spec: Spec, tmp_path: Path
) -> None:
    api.apply(conn, demo_spec)
    extra = "".join(
        f'\n[users.u{i}]\nemail = "u{i}@example.com"\nname = "U {i}"\n' for i in range(30)
    )
    path = tmp_path / "many.toml"
    path.write_text(DEMO_SPEC.read_text(encoding="utf-8") + extra, encoding="utf-8")
    lines: list[str] = []
    plan = api.plan(conn, load_spec(path), progress=lines.append)
    assert len([c for c in plan.changes if c.kind == "user"]) == 30
    assert lines[0] == "reading the current state of user pool sso-demo"
    assert "  read 25 of 33 users" in lines
    assert lines[-1].endswith(": 3 of 3 groups, 3 of 3 app clients, 3 of 33 users")
