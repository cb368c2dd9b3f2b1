"""`cognito-sso demo`: the local IdP, the demo pool, billing, reports (Flask) and audit
(FastAPI) in one process.

`start_stack()` is the Python API (the browser tests use it on free ports); `main(argv)` is
the command: it prints the URLs, the invited users' temporary passwords (read from the
IdP's outbox) and what to try, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.resources
import logging
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from cognito_sso.outputs import PoolOutputs, read_outputs
from cognito_sso.redaction import install_access_log_redaction
from demo_apps.extra_clients import (
    ExtraClient,
    parse_extra_client,
    settings_lines,
    with_extra_clients,
)

DEFAULT_PORTS = {"idp": 9229, "billing": 5001, "reports": 5002, "audit": 5003}
# Shipped as package data of `provisioning`, so this also works in an installed environment.
DEFAULT_SPEC = Path(str(importlib.resources.files("provisioning") / "pools" / "sso-demo.toml"))
#: The company directory the demo pool federates to (a second pool of the same local IdP).
CORP_SPEC = Path(str(importlib.resources.files("provisioning") / "pools" / "example-corp.toml"))
#: The identity provider of the demo spec that stands for the corp pool, and its client there.
CORP_PROVIDER = "ExampleCorp"
CORP_CLIENT = "sso-demo"
DEFAULT_CHECK_INTERVAL = 5.0
REGION = "eu-west-1"
_TEMP_PASSWORD = re.compile(r"(?im)temporary password:\s*(\S+)")

Progress = Callable[[str], None]


class DemoError(Exception):
    """The demo could not start; the message says why and what to do."""


@dataclass(frozen=True)
class DemoUser:
    """An invited demo user and the temporary password from the invitation e-mail."""

    key: str
    email: str
    name: str | None
    groups: tuple[str, ...]
    temporary_password: str | None


@dataclass
class ServedApp:
    """A WSGI app served by a threaded werkzeug server in a daemon thread."""

    name: str
    url: str
    server: BaseWSGIServer
    thread: threading.Thread | None = None

    def start(self, app: Any) -> None:
        """Attach the app to the already-bound socket and serve in a thread."""
        self.server.app = app
        self.thread = threading.Thread(
            target=self.server.serve_forever, name=f"demo-{self.name}", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(timeout=5)
        self.server.server_close()


@dataclass
class ServedASGIApp:
    """An ASGI app served by uvicorn (one event loop) in a daemon thread, on a bound socket."""

    name: str
    url: str
    sock: socket.socket
    server: Any = None  # uvicorn.Server once started
    thread: threading.Thread | None = None

    def start(self, app: Any) -> None:
        """Serve ``app`` on the already-bound socket in a thread; return once it listens."""
        import uvicorn

        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.sock]},
            name=f"demo-{self.name}",
            daemon=True,
        )
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            self.thread.join(0.01)

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        self.sock.close()


def bind_asgi(host: str, port: int, name: str, public_host: str) -> ServedASGIApp:
    """Bind `host:port` now (0 = a free port) so the URL is known before the app exists."""
    sock = listening_socket(host, port, name, f"--{name}-port")
    bound = sock.getsockname()[1]
    return ServedASGIApp(name=name, url=f"http://{public_host}:{bound}", sock=sock)


@dataclass
class DemoStack:
    """Everything `start_stack` started; `stop()` ends it all (idempotent)."""

    idp_url: str
    outputs_path: Path
    state_dir: Path
    apps: dict[str, ServedApp | ServedASGIApp]
    flask_apps: dict[str, Flask]
    users: list[DemoUser]
    pool_id: str
    corp_users: list[DemoUser] = field(default_factory=list)
    corp_pool_id: str | None = None
    _stoppers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def billing_url(self) -> str:
        return self.apps["billing"].url

    @property
    def reports_url(self) -> str:
        return self.apps["reports"].url

    @property
    def audit_url(self) -> str:
        return self.apps["audit"].url

    def stop(self) -> None:
        """Stop the apps, then the IdP."""
        while self._stoppers:
            stopper = self._stoppers.pop()
            with suppress(Exception):  # stopping must never hide the other stops
                stopper()

    def __enter__(self) -> DemoStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listening_socket(host: str, port: int, what: str, option: str) -> socket.socket:
    """A bound, listening TCP socket; DemoError with a hint when the port is taken.

    (werkzeug's own bind prints a message and calls sys.exit on a busy port.)
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise DemoError(
            f"cannot listen on {host}:{port} for {what}: {exc.strerror or exc}. "
            f"Is another demo still running? Stop it, or pick another port ({option})."
        ) from None
    return sock


def bind(host: str, port: int, name: str, public_host: str) -> ServedApp:
    """Bind `host:port` now (0 = a free port) so the URL is known before the app exists."""
    sock = listening_socket(host, port, name, f"--{name}-port")
    try:
        server = make_server(host, port, _not_ready, threaded=True, fd=sock.fileno())
    finally:
        sock.close()  # the server holds its own duplicate of the descriptor
    bound = server.socket.getsockname()[1]
    return ServedApp(name=name, url=f"http://{public_host}:{bound}", server=server)


def _not_ready(environ: Any, start_response: Any) -> list[bytes]:  # pragma: no cover
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]


