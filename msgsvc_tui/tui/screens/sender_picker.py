"""Pick one of the account's numbers or short codes (or type its SID); type an alpha ID."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text

from msgsvc_tui.core import senders
from msgsvc_tui.ops import pool
from msgsvc_tui.tui.screens.modals import PromptScreen
from msgsvc_tui.tui.screens.picker import PickerScreen
from msgsvc_tui.tui.text import shown

Json = dict[str, Any]


def typed_sid_problem(text: str) -> str | None:
    """A typed PN…/SC… SID must be well formed; anything else is a filter, not a SID."""
    text = text.strip()
    for kind in (senders.PHONE_NUMBERS, senders.SHORT_CODES):
        if text[:2].upper() == kind.prefix and len(text) >= 10 and not kind.sid_re.match(text):
            return f"A {kind.label} SID is {kind.prefix} followed by 32 hex digits"
    return None


class SenderPicker(PickerScreen[pool.Candidate]):
    """The account's numbers and short codes (2010 API); holders from the services' pools."""

    PREFIX = "picker"
    WHAT = "a sender"
    PLACEHOLDER = "filter, or type a PN… / SC… SID"
    WHICH = "the account's numbers"

    async def fetch(self) -> list[pool.Candidate]:
        found = await pool.load_candidates(self.session.client)
        self.session.pool_index.labels.update({c.sid: c.value for c in found})
        return found

    async def find_holders(self, service_sids: list[str]) -> None:
        await self.session.pool_index.build(self.session.client, service_sids)

    def rows(self, needle: str) -> list[tuple[Text, str]]:
        out = []
        for c in self.candidates:
            if needle and needle not in c.search_key:
                continue
            status, style = self.holder_status(self.session.pool_index.holder(c.sid))
            caps = " ".join(c.capabilities)
            line = Text(f"{shown(c.value):<16} {shown(c.country):<6} {shown(caps):<14} ")
            line.append(status, style=style)
            out.append((line, c.sid))
        return out

    def typed_sid(self, text: str) -> str | None:
        kinds = (senders.PHONE_NUMBERS, senders.SHORT_CODES)
        return text if any(k.sid_re.match(text) for k in kinds) else None

    def typed_problem(self, text: str) -> str | None:
        return typed_sid_problem(text)


class AlphaSenderScreen(PromptScreen):
    DEFAULT_CSS: ClassVar[str] = """
    AlphaSenderScreen Input { margin-bottom: 1; }
    """
    ID = "alpha"
    TITLE = "Add an alpha sender ID"
    PLACEHOLDER = "e.g. AcmeShop"
    HELP = f"{senders.ALPHA_RULE}. Enter adds it; escape cancels."

    def problem(self, text: str) -> str | None:
        return senders.alpha_sender_problem(text)
