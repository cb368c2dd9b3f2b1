"""The hosted sign-in pages: password, new password, TOTP set-up and code, forgotten password.

Every page carries the authorize request it serves (``/login?client_id=...`` as Cognito's
classic hosted UI does). Forms post back with a CSRF token bound to the IdP's own cookie
(`cognito_sso.local.web.csrf`). A challenge in the middle of a sign-in (new password, TOTP) is kept
server side as a `LoginTransaction` named by the ``txn`` field. Failed form submissions
answer 400 with the form again and the message in its alert region.
"""

from cognito_sso.local.web.hosted_ui import mfa, recovery, sign_in
from cognito_sso.local.web.hosted_ui.forms import bp

__all__ = ["bp", "mfa", "recovery", "sign_in"]
