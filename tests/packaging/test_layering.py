"""The layering rules of the design, read from the import statements of every module.

- the library core never imports a web framework (only its adapters do);
- the library never imports the tools (cognito_sso.local, .provisioning, .cli) or the demo;
- only one module or subpackage of the local IdP imports moto;
- optional dependencies stay behind their extra's subpackage.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cognito_sso"
TOOLS = ("cognito_sso.local", "cognito_sso.provisioning", "cognito_sso.cli")
ADAPTERS = ("cognito_sso.flask", "cognito_sso.fastapi")
WEB_FRAMEWORKS = ("flask", "werkzeug", "fastapi", "starlette", "quart", "django", "jinja2")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[str]:
    """Absolute names of everything ``path`` imports, at any depth (lazy imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def is_under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
LIBRARY = {n: p for n, p in MODULES.items() if not is_under(n, TOOLS)}
CORE = {n: p for n, p in LIBRARY.items() if not is_under(n, ADAPTERS)}


def offenders(modules: dict[str, Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name} imports {imp}"
        for name, path in modules.items()
        for imp in imported_modules(path)
        if is_under(imp, forbidden)
    )


def test_the_modules_were_found() -> None:
    assert "cognito_sso.verifier" in CORE
    assert "cognito_sso.flask.extension" in LIBRARY
    assert "cognito_sso.flask.extension" not in CORE
    assert "cognito_sso.local.cli" not in LIBRARY


def test_the_core_imports_no_web_framework() -> None:
    assert offenders(CORE, WEB_FRAMEWORKS) == []


def test_the_library_never_imports_the_tools_or_the_demo() -> None:
    assert offenders(LIBRARY, (*TOOLS, "demo_apps")) == []


def test_the_core_needs_no_optional_dependency() -> None:
    # redis only in the Redis store and its invalidation tracker (lazily, naming the extra)
    optional = ("boto3", "botocore", "moto", "joserfc", "pyotp", "segno", "authlib")
    assert offenders(CORE, optional) == []
    assert offenders(LIBRARY, optional) == []
    redis_users = {line.split()[0] for line in offenders(CORE, ("redis",))}
    assert redis_users <= {
        "cognito_sso.sessions.redis",
        "cognito_sso.sessions.redis_async",
        "cognito_sso.sessions.redis_tracking",
    }


def test_only_one_module_or_subpackage_of_the_local_idp_imports_moto() -> None:
    importers = {
        name
        for name, path in MODULES.items()
        if any(is_under(imp, ("moto",)) for imp in imported_modules(path))
    }
    assert importers, "nothing imports moto: the rule would pass vacuously"
    assert all(is_under(name, ("cognito_sso.local",)) for name in importers), importers
    homes = {
        name if MODULES[name].parent == PACKAGE / "local" else name.rsplit(".", 1)[0]
        for name in importers
    }
    assert len(homes) == 1, f"moto is imported from several places: {sorted(importers)}"
