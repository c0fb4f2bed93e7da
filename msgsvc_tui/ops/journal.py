"""The write journal: every write the app makes, from every front end, with where it went
(the server and the account), the values before and after, and how it ended. A SQLite file in
the data folder (bounded, survives restarts), shared by the app and the CLI.

An entry is recorded *before* its request is sent (state "sending") and settled afterwards
("done", "failed" or "unknown"): a write the journal cannot record is not sent at all (the
write path, ops/writes.py, refuses it with the reason). Undo (ops/undo.py) reads these entries
and only those of the target it is pointed at.

No UI here: the TUI and the CLI record and read through this module.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode

Json = dict[str, Any]
LIMIT = 2000  # entries kept; the oldest go first
BUSY_TIMEOUT = 2.0  # seconds to wait for another process holding the journal's lock

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
    undone_by INTEGER,
    target TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'done'
);
CREATE INDEX IF NOT EXISTS writes_session ON writes(session, id);
"""
# Journals written before entries named their target: the rows keep target '' (so no undo
# ever reaches them from a target) and count as done.
MIGRATIONS = (
    ("target", "ALTER TABLE writes ADD COLUMN target TEXT NOT NULL DEFAULT ''"),
    ("state", "ALTER TABLE writes ADD COLUMN state TEXT NOT NULL DEFAULT 'done'"),
)

UPDATE = "update"
CREATE = "create"
DELETE = "delete"
ADD_SENDER = "add sender"
REMOVE_SENDER = "remove sender"
CREATE_CAMPAIGN = "create campaign"
UPDATE_CAMPAIGN = "update campaign"
DELETE_CAMPAIGN = "delete campaign"
CAMPAIGN_ACTIONS = (CREATE_CAMPAIGN, UPDATE_CAMPAIGN, DELETE_CAMPAIGN)
NOTHING_TO_UNDO = "nothing to undo"  # an undo found the server as it was already
# A message, once sent, cannot be taken back: journalled (before it is sent, with its
# target), never offered to undo, and never in the way of undoing the write before it.
SEND_MESSAGE = "send message"
# A message a handset sent, made up on the emulator: journalled like a send, never undone.
INBOUND_MESSAGE = "inbound message"
MESSAGE_ACTIONS = (SEND_MESSAGE, INBOUND_MESSAGE)

# How an entry ended
SENDING = "sending"  # recorded, request sent or about to be; its end was never recorded
DONE = "done"
FAILED = "failed"  # confirmed not to have happened
UNKNOWN = "unknown"  # the server could not tell


class JournalError(MsgsvcError):
    """The journal cannot be opened or written (corrupt, locked by another process, its folder
    unwritable). A write that cannot be journalled is refused before it is sent."""

    EXIT = ExitCode.CONFIG


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
    target: str = ""  # the server and account it was written to (writes.Target.key)
    state: str = DONE

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
        if self.action in MESSAGE_ACTIONS:
            data = self.after or {}
            sid = f" {data['message_sid']}" if data.get("message_sid") else ""
            what = (
                "message to"
                if self.action == SEND_MESSAGE
                else f"inbound from {data.get('from', '?')} to"
            )
            return f"{self.label}: {what} {data.get('to', '?')}: {data.get('state', '?')}{sid}"
        if self.action in CAMPAIGN_ACTIONS:
            return f"{self.label}: {self.action} {campaign_words(self.after or self.before)}"
        return f"{self.action} {self.label}"


