"""The Python API of provisioning (the CLI is a thin layer over it).

Typical use against the local IdP::

    from cognito_sso.provisioning import api
    spec = api.load_spec("provisioning/pools/sso-demo.toml")
    conn = api.connect(endpoint_url="http://127.0.0.1:9229")
    print("\\n".join(api.render_plan(api.plan(conn, spec))))
    result = api.apply(conn, spec, progress=print)        # ApplyResult(pool_id, plan, writes, ...)
    outputs = api.write_outputs_for(conn, spec, "outputs.json")   # PoolOutputs; file mode 0600

Against AWS, leave out `endpoint_url`: normal boto3 credentials/region resolution applies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cognito_sso.outputs import PoolOutputs, write_outputs
from cognito_sso.provisioning.apply import ApplyResult, ReplacementRequired
from cognito_sso.provisioning.apply import apply as _apply
from cognito_sso.provisioning.aws import Connection, Progress, ProvisioningError, connect, quiet
from cognito_sso.provisioning.outputs import (
    collect_outputs,
    default_outputs_path,
    masked,
    write_dotenv,
)
from cognito_sso.provisioning.plan import Plan, make_plan, render_plan
from cognito_sso.provisioning.spec import Spec, SpecError, load_spec
from cognito_sso.provisioning.state import find_pool_id, read_state

__all__ = [
    "ApplyResult",
    "Connection",
    "Plan",
    "PoolOutputs",
    "ProvisioningError",
    "ReplacementRequired",
    "Spec",
    "SpecError",
    "apply",
    "connect",
    "default_outputs_path",
    "destroy",
    "load_spec",
    "masked",
    "outputs",
    "plan",
    "render_plan",
    "write_outputs_for",
]


def plan(conn: Connection, spec: Spec, *, progress: Progress = quiet) -> Plan:
    """Compare the spec with the pool's current state (read-only)."""
    return make_plan(conn, spec, progress)


def apply(conn: Connection, spec: Spec, *, progress: Progress = quiet) -> ApplyResult:
    """Bring the pool in line with the spec; `result.writes` counts the write calls made."""
    return _apply(conn, spec, progress=progress)


def outputs(conn: Connection, spec: Spec) -> PoolOutputs:
    """The outputs document for the spec's existing pool (read-only)."""
    state = read_state(conn, spec)
    if state is None:
        raise ProvisioningError(f"user pool {spec.pool.name!r} does not exist yet: run apply")
    return collect_outputs(conn, spec, state)


def write_outputs_for(
    conn: Connection,
    spec: Spec,
    path: str | Path,
    *,
    dotenv_path: str | Path | None = None,
) -> PoolOutputs:
    """Read the outputs and write them to `path` (JSON; `default_outputs_path(spec_file)` puts
    it next to the spec) and optionally `dotenv_path`, atomically with mode 0600."""
    data = outputs(conn, spec)
    write_outputs(path, data)
    if dotenv_path:
        write_dotenv(Path(dotenv_path), data)
    return data


def destroy(
    conn: Connection,
    spec: Spec,
    *,
    confirm: Callable[[str], bool],
    progress: Progress = quiet,
) -> bool:
    """Delete the spec's pool (domain first). Refuses when deletion protection is on; asks
    `confirm(pool_id)` before deleting. Returns False when there was nothing to delete."""
    pool_id = find_pool_id(conn, spec.pool.name)
    if pool_id is None:
        progress(f"user pool {spec.pool.name!r} does not exist: nothing to destroy")
        return False
    pool = conn.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    if pool.get("DeletionProtection") == "ACTIVE":
        raise ProvisioningError(
            f"user pool {spec.pool.name} ({pool_id}) has deletion protection on: set "
            "pool.deletion_protection = false in the spec, apply, then destroy"
        )
    if not confirm(pool_id):
        raise ProvisioningError("destroy cancelled: nothing was deleted")
    # AWS refuses to delete a pool that still has a domain (prefix or custom).
    domains = {d for d in (pool.get("Domain"), pool.get("CustomDomain"), spec.domain_prefix) if d}
    for domain in sorted(domains):
        owner = conn.client.describe_user_pool_domain(Domain=domain).get("DomainDescription", {})
        if owner.get("UserPoolId") == pool_id:
            progress(f"  deleting domain {domain}")
            conn.client.delete_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    progress(f"  deleting user pool {spec.pool.name} ({pool_id})")
    conn.client.delete_user_pool(UserPoolId=pool_id)
    return True
