"""Dispatch ``cognito-sso <command> ...`` to the module that implements the command."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from cognito_sso.extras import MissingExtraError

# command -> (module with ``main(argv) -> int``, the extra it needs, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "local": (
        "cognito_sso.local.cli",
        "local",
        "run the local Cognito-compatible identity provider",
    ),
    "provision": (
        "cognito_sso.provisioning.cli",
        "provision",
        "validate, plan, apply or destroy a user pool spec",
    ),
    "demo": ("demo_apps.runner", "local", "local IdP + demo pool + the demo services"),
}

USAGE = (
    "usage: cognito-sso [--version] {"
    + ",".join(COMMANDS)
    + "} [options]\n\ncommands:\n"
    + "\n".join(f"  {name:<10} {help_}" for name, (_, _, help_) in COMMANDS.items())
)

DEMO_NOT_FOUND = (
    "cognito-sso demo: the demo services are not part of the installed package; "
    "run it from a clone of the repository (make demo)"
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
    module = _load(command)
    if module is None:
        return 1
    run: Callable[[list[str]], int] = module.main
    return run(rest)


def _load(command: str) -> ModuleType | None:
    module_name, extra, _ = COMMANDS[command]
    if module_name.startswith("demo_apps.") and not _demo_importable():
        print(DEMO_NOT_FOUND, file=sys.stderr)
        return None
    try:
        return importlib.import_module(module_name)
    except MissingExtraError as exc:
        print(f"cognito-sso {command}: {exc}", file=sys.stderr)
        return None
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in {"cognito_sso", "demo_apps"}:
            raise
        print(
            f"cognito-sso {command}: a dependency is missing ({exc.name}); "
            f"install the extra: pip install 'cognito-sso[{extra}]'",
            file=sys.stderr,
        )
        return None


def _demo_importable() -> bool:
    """The demo lives in the repository, not in the wheel: find it from a clone's root."""
    if importlib.util.find_spec("demo_apps") is not None:
        return True
    if (Path.cwd() / "demo_apps" / "runner.py").is_file():
        sys.path.insert(0, str(Path.cwd()))
        return True
    return False
