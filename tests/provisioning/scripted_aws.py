"""A loopback HTTP server answering cognito-idp JSON calls from a script, for the faults the
local IdP cannot produce (throttling, ConcurrentModificationException, AccessDenied)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, Any]]


def error(code: str, message: str = "scripted") -> Answer:
    """A Cognito error answer (HTTP 400, JSON 1.1 error body)."""
    return 400, {"__type": code, "message": message}


class Script:
    """Answers per operation: each call pops the next answer; the last one repeats."""

    def __init__(self, answers: dict[str, list[Answer]]) -> None:
        self.answers = answers
        self.calls: list[str] = []
        self.authorizations: list[str] = []  # the SigV4 Authorization header of each call
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (operation, parameters)

    def answer(self, operation: str, authorization: str, params: dict[str, Any]) -> Answer:
        self.calls.append(operation)
        self.authorizations.append(authorization)
        self.requests.append((operation, params))
        queue = self.answers.get(operation) or [error("InternalErrorException", "unscripted")]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@contextmanager
def scripted_cognito(answers: dict[str, list[Answer]]) -> Iterator[tuple[str, Script]]:
    """Run the server on a free loopback port; yields (base URL, script)."""
    script = Script(answers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            params = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            status, body = script.answer(operation, self.headers.get("Authorization", ""), params)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()
