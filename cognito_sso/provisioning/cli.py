"""`cognito-sso provision validate|plan|apply|outputs|destroy`.

Exit codes: 0 ok, 1 failed, 2 invalid spec (or bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import botocore.exceptions

from cognito_sso.provisioning import api
from cognito_sso.provisioning.aws import Connection
from cognito_sso.provisioning.outputs import default_outputs_path
from cognito_sso.provisioning.spec import Spec

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID_SPEC = 2


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ArgumentError(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `cognito-sso provision`."""
    parser = _Parser(
        prog="cognito-sso provision",
        description="Provision a Cognito user pool, its domain, groups, app clients and users "
        "from a TOML spec.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    helps = {
        "validate": "check the spec (no API calls)",
        "plan": "show what apply would change",
        "apply": "create/update the pool to match the spec and write the outputs file",
        "outputs": "write the outputs file for an existing pool",
        "destroy": "delete the pool (asks for confirmation unless --yes)",
    }
    for name, text in helps.items():
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("--spec", required=True, type=Path, help="the pool spec (TOML)")
        if name == "validate":
            continue
        cmd.add_argument("--endpoint-url", help="cognito-idp endpoint (e.g. the local IdP)")
        cmd.add_argument("--region", help="AWS region (default: boto3's resolution)")
        cmd.add_argument("--profile", help="AWS profile (default: boto3's resolution)")
        if name in ("apply", "outputs"):
            cmd.add_argument(
                "--outputs",
                type=Path,
                help="outputs JSON path (default: next to the spec, <spec name>.outputs.json)",
            )
            cmd.add_argument("--dotenv", type=Path, help="also write a dotenv file here")
        if name == "destroy":
            cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run `cognito-sso provision` with `argv` (the arguments after `provision`)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    inp = stdin or sys.stdin

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    def fail(line: str) -> None:
        print(f"error: {line}", file=err, flush=True)

    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except _ArgumentError as exc:
        fail(
            f"{exc}\nusage: cognito-sso provision {{validate,plan,apply,outputs,destroy}} "
            "--spec FILE [--endpoint-url URL] [--region R] [--profile P]"
        )
        return EXIT_INVALID_SPEC
    try:
        spec = api.load_spec(args.spec)
    except api.SpecError as exc:
        fail(f"invalid spec {args.spec} ({len(exc.problems)} problem(s)):")
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return EXIT_INVALID_SPEC
    if args.command == "validate":
        say(
            f"spec {args.spec} is valid: pool {spec.pool.name}, {len(spec.groups)} group(s), "
            f"{len(spec.clients)} client(s), {len(spec.users)} user(s), "
            f"{len(spec.identity_providers)} identity provider(s)"
        )
        return EXIT_OK
    conn: Connection | None = None
    try:
        conn = api.connect(
            endpoint_url=args.endpoint_url, region=args.region, profile=args.profile, notice=say
        )
        where = conn.endpoint_url or f"AWS {conn.region}" + (
            f", profile {args.profile}" if args.profile else ""
        )
        say(f"user pool {spec.pool.name} ({where})")
        return _COMMANDS[args.command](conn, spec, args, say, _confirmer(inp, out, spec))
    except (
        api.ProvisioningError,
        botocore.exceptions.BotoCoreError,
        botocore.exceptions.ClientError,
        OSError,
    ) as exc:
        fail(failure_message(exc, conn.endpoint_url if conn else args.endpoint_url))
    except KeyboardInterrupt:
        fail("interrupted")
    if conn is not None and conn.writes.count and args.command == "apply":
        fail(
            f"{conn.writes.count} write call(s) were sent before it stopped; run apply again to "
            "continue (it starts from the current state)"
        )
    return EXIT_FAILED


