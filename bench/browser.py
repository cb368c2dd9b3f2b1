"""A minimal HTTP "browser": cookies, redirects followed one by one, hosted-UI form filling.

Every request counts as one round trip, so a sign-in can be measured in round trips as
well as in seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

MAX_REDIRECTS = 20


class SignInError(Exception):
    """The sign-in did not end on the page asked for."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


@dataclass
class Form:
    """One HTML form: absolute action URL, method, and its named fields with their values."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.base_url, attr.get("action") or self.base_url)
            self.forms.append(Form(action, (attr.get("method") or "get").lower()))
        elif tag in ("input", "button", "textarea", "select") and self.forms and attr.get("name"):
            if tag == "button" or attr.get("type") in ("submit", "checkbox", "radio"):
                return
            self.forms[-1].fields[attr["name"]] = attr.get("value", "")


def forms_in(html: str, base_url: str) -> list[Form]:
    """The forms of an HTML page."""
    parser = _FormParser(base_url)
    parser.feed(html)
    return parser.forms


@dataclass
class Hop:
    """One request of a flow: method, URL (query stripped), status, seconds."""

    method: str
    url: str
    status: int
    seconds: float


class Browser:
    """One user's cookie jar and connection pool."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.client = httpx.Client(follow_redirects=False, timeout=timeout)
        self.hops: list[Hop] = []
        self.current_url = ""  # the URL of the request in flight (or the last one)

    def close(self) -> None:
        """Release the connections."""
        self.client.close()

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One round trip (recorded in `hops`)."""
        started = time.perf_counter()
        self.current_url = url.split("?", 1)[0]
        response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        self.hops.append(
            Hop(method, url.split("?", 1)[0], response.status_code, time.perf_counter() - started)
        )
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow redirects (GET) until a response that is not one."""
        for _ in range(MAX_REDIRECTS):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location", "")
            response = self.request("GET", urljoin(str(response.url), location))
        raise SignInError("too many redirects", response)

    def get(self, url: str) -> httpx.Response:
        """GET and follow redirects."""
        return self.follow(self.request("GET", url))

    def submit(self, form: Form, values: dict[str, str]) -> httpx.Response:
        """Submit ``form`` with its own fields overridden by ``values``; follow redirects."""
        data = {**form.fields, **values}
        if form.method == "post":
            return self.follow(self.request("POST", form.action, data=data))
        return self.follow(self.request("GET", form.action, params=data))

    def sign_in(
        self, app_url: str, username: str, password: str | None, next_path: str
    ) -> httpx.Response:
        """``GET {app}/auth/login?next=`` and, if the hosted UI asks, fill its sign-in form.

        ``password=None`` expects a silent (SSO) sign-in: a form is then an error.
        Returns the final response, which must be a 200 from the app (not the IdP).
        Raises `SignInError` otherwise.
        """
        response = self.get(f"{app_url}/auth/login?next={next_path}")
        if response.status_code == 200 and not str(response.url).startswith(app_url):
            if password is None:
                raise SignInError(
                    "the hosted UI asked for a password (no silent sign-in)", response
                )
            forms = [
                f for f in forms_in(response.text, str(response.url)) if "password" in f.fields
            ]
            if not forms:
                raise SignInError("IdP page without a sign-in form", response)
            response = self.submit(forms[0], {"username": username, "password": password})
        if response.status_code != 200 or not str(response.url).startswith(app_url):
            raise SignInError(
                f"sign-in ended with {response.status_code} at {str(response.url).split('?')[0]}",
                response,
            )
        return response

    def sign_in_until_callback(
        self, app_url: str, username: str, password: str, next_path: str
    ) -> str:
        """Run a sign-in up to the IdP's redirect to ``{app}/auth/callback``; return that URL.

        The callback is not requested, so a test can deliver it later (e.g. during a fault).
        """
        response = self.request("GET", f"{app_url}/auth/login?next={next_path}")
        for _ in range(MAX_REDIRECTS):
            if response.status_code in (301, 302, 303, 307, 308):
                target: str = urljoin(str(response.url), response.headers.get("location", ""))
                if target.startswith(f"{app_url}/auth/callback"):
                    return target
                response = self.request("GET", target)
                continue
            if response.status_code != 200:
                break
            forms = [
                f for f in forms_in(response.text, str(response.url)) if "password" in f.fields
            ]
            if not forms:
                break
            data = {**forms[0].fields, "username": username, "password": password}
            response = self.request(forms[0].method.upper(), forms[0].action, data=data)
        raise SignInError(f"no redirect to the callback ({response.status_code})", response)
