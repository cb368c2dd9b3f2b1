"""Reports' client for billing's JSON API, called with the signed-in user's access token."""

from __future__ import annotations

from typing import Any

import httpx


class BillingUnavailable(Exception):
    """Billing could not be reached or answered with an error; `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fetch_invoices(
    base_url: str, access_token: str, *, timeout: float = 5.0
) -> list[dict[str, Any]]:
    """`GET {base_url}/api/invoices` with `Authorization: Bearer`; the invoice list.

    Raises `BillingUnavailable` for network errors, non-200 answers and malformed bodies.
    """
    url = base_url.rstrip("/") + "/api/invoices"
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.get(
                url,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
    except httpx.TimeoutException:
        raise BillingUnavailable("billing did not answer in time") from None
    except httpx.HTTPError:
        raise BillingUnavailable("billing is not reachable") from None
    if response.status_code in (401, 403):
        raise BillingUnavailable(
            f"billing refused the request ({response.status_code}): "
            "your access token was not accepted"
        )
    if response.status_code != 200:
        raise BillingUnavailable(f"billing answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise BillingUnavailable("billing sent a malformed answer") from None
    invoices = body.get("invoices") if isinstance(body, dict) else None
    if not isinstance(invoices, list):
        raise BillingUnavailable("billing sent a malformed answer")
    return [item for item in invoices if isinstance(item, dict)]
