"""Everything one local IdP process holds, in one object."""

from __future__ import annotations

import threading
from pathlib import Path

from cognito_sso.local.faults import Faults
from cognito_sso.local.moto_adapter.directory import Directory
from cognito_sso.local.moto_adapter.federation import Federation
from cognito_sso.local.outbox import Outbox
from cognito_sso.local.signin.authenticator import Authenticator
from cognito_sso.local.tokens.service import TokenService

DEFAULT_BASE_URL = "http://127.0.0.1:9229"
DEFAULT_REGION = "eu-west-1"


class LocalCognito:
    """The local IdP's state: directory (moto) and its identity providers, tokens,
    authenticator, outbox and faults.

    `lock` is the one re-entrant lock held around everything that touches the directory.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        state_dir: str | Path | None = None,
        default_region: str = DEFAULT_REGION,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self.default_region = default_region
        self.lock = threading.RLock()
        self.directory = Directory()
        self.federation = Federation(self.directory)
        self.outbox = Outbox()
        self.faults = Faults()
        self.tokens = TokenService(
            self.base_url,
            state_dir=self.state_dir,
            user_loader=self.directory.user_by_sub,
            pool_loader=self.directory.pool,
        )
        self.auth = Authenticator(self.directory, self.outbox, base_url=self.base_url)
