"""A missing optional dependency is one clear line naming the extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cognito_sso.errors import CognitoSSOError
from cognito_sso.extras import MissingExtraError, require_extra


def test_a_missing_module_names_its_extra() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require_extra("flask", "cognito_sso.flask", "json", "no_such_module_xyz")
    assert str(caught.value) == (
        "cognito_sso.flask needs 'no_such_module_xyz', which is not installed: "
        "pip install 'cognito-sso[flask]'"
    )
    assert caught.value.name == "no_such_module_xyz"
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, CognitoSSOError)


def test_installed_modules_pass() -> None:
    require_extra("flask", "cognito_sso.flask", "flask", "werkzeug")


def test_the_demo_outside_a_clone_says_where_it_lives(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cognito_sso.cli.main import main; raise SystemExit(main())",
            "demo",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not part of the installed package" in result.stderr
    assert "Traceback" not in result.stderr
