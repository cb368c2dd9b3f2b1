"""PermissionPolicy and groups_satisfy: exact group matching, unions, validation."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sso.errors import ConfigurationError
from cognito_sso.permissions import PermissionPolicy, groups_satisfy

MAPPING = {
    "billing-admins": ["invoices:create", "invoices:read", "invoices:void"],
    "billing-viewers": ("invoices:read",),
    "reports": {"reports:read"},
    "empty": [],
}


@pytest.fixture
def policy() -> PermissionPolicy:
    return PermissionPolicy(MAPPING)


def test_permissions_are_the_union_of_groups(policy: PermissionPolicy) -> None:
    assert policy.permissions_for(["billing-viewers", "reports"]) == {
        "invoices:read",
        "reports:read",
    }
    assert policy.permissions_for(["billing-admins", "billing-viewers"]) == {
        "invoices:create",
        "invoices:read",
        "invoices:void",
    }
    assert isinstance(policy.permissions_for([]), frozenset)


def test_group_names_are_exact_and_case_sensitive(policy: PermissionPolicy) -> None:
    assert policy.permissions_for(["Billing-Admins"]) == frozenset()
    assert policy.permissions_for(["billing-admins "]) == frozenset()
    assert policy.permissions_for(["billing"]) == frozenset()
    assert policy.permissions_for(["unknown", "empty"]) == frozenset()


def test_known_groups_and_all_permissions(policy: PermissionPolicy) -> None:
    assert policy.known_groups == set(MAPPING)
    assert policy.all_permissions == {
        "invoices:create",
        "invoices:read",
        "invoices:void",
        "reports:read",
    }


def test_has_all_permissions(policy: PermissionPolicy) -> None:
    assert policy.has_all_permissions(["billing-admins"], ["invoices:create", "invoices:read"])
    assert not policy.has_all_permissions(["billing-viewers"], ["invoices:create"])
    assert not policy.has_all_permissions(
        ["billing-viewers", "reports"], ["invoices:read", "invoices:void"]
    )
    assert policy.has_all_permissions(["billing-viewers", "reports"], {"reports:read"})
    assert not policy.has_all_permissions([], ["invoices:read"])
    with pytest.raises(ValueError):
        policy.has_all_permissions(["billing-admins"], [])


@pytest.mark.parametrize(
    ("user", "required", "mode", "expected"),
    [
        (["a", "b"], ["b", "c"], "any", True),
        (["a"], ["b", "c"], "any", False),
        (["a", "b", "c"], ["b", "c"], "all", True),
        (["a", "b"], ["b", "c"], "all", False),
        ([], ["a"], "any", False),
        ([], ["a"], "all", False),
        (["A"], ["a"], "any", False),
        (("x",), frozenset({"x"}), "all", True),
    ],
)
def test_groups_satisfy(user: list[str], required: list[str], mode: Any, expected: bool) -> None:
    assert groups_satisfy(user, required, mode=mode) is expected
    assert PermissionPolicy.groups_satisfy(user, required, mode=mode) is expected


def test_groups_satisfy_refuses_misuse() -> None:
    with pytest.raises(ValueError):
        groups_satisfy(["a"], [], mode="any")
    with pytest.raises(ValueError):
        groups_satisfy(["a"], [], mode="all")
    with pytest.raises(ValueError):
        groups_satisfy(["a"], ["a"], mode="most")
    with pytest.raises(TypeError):
        groups_satisfy("admins", ["a", "d", "m"], mode="any")  # a str is not a group list
    with pytest.raises(TypeError):
        groups_satisfy(["admins"], "admins")


def test_a_bare_string_of_groups_is_refused(policy: PermissionPolicy) -> None:
    with pytest.raises(TypeError):
        policy.permissions_for("reports")


def test_unknown_groups(policy: PermissionPolicy) -> None:
    assert policy.unknown_groups(["billing-admins", "billing-viewers", "reports", "empty"]) == set()
    assert policy.unknown_groups(["billing-admins", "Reports"]) == {
        "billing-viewers",
        "reports",
        "empty",
    }


def test_ungranted_permissions(policy: PermissionPolicy) -> None:
    assert policy.ungranted_permissions(["invoices:read", "invoices:delete"]) == {"invoices:delete"}


def test_policy_is_a_copy(policy: PermissionPolicy) -> None:
    source = {"g": ["p"]}
    copied = PermissionPolicy(source)
    source["g"].append("q")
    assert copied.permissions_for(["g"]) == {"p"}
    assert "g" in repr(copied)


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"admins": "invoices:create"}, "admins"),  # a string, not a list
        ({"admins": None}, "admins"),
        ({"admins": 5}, "admins"),
        ({"admins": [5]}, "admins"),
        ({"admins": [""]}, "admins"),
        ({"admins": ["has space"]}, "admins"),
        ({"admins": [None]}, "admins"),
        ({"": ["p"]}, "group name"),
        ({"two words": ["p"]}, "two words"),
        ({"tab\tbed": ["p"]}, "tab"),
        ({"x" * 129: ["p"]}, "group name"),
        ({5: ["p"]}, "group name"),
    ],
)
def test_invalid_mappings_name_the_bad_entry(mapping: Any, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        PermissionPolicy(mapping)


@pytest.mark.parametrize("mapping", [None, ["admins"], "admins", 42])
def test_mapping_must_be_a_mapping(mapping: Any) -> None:
    with pytest.raises(ConfigurationError):
        PermissionPolicy(mapping)


def test_empty_policy_grants_nothing() -> None:
    policy = PermissionPolicy({})
    assert policy.permissions_for(["anything"]) == frozenset()
    assert policy.known_groups == frozenset()
