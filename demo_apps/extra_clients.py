"""Your own app in the demo's pool: ``cognito-sso demo --extra-client NAME=CALLBACK_URL``.

Each extra client is added to the demo spec before it is provisioned (a copy of billing's
client with its own name and URLs), so it lands in the outputs file like billing and reports,
and the demo prints the ``COGNITO_*`` settings an app needs to sign in with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cognito_sso.errors import ConfigurationError
from cognito_sso.outputs import load_outputs
from cognito_sso.urls import require_https_or_loopback

__all__ = ["ExtraClient", "parse_extra_client", "settings_lines", "with_extra_clients"]

_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class ExtraClient:
    """An app client the demo registers for an app of yours."""

    name: str
    callback_url: str

    @property
    def logout_url(self) -> str:
        """The sign-out URL next to the callback (``…/callback`` → ``…/logged-out``)."""
        parts = urlsplit(self.callback_url)
        base, _, last = parts.path.rpartition("/")
        path = f"{base}/logged-out" if last == "callback" else "/auth/logged-out"
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_extra_client(text: str) -> ExtraClient:
    """``NAME=CALLBACK_URL`` (an argparse type)."""
    name, sep, url = text.partition("=")
    if not sep or not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            "expected NAME=CALLBACK_URL, NAME in lower case, e.g. "
            "notes=http://localhost:5003/auth/callback"
        )
    try:
        require_https_or_loopback(url, "CALLBACK_URL")
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if urlsplit(url).query or urlsplit(url).fragment:
        raise argparse.ArgumentTypeError("CALLBACK_URL must have no query or fragment")
    return ExtraClient(name, url)


def with_extra_clients(spec: Any, extras: Sequence[ExtraClient]) -> Any:
    """A copy of the spec with one more app client per extra (modelled on its first client)."""
    taken = {client.name for client in spec.clients}
    added = []
    for extra in extras:
        if extra.name in taken:
            raise ValueError(f"--extra-client {extra.name}: the demo already has that client")
        taken.add(extra.name)
        added.append(
            dataclasses.replace(
                spec.clients[0],
                name=extra.name,
                callback_urls=(extra.callback_url,),
                logout_urls=(extra.logout_url,),
            )
        )
    return dataclasses.replace(spec, clients=(*spec.clients, *added))


def settings_lines(outputs_path: Path, extra: ExtraClient) -> list[str]:
    """The settings of an extra client, as ``KEY=value`` lines for an app's config."""
    config = load_outputs(outputs_path, extra.name)
    config["COGNITO_REDIRECT_URI"] = extra.callback_url
    lines = [f"{key}={_shown(value)}" for key, value in sorted(config.items())]
    lines.append(f"# or: COGNITO_OUTPUTS_FILE={outputs_path} COGNITO_SERVICE={extra.name}")
    return lines


def _shown(value: object) -> str:
    """Lists space-separated (how every list-valued ``COGNITO_*`` key can be given)."""
    return " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
