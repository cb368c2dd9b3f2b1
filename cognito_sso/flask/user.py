"""The user record now lives in :mod:`cognito_sso.user` (shared by every adapter)."""

from __future__ import annotations

from cognito_sso.user import ANONYMOUS, User

__all__ = ["ANONYMOUS", "User"]