_CREDENTIAL_ERRORS = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
    botocore.exceptions.CredentialRetrievalError,
    botocore.exceptions.TokenRetrievalError,
    botocore.exceptions.SSOError,
)
_CONNECTION_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
)
# Error codes that mean "who you are" or "what you may do" rather than a provisioning problem.
_IDENTITY_HINTS = {
    "AccessDeniedException": "the AWS identity in use lacks this cognito-idp permission",
    "UnrecognizedClientException": "the AWS credentials are not valid",
    "InvalidSignatureException": "the AWS secret key does not match the access key",
    "ExpiredTokenException": "the AWS session credentials have expired: renew them",
}


def failure_message(exc: BaseException, endpoint_url: str | None) -> str:
    """One line (no traceback) explaining an expected failure."""
    if isinstance(exc, _CREDENTIAL_ERRORS):
        return (
            f"no usable AWS credentials ({exc}). Configure them with `aws configure`, "
            "AWS_PROFILE or --profile (for SSO profiles: `aws sso login`), or pass "
            "--endpoint-url for the local IdP"
        )
    if isinstance(exc, _CONNECTION_ERRORS):
        where = endpoint_url or "AWS"
        return f"cannot reach Cognito at {where}: {exc}"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code"))
        line = f"{exc.operation_name} failed: {code}: {error.get('Message')}"
        hint = _IDENTITY_HINTS.get(code)
        return f"{line} ({hint})" if hint else line
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"AWS SDK error: {exc}"
    return str(exc)


Say = Callable[[str], None]
Confirm = Callable[[str], bool]


def _confirmer(inp: TextIO, out: TextIO, spec: Spec) -> Confirm:
    def confirm(pool_id: str) -> bool:
        print(
            f"This deletes user pool {spec.pool.name} ({pool_id}) with all its users, groups "
            f"and app clients.\nType the pool name ({spec.pool.name}) to confirm: ",
            end="",
            file=out,
            flush=True,
        )
        answer = inp.readline()
        return answer.strip() == spec.pool.name

    return confirm


def _plan(conn: Connection, spec: Spec, args: argparse.Namespace, say: Say, _: Confirm) -> int:
    plan = api.plan(conn, spec, progress=say)
    for line in api.render_plan(plan):
        say(line)
    if plan.blocking:
        say("apply would refuse this plan (see the ! lines above)")
        return EXIT_FAILED
    return EXIT_OK


def _write_outputs(
    conn: Connection, spec: Spec, args: argparse.Namespace, say: Say
) -> dict[str, Any]:
    """Write the outputs file(s); returns the document with its secrets masked."""
    path = args.outputs or default_outputs_path(args.spec)
    data = api.write_outputs_for(conn, spec, path, dotenv_path=args.dotenv)
    say(f"outputs written to {path} (mode 0600)" + (f" and {args.dotenv}" if args.dotenv else ""))
    shown: dict[str, Any] = api.masked(data.to_json())
    for name, service in shown["services"].items():
        say(f"  {name}: client_id={service['client_id']} client_secret={service['client_secret']}")
    return shown


def _apply(conn: Connection, spec: Spec, args: argparse.Namespace, say: Say, _: Confirm) -> int:
    result = api.apply(conn, spec, progress=say)  # ReplacementRequired: reported by main()
    say(f"{result.writes} writes")
    _write_outputs(conn, spec, args, say)
    return EXIT_OK


def _outputs(conn: Connection, spec: Spec, args: argparse.Namespace, say: Say, _: Confirm) -> int:
    say(json.dumps(_write_outputs(conn, spec, args, say), indent=2))
    return EXIT_OK


def _destroy(
    conn: Connection, spec: Spec, args: argparse.Namespace, say: Say, confirm: Confirm
) -> int:
    deleted = api.destroy(
        conn, spec, confirm=(lambda _: True) if args.yes else confirm, progress=say
    )
    if deleted:
        say(f"destroyed user pool {spec.pool.name}; {conn.writes.count} writes")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[Connection, Spec, argparse.Namespace, Say, Confirm], int]] = {
    "plan": _plan,
    "apply": _apply,
    "outputs": _outputs,
    "destroy": _destroy,
}

if __name__ == "__main__":
    sys.exit(main())