def with_service_urls(spec: Any, urls: Mapping[str, str]) -> Any:
    """A copy of the spec whose clients' callback/logout URLs point at `urls[client name]`.

    The spec registers the demo's fixed ports; when a service runs elsewhere (tests on free
    ports, --billing-port) only the origin of those URLs changes.
    """
    clients = []
    for client in spec.clients:
        origin = urls.get(client.name)
        if origin is None:
            clients.append(client)
            continue
        clients.append(
            dataclasses.replace(
                client,
                callback_urls=tuple(_with_origin(u, origin) for u in client.callback_urls),
                logout_urls=tuple(_with_origin(u, origin) for u in client.logout_urls),
            )
        )
    return dataclasses.replace(spec, clients=tuple(clients))


def with_corp_provider(spec: Any, corp: PoolOutputs) -> Any:
    """A copy of the spec whose `CORP_PROVIDER` identity provider points at the corp pool: its
    issuer and the client made for the demo pool there, whose secret goes to the environment
    variable the provider names (specs never hold secrets)."""
    client = corp.services[CORP_CLIENT]
    providers = []
    for provider in spec.identity_providers:
        if provider.name == CORP_PROVIDER:
            os.environ[provider.client_secret_env] = client.client_secret or ""
            provider = dataclasses.replace(provider, issuer=corp.issuer, client_id=client.client_id)
        providers.append(provider)
    return dataclasses.replace(spec, identity_providers=tuple(providers))


def _with_origin(url: str, origin: str) -> str:
    parts = urlsplit(url)
    new = urlsplit(origin)
    return urlunsplit((new.scheme, new.netloc, parts.path, parts.query, parts.fragment))


def reset_sessions(instance_dir: Path) -> None:
    """Forget the previous run's sessions: their tokens came from an IdP that no longer exists."""
    for suffix in ("", "-wal", "-shm"):
        with suppress(FileNotFoundError):
            (instance_dir / f"sessions.db{suffix}").unlink()


def read_temporary_passwords(idp_url: str, *, timeout: float = 5.0) -> dict[str, str]:
    """E-mail address -> temporary password, parsed from the invitations in the IdP's outbox."""
    response = httpx.get(f"{idp_url}/_outbox.json", timeout=timeout)
    response.raise_for_status()
    messages = response.json()
    if isinstance(messages, dict):  # tolerate {"messages": [...]}
        messages = messages.get("messages", [])
    passwords: dict[str, str] = {}
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        match = _TEMP_PASSWORD.search(str(message.get("body", "")))
        to = str(message.get("to", "")).strip().lower()
        if match and to:
            passwords[to] = match.group(1)  # the latest invitation wins
    return passwords


