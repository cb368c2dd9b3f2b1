"""Pools, app clients and groups beyond the first page of their List call are still found
(ListUserPools / ListUserPoolClients / ListGroups return at most 60 per page)."""

from __future__ import annotations

from cognito_sso.local.server import RunningServer
from cognito_sso.local.testing import make_cognito_client
from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.spec import Spec

FILLERS = 61


def test_pool_clients_and_groups_on_later_pages(
    fresh_idp: RunningServer, conn: Connection, demo_spec: Spec
) -> None:
    console = make_cognito_client(fresh_idp.base_url)
    for i in range(FILLERS):
        console.create_user_pool(PoolName=f"filler-{i:02d}")
    pool_id = api.apply(conn, demo_spec).pool_id
    for i in range(FILLERS):
        console.create_user_pool_client(UserPoolId=pool_id, ClientName=f"filler-{i:02d}")
        console.create_group(UserPoolId=pool_id, GroupName=f"filler-{i:02d}")
    # Recreate the spec's clients and groups so that they come after the fillers.
    for page in console.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 60}
    ):
        for c in page["UserPoolClients"]:
            if not c["ClientName"].startswith("filler-"):
                console.delete_user_pool_client(UserPoolId=pool_id, ClientId=c["ClientId"])
    for group in demo_spec.groups:
        console.delete_group(UserPoolId=pool_id, GroupName=group.name)
    recreated = api.apply(conn, demo_spec)
    assert recreated.pool_id == pool_id
    assert sorted(set(recreated.operations)) == [
        "AdminAddUserToGroup",
        "CreateGroup",
        "CreateUserPoolClient",
    ]

    first_pools = console.list_user_pools(MaxResults=60)["UserPools"]
    first_clients = console.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    first_groups = console.list_groups(UserPoolId=pool_id, Limit=60)["Groups"]
    assert "sso-demo" not in {p["Name"] for p in first_pools}
    assert "billing" not in {c["ClientName"] for c in first_clients["UserPoolClients"]}
    assert "admins" not in {g["GroupName"] for g in first_groups}

    assert api.render_plan(api.plan(conn, demo_spec)) == ["no changes"]
    assert api.apply(conn, demo_spec).writes == 0
    outputs = api.outputs(conn, demo_spec)
    assert outputs.pool_id == pool_id and set(outputs.services) == {"billing", "reports", "audit"}
