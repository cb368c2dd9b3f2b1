"""The top-level ``cognito-sso`` command: help, version, unknown commands, dispatch."""

from __future__ import annotations

import pytest

from cognito_sso.cli.main import COMMANDS, main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: cognito-sso" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cognito-sso ")


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy"]) == 2
    assert "unknown command 'deploy'" in capsys.readouterr().err


def test_dispatches_to_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision", "validate", "--spec", "provisioning/pools/sso-demo.toml"]) == 0
    assert "is valid" in capsys.readouterr().out