@contextmanager
def _quiet_werkzeug(enabled: bool) -> Iterator[None]:
    logger = logging.getLogger("werkzeug")
    previous = logger.level
    if enabled:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def start_stack(
    *,
    state_dir: Path,
    spec_path: Path = DEFAULT_SPEC,
    host: str = "127.0.0.1",
    public_host: str = "localhost",
    idp_port: int = DEFAULT_PORTS["idp"],
    billing_port: int = DEFAULT_PORTS["billing"],
    reports_port: int = DEFAULT_PORTS["reports"],
    audit_port: int = DEFAULT_PORTS["audit"],
    check_interval: float = DEFAULT_CHECK_INTERVAL,
    progress: Progress = lambda line: None,
    app_config: Mapping[str, Any] | None = None,
    extra_clients: Sequence[ExtraClient] = (),
) -> DemoStack:
    """Start the IdP, provision the demo pool, serve billing, reports and audit; return the
    stack.

    Ports 0 pick free ports. On failure everything already started is stopped again and
    `DemoError` explains what went wrong.
    """
    from cognito_sso.errors import ConfigurationError
    from cognito_sso.extras import MissingExtraError
    from cognito_sso.local.server import run_in_thread
    from cognito_sso.provisioning.spec import SpecError, load_spec

    install_access_log_redaction()  # --verbose request lines would show ?code=... otherwise
    state_dir = Path(state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    stoppers: list[Callable[[], None]] = []
    try:
        specs = []
        for path in (spec_path, CORP_SPEC):
            try:
                specs.append(load_spec(path))
            except SpecError as exc:
                raise DemoError(f"the demo spec {path} is invalid: {exc}") from None
        spec, corp_spec = specs
        if idp_port:
            listening_socket(host, idp_port, "the local IdP", "--idp-port").close()
        try:
            idp = run_in_thread(host, idp_port)
        except (OSError, SystemExit):
            raise DemoError(
                f"cannot listen on {host}:{idp_port} for the local IdP. Is `cognito-sso "
                "local` or another demo running? Stop it, or pick another port (--idp-port)."
            ) from None
        stoppers.append(idp.stop)
        progress(f"local IdP        {idp.base_url}")

        apps: dict[str, ServedApp | ServedASGIApp] = {
            "billing": bind(host, billing_port, "billing", public_host),
            "reports": bind(host, reports_port, "reports", public_host),
            "audit": bind_asgi(host, audit_port, "audit", public_host),
        }
        for served in apps.values():
            stoppers.append(served.stop)
        spec = with_service_urls(spec, {name: served.url for name, served in apps.items()})
        try:
            spec = with_extra_clients(spec, extra_clients)
        except ValueError as exc:
            raise DemoError(str(exc)) from None

        # The company directory first: the demo pool's identity provider points at it.
        corp_spec = with_service_urls(corp_spec, {CORP_CLIENT: idp.base_url})
        corp_outputs_path = state_dir / "example-corp.outputs.json"
        corp_pool_id = provision(corp_spec, idp.base_url, corp_outputs_path)
        progress(f"pool {corp_spec.pool.name:<11} {corp_pool_id}: the company directory")
        spec = with_corp_provider(spec, read_outputs(corp_outputs_path))

        outputs_path = state_dir / "outputs.json"
        pool_id = provision(spec, idp.base_url, outputs_path)
        progress(
            f"pool {spec.pool.name:<11} {pool_id}: {len(spec.groups)} groups, "
            f"{len(spec.clients)} app clients, {len(spec.users)} users invited"
        )

        flask_apps: dict[str, Flask] = {}
        for name, served in apps.items():
            instance = state_dir / name
            instance.mkdir(parents=True, exist_ok=True)
            reset_sessions(instance)
            config = {
                "COGNITO_OUTPUTS_FILE": str(outputs_path),
                "DEMO_INSTANCE_PATH": str(instance),
                "COGNITO_SESSION_CHECK_INTERVAL": check_interval,
                **(app_config or {}),
            }
            try:
                service_app = _create_service_app(name, config)
            except ConfigurationError as exc:
                raise DemoError(f"{name} is misconfigured: {exc}") from None
            except MissingExtraError as exc:  # audit needs the fastapi extra
                raise DemoError(f"{name} cannot start: {exc}") from None
            if isinstance(service_app, Flask):
                flask_apps[name] = service_app
            served.start(service_app)
            progress(f"{name:<16} {served.url}")

        try:
            passwords = read_temporary_passwords(idp.base_url)
        except (httpx.HTTPError, ValueError) as exc:
            progress(f"(could not read the outbox: {exc}; see {idp.base_url}/_outbox)")
            passwords = {}
        users = demo_users(spec, passwords)
        return DemoStack(
            idp_url=idp.base_url,
            outputs_path=outputs_path,
            state_dir=state_dir,
            apps=apps,
            flask_apps=flask_apps,
            users=users,
            pool_id=pool_id,
            corp_users=demo_users(corp_spec, passwords),
            corp_pool_id=corp_pool_id,
            _stoppers=stoppers,
        )
    except BaseException:
        for stopper in reversed(stoppers):
            with suppress(Exception):
                stopper()
        raise


def demo_users(spec: Any, passwords: Mapping[str, str]) -> list[DemoUser]:
    """The spec's invited users with their temporary passwords (from the outbox)."""
    return [
        DemoUser(
            key=user.key,
            email=user.email,
            name=user.name,
            groups=tuple(user.groups),
            temporary_password=passwords.get(user.email.lower()),
        )
        for user in spec.users
    ]


def _create_service_app(name: str, config: Mapping[str, Any]) -> Any:
    """The Flask app (billing, reports) or the FastAPI app (audit) of a demo service."""
    if name == "billing":
        from demo_apps.billing import create_app as create_billing

        return create_billing(config)
    if name == "audit":
        from demo_apps.audit import create_app as create_audit

        return create_audit(config)
    from demo_apps.reports import create_app as create_reports

    return create_reports(config)


def provision(spec: Any, endpoint_url: str, outputs_path: Path) -> str:
    """Apply `spec` to the IdP at `endpoint_url`, write the outputs file; return the pool id."""
    from botocore.exceptions import BotoCoreError, ClientError

    from cognito_sso.provisioning import api

    try:
        conn = api.connect(endpoint_url=endpoint_url, region=REGION)
        result = api.apply(conn, spec)
        api.write_outputs_for(conn, spec, outputs_path)
    except (api.ProvisioningError, BotoCoreError, ClientError) as exc:
        raise DemoError(f"provisioning the demo pool failed: {exc}") from None
    return result.pool_id


# -- the command ---------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-sso demo",
        description="Start the local IdP, the demo pool, billing, reports and audit. Ctrl-C stops.",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path("instance") / "demo",
        help="secret keys, sessions, invoices and the outputs file (default: ./instance/demo)",
    )
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="pool spec (TOML; default: sso-demo.toml)"
    )
    services = (("idp", "the local IdP"), ("billing", "billing"), ("reports", "reports"))
    for name, what in (*services, ("audit", "audit (FastAPI)")):
        parser.add_argument(
            f"--{name}-port",
            type=int,
            default=DEFAULT_PORTS[name],
            help=f"port of {what} (default: {DEFAULT_PORTS[name]}; 0 picks a free one)",
        )
    parser.add_argument(
        "--check-interval",
        type=_positive_seconds,
        default=DEFAULT_CHECK_INTERVAL,
        help="seconds between session checks against the IdP (default: 5)",
    )
    parser.add_argument(
        "--extra-client",
        metavar="NAME=CALLBACK_URL",
        type=parse_extra_client,
        action="append",
        default=[],
        help="also register an app client for an app of yours (repeatable); its settings "
        "are printed at start-up",
    )
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    return parser


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return seconds


