"""A real SMTP server on a loopback port, for the tests of outgoing e-mail.

``aiosmtpd`` runs it in a thread; ``Inbox`` keeps what it accepted and can be told to
defer (4xx), refuse a recipient (5xx) or not answer the content in time.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller

Mode = Literal["accept", "defer", "refuse_recipient", "hang"]


@dataclass
class Inbox:
    mode: Mode = "accept"
    hang_seconds: float = 2.0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.mode == "refuse_recipient":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.mode == "defer":
            return "451 4.3.0 Try again later"
        if self.mode == "hang":
            await asyncio.sleep(self.hang_seconds)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(inbox: Inbox, port: int = 0) -> Iterator[tuple[str, int]]:
    """Serve ``inbox`` on 127.0.0.1 (on ``port``, or any free one); yields (host, port)."""
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()
