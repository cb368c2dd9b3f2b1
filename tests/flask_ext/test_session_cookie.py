"""The session cookie is read without parsing the whole Cookie header, with the same answer."""

from __future__ import annotations

import pytest
from flask import Flask, request

from cognito_sso.flask.request_auth import session_cookie

NAME = "app_sso"
SID = "A" * 20 + "b-_" + "9" * 20


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        f"{NAME}={SID}",
        f"other=1; {NAME}={SID}",
        f"{NAME}={SID}; other=1",
        f"other=1;{NAME}={SID}  ;x=2",
        f"x{NAME}={SID}",  # another cookie whose name ends like ours
        f"x{NAME}=zzz; {NAME}={SID}",
        f"{NAME}={SID}; {NAME}=second",  # twice: the first counts
        f"{NAME}=second; {NAME}={SID}",
        f'{NAME}="{SID}"',  # quoted
        f"{NAME}=not a session id",
        f"{NAME}=",
        f"other=a {NAME}={SID}",  # inside another cookie's value
        f"{NAME} = {SID}",
        f"{NAME}",
    ],
)
def test_same_answer_as_werkzeug(header: str | None) -> None:
    app = Flask(__name__)
    headers = {} if header is None else {"Cookie": header}
    with app.test_request_context("/", headers=headers):
        assert session_cookie(NAME) == request.cookies.get(NAME)
