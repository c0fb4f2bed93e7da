"""Pick one of the account's WhatsApp/RCS senders (Messaging v2 `/v2/Channels/Senders`) for a
service, each marked free, in this service, or held by another (the v2 list does not say:
learnt from the services' own ChannelSenders lists, as the number picker learns holders)."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from msgsvc_tui import senders
from msgsvc_tui.api import compliance, errors
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import as_text, name_of, shown
from msgsvc_tui.tui.widgets.nav import NavOptionList

Json = dict[str, Any]
HOLDER_LOOKUPS = 500  # services checked for holders, as the number picker does
_STATUS_STYLE = {"ONLINE": "green", "OFFLINE": "red"}


def search_key(sender: Json) -> str:
    profile = (sender.get("profile") or {}).get("name") or ""
    return f"{sender.get('sender_id')} {sender.get('sid')} {sender.get('status')} {profile}".lower()


class ChannelPicker(ReportsWorkerErrors, ModalScreen["str | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="channel-picker-cancel", tooltip="Close"),
        Binding("down", "focus_list", "List", id="channel-picker-list", show=False),
    ]

    def __init__(self, session: Session, service: Json) -> None:
        super().__init__()
        self.session = session
        self.service = service
        self.candidates: list[Json] = []
        self.holders: dict[str, str] = {}  # XE… → service SID

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="channel-picker"):
            yield Label(
                as_text(f"Add a channel sender to “{name_of(self.service)}”"),
                classes="dialog-title",
            )
            yield Input(placeholder="filter, or type an XE… SID", id="channel-filter")
            yield Static("", classes="error", id="channel-error")
            yield NavOptionList(id="channel-options")
            yield Static("Loading the account's channel senders…", id="channel-status")

    def on_mount(self) -> None:
        self.query_one("#channel-filter", Input).focus()
        self.load()

    @work(exclusive=True, group="channel-picker", exit_on_error=False)
    async def load(self) -> None:
        client = self.session.client
        status = self.query_one("#channel-status", Static)
        try:
            self.candidates = await compliance.list_account_channel_senders(client)
        except errors.MsgsvcError as exc:
            status.update(as_text(f"Cannot list the channel senders: {errors.describe(exc)}"))
            return
        self._render_options()
        sids = self.session.service_sids()[:HOLDER_LOOKUPS]
        status.update(f"{len(self.candidates)} senders; checking which service holds each…")
        gate = asyncio.Semaphore(8)

        async def one(service_sid: str) -> None:
            async with gate:
                for m in await client.list_senders(service_sid, senders.CHANNEL_SENDERS):
                    self.holders[m["sid"]] = service_sid

        try:
            await asyncio.gather(*(one(s) for s in sids))
        except errors.MsgsvcError as exc:
            status.update(as_text(f"Holders unknown: {errors.describe(exc)}"))
            return
        status.update(f"{len(self.candidates)} senders · enter adds · type to filter")
        self._render_options()

    def _status_of(self, sid: str) -> tuple[str, str]:
        holder = self.holders.get(sid)
        if holder is None:
            return "free", "green"
        if holder == self.service["sid"]:
            return "in this service", "dim"
        held = self.session.service(holder)
        return f"held by {name_of(held) if held else holder}", "yellow"

    def _render_options(self) -> None:
        options = self.query_one(OptionList)
        needle = self.query_one("#channel-filter", Input).value.strip().lower()
        options.clear_options()
        for c in self.candidates:
            if needle and needle not in search_key(c):
                continue
            profile = (c.get("profile") or {}).get("name") or ""
            state = str(c.get("status") or "")
            line = Text(f"{shown(c.get('sender_id')):<24} {shown(profile):<18} ")
            line.append(f"{shown(state):<21}", style=_STATUS_STYLE.get(state, "yellow"))
            holder, style = self._status_of(str(c.get("sid")))
            line.append(holder, style=style)
            options.add_option(Option(line, id=str(c.get("sid"))))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#channel-filter")
    def _filter(self, event: Input.Changed) -> None:
        text = event.value.strip()
        problem = None
        if text[:2].upper() == "XE" and len(text) >= 10:
            problem = senders.sender_problem(senders.CHANNEL_SENDERS, text)
        error = self.query_one("#channel-error", Static)
        error.update(as_text(problem or ""))
        error.set_class(bool(problem), "-shown")
        self._render_options()

    @on(Input.Submitted, "#channel-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if senders.CHANNEL_SENDERS.sid_re.match(text):
            self.dismiss(text)
            return
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
