"""The write journal: every write the app makes, with the values before and after, kept in a
SQLite file in the data folder (bounded, survives restarts), and undo built on it.

Undo never guesses. It asks the server first and refuses, saying why, when the service changed
since our write (a field no longer holds the value we wrote) or is gone. The undo is itself a
write, journalled like any other.

No UI here: the TUI records and undoes through this module, and so could any other caller.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.core import fields, senders

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]
LIMIT = 2000  # entries kept; the oldest go first

SCHEMA = """
CREATE TABLE IF NOT EXISTS writes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    session TEXT NOT NULL,
    batch TEXT,
    account_sid TEXT NOT NULL,
    action TEXT NOT NULL,
    service_sid TEXT NOT NULL,
    label TEXT NOT NULL,
    before TEXT,
    after TEXT,
    undoes INTEGER,
    undone_by INTEGER
);
CREATE INDEX IF NOT EXISTS writes_session ON writes(session, id);
"""

UPDATE = "update"
CREATE = "create"
DELETE = "delete"
ADD_SENDER = "add sender"
REMOVE_SENDER = "remove sender"
CREATE_CAMPAIGN = "create campaign"
UPDATE_CAMPAIGN = "update campaign"
DELETE_CAMPAIGN = "delete campaign"
CAMPAIGN_ACTIONS = (CREATE_CAMPAIGN, UPDATE_CAMPAIGN, DELETE_CAMPAIGN)
# A message, once sent, cannot be taken back: journalled (before it is sent, with its
# target), never offered to undo, and never in the way of undoing the write before it.
SEND_MESSAGE = "send message"


@dataclass
class Entry:
    id: int
    at: str
    session: str
    batch: str | None
    account_sid: str
    action: str
    service_sid: str
    label: str  # the service's name when written
    before: Json | None
    after: Json | None
    undoes: int | None = None
    undone_by: int | None = None

    def service(self) -> Json:
        """The service as the entry knows it: enough to journal a write to it again."""
        return {
            "sid": self.service_sid,
            "friendly_name": self.label,
            "account_sid": self.account_sid,
        }

    def describe(self) -> str:
        """What this write did, as a line people read (values from the catalogue's display)."""
        if self.action == UPDATE:
            changes = [
                f"{fields.get(n).label}: {_shown(n, (self.before or {}).get(n))} → {_shown(n, v)}"
                for n, v in (self.after or {}).items()
                if n in fields.BY_NAME
            ]
            return f"{self.label}: " + "; ".join(changes)
        if self.action in (ADD_SENDER, REMOVE_SENDER):
            data = self.after or self.before or {}
            where = f" ({data['country']})" if data.get("country") else ""
            return f"{self.label}: {self.action} {data.get('label', '')}{where}"
        if self.action == SEND_MESSAGE:
            data = self.after or {}
            sid = f" {data['message_sid']}" if data.get("message_sid") else ""
            return f"{self.label}: message to {data.get('to', '?')}: {data.get('state', '?')}{sid}"
        if self.action in CAMPAIGN_ACTIONS:
            data = self.after or self.before or {}
            what = data.get("us_app_to_person_usecase") or data.get("campaign_id") or ""
            return f"{self.label}: {self.action} {what} {data.get('sid', '')}".rstrip()
        return f"{self.action} {self.label}"


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    return fields.get(name).display(value)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Journal:
    """The journal file. One per data folder; every app session writes with its own id."""

    def __init__(self, path: str | Path, *, limit: int = LIMIT) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.limit = limit
        self.session = uuid.uuid4().hex
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)

    @classmethod
    def default(cls) -> Journal:
        """The journal in the data folder: the app and the CLI write the same one."""
        from msgsvc_tui.core.config import data_dir

        return cls(data_dir() / "journal.sqlite3")

    def close(self) -> None:
        self.db.close()

    # ---- recording --------------------------------------------------------------------------
    def record(
        self,
        action: str,
        service: Mapping[str, Any],
        *,
        before: Json | None,
        after: Json | None,
        batch: str | None = None,
        undoes: int | None = None,
    ) -> Entry:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(
                    "INSERT INTO writes(at, session, batch, account_sid, action, service_sid,"
                    " label, before, after, undoes) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        _now(),
                        self.session,
                        batch,
                        str(service.get("account_sid") or ""),
                        action,
                        str(service["sid"]),
                        str(service.get("friendly_name") or service["sid"]),
                        None if before is None else json.dumps(before),
                        None if after is None else json.dumps(after),
                        undoes,
                    ),
                )
                entry_id = int(cursor.lastrowid or 0)
                if undoes is not None:
                    self.db.execute(
                        "UPDATE writes SET undone_by = ? WHERE id = ?", (entry_id, undoes)
                    )
                self.db.execute(
                    "DELETE FROM writes WHERE id <= (SELECT MAX(id) FROM writes) - ?",
                    (self.limit,),
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        found = self.get(entry_id)
        assert found is not None
        return found

    def amend(self, entry_id: int, after: Json) -> Entry | None:
        """Settle an entry journalled before its request went out: what came of it."""
        with self._lock:
            self.db.execute(
                "UPDATE writes SET after = ? WHERE id = ?", (json.dumps(after), entry_id)
            )
        return self.get(entry_id)

    @staticmethod
    def new_batch() -> str:
        return uuid.uuid4().hex

    # ---- reading ----------------------------------------------------------------------------
    @staticmethod
    def _entry(row: sqlite3.Row) -> Entry:
        return Entry(
            id=row["id"],
            at=row["at"],
            session=row["session"],
            batch=row["batch"],
            account_sid=row["account_sid"],
            action=row["action"],
            service_sid=row["service_sid"],
            label=row["label"],
            before=json.loads(row["before"]) if row["before"] else None,
            after=json.loads(row["after"]) if row["after"] else None,
            undoes=row["undoes"],
            undone_by=row["undone_by"],
        )

    def get(self, entry_id: int) -> Entry | None:
        row = self.db.execute("SELECT * FROM writes WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def recent(self, limit: int = 200) -> list[Entry]:
        rows = self.db.execute("SELECT * FROM writes ORDER BY id DESC LIMIT ?", (limit,))
        return [self._entry(r) for r in rows]

    def last_written(self, account_sid: str) -> list[Entry]:
        """The last write to this account not yet undone, from any session (the CLI's
        `services undo`), with the rest of its batch: an apply is undone as one."""
        row = self.db.execute(
            "SELECT * FROM writes WHERE account_sid = ? AND undone_by IS NULL"
            " AND undoes IS NULL AND action != ? ORDER BY id DESC LIMIT 1",
            (account_sid, SEND_MESSAGE),
        ).fetchone()
        return self._with_batch(row)

    def _with_batch(self, row: sqlite3.Row | None) -> list[Entry]:
        if row is None:
            return []
        last = self._entry(row)
        if last.batch is None:
            return [last]
        rows = self.db.execute(
            "SELECT * FROM writes WHERE batch = ? AND undone_by IS NULL AND undoes IS NULL"
            " ORDER BY id",
            (last.batch,),
        )
        return [self._entry(r) for r in rows]

    def last_undoable(self, account_sid: str) -> list[Entry]:
        """This session's last write to this account not yet undone (and not itself an
        undo), with the rest of its batch: a bulk flip is undone as one."""
        row = self.db.execute(
            "SELECT * FROM writes WHERE session = ? AND account_sid = ? AND undone_by IS NULL"
            " AND undoes IS NULL AND action != ? ORDER BY id DESC LIMIT 1",
            (self.session, account_sid, SEND_MESSAGE),
        ).fetchone()
        return self._with_batch(row)


# ---- undo -------------------------------------------------------------------------------------
@dataclass
class UndoStep:
    entry: Entry
    what: str  # what the undo will do, as a line people read
    refusal: str | None = None  # why it cannot, when it cannot


@dataclass
class UndoPlan:
    steps: list[UndoStep] = field(default_factory=list)

    @property
    def doable(self) -> list[UndoStep]:
        return [s for s in self.steps if s.refusal is None]

    @property
    def refused(self) -> list[UndoStep]:
        return [s for s in self.steps if s.refusal is not None]


def _differs(current: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    out = []
    for name, value in expected.items():
        held = current.get(name)
        if (None if held == "" else held) != (None if value == "" else value):
            shown = _shown(name, held) if name in fields.BY_NAME else str(held)
            out.append(
                f"{fields.get(name).label if name in fields.BY_NAME else name} is now {shown}"
            )
    return out


async def plan_undo(client: MessagingClient, entries: list[Entry]) -> UndoPlan:
    """What undoing `entries` would do, checked against the server now."""
    plan = UndoPlan()
    for entry in entries:
        plan.steps.append(await _plan_one(client, entry))
    return plan


async def _plan_one(client: MessagingClient, entry: Entry) -> UndoStep:
    sid = entry.service_sid
    try:
        if entry.action == DELETE:
            return UndoStep(entry, f"re-create {entry.label} (a new SID) with its settings")
        if entry.action in CAMPAIGN_ACTIONS:
            return await _plan_campaign(client, entry)
        try:
            current = await client.fetch_service(sid)
        except errors.NotFoundError:
            return UndoStep(entry, "", f"{entry.label} has been deleted since")
        if entry.action == UPDATE:
            after = entry.after or {}
            differ = _differs(current, after)
            if differ:
                return UndoStep(entry, "", "changed on the server since: " + "; ".join(differ))
            back = "; ".join(
                f"{fields.get(n).label}: {_shown(n, v)} → {_shown(n, (entry.before or {}).get(n))}"
                for n, v in after.items()
            )
            return UndoStep(entry, f"{entry.label}: {back}")
        if entry.action == CREATE:
            differ = _differs(current, {n: v for n, v in (entry.after or {}).items()})
            if differ:
                return UndoStep(entry, "", "changed on the server since: " + "; ".join(differ))
            return UndoStep(entry, f"delete {entry.label} (created by the write being undone)")
        if entry.action in (ADD_SENDER, REMOVE_SENDER):
            data = entry.after or entry.before or {}
            kind = senders.BY_KEY[data["kind"]]
            members = await client.list_senders(sid, kind)
            present = any(m.get("sid") == data["sender_sid"] for m in members)
            if entry.action == REMOVE_SENDER and kind.by_value:  # re-added: a new SID
                present = any(
                    m.get(kind.value_field) == data["label"]
                    and m.get("iso_country_code") == data.get("country")
                    for m in members
                )
            if entry.action == ADD_SENDER:
                if not present:
                    return UndoStep(entry, "", f"{data['label']} is no longer in {entry.label}")
                return UndoStep(entry, f"remove {data['label']} from {entry.label}")
            if present:
                return UndoStep(entry, "", f"{data['label']} is back in {entry.label} already")
            return UndoStep(entry, f"add {data['label']} back to {entry.label}")
    except errors.MsgsvcError as exc:
        return UndoStep(entry, "", f"cannot check the server: {errors.describe(exc)}")
    return UndoStep(entry, "", f"cannot undo a {entry.action}")


async def apply_undo(client: MessagingClient, journal: Journal, plan: UndoPlan) -> list[str]:
    """Carry out the doable steps, journalling each; returns a line per step (done or why
    not). A step that fails leaves the others to run."""
    lines = [f"✗ {s.entry.label}: {s.refusal}" for s in plan.refused]
    batch = journal.new_batch() if len(plan.doable) > 1 else None
    for step in plan.doable:
        entry = step.entry
        try:
            await _undo_one(client, journal, entry, batch)
        except (errors.MsgsvcError, fields.ValidationError) as exc:
            lines.append(f"✗ {step.what}: {errors.describe(exc)}")
            continue
        lines.append(f"✓ {step.what}")
    return lines


async def _undo_one(
    client: MessagingClient, journal: Journal, entry: Entry, batch: str | None
) -> None:
    sid = entry.service_sid
    if entry.action == UPDATE:
        before = {n: v for n, v in (entry.before or {}).items() if n in fields.BY_NAME}
        old = await client.fetch_service(sid)
        updated = await client.update_service(sid, before)
        journal.record(
            UPDATE,
            updated,
            before={n: old.get(n) for n in before},
            after=before,
            batch=batch,
            undoes=entry.id,
        )
    elif entry.action == CREATE:
        gone = await client.fetch_service(sid)
        await client.delete_service(sid)
        journal.record(DELETE, gone, before=writable(gone), after=None, undoes=entry.id)
    elif entry.action in CAMPAIGN_ACTIONS:
        await _undo_campaign(client, journal, entry)
    elif entry.action == DELETE:
        values = writable(entry.before or {})
        created = await client.create_service(values)
        journal.record(CREATE, created, before=None, after=writable(created), undoes=entry.id)
    else:
        data = entry.after or entry.before or {}
        kind = senders.BY_KEY[data["kind"]]
        service = entry.service()
        if entry.action == ADD_SENDER:
            await client.remove_sender(sid, kind, data["sender_sid"])
            journal.record(REMOVE_SENDER, service, before=data, after=None, undoes=entry.id)
        else:
            value = data["label"] if kind.by_value else data["sender_sid"]
            added = await client.add_sender(sid, kind, value, country=data.get("country"))
            journal.record(
                ADD_SENDER, service, before=None, after=sender_data(kind, added), undoes=entry.id
            )


def writable(service: Mapping[str, Any]) -> Json:
    """A service's writable values, as a create would send them back."""
    return {f.name: service.get(f.name) for f in fields.WRITABLE if f.name in service}


def sender_data(kind: senders.SenderKind, member: Mapping[str, Any]) -> Json:
    """What a sender entry keeps: its kind, SID and the label people know it by (and the
    country of a country alpha sender, which re-adding it needs)."""
    label = member.get(kind.value_field) or member.get("sid")
    data = {"kind": kind.key, "sender_sid": member.get("sid"), "label": str(label)}
    if kind is senders.DESTINATION_ALPHA_SENDERS:
        data["country"] = member.get("iso_country_code")
    return data


def campaign_data(campaign: Mapping[str, Any]) -> Json:
    """What a campaign entry keeps: its SID, use case, brand, ID and every writable value."""
    from msgsvc_tui.core import a2p

    data = {
        k: campaign.get(k)
        for k in ("sid", "us_app_to_person_usecase", "brand_registration_sid", "campaign_id")
    }
    data.update({f.name: campaign.get(f.name) for f in a2p.FIELDS if f.name in campaign})
    return data


async def _plan_campaign(client: MessagingClient, entry: Entry) -> UndoStep:
    """Undo of a campaign write: a created one is deleted (if it is still that campaign), an
    update is put back (if nobody changed it since). A deleted campaign cannot be restored:
    registering again is a new review (and new fees), so it is refused with the reason."""
    from msgsvc_tui.api import compliance
    from msgsvc_tui.core import a2p

    data = entry.after or entry.before or {}
    if entry.action == DELETE_CAMPAIGN:
        return UndoStep(
            entry,
            "",
            "a deleted campaign cannot be restored: register it again (a new review)",
        )
    try:
        current = await compliance.fetch_campaign(client, entry.service_sid, data["sid"])
    except errors.NotFoundError:
        return UndoStep(entry, "", f"the campaign of {entry.label} has been deleted since")
    if entry.action == CREATE_CAMPAIGN:
        return UndoStep(
            entry, f"delete the campaign {data.get('us_app_to_person_usecase')} of {entry.label}"
        )
    after = {k: v for k, v in (entry.after or {}).items() if k in a2p.BY_NAME}
    differ = [a2p.BY_NAME[k].label for k, v in after.items() if current.get(k) != v]
    if differ:
        return UndoStep(entry, "", "the campaign changed since: " + ", ".join(differ))
    return UndoStep(entry, f"{entry.label}: put the campaign's {len(after)} fields back")


async def _undo_campaign(client: MessagingClient, journal: Journal, entry: Entry) -> None:
    from msgsvc_tui.api import compliance
    from msgsvc_tui.core import a2p

    data = entry.after or entry.before or {}
    service = entry.service()
    if entry.action == CREATE_CAMPAIGN:
        gone = await compliance.fetch_campaign(client, entry.service_sid, data["sid"])
        await compliance.delete_campaign(client, entry.service_sid, data["sid"])
        journal.record(
            DELETE_CAMPAIGN, service, before=campaign_data(gone), after=None, undoes=entry.id
        )
        return
    current = await compliance.fetch_campaign(client, entry.service_sid, data["sid"])
    values = {f.name: current.get(f.name) for f in a2p.FIELDS if f.updatable and f.name in current}
    values.update({k: v for k, v in (entry.before or {}).items() if k in a2p.BY_NAME})
    updated = await compliance.update_campaign(client, entry.service_sid, data["sid"], values)
    journal.record(
        UPDATE_CAMPAIGN,
        service,
        before=campaign_data(current),
        after=campaign_data(updated),
        undoes=entry.id,
    )
