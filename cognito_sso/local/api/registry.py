"""The table of JSON API actions the local IdP answers itself (the rest go to moto)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cognito_sso.local.api.params import Params

if TYPE_CHECKING:
    from cognito_sso.local.state import LocalCognito


Handler = Callable[["LocalCognito", Params, str], Mapping[str, Any]]


#: Actions we answer ourselves instead of forwarding them to moto (see `intercept`).
INTERCEPTS: dict[str, Handler] = {}


def intercept(action: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the implementation of a JSON API action."""

    def register(handler: Handler) -> Handler:
        INTERCEPTS[action] = handler
        return handler

    return register
