"""Sending a message: the one way the CLI and the TUI send, journalled before it goes out.

A message is a write that bills and cannot be undone, so the order is fixed: check every
field (nothing refused is journalled or sent), refuse in read-only mode, journal the intent
with its target (server and account), send once through the client's write path (resent
only after a 429; a lost answer settled by asking the server), then settle the journal entry
with what came of it: sent (with the SID), not sent, or unknown. An interrupted process
leaves the entry saying "sending", which is the truth: look before sending again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.core import messages as core_messages
from msgsvc_tui.core.messages import Outgoing
from msgsvc_tui.ops.journal import SEND_MESSAGE, Journal

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]


def intent(client: MessagingClient, outgoing: Outgoing) -> Json:
    """What the journal keeps before sending: the message and where it goes."""
    return {
        "server": client.api_base,
        "account": client.account_sid,
        "to": outgoing.to,
        "body": outgoing.body,
        "media": list(outgoing.media_urls),
        "state": "sending",
    }


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
    """Send `outgoing` and return the new Message resource; `service` (the service as
    listed, for its name) labels the journal entry. Raises what the client raises; the
    journal entry says what happened either way."""
    core_messages.check(outgoing)
    if client.readonly:
        raise errors.ReadonlyError("read-only mode: the message was not sent")
    label = dict(service or {})
    label.setdefault("sid", outgoing.service_sid)
    label.setdefault("account_sid", client.account_sid)
    planned = intent(client, outgoing)
    entry = journal.record(SEND_MESSAGE, label, before=None, after=planned) if journal else None
    try:
        created = await api_messages.create_message(client, outgoing)
    except errors.OutcomeUnknownError as exc:
        _settle(journal, entry, planned, "unknown", detail=errors.describe(exc))
        raise
    except Exception as exc:
        _settle(journal, entry, planned, "not sent", detail=errors.describe(exc))
        raise
    _settle(
        journal,
        entry,
        planned,
        "sent",
        message_sid=created.get("sid"),
        status=created.get("status"),
    )
    return created


def _settle(journal: Journal | None, entry: Any, planned: Json, state: str, **more: Any) -> None:
    if journal is None or entry is None:
        return
    journal.amend(entry.id, {**planned, "state": state, **more})
