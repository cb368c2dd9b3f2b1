"""In-memory outbox: the e-mails Cognito would have sent (invitations, codes, resets)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TypedDict


class Message(TypedDict):
    """One sent message."""

    to: str
    subject: str
    body: str
    sent_at: str


class Outbox:
    """Keeps every message in memory, newest last."""

    def __init__(self, limit: int = 1000) -> None:
        self._messages: list[Message] = []
        self._limit = limit
        self._lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> Message:
        """Record a message as sent now."""
        message = Message(
            to=to,
            subject=subject,
            body=body,
            sent_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        with self._lock:
            self._messages.append(message)
            del self._messages[: -self._limit]
        return message

    def messages(self) -> list[Message]:
        """A copy of every message, oldest first."""
        with self._lock:
            return [Message(**m) for m in self._messages]

    def clear(self) -> None:
        """Forget every message."""
        with self._lock:
            self._messages.clear()


def render(template: str, *, username: str = "", code: str = "", link: str = "") -> str:
    """Fill Cognito's placeholders: `{username}`, `{####}` and `{##Verify Email##}`-style links."""
    text = template.replace("{username}", username).replace("{####}", code)
    if "{##" in text:
        start = text.index("{##")
        end = text.find("##}", start)
        if end != -1:
            label = text[start + 3 : end]
            text = text[:start] + (f"{label}: {link}" if link else label) + text[end + 3 :]
    return text
