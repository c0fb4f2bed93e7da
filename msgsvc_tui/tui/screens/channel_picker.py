"""Pick one of the account's WhatsApp/RCS senders (Messaging v2 `/v2/Channels/Senders`) for a
service, each marked free, in this service, or held by another (the v2 list does not say:
learnt from the services' own ChannelSenders lists, as the number picker learns holders)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from msgsvc_tui.api import compliance
from msgsvc_tui.core import senders
from msgsvc_tui.tui.screens.picker import PickerScreen
from msgsvc_tui.tui.text import shown

Json = dict[str, Any]
_STATUS_STYLE = {"ONLINE": "green", "OFFLINE": "red"}


def search_key(sender: Json) -> str:
    profile = (sender.get("profile") or {}).get("name") or ""
    return f"{sender.get('sender_id')} {sender.get('sid')} {sender.get('status')} {profile}".lower()


class ChannelPicker(PickerScreen[Json]):
    """The account's WhatsApp and RCS senders (Messaging v2); holders from the services' own
    ChannelSenders lists, kept in the session's channel index."""

    PREFIX = "channel"
    WHAT = "a channel sender"
    PLACEHOLDER = "filter, or type an XE… SID"
    WHICH = "the account's channel senders"

    async def fetch(self) -> list[Json]:
        return await compliance.list_account_channel_senders(self.session.client)

    async def find_holders(self, service_sids: list[str]) -> None:
        index = self.session.channel_index
        await index.build(self.session.client, service_sids, kinds=(senders.CHANNEL_SENDERS,))

    def rows(self, needle: str) -> list[tuple[Text, str]]:
        out = []
        for c in self.candidates:
            if needle and needle not in search_key(c):
                continue
            sid = str(c.get("sid"))
            profile = (c.get("profile") or {}).get("name") or ""
            state = str(c.get("status") or "")
            line = Text(f"{shown(c.get('sender_id')):<24} {shown(profile):<18} ")
            line.append(f"{shown(state):<21}", style=_STATUS_STYLE.get(state, "yellow"))
            holder, style = self.holder_status(self.session.channel_index.holder(sid))
            line.append(holder, style=style)
            out.append((line, sid))
        return out

    def typed_sid(self, text: str) -> str | None:
        return text if senders.CHANNEL_SENDERS.sid_re.match(text) else None

    def typed_problem(self, text: str) -> str | None:
        if text[:2].upper() == "XE" and len(text) >= 10:
            return senders.sender_problem(senders.CHANNEL_SENDERS, text)
        return None
