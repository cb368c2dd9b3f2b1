"""The ``cognito`` command group on Flask's CLI (``flask --app APP cognito check``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from cognito_sso.flask.checks import run_checks

__all__ = ["cognito_cli"]

cognito_cli = AppGroup("cognito", help="cognito-sso: check the app's sign-in configuration.")


@cognito_cli.command("check")
def check() -> None:
    """Check discovery, signing keys, the client id and secret, and the callback route
    with this app's configuration; print what is wrong (exit 1) or "ok" (exit 0)."""
    problems = 0
    for finding in run_checks(current_app):
        if finding.ok:
            click.echo(f"  {finding.check}: {finding.detail}")
        else:
            problems += 1
            click.echo(f"✗ {finding.check}: {finding.problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo("ok")
