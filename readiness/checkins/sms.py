"""Text messages, behind a small interface so a provider can be plugged in later.

``settings.CHECKIN_SMS_BACKEND`` names the class (dotted path). Shipped:

- ``LoggingSmsBackend`` (the default): sends nothing, logs that a message could not be sent
  (the number shortened, never the link) and answers False, so the check-in board lists the
  person as "not sent: call them".
- ``ConsoleSmsBackend``: development; writes the whole message, link included, to stdout.
- ``MemorySmsBackend``: tests; keeps the messages in ``MemorySmsBackend.outbox``.

A provider's backend implements ``send`` and answers True once the provider accepted the
message; it raises ``SmsError`` (or answers False) otherwise.
"""

from __future__ import annotations

import logging
import sys
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider refused or could not be reached; the message says why (no number)."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> bool:
        """Hand the message on; True if it left, False if this backend sends nothing."""
        ...


def masked(number: str) -> str:
    """A phone number with all but its last two digits hidden, for logs."""
    digits = [ch for ch in number if ch.isdigit()]
    return "…" + "".join(digits[-2:]) if digits else "…"


class LoggingSmsBackend:
    def send(self, *, to: str, body: str) -> bool:
        log.warning(
            "no SMS provider configured: the check-in message to %s was not sent", masked(to)
        )
        return False


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> bool:
        sys.stdout.write(f"SMS to {to}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return True


class MemorySmsBackend:
    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, to: str, body: str) -> bool:
        self.outbox.append((to, body))
        return True


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.CHECKIN_SMS_BACKEND)()
    return backend