def campaign_words(data: Mapping[str, Any] | None) -> str:
    """A campaign as people know it: its SID, with its use case or TCR ID when known."""
    data = data or {}
    sid = str(data.get("sid") or "")
    what = data.get("us_app_to_person_usecase") or data.get("campaign_id") or ""
    return f"{sid} ({what})" if sid and what else sid or str(what) or "(unknown campaign)"


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    return fields.get(name).display(value)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Journal:
    """The journal file. One per data folder; every app session writes with its own id.

    Every failure to open or write it is a `JournalError` naming the file and the reason."""

    def __init__(
        self, path: str | Path, *, limit: int = LIMIT, timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = str(path)
        self.limit = limit
        self.session = uuid.uuid4().hex
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=timeout
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._error("cannot be opened", exc) from None
        try:
            self.db.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(SCHEMA)
            held = {row[1] for row in self.db.execute("PRAGMA table_info(writes)")}
            for column, statement in MIGRATIONS:
                if column not in held:
                    self.db.execute(statement)
            self.db.execute("CREATE INDEX IF NOT EXISTS writes_target ON writes(target, id)")
        except sqlite3.Error as exc:
            self.db.close()
            raise self._error("cannot be opened", exc) from None

    def _error(self, what: str, exc: BaseException) -> JournalError:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return JournalError(f"the journal {self.path} {what}: {reason}")

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
        target: str = "",
        state: str = DONE,
    ) -> Entry:
        """Record a write. The write path records it as SENDING before it sends, then
        `settle`s it; an undo entry marks what it undoes only once it is done."""
        try:
            with self._lock:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    cursor = self.db.execute(
                        "INSERT INTO writes(at, session, batch, account_sid, action, service_sid,"
                        " label, before, after, undoes, target, state)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            _now(),
                            self.session,
                            batch,
                            str(service.get("account_sid") or ""),
                            action,
                            str(service.get("sid") or ""),
                            str(service.get("friendly_name") or service.get("sid") or ""),
                            None if before is None else json.dumps(before),
                            None if after is None else json.dumps(after),
                            undoes,
                            target,
                            state,
                        ),
                    )
                    entry_id = int(cursor.lastrowid or 0)
                    if undoes is not None and state == DONE:
                        self.db.execute(
                            "UPDATE writes SET undone_by = ? WHERE id = ?", (entry_id, undoes)
                        )
                    self.db.execute(
                        "DELETE FROM writes WHERE id <= (SELECT MAX(id) FROM writes) - ?",
                        (self.limit,),
                    )
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise
            found = self.get(entry_id)
        except sqlite3.Error as exc:
            raise self._error("cannot be written", exc) from None
        assert found is not None
        return found

    def settle(
        self,
        entry_id: int,
        state: str,
        *,
        service_sid: str | None = None,
        label: str | None = None,
        before: Json | None = None,
        after: Json | None = None,
    ) -> None:
        """How a recorded write ended (and what the answer showed: a created service's SID,
        the values the server now holds). A done undo marks the entry it undoes."""
        sets = ["state = ?"]
        values: list[Any] = [state]
        for column, value in (("service_sid", service_sid), ("label", label)):
            if value is not None:
                sets.append(f"{column} = ?")
                values.append(value)
        for column, data in (("before", before), ("after", after)):
            if data is not None:
                sets.append(f"{column} = ?")
                values.append(json.dumps(data))
        try:
            with self._lock:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    self.db.execute(
                        f"UPDATE writes SET {', '.join(sets)} WHERE id = ?", (*values, entry_id)
                    )
                    if state == DONE:
                        self.db.execute(
                            "UPDATE writes SET undone_by = ? WHERE id ="
                            " (SELECT undoes FROM writes WHERE id = ?)",
                            (entry_id, entry_id),
                        )
                    self.db.execute("COMMIT")
                except BaseException:
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise self._error("cannot be written", exc) from None

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
            target=row["target"],
            state=row["state"],
        )

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        try:
            return list(self.db.execute(sql, params))
        except sqlite3.Error as exc:
            raise self._error("cannot be read", exc) from None

    def get(self, entry_id: int) -> Entry | None:
        rows = self._query("SELECT * FROM writes WHERE id = ?", (entry_id,))
        return self._entry(rows[0]) if rows else None

    def recent(self, limit: int = 200, *, target: str | None = None) -> list[Entry]:
        if target is None:
            rows = self._query("SELECT * FROM writes ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._query(
                "SELECT * FROM writes WHERE target = ? ORDER BY id DESC LIMIT ?", (target, limit)
            )
        return [self._entry(r) for r in rows]

    # An entry undo may take back: not itself an undo, not undone, not a confirmed failure
    # (one whose end was never recorded, or stayed unknown, is checked against the server).
    _UNDOABLE = (
        "undone_by IS NULL AND undoes IS NULL AND state != 'failed' AND action NOT IN ("
        + ", ".join(f"'{action}'" for action in MESSAGE_ACTIONS)
        + ")"
    )

    def last_written(self, target: str) -> list[Entry]:
        """The last write to this target (server and account) not yet undone, from any
        session (the CLI's `services undo`), with the rest of its batch: an apply is undone
        as one."""
        rows = self._query(
            f"SELECT * FROM writes WHERE target = ? AND {self._UNDOABLE} ORDER BY id DESC LIMIT 1",
            (target,),
        )
        return self._with_batch(rows[0] if rows else None)

    def last_undoable(self, target: str) -> list[Entry]:
        """This session's last write to this target not yet undone (and not itself an
        undo), with the rest of its batch: a bulk flip is undone as one."""
        rows = self._query(
            f"SELECT * FROM writes WHERE session = ? AND target = ? AND {self._UNDOABLE}"
            " ORDER BY id DESC LIMIT 1",
            (self.session, target),
        )
        return self._with_batch(rows[0] if rows else None)

    def _with_batch(self, row: sqlite3.Row | None) -> list[Entry]:
        if row is None:
            return []
        last = self._entry(row)
        if last.batch is None:
            return [last]
        rows = self._query(
            f"SELECT * FROM writes WHERE batch = ? AND target = ? AND {self._UNDOABLE} ORDER BY id",
            (last.batch, last.target),
        )
        return [self._entry(r) for r in rows]


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
