"""Sending a message: the question to ask first, and the send itself, which is one operation
of the one write path (ops/writes.py: checked, journalled with its target before it goes out,
sent once, a lost answer settled by asking the server, the entry settled as sent, not sent
or unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.core.messages import Outgoing
from msgsvc_tui.ops.journal import Journal

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]


def confirmation(client: MessagingClient, outgoing: Outgoing) -> str | None:
    """The question to ask before a send that reaches a real phone and a bill; None for the
    emulator (loopback or the embedded sandbox), where nothing is delivered or billed."""
    if not api_messages.is_real_account(client):
        return None
    what = "MMS" if outgoing.media_urls else "SMS"
    when = f" at {outgoing.send_at:%Y-%m-%d %H:%M} UTC" if outgoing.send_at else ""
    return (
        f"This sends a real {what} to {outgoing.to}{when}, billed to {client.account_sid}. Send it?"
    )


async def send_message(
    client: MessagingClient,
    outgoing: Outgoing,
    *,
    journal: Journal | None,
    service: Mapping[str, Any] | None = None,
) -> Json:
    """Send `outgoing` through the one write path and return the new Message resource;
    `service` (the service as listed, for its name) labels the journal entry; without a
    journal the message is sent unjournalled. Raises what stopped it; the journal entry says
    what happened either way."""
    from msgsvc_tui.ops.writes import Writes

    writes = Writes(client, journal, unjournalled=journal is None)
    outcome = await writes.send_message(outgoing, service or {})
    if outcome.ok and outcome.result is not None:
        return outcome.result
    if outcome.error is not None:
        raise outcome.error
    raise errors.MsgsvcError(outcome.words)
