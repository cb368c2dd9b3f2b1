"""Build the sdist and wheel, check them, and try the wheel in clean virtualenvs.

Run by CI (``make package-check``). Steps, each printed:

1. ``python -m build`` into a temporary folder; ``twine check`` both files;
2. the wheel holds only names under ``cognito_sso`` (no demo, no tests), its templates and
   ``py.typed``, and the LICENSE;
3. a clean virtualenv with the wheel alone (no extras): ``smoke.py core``;
4. the same with ``[flask]``: ``smoke.py flask``;
each with the installed size of the virtualenv's site-packages (pip itself left out).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMOKE = Path(__file__).with_name("smoke.py")
REQUIRED_IN_WHEEL = (
    "cognito_sso/py.typed",
    "cognito_sso/flask/templates/cognito_sso/base.html",
)


def run(*cmd: str | Path, cwd: Path | None = None, quiet: bool = False) -> None:
    """Run a command; a quiet one shows its output only when it fails."""
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, text=True, capture_output=quiet, check=False
    )
    if result.returncode != 0:
        if quiet:
            print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}")


def build(out: Path) -> tuple[Path, Path]:
    print("== building sdist and wheel", flush=True)
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, quiet=True)
    wheel = next(out.glob("*.whl"))
    sdist = next(out.glob("*.tar.gz"))
    run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)
    return wheel, sdist


def check_wheel_contents(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    packages = {t for t in top if not t.endswith(".dist-info")}
    assert packages == {"cognito_sso"}, f"the wheel installs other top-level names: {packages}"
    missing = [name for name in REQUIRED_IN_WHEEL if name not in names]
    assert not missing, f"missing from the wheel: {missing}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "no LICENSE"
    print(f"== wheel {wheel.name}: {len(names)} files, top-level names {sorted(top)}")


def site_packages_size(venv: Path) -> int:
    site = next((venv / "lib").glob("python3*/site-packages"))
    skip = ("pip", "pip-", "setuptools", "_distutils_hack", "pkg_resources", "distutils-")
    return sum(
        f.stat().st_size
        for entry in site.iterdir()
        if not entry.name.startswith(skip)
        for f in ([entry] if entry.is_file() else entry.rglob("*"))
        if f.is_file()
    )


def try_in_clean_venv(work: Path, wheel: Path, extra: str, mode: str) -> None:
    venv = work / f"venv-{mode}"
    run(sys.executable, "-m", "venv", venv)
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    print(f"== clean virtualenv: pip install {Path(target).name}", flush=True)
    run(venv / "bin" / "pip", "install", "--disable-pip-version-check", target, quiet=True)
    run(venv / "bin" / "python", SMOKE, mode, cwd=work)
    size = site_packages_size(venv)
    print(f"== installed size with {extra or 'no extras'}: {size / 1e6:.1f} MB")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cognito-sso-dist-") as tmp:
        work = Path(tmp)
        wheel, _ = build(work / "dist")
        check_wheel_contents(wheel)
        try_in_clean_venv(work, wheel, "", "core")
        try_in_clean_venv(work, wheel, "flask", "flask")
    print("package check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