def _print_welcome(stack: DemoStack, check_interval: float, out: Callable[[str], None]) -> None:
    billing, reports = stack.billing_url, stack.reports_url
    out("")
    out("Demo users (temporary passwords from the outbox; you choose a new one at first sign-in):")
    width = max((len(u.email) for u in stack.users), default=10)
    for user in stack.users:
        password = user.temporary_password or "(see the outbox)"
        groups = ", ".join(user.groups) or "no groups"
        out(f"  {user.email:<{width}}  {password:<16}  groups: {groups}")
    out("")
    out("Try this:")
    out(f"  1. Open {billing} and sign in as alice; set a new password; create an invoice.")
    out(f"  2. Open {reports}: no second sign-in, and the chart includes the new invoice.")
    out(f"  3. In a private window sign in as bob: reports works; {billing}/invoices/new says")
    out("     which group is missing.")
    out(
        f"  4. Sign out in reports: within ~{check_interval:g} s billing sends alice back to the"
        " sign-in page."
    )
    out(f"  5. Open {stack.audit_url} (FastAPI) as alice: the invoice events, no sign-in; bob")
    out("     gets a page naming the missing group.")
    for dave in stack.corp_users:
        password = dave.temporary_password or "(see the outbox)"
        out(f"  6. In a private window open {reports}, choose ExampleCorp and sign in at the")
        out(f"     company directory as {dave.email} ({password}): reports works; billing says")
        out("     what he lacks.")
    out(f"  E-mails sent by the IdP: {stack.idp_url}/_outbox")
    out("")
    out("Press Ctrl-C to stop.")


