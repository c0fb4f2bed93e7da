"""The Senders tab: a service's phone numbers, short codes and alpha sender, with add by
picking, add alpha, remove, and Twilio's refusals explained (and a move offered on 21712)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static

from msgsvc_tui.api import errors
from msgsvc_tui.core import senders
from msgsvc_tui.ops import pool
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import name_of, shown
from msgsvc_tui.tui.widgets.nav import NavDataTable
from msgsvc_tui.tui.widgets.panes.base import DROPPED, ServicePane

Json = dict[str, Any]


def member_label(kind: senders.SenderKind, member: Json) -> str:
    """A sender as people read it (its number or text), made safe: it is server data."""
    return shown(member.get(kind.value_field) or member.get("sid"))


class SendersPane(ServicePane):
    DEFAULT_CSS: ClassVar[str] = """
    SendersPane #senders-table { height: 1fr; }
    """
    TITLE = "The Senders tab"
    SUMMARY_ID = "senders-summary"
    LOADING = "Loading the sender pool…"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add number", id="sender-add", tooltip="Pick a number or short code"),
        Binding("A", "add_alpha", "Add alpha ID", id="sender-alpha", tooltip="Add an alpha ID"),
        Binding("x,delete", "remove", "Remove", id="sender-remove", tooltip="Remove the sender"),
        Binding("ctrl+r", "reload", "Reload", id="sender-reload", tooltip="Reload the pool"),
    ]

    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(session, **kw)
        self.members: list[tuple[senders.SenderKind, Json]] = []

    def main_widget(self) -> Widget:
        return self.query_one("#senders-table")

    def compose(self) -> ComposeResult:
        yield Static("", id="senders-summary")
        table = NavDataTable(id="senders-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Type", "Sender", "Country", "Capabilities", "SID")
        yield table
        yield Static(
            "a add a number or short code · A add an alpha sender ID · x remove",
            classes="help",
            id="senders-help",
        )

    # ---- loading --------------------------------------------------------------------------
    def clear(self) -> None:
        self.members = []
        self.query_one(DataTable).clear()

    @work(exclusive=True, group="senders", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        members = await self.answer(
            service_sid, self._pool(service_sid), failing="Cannot load senders"
        )
        if members is DROPPED:
            return
        self.session.pool_index.learn(
            service_sid, [m for k, m in members if k is not senders.ALPHA_SENDERS]
        )
        self.members = members
        self._render_members()

    async def _pool(self, service_sid: str) -> list[tuple[senders.SenderKind, Json]]:
        client = self.session.client
        members: list[tuple[senders.SenderKind, Json]] = []
        for kind in senders.KINDS:
            members += [(kind, m) for m in await client.list_senders(service_sid, kind)]
        return members

    def _render_members(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        counts = {k.key: 0 for k in senders.KINDS}
        alpha = None
        for kind, m in self.members:
            counts[kind.key] += 1
            if kind is senders.ALPHA_SENDERS:
                alpha = m.get("alpha_sender")
            # Text cells: a DataTable parses plain str cells as markup
            table.add_row(
                Text(kind.label),
                Text(member_label(kind, m)),
                Text(shown(m.get("country_code") or "")),
                Text(shown(" ".join(map(str, m.get("capabilities") or [])))),
                Text(shown(m["sid"])),
                key=m["sid"],
            )
        n, s = counts["phone_numbers"], counts["short_codes"]
        summary = (
            f"{n} phone number{'s' * (n != 1)} · {s} short code{'s' * (s != 1)} · "
            f"alpha sender ID: {shown(alpha) if alpha else 'none'} · "
            f"pool {n + s}/{senders.POOL_LIMIT}"
        )
        self.summary(summary)

    def _selected(self) -> tuple[senders.SenderKind, Json] | None:
        table = self.query_one(DataTable)
        if not self.members or table.cursor_row is None:
            return None
        if 0 <= table.cursor_row < len(self.members):
            return self.members[table.cursor_row]
        return None

    # ---- actions --------------------------------------------------------------------------
    def action_add(self) -> None:
        service = self.writable_service()
        if service is None:
            return
        from msgsvc_tui.tui.screens.sender_picker import SenderPicker

        def picked(sid: str | None) -> None:
            if sid:
                self.add_member(service, sid)

        self.app.push_screen(SenderPicker(self.session, service), picked)

    def action_add_alpha(self) -> None:
        service = self.writable_service()
        if service is None:
            return
        existing = [m for k, m in self.members if k is senders.ALPHA_SENDERS]
        if existing:
            self.app.notify(
                "This service already has the alpha sender ID "
                f"“{shown(existing[0]['alpha_sender'])}”. "
                "A service holds one: remove it first (select it, press x).",
                severity="warning",
                title="One alpha sender per service",
            )
            return
        from msgsvc_tui.tui.screens.sender_picker import AlphaSenderScreen

        def typed(value: str | None) -> None:
            if value:
                self.add_member(service, value, kind=senders.ALPHA_SENDERS)

        self.app.push_screen(AlphaSenderScreen(), typed)

    @work(group="senders-write", exit_on_error=False)
    async def add_member(
        self, service: Json, value: str, kind: senders.SenderKind | None = None
    ) -> None:
        kind = kind or (senders.SHORT_CODES if value.startswith("SC") else senders.PHONE_NUMBERS)
        label = self.session.pool_index.label(value)
        outcome = await self.session.writes.add_sender(service, kind, value, label=label)
        exc = outcome.error
        if isinstance(exc, errors.ApiError):
            if exc.code == pool.ALREADY_ELSEWHERE and kind is not senders.ALPHA_SENDERS:
                await self._offer_move(service, kind, value, exc)
            else:
                self.app.notify(
                    pool.explain(exc, label), severity="error", title="Not added", timeout=10
                )
            return
        added = outcome.result
        if not outcome.ok or added is None:
            self.app.notify(outcome.words, severity="error", title="Not added")
            return
        self.app.notify(f"Added {member_label(kind, added)} to {name_of(service)}")
        if self.service and self.service["sid"] == service["sid"]:
            self.show(self.service)

    async def _offer_move(
        self, service: Json, kind: senders.SenderKind, sid: str, exc: errors.ApiError
    ) -> None:
        index = self.session.pool_index
        # Twilio's 21712 does not name the holder: find it from the services' own pools.
        holder = index.holder(sid)
        if holder is None:
            await index.build(self.session.client, self.session.service_sids())
            holder = index.holder(sid)
        holder_service = self.session.service(holder) if holder else None
        holder_name = name_of(holder_service) if holder_service else holder
        label = index.label(sid)
        explanation = pool.explain(exc, label, holder_name=holder_name)
        if holder is None:
            self.app.notify(explanation, severity="error", title="Not added", timeout=10)
            return
        from msgsvc_tui.tui.screens.modals import confirm_then

        source = holder_service or {"sid": holder, "friendly_name": holder_name}
        confirm_then(
            self,
            "Move the sender here?",
            f"{explanation}\n\nMove it: remove it from “{holder_name}” and add it to "
            f"“{name_of(service)}”?",
            lambda: self.move_member(service, kind, sid, source, str(holder_name)),
            yes="Move",
        )

    @work(group="senders-write", exit_on_error=False)
    async def move_member(
        self, service: Json, kind: senders.SenderKind, sid: str, source: Json, holder_name: str
    ) -> None:
        index = self.session.pool_index
        label = index.label(sid)
        outcome = await self.session.writes.move_sender(
            kind, sid, source=source, to=service, label=label
        )
        moved = outcome.result
        if not outcome.ok or moved is None:  # the words say where the number is now
            self.app.notify(outcome.words, severity="error", title="Not moved", timeout=10)
            return
        index.holders[sid] = service["sid"]
        self.app.notify(
            f"Moved {member_label(kind, moved)} from {holder_name} to {name_of(service)}"
        )
        if self.service and self.service["sid"] == service["sid"]:
            self.show(self.service)

    def action_remove(self) -> None:
        selected = self._selected()
        if selected is None or self.service is None or self.session.refuses_writes(self.app.notify):
            return
        kind, member = selected
        service = self.service
        where = (
            "It returns to the account's free numbers."
            if kind is not senders.ALPHA_SENDERS
            else "The alpha sender ID is deleted from the service."
        )
        self.confirm_then(
            "Remove sender",
            f"Remove the {kind.label} {member_label(kind, member)} from "
            f"“{name_of(service)}”?\n\n{where}",
            "Remove",
            lambda: self.remove_member(service, kind, member),
        )

    @work(group="senders-write", exit_on_error=False)
    async def remove_member(self, service: Json, kind: senders.SenderKind, member: Json) -> None:
        label = member_label(kind, member)
        call = self.session.writes.remove_sender(service, kind, member)
        done, _ = await self.attempt(
            call, title="Not removed", explain=lambda exc: pool.explain(exc, label)
        )
        if not done:
            return
        self.session.pool_index.holders.pop(member["sid"], None)
        self.app.notify(f"Removed {label} from {name_of(service)}")
        if self.service and self.service["sid"] == service["sid"]:
            self.show(self.service)
