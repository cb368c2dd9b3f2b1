"""Audit: the demo's third service, in FastAPI. It shows the signed-in user and the recent
invoice events, read from billing's API with the user's access token; the same sign-in and
sign-out as billing and reports (Flask).

Run on its own with ``uvicorn --factory demo_apps.audit:create_app --port 5003`` once the
outputs file exists; ``cognito-sso demo`` starts it for you.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(config: Mapping[str, Any] | None = None) -> FastAPI:
    """The audit app. ``config`` overrides the defaults (see :func:`audit_config`)."""
    from demo_apps.audit.app import build_app

    return build_app(config)
