"""Messaging v1 Tollfree Verifications (`/v1/Tollfree/Verifications`, SIDs HH…): the client's
reads, beside compliance.py's campaign calls, over the same transport and retries.

Read-only here: verifications are submitted in the Console (or by a compliance flow); the
doctor and `services tollfree` only need to list and fetch them. Lists are bounded: at most
`limit` verifications are read (an account holds one per toll-free number).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api.outcome import checked_sid as _sid
from msgsvc_tui.api.protocol import MAX_PAGE_SIZE
from msgsvc_tui.core import tollfree

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]
LIMIT = 10_000


def _url(client: MessagingClient) -> str:
    return f"{client.messaging_base}/v1/Tollfree/Verifications"


async def list_verifications(
    client: MessagingClient,
    *,
    status: str | None = None,
    phone_number_sid: str | None = None,
    limit: int = LIMIT,
) -> list[Json]:
    """The account's verifications, filtered as the spec's list allows (`Status`,
    `TollfreePhoneNumberSid`); never more than `limit`."""
    params: dict[str, Any] = {"PageSize": min(MAX_PAGE_SIZE, max(1, limit))}
    if status is not None:
        if status not in tollfree.STATUSES:
            raise ValueError(f"status must be one of {', '.join(tollfree.STATUSES)}")
        params["Status"] = status
    if phone_number_sid is not None:
        params["TollfreePhoneNumberSid"] = _sid(phone_number_sid, "PN")
    out: list[Json] = []
    pages_iter = client.pages(_url(client), "verifications", params, limit=limit)
    async with contextlib.aclosing(pages_iter) as pages:
        async for page in pages:
            out.extend(page.items)
            if len(out) >= limit:
                return out[:limit]
    return out


async def fetch_verification(client: MessagingClient, sid: str) -> Json:
    return await client.request_json("GET", f"{_url(client)}/{_sid(sid, tollfree.PREFIX)}")
