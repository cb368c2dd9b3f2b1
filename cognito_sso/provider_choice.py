"""Which identity provider a sign-in goes to, the same rule for every framework adapter:
``?idp=NAME`` on the sign-in route when NAME is one of ``COGNITO_IDENTITY_PROVIDERS``,
otherwise ``COGNITO_IDENTITY_PROVIDER`` (None: the hosted UI lets the user choose)."""

from __future__ import annotations

from collections.abc import Sequence

from cognito_sso.login import LoginError

__all__ = ["UnknownIdentityProviderError", "chosen_provider"]


class UnknownIdentityProviderError(LoginError):
    """``?idp=NAME`` names a provider this service does not offer (400). ``message`` and
    ``details`` are safe to show: the requested name is never echoed."""

    title = "Unknown identity provider"

    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__(
            "This service does not offer sign-in with that identity provider.",
            code="unknown_identity_provider",
        )
        self.details = [f"Identity providers of this service: {', '.join(offered) or 'none'}."]


def chosen_provider(
    requested: str | None, offered: Sequence[str], default: str | None
) -> str | None:
    """The provider to send the sign-in to: ``requested`` (``?idp=``) when given, which must
    be one of ``offered``, else ``default``. Raises :class:`UnknownIdentityProviderError`."""
    if requested is None:
        return default
    if requested not in offered:
        raise UnknownIdentityProviderError(offered)
    return requested