def _print_extra_clients(
    stack: DemoStack, extras: Sequence[ExtraClient], out: Callable[[str], None]
) -> None:
    for extra in extras:
        out(f"Your app {extra.name!r} (this pool exists until Ctrl-C; every run makes a new one):")
        for line in settings_lines(stack.outputs_path, extra):
            out(f"  {line}")
        out("")


def _missing_local_dependency() -> str | None:
    """The third-party module of the `local` extra (moto, pyotp, segno) that is missing, if any.

    The dispatcher explains missing extras only for imports at module level; the local IdP is
    imported lazily (start_stack), so without this check a missing extra is a traceback.
    """
    try:
        import cognito_sso.local.server  # noqa: F401
    except ImportError as exc:
        name = exc.name or ""
        if not name or name.split(".")[0] in {"cognito_sso", "cognito_sso.local", "provisioning"}:
            raise
        return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo until Ctrl-C (or SIGTERM). Returns the exit code."""
    args = _parser().parse_args(argv)
    missing = _missing_local_dependency()
    if missing:
        print(
            f"cognito-sso demo: a dependency of the local IdP is missing ({missing}); "
            "install the extras: pip install 'cognito-sso[local]'",
            file=sys.stderr,
        )
        return 1

    def out(line: str) -> None:
        print(line, flush=True)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    # Ctrl-C raises KeyboardInterrupt even when started with SIGINT ignored (e.g. `cmd &`).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    out("Starting the cognito-sso demo ...")
    try:
        with _quiet_werkzeug(not args.verbose):
            try:
                stack = start_stack(
                    state_dir=args.state_dir,
                    spec_path=args.spec,
                    idp_port=args.idp_port,
                    billing_port=args.billing_port,
                    reports_port=args.reports_port,
                    audit_port=args.audit_port,
                    check_interval=args.check_interval,
                    progress=lambda line: out(f"  ok  {line}"),
                    extra_clients=args.extra_client,
                )
            except DemoError as exc:
                print(f"cognito-sso demo: {exc}", file=sys.stderr, flush=True)
                return 1
            try:
                _print_welcome(stack, args.check_interval, out)
                _print_extra_clients(stack, args.extra_client, out)
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            finally:
                out("\nStopping ...")
                stack.stop()
                out("Stopped.")
    except KeyboardInterrupt:  # Ctrl-C during start-up: start_stack already cleaned up
        out("\nInterrupted.")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
