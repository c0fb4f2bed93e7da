"""Detail tabs that list one kind of sender a service owns, with add, remove (after a
confirm) and Twilio's refusals in words: the Channels tab (WhatsApp/RCS/Messenger senders,
added from the account's Messaging v2 senders) and the Countries tab (an alpha sender ID per
destination country)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static

from msgsvc_tui.core import senders
from msgsvc_tui.ops import pool
from msgsvc_tui.ops.pool import PoolIndex
from msgsvc_tui.tui.text import name_of, shown
from msgsvc_tui.tui.widgets.nav import NavDataTable
from msgsvc_tui.tui.widgets.panes.base import DROPPED, ServicePane

Json = dict[str, Any]


class MemberPane(ServicePane):
    """One kind of member in a table. Subclasses name the kind, the columns and how a new
    member is chosen (`action_add`)."""

    DEFAULT_CSS: ClassVar[str] = """
    MemberPane NavDataTable { height: 1fr; }
    """

    KIND: ClassVar[senders.SenderKind]
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    HELP: ClassVar[str] = ""
    # What this kind of sender is, said when the service has none: a newcomer's first look
    # at an empty tab is where the concept is learnt.
    EMPTY: ClassVar[str] = ""
    PREFIX: ClassVar[str] = ""  # ids: "channels" → #channels-table, #channels-summary

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.SUMMARY_ID = f"{cls.PREFIX}-summary"

    @staticmethod
    def keys(binding_id: str, add: str, add_tip: str, remove_tip: str) -> list[BindingType]:
        """Every member tab's keys: a adds, x removes (after a confirm), ctrl+r reloads."""
        return [
            Binding("a", "add", add, id=f"{binding_id}-add", tooltip=add_tip),
            Binding("x,delete", "remove", "Remove", id=f"{binding_id}-remove", tooltip=remove_tip),
            Binding(
                "ctrl+r", "reload", "Reload", id=f"{binding_id}-reload", tooltip="Reload the list"
            ),
        ]

    def __init__(self, session: Any, **kw: Any) -> None:
        super().__init__(session, **kw)
        self.members: list[Json] = []

    def compose(self) -> ComposeResult:
        yield Static("", id=f"{self.PREFIX}-summary")
        table = NavDataTable(id=f"{self.PREFIX}-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*self.COLUMNS)
        yield table
        yield Static(self.HELP, classes="help")

    @property
    def index(self) -> PoolIndex | None:
        """Who holds what, for kinds a service holds alone (None: nothing to keep)."""
        return None

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.PREFIX}-table", DataTable)

    def main_widget(self) -> Widget:
        return self.table

    def clear(self) -> None:
        self.members = []
        self.table.clear()

    def cells(self, member: Json) -> tuple[str, ...]:
        raise NotImplementedError

    def summary_text(self) -> str:
        n = len(self.members)
        return f"{n} {self.KIND.label}{'s' * (n != 1)}"

    @work(exclusive=True, group="members", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        members = await self.answer(service_sid, self._members(service_sid))
        if members is DROPPED:
            return
        self.members = members
        self.render_members()

    async def _members(self, service_sid: str) -> list[Json]:
        members = await self.session.client.list_senders(service_sid, self.KIND)
        if self.index is not None:
            self.index.learn(service_sid, members)  # who holds what: true even once stale
        return members

    def render_members(self) -> None:
        table = self.table
        table.clear()
        for m in self.members:
            # Text cells: a DataTable parses plain str cells as markup
            table.add_row(*(Text(shown(c)) for c in self.cells(m)), key=m["sid"])
        if not self.members and self.EMPTY:
            self.summary(f"{self.summary_text()}. {self.EMPTY}")
        else:
            self.summary(self.summary_text())

    def selected(self) -> Json | None:
        row = self.table.cursor_row
        if self.members and row is not None and 0 <= row < len(self.members):
            return self.members[row]
        return None

    def label(self, member: Json) -> str:
        return shown(member.get(self.KIND.value_field) or member.get("sid"))

    # ---- writes ---------------------------------------------------------------------------
    def action_add(self) -> None:
        service = self.writable_service()
        if service is not None:
            self.choose(service)

    def choose(self, service: Json) -> None:
        """Ask for the member to add (a modal), then `add_member` what was chosen."""
        raise NotImplementedError

    @work(group="members-write", exit_on_error=False)
    async def add_member(self, service: Json, value: str, country: str | None = None) -> None:
        kind = self.KIND
        call = self.session.writes.add_sender(service, kind, value, country=country)
        done, added = await self.attempt(
            call, title="Not added", explain=lambda exc: pool.explain(exc, value)
        )
        if not done or added is None:
            return
        if self.index is not None:
            self.index.holders[added["sid"]] = service["sid"]
        self.app.notify(f"Added {self.label(added)} to {name_of(service)}")
        if self.current(service["sid"]):
            self.show(self.service)

    def action_remove(self) -> None:
        member = self.selected()
        if member is None or self.service is None or self.session.refuses_writes(self.app.notify):
            return
        service = self.service
        self.confirm_then(
            f"Remove {self.KIND.label}",
            f"Remove the {self.KIND.label} {self.label(member)} from "
            f"“{name_of(service)}”?\n\n{self.REMOVE_NOTE}",
            "Remove",
            lambda: self.remove_member(service, member),
        )

    REMOVE_NOTE: ClassVar[str] = ""

    @work(group="members-write", exit_on_error=False)
    async def remove_member(self, service: Json, member: Json) -> None:
        call = self.session.writes.remove_sender(service, self.KIND, member)
        label = self.label(member)
        done, _ = await self.attempt(
            call, title="Not removed", explain=lambda exc: pool.explain(exc, label)
        )
        if not done:
            return
        if self.index is not None:
            self.index.holders.pop(member["sid"], None)
        self.app.notify(f"Removed {self.label(member)} from {name_of(service)}")
        if self.current(service["sid"]):
            self.show(self.service)


class ChannelSendersPane(MemberPane):
    TITLE = "The Channels tab"
    KIND = senders.CHANNEL_SENDERS
    PREFIX = "channels"
    COLUMNS = ("Type", "Sender", "Country", "SID")
    HELP = "a add a WhatsApp/RCS sender · x remove · ctrl+r reload"
    EMPTY = (
        "A channel sender is a WhatsApp or RCS sender of the account (XE…, registered with "
        "that channel) put in this service's pool: the service then sends on that channel "
        "too, by its rules (approved templates, WhatsApp's 24-hour window). a adds one."
    )
    REMOVE_NOTE = "It stays in the account, free for another service."
    BINDINGS = MemberPane.keys(
        "channel", "Add sender", "Pick a WhatsApp/RCS sender", "Remove the sender"
    )

    def cells(self, member: Json) -> tuple[str, ...]:
        return (
            str(member.get("sender_type") or ""),
            str(member.get("sender") or ""),
            str(member.get("country_code") or ""),
            str(member.get("sid") or ""),
        )

    @property
    def index(self) -> PoolIndex:
        return self.session.channel_index

    def choose(self, service: Json) -> None:
        from msgsvc_tui.tui.screens.channel_picker import ChannelPicker

        def picked(sid: str | None) -> None:
            if sid:
                self.add_member(service, sid)

        self.app.push_screen(ChannelPicker(self.session, service), picked)


class CountrySendersPane(MemberPane):
    TITLE = "The Countries tab"
    KIND = senders.DESTINATION_ALPHA_SENDERS
    PREFIX = "countries"
    COLUMNS = ("Country", "Alpha sender", "Capabilities", "SID")
    HELP = "a add an alpha sender for a country · x remove · ctrl+r reload"
    EMPTY = (
        "A country alpha sender is the name (AcmeBank, not a number) this service sends "
        "from to one destination country, where recipients see it instead of a number: "
        "countries that register alpha IDs need one each. a adds one."
    )
    REMOVE_NOTE = "Messages to that country fall back to the service's other senders."
    BINDINGS = MemberPane.keys("country", "Add", "Alpha sender ID for a country", "Remove it")

    def cells(self, member: Json) -> tuple[str, ...]:
        return (
            str(member.get("iso_country_code") or "every other country"),
            str(member.get("alpha_sender") or ""),
            " ".join(map(str, member.get("capabilities") or [])),
            str(member.get("sid") or ""),
        )

    def summary_text(self) -> str:
        codes = sorted(
            str(m.get("iso_country_code")) for m in self.members if m.get("iso_country_code")
        )
        has_default = any(not m.get("iso_country_code") for m in self.members)
        n = len(self.members)
        text = f"{n} country alpha sender{'s' * (n != 1)}"
        if codes:
            text += f" · {', '.join(codes)}"
        return text + (" · a default for other countries" if has_default else "")

    def choose(self, service: Json) -> None:
        from msgsvc_tui.tui.screens.country_sender import CountrySenderScreen

        taken = {m.get("iso_country_code") for m in self.members}

        def typed(result: tuple[str, str | None] | None) -> None:
            if result:
                self.add_member(service, result[0], result[1])

        self.app.push_screen(CountrySenderScreen(taken), typed)
