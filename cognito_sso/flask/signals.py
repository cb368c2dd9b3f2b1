"""Blinker signals for auditing. Receivers get the Flask app as sender.

- ``user_logged_in(app, user=User)``: a sign-in completed (after the session was created).
- ``user_logged_out(app, user=User)``: the user signed out through ``POST /auth/logout``.
- ``session_ended(app, reason=str, sub=str | None)``: the extension ended a session on its own
  (``invalid_grant`` on refresh, ``revoked`` by the periodic check, ...).
- ``token_refreshed(app, sub=str | None)``: the session's tokens were refreshed.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["session_ended", "token_refreshed", "user_logged_in", "user_logged_out"]

_signals = Namespace()

user_logged_in = _signals.signal("cognito-sso.user-logged-in")
user_logged_out = _signals.signal("cognito-sso.user-logged-out")
session_ended = _signals.signal("cognito-sso.session-ended")
token_refreshed = _signals.signal("cognito-sso.token-refreshed")
