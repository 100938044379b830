"""A real SMTP server on loopback (aiosmtpd) that can misbehave, for the reminder tests:
refuse recipients or messages, stall, or drop the connection mid-batch. ``smtp_server``
is a fixture every test can use (tests/conftest.py loads this module as a plugin)."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest

from tests.helpers import free_port


class Mailbox:
    """What the server took, and how it misbehaves: refuse some recipients at RCPT or
    some messages at DATA, stall, or drop the connection after ``drop_after`` messages."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse_rcpt: set[str] = set()
        self.refuse_data: set[str] = set()
        self.stall_for: set[str] = set()
        self.stall_seconds = 3.0
        self.drop_after: int | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()  # the connection drops mid-batch
            return "421 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.stall_for:
            await asyncio.sleep(self.stall_seconds)
            return "451 too slow"
        if set(envelope.rcpt_tos) & self.refuse_data:
            return "554 5.7.1 message refused"
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK queued"

    def to(self) -> list[list[str]]:
        return [rcpt for rcpt, _ in self.messages]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    controller_module = pytest.importorskip("aiosmtpd.controller")
    box, port = Mailbox(), free_port()
    controller = controller_module.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
