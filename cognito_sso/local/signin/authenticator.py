"""Password sign-in and its challenges, shared by the JSON API and the hosted UI.

`Authenticator.password` checks the password and returns either `Authenticated(user)` or a
`Challenge` (NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA) with an opaque `session`
that the next step must present (single-use; they expire after the client's
AuthSessionValidity, 3 minutes by default).
It does not check SECRET_HASH or ExplicitAuthFlows: those belong to the JSON API (the
hosted UI never needed them). Callers hold `LocalCognito.lock`.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyotp

from cognito_sso.local.errors import CognitoError, invalid_parameter, not_authorized
from cognito_sso.local.model import Client, Pool, User
from cognito_sso.local.moto_adapter.directory import Directory
from cognito_sso.local.outbox import Outbox
from cognito_sso.local.signin.codes import CODE_MISMATCH, MAX_CODE_ATTEMPTS, MailedCodes
from cognito_sso.local.signin.passwords import missing_required, validate_password

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a challenge name
MFA_SETUP = "MFA_SETUP"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 - a challenge name

INCORRECT = "Incorrect username or password."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
TEMP_PASSWORD_EXPIRED = "Temporary password has expired and must be reset by an administrator."  # noqa: S105
MFA_CODE_MISMATCH = "Invalid code or auth state for the user."
RESET_CODE_SECONDS = 3600
SIGNUP_CODE_SECONDS = 24 * 3600
CHALLENGE_SECONDS = 180


@dataclass(frozen=True)
class Authenticated:
    """Sign-in is complete: mint tokens for `user`."""

    user: User


@dataclass(frozen=True)
class Challenge:
    """Sign-in needs another step; present `session` with the answer."""

    name: str
    session: str
    user: User
    parameters: dict[str, str] = field(default_factory=dict)


AuthResult = Authenticated | Challenge


@dataclass
class _ChallengeState:
    name: str
    pool_id: str
    client_id: str
    username: str
    expires_at: float
    mfa_verified: bool = False
    wrong_codes: int = 0


class Authenticator:
    """Sign-in state machine over the directory; keeps challenge sessions and reset codes."""

    def __init__(
        self,
        directory: Directory,
        outbox: Outbox,
        *,
        clock: Callable[[], float] = time.time,
        challenge_seconds: int = CHALLENGE_SECONDS,
        base_url: str = "",
    ) -> None:
        self.directory = directory
        self.outbox = outbox
        self.base_url = base_url.rstrip("/")
        self._clock = clock
        self._challenge_seconds = challenge_seconds
        self._sessions: dict[str, _ChallengeState] = {}
        self.codes = MailedCodes(outbox, self.base_url, clock)

    # ------------------------------------------------------------------ password
    def password(self, pool: Pool, client: Client, login: str, password: str) -> AuthResult:
        """First factor; raises CognitoError with Cognito's messages."""
        hide = client.prevent_user_existence_errors
        user = self.directory.find_user(pool.id, login) if login else None
        if user is None:
            if hide:
                raise not_authorized(INCORRECT)
            raise CognitoError("UserNotFoundException", "User does not exist.")
        if user.status == "UNCONFIRMED":
            # Cognito says so even for a wrong password
            raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
        if user.status == "RESET_REQUIRED":
            if hide:
                raise not_authorized(INCORRECT)
            raise CognitoError(
                "PasswordResetRequiredException", "Password reset required for the user"
            )
        if not self.directory.check_password(pool.id, user.username, password):
            raise not_authorized(INCORRECT)
        if not user.enabled:
            raise not_authorized("User is disabled.")
        if user.status == "FORCE_CHANGE_PASSWORD":
            days = pool.password_policy.temporary_password_validity_days or 7
            set_at = self.directory.password_set_at(pool.id, user.username)
            if self._clock() - set_at > days * 86400:
                raise not_authorized(TEMP_PASSWORD_EXPIRED)
            required = missing_required(pool, user.attributes)
            visible = {k: v for k, v in user.attributes.items() if k != "sub"}
            return self._challenge(
                NEW_PASSWORD_REQUIRED,
                pool,
                client,
                user,
                {
                    "USER_ID_FOR_SRP": user.username,
                    "requiredAttributes": json.dumps([f"userAttributes.{n}" for n in required]),
                    "userAttributes": json.dumps(visible),
                },
            )
        return self._second_factor(pool, client, user)

    def _second_factor(self, pool: Pool, client: Client, user: User) -> AuthResult:
        totp_allowed = pool.software_token_mfa_enabled
        if pool.mfa_configuration != "OFF" and totp_allowed and user.mfa_totp_enabled:
            return self._challenge(
                SOFTWARE_TOKEN_MFA, pool, client, user, {"USER_ID_FOR_SRP": user.username}
            )
        if pool.mfa_configuration == "ON" and totp_allowed:
            return self._challenge(
                MFA_SETUP,
                pool,
                client,
                user,
                {
                    "MFAS_CAN_SETUP": json.dumps([SOFTWARE_TOKEN_MFA]),
                    "USER_ID_FOR_SRP": user.username,
                },
            )
        # MFA "ON" with only SMS configured: the local IdP sends no SMS, so sign-in completes
        return Authenticated(user)

    def _challenge(
        self, name: str, pool: Pool, client: Client, user: User, parameters: dict[str, str]
    ) -> Challenge:
        self._expire_sessions()
        session = secrets.token_urlsafe(96)
        self._sessions[session] = _ChallengeState(
            name=name,
            pool_id=pool.id,
            client_id=client.id,
            username=user.username,
            expires_at=self._clock() + (client.auth_session_seconds or self._challenge_seconds),
        )
        return Challenge(name=name, session=session, user=user, parameters=parameters)

    def _expire_sessions(self) -> None:
        now = self._clock()
        for key in [k for k, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[key]

    def _state(self, session: str, name: str, client_id: str | None) -> _ChallengeState:
        state = self._sessions.get(session) if isinstance(session, str) else None
        if (
            state is None
            or state.expires_at <= self._clock()
            or state.name != name
            or (client_id is not None and state.client_id != client_id)
        ):
            raise not_authorized(SESSION_EXPIRED)
        return state

    def _count_wrong_code(self, session: str, state: _ChallengeState) -> None:
        """A wrong TOTP code; the session dies after `MAX_CODE_ATTEMPTS` of them, so a
        six-digit code cannot be guessed within one session ([U] Cognito's exact limit)."""
        state.wrong_codes += 1
        if state.wrong_codes >= MAX_CODE_ATTEMPTS:
            self._sessions.pop(session, None)

    def _user(self, state: _ChallengeState) -> User:
        user = self.directory.find_user(state.pool_id, state.username)
        if user is None or not user.enabled:
            raise not_authorized(SESSION_EXPIRED)
        return user

    # ------------------------------------------------------------------ NEW_PASSWORD_REQUIRED
    def new_password(
        self,
        session: str,
        new_password: str,
        attributes: Mapping[str, str],
        *,
        client_id: str | None = None,
    ) -> AuthResult:
        """Answer NEW_PASSWORD_REQUIRED (new password checked against the pool policy)."""
        state = self._state(session, NEW_PASSWORD_REQUIRED, client_id)
        pool = self.directory.pool(state.pool_id)
        client = self.directory.client(state.client_id)
        user = self._user(state)
        validate_password(pool.password_policy, new_password)
        attrs = {k: v for k, v in attributes.items() if v is not None}
        if "sub" in attrs:
            raise invalid_parameter("Cannot modify the non-mutable attribute sub")
        missing = missing_required(pool, {**user.attributes, **attrs})
        if missing:
            # [U] Cognito's wording for an incomplete NEW_PASSWORD_REQUIRED answer
            raise invalid_parameter(f"Invalid attributes given, {missing[0]} is missing")
        del self._sessions[session]
        if attrs:
            self.directory.update_attributes(pool.id, user.username, attrs)
        self.directory.set_password(pool.id, user.username, new_password, permanent=True)
        refreshed = self.directory.find_user(pool.id, user.username) or user
        return self._second_factor(pool, client, refreshed)

    # ------------------------------------------------------------------ attribute verification
    def send_attribute_code(self, pool: Pool, user: User, attribute: str) -> dict[str, str]:
        """GetUserAttributeVerificationCode: mail a 24 h code for `email`."""
        email = user.attributes.get("email")
        if attribute != "email" or not email:
            raise invalid_parameter(f"No {attribute} to verify for the user")  # [U] wording
        return self.codes.send(
            "verify-email", pool, user, email, user.username, SIGNUP_CODE_SECONDS
        )

    def verify_attribute(self, pool: Pool, user: User, attribute: str, code: str) -> None:
        """VerifyUserAttribute: check the code and mark the attribute verified."""
        if attribute != "email":
            raise invalid_parameter(f"No {attribute} to verify for the user")
        self.codes.use("verify-email", pool, user, code)
        self.codes.forget("verify-email", pool, user)
        self.directory.update_attributes(pool.id, user.username, {"email_verified": "true"})

    # ------------------------------------------------------------------ TOTP
    def mfa_setup_secret(self, session: str, *, client_id: str | None = None) -> str:
        """A fresh base32 TOTP secret for the MFA_SETUP challenge's user."""
        state = self._state(session, MFA_SETUP, client_id)
        user = self._user(state)
        return self.new_totp_secret(state.pool_id, user)

    def new_totp_secret(self, pool_id: str, user: User) -> str:
        """Generate and remember a pending (unverified) TOTP secret for `user`."""
        secret = pyotp.random_base32()
        self.directory.set_totp_secret(pool_id, user.username, secret, verified=False)
        return str(secret)

    def verify_totp(self, pool_id: str, user: User, code: str) -> bool:
        """Whether `code` is valid now for the user's TOTP secret (pending or verified)."""
        secret = self.directory.totp_secret(pool_id, user.username)
        if secret is None or not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
            return False
        return bool(pyotp.TOTP(secret).verify(code, valid_window=1))

    def verify_mfa_setup(
        self, session: str, code: str, *, client_id: str | None = None, keep_session: bool = False
    ) -> AuthResult:
        """Check the first TOTP code of MFA_SETUP; enables TOTP as the user's preferred factor.

        `keep_session=True` (JSON API): the session stays valid so that
        RespondToAuthChallenge(MFA_SETUP) can finish with `complete_mfa_setup`.
        """
        state = self._state(session, MFA_SETUP, client_id)
        user = self._user(state)
        if not self.verify_totp(state.pool_id, user, code):
            self._count_wrong_code(session, state)
            raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch")
        self.directory.set_totp_secret(state.pool_id, user.username, None, verified=True)
        self.directory.set_mfa_preference(
            state.pool_id, user.username, enabled=True, preferred=True
        )
        state.mfa_verified = True
        if not keep_session:
            del self._sessions[session]
        return Authenticated(self.directory.find_user(state.pool_id, user.username) or user)

    def complete_mfa_setup(self, session: str, *, client_id: str | None = None) -> AuthResult:
        """Finish MFA_SETUP after VerifySoftwareToken succeeded on this session."""
        state = self._state(session, MFA_SETUP, client_id)
        if not state.mfa_verified:
            raise not_authorized(SESSION_EXPIRED)
        del self._sessions[session]
        return Authenticated(self._user(state))

    def software_token(
        self, session: str, code: str, *, client_id: str | None = None
    ) -> AuthResult:
        """Answer SOFTWARE_TOKEN_MFA with a 6-digit TOTP code."""
        state = self._state(session, SOFTWARE_TOKEN_MFA, client_id)
        user = self._user(state)
        if not self.verify_totp(state.pool_id, user, code):
            self._count_wrong_code(session, state)
            raise CognitoError("CodeMismatchException", MFA_CODE_MISMATCH)
        del self._sessions[session]
        return Authenticated(user)

    # ------------------------------------------------------------------ forgot password
    def forgot_password(self, pool: Pool, client: Client, login: str) -> dict[str, str]:
        """Send a reset code (valid 1 h) to the outbox; returns CodeDeliveryDetails."""
        user = self.directory.find_user(pool.id, login) if login else None
        if user is None:
            if client.prevent_user_existence_errors:
                # success-shaped answer naming a simulated destination
                return {
                    "Destination": "x***@x***",
                    "DeliveryMedium": "EMAIL",
                    "AttributeName": "email",
                }
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        if "admin_only" in pool.recovery_mechanisms:
            raise not_authorized("User password cannot be reset in the current state.")  # [U]
        if user.status == "FORCE_CHANGE_PASSWORD" or not user.enabled:
            raise not_authorized("User password cannot be reset in the current state.")
        return self.send_reset_code(pool, user, login)

    def send_reset_code(self, pool: Pool, user: User, login: str) -> dict[str, str]:
        """Mail a password-reset code to the user's verified e-mail (ForgotPassword and
        AdminResetUserPassword); returns CodeDeliveryDetails."""
        email = user.attributes.get("email")
        verified = user.attributes.get("email_verified", "").lower() == "true"
        if not email or not verified:
            raise invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email "
                "or phone_number"
            )
        return self.codes.send("reset", pool, user, email, login, RESET_CODE_SECONDS)

    # ------------------------------------------------------------------ sign-up confirmation
    def send_confirmation_code(
        self, pool: Pool, user: User, login: str, *, client_id: str | None = None
    ) -> dict[str, str] | None:
        """After SignUp: mail a 24 h confirmation code (or link, per the pool's
        VerificationMessageTemplate) when e-mail is auto-verified."""
        email = user.attributes.get("email")
        if not email or "email" not in pool.auto_verified_attributes:
            return None
        return self.codes.send(
            "signup", pool, user, email, login, SIGNUP_CODE_SECONDS, client_id=client_id
        )

    def confirm_sign_up(self, pool: Pool, client: Client, login: str, code: str) -> None:
        """ConfirmSignUp: check the code, confirm the user and verify their e-mail."""
        user = self.directory.find_user(pool.id, login) if login else None
        if user is None:
            if client.prevent_user_existence_errors:
                raise CognitoError("CodeMismatchException", CODE_MISMATCH)
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise not_authorized("User cannot be confirmed. Current status is CONFIRMED")
        self.codes.use("signup", pool, user, code)
        self.codes.forget("signup", pool, user)
        self.directory.set_status(pool.id, user.username, "CONFIRMED")
        if user.attributes.get("email"):
            self.directory.update_attributes(pool.id, user.username, {"email_verified": "true"})

    def confirm_forgot_password(
        self, pool: Pool, client: Client, login: str, code: str, new_password: str
    ) -> None:
        """Check the reset code and set the new (policy-checked) password."""
        user = self.directory.find_user(pool.id, login) if login else None
        if user is None:
            if client.prevent_user_existence_errors:
                raise CognitoError("CodeMismatchException", CODE_MISMATCH)
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        self.codes.use("reset", pool, user, code)
        validate_password(pool.password_policy, new_password)
        self.codes.forget("reset", pool, user)
        self.directory.set_password(pool.id, user.username, new_password, permanent=True)
