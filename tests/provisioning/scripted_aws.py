"""Loopback HTTP servers answering cognito-idp JSON calls from a script, for the faults the
local IdP cannot produce (throttling, ConcurrentModificationException, AccessDenied), and a
proxy in front of the local IdP that plays AWS behaviours it does not have."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

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
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free loopback port in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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

    with serving(Handler) as url:
        yield url, script


Forward = Callable[[], tuple[int, Any]]
# (operation, parameters, forward to the upstream) -> the answer the client gets
CallRule = Callable[[str, dict[str, Any], Forward], tuple[int, Any]]
# (path, forward to the upstream) -> the answer to a GET
PageRule = Callable[[str, Forward], tuple[int, Any]]


def _passthrough(*args: Any) -> tuple[int, Any]:
    forward: Forward = args[-1]
    return forward()


@contextmanager
def proxied_cognito(
    upstream: str,
    on_call: CallRule = _passthrough,
    on_get: PageRule = _passthrough,
) -> Iterator[str]:
    """A loopback server in front of `upstream` (the local IdP): each JSON API call goes through
    `on_call` and each GET through `on_get`; both may answer (status, JSON body) themselves or
    call `forward()`. Yields the proxy's base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() in ("x-amz-target", "authorization", "content-type", "x-amz-date")
            }

            def forward() -> Answer:
                reply = httpx.post(upstream + "/", content=raw, headers=headers, timeout=10)
                return reply.status_code, reply.json()

            self._send(*on_call(operation, json.loads(raw or b"{}"), forward))

        def do_GET(self) -> None:
            def forward() -> tuple[int, Any]:
                reply = httpx.get(upstream + self.path, timeout=10)
                return reply.status_code, reply.json()

            self._send(*on_get(self.path, forward))

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            if status >= 400 and isinstance(body, dict) and "__type" in body:
                self.send_header("x-amzn-ErrorType", str(body["__type"]))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    with serving(Handler) as url:
        yield url
