"""The FastAPI twin of bench/apps/service.py: the same small view, open and protected.

Config: a JSON file of ``COGNITO_*`` keys named by ``$BENCH_APP_CONFIG``.
uvicorn: ``uvicorn --factory bench.apps.fastapi_service:create_app``.
"""

import json
import os
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse

from bench.apps.service import BODY
from cognito_sso.fastapi import CognitoSSO, User


def create_app() -> FastAPI:
    """The benchmark app; every view answers the same short text body."""
    sso = CognitoSSO(json.loads(Path(os.environ["BENCH_APP_CONFIG"]).read_text()))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(sso.router)
    SignedIn = Annotated[User, Depends(sso.login_required)]
    Reader = Annotated[User, Depends(sso.permission_required("reports:read"))]
    Bearer = Annotated[User, Depends(sso.bearer_required())]

    @app.get("/health", response_class=PlainTextResponse)
    async def health() -> str:
        return "up"

    @app.get("/open", response_class=PlainTextResponse)
    async def open_view() -> str:
        return BODY

    @app.get("/session", response_class=PlainTextResponse)
    async def session_view(_: SignedIn) -> str:
        return BODY

    @app.get("/perm", response_class=PlainTextResponse)
    async def permission_view(_: Reader) -> str:
        return BODY

    @app.get("/bearer", response_class=PlainTextResponse)
    async def bearer_view(_: Bearer) -> str:
        return BODY

    @app.get("/whoami")
    async def whoami(user: SignedIn) -> dict[str, str | None]:
        return {"sub": user.sub, "username": user.username, "email": user.email}

    return app
