"""Dispatch ``cognito-sso <command> ...`` to the module that implements the command."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from collections.abc import Callable, Sequence

# command -> (module with ``main(argv) -> int``, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "local": ("local_cognito.cli", "run the local Cognito-compatible identity provider"),
    "provision": ("provisioning.cli", "validate, plan, apply or destroy a user pool spec"),
    "demo": ("demo_apps.runner", "local IdP + demo pool + both demo services"),
}

_OWN_PACKAGES = {"cognito_sso", "cognito_sso_cli", "local_cognito", "provisioning", "demo_apps"}

USAGE = (
    "usage: cognito-sso [--version] {"
    + ",".join(COMMANDS)
    + "} [options]\n\ncommands:\n"
    + "\n".join(f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items())
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``cognito-sso`` command; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"cognito-sso {importlib.metadata.version('cognito-sso')}")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"cognito-sso: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    module_name, _ = COMMANDS[command]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _OWN_PACKAGES:
            raise
        print(
            f"cognito-sso {command}: a dependency is missing ({exc.name}); "
            "install the extras: pip install 'cognito-sso[local]'",
            file=sys.stderr,
        )
        return 1
    run: Callable[[list[str]], int] = module.main
    return run(rest)
