"""The emulator's state in SQLite.

Each write is one transaction committed before the HTTP answer goes out, so a process killed
between requests loses nothing. File databases use WAL so a reader never blocks a writer.
A service's catalogue values sit in one JSON column: a field added to the catalogue needs no
schema change here.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgsvc_tui.core import fields, senders

SCHEMA = """
CREATE TABLE IF NOT EXISTS services (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS services_account ON services(account_sid, seq);
-- The account's phone numbers and short codes (2010 API); service_sid is the pool they are in.
CREATE TABLE IF NOT EXISTS numbers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    value TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    country_code TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL,
    service_sid TEXT REFERENCES services(sid) ON DELETE SET NULL,
    date_added TEXT
);
CREATE INDEX IF NOT EXISTS numbers_service ON numbers(service_sid, kind, seq);
CREATE TABLE IF NOT EXISTS alpha_senders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
    alpha_sender TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class EmulatorError(Exception):
    """An answer in Twilio's error shape."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Row:
    seq: int
    data: dict[str, Any]


class Store:
    def __init__(self, path: str | Path = ":memory:", *, pool_limit: int = senders.POOL_LIMIT):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.pool_limit = pool_limit
        self._lock = threading.RLock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
        self.db.executescript(SCHEMA)
        self._complete_bodies()

    # Every stored body holds every catalogue value, so the list can splice stored JSON text
    # without decoding it (the emulator's hot path). A field added to the catalogue later is
    # filled in here, once, with its default.
    BODY_KEYS_META = "body_keys"

    @staticmethod
    def body_keys() -> list[str]:
        return sorted([*fields.defaults(), "us_app_to_person_registered"])

    def _complete_bodies(self) -> None:
        keys = ",".join(self.body_keys())
        if self.get_meta(self.BODY_KEYS_META) == keys:
            return
        base = {**fields.defaults(), "us_app_to_person_registered": False}
        with self.tx() as db:
            rows = db.execute("SELECT sid, body FROM services").fetchall()
            for row in rows:
                body = json.loads(row["body"])
                if set(body) >= set(base):
                    continue
                db.execute(
                    "UPDATE services SET body = ? WHERE sid = ?",
                    (json.dumps({**base, **body}), row["sid"]),
                )
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                (self.BODY_KEYS_META, keys),
            )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # ---- meta -----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def reset(self) -> None:
        with self.tx() as db:
            # every table, the ones other modules add (emulator/resources.py) included;
            # children first, so no foreign key is left dangling
            tables = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name = 'services', rowid DESC"
                )
            ]
            for table in tables:
                db.execute(f"DELETE FROM {table}")
        self._complete_bodies()

    # ---- services -------------------------------------------------------------------------
    @staticmethod
    def _service(row: sqlite3.Row) -> Row:
        data = {
            "sid": row["sid"],
            "account_sid": row["account_sid"],
            "date_created": row["date_created"],
            "date_updated": row["date_updated"],
        }
        data.update(json.loads(row["body"]))
        return Row(row["seq"], data)

    def create_service(
        self, account_sid: str, values: Mapping[str, Any], *, when: str | None = None
    ) -> dict[str, Any]:
        body = fields.defaults()
        body["us_app_to_person_registered"] = False
        body.update(values)
        sid = new_sid("MG")
        stamp = when or now_iso()
        with self.tx() as db:
            db.execute(
                "INSERT INTO services(sid, account_sid, date_created, date_updated, body)"
                " VALUES (?, ?, ?, ?, ?)",
                (sid, account_sid, stamp, stamp, json.dumps(body)),
            )
        return self.get_service(account_sid, sid)

    def insert_services(self, rows: list[tuple[str, str, str, str, dict[str, Any]]]) -> None:
        """Bulk insert of (sid, account_sid, created, updated, body): seeding 100k fast."""
        with self.tx() as db:
            db.executemany(
                "INSERT INTO services(sid, account_sid, date_created, date_updated, body)"
                " VALUES (?, ?, ?, ?, ?)",
                ((s, a, c, u, json.dumps(b)) for s, a, c, u, b in rows),
            )

    def _service_row(self, account_sid: str, sid: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM services WHERE sid = ? AND account_sid = ?", (sid, account_sid)
        ).fetchone()
        if row is None:
            raise EmulatorError(404, 20404, f"The requested resource /Services/{sid} was not found")
        return row

    def get_service(self, account_sid: str, sid: str) -> dict[str, Any]:
        return self._service(self._service_row(account_sid, sid)).data

    def update_service(
        self, account_sid: str, sid: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        with self.tx() as db:
            row = self._service_row(account_sid, sid)
            body = json.loads(row["body"])
            body.update(values)
            # As Twilio: one-second resolution and no artificial bump, so two writes in one
            # second leave date_updated alone (clients must compare fields, not this stamp).
            stamp = now_iso()
            db.execute(
                "UPDATE services SET body = ?, date_updated = ? WHERE sid = ?",
                (json.dumps(body), stamp, sid),
            )
        return self.get_service(account_sid, sid)

    def delete_service(self, account_sid: str, sid: str) -> None:
        with self.tx() as db:
            self._service_row(account_sid, sid)
            # numbers go back to the account (ON DELETE SET NULL); alpha senders go with it
            db.execute("UPDATE numbers SET date_added = NULL WHERE service_sid = ?", (sid,))
            db.execute("DELETE FROM services WHERE sid = ?", (sid,))

    def list_services(
        self, account_sid: str, *, after: int | None, before: int | None, limit: int
    ) -> list[Row]:
        if before is not None:
            rows = self.db.execute(
                "SELECT * FROM services WHERE account_sid = ? AND seq < ?"
                " ORDER BY seq DESC LIMIT ?",
                (account_sid, before, limit),
            ).fetchall()
            rows.reverse()
        else:
            rows = self.db.execute(
                "SELECT * FROM services WHERE account_sid = ? AND seq > ? ORDER BY seq LIMIT ?",
                (account_sid, after or 0, limit),
            ).fetchall()
        return [self._service(r) for r in rows]

    def list_services_raw(
        self, account_sid: str, *, after: int | None, before: int | None, limit: int
    ) -> tuple[list[tuple[int, str, str, str, str, str]], bool]:
        """(seq, sid, account_sid, date_created, date_updated, body text) rows for the list's
        fast path, and whether more rows lie beyond them in the direction read.

        Plain tuples and one extra row instead of a second query: this is most of the
        emulator's time per 1000-service page.
        """
        columns = "seq, sid, account_sid, date_created, date_updated, body"
        if before is not None:
            sql = (
                f"SELECT {columns} FROM services WHERE account_sid = ? AND seq < ?"
                " ORDER BY seq DESC LIMIT ?"
            )
            cursor = self.db.execute(sql, (account_sid, before, limit + 1))
        else:
            sql = (
                f"SELECT {columns} FROM services WHERE account_sid = ? AND seq > ?"
                " ORDER BY seq LIMIT ?"
            )
            cursor = self.db.execute(sql, (account_sid, after or 0, limit + 1))
        cursor.row_factory = None
        rows = cursor.fetchall()
        more = len(rows) > limit
        del rows[limit:]
        if before is not None:
            rows.reverse()
        return rows, more

    def has_services_before(self, account_sid: str, seq: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM services WHERE account_sid = ? AND seq < ? LIMIT 1",
                (account_sid, seq),
            ).fetchone()
            is not None
        )

    def has_services_after(self, account_sid: str, seq: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM services WHERE account_sid = ? AND seq > ? LIMIT 1",
                (account_sid, seq),
            ).fetchone()
            is not None
        )

    def count_services(self, account_sid: str) -> int:
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM services WHERE account_sid = ?", (account_sid,)
            ).fetchone()[0]
        )

    # ---- the account's numbers ------------------------------------------------------------
    def add_account_number(
        self,
        account_sid: str,
        kind: senders.SenderKind,
        value: str,
        *,
        country_code: str,
        capabilities: list[str],
        friendly_name: str | None = None,
        when: str | None = None,
        sid: str | None = None,
        service_sid: str | None = None,
    ) -> str:
        sid = sid or new_sid(kind.prefix)
        stamp = when or now_iso()
        with self.tx() as db:
            db.execute(
                "INSERT INTO numbers(sid, kind, account_sid, value, friendly_name, country_code,"
                " capabilities, date_created, date_updated, service_sid, date_added)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    sid,
                    kind.key,
                    account_sid,
                    value,
                    friendly_name or value,
                    country_code,
                    json.dumps(capabilities),
                    stamp,
                    stamp,
                    service_sid,
                    stamp if service_sid else None,
                ),
            )
        return sid

    def list_account_numbers(
        self,
        account_sid: str,
        kind: senders.SenderKind,
        *,
        offset: int,
        limit: int,
        after: int = 0,
    ) -> tuple[list[sqlite3.Row], bool]:
        rows = self.db.execute(
            "SELECT * FROM numbers WHERE account_sid = ? AND kind = ? AND seq > ? ORDER BY seq"
            " LIMIT ? OFFSET ?",
            (account_sid, kind.key, after, limit + 1, offset),
        ).fetchall()
        return rows[:limit], len(rows) > limit

    # ---- sender pool ----------------------------------------------------------------------
    def list_pool(
        self,
        account_sid: str,
        service_sid: str,
        kind: senders.SenderKind,
        *,
        after: int,
        limit: int,
    ) -> list[sqlite3.Row]:
        self._service_row(account_sid, service_sid)
        table = "alpha_senders" if kind is senders.ALPHA_SENDERS else "numbers"
        kind_clause = "" if kind is senders.ALPHA_SENDERS else " AND kind = ?"
        args: tuple[Any, ...] = (service_sid, after)
        if kind_clause:
            args += (kind.key,)
        return self.db.execute(
            f"SELECT * FROM {table} WHERE service_sid = ? AND seq > ?{kind_clause}"
            " ORDER BY seq LIMIT ?",
            (*args, limit),
        ).fetchall()

    def get_pool_member(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, sid: str
    ) -> sqlite3.Row:
        self._service_row(account_sid, service_sid)
        table = "alpha_senders" if kind is senders.ALPHA_SENDERS else "numbers"
        row: sqlite3.Row | None = self.db.execute(
            f"SELECT * FROM {table} WHERE sid = ? AND service_sid = ?", (sid, service_sid)
        ).fetchone()
        if row is None:
            raise EmulatorError(
                404,
                20404,
                f"The requested resource /Services/{service_sid}/{kind.path}/{sid} was not found",
            )
        return row

    def add_to_pool(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, value: str
    ) -> sqlite3.Row:
        with self.tx() as db:
            self._service_row(account_sid, service_sid)
            stamp = now_iso()
            if kind is senders.ALPHA_SENDERS:
                return self._add_alpha(db, account_sid, service_sid, value, stamp)
            row = db.execute(
                "SELECT * FROM numbers WHERE sid = ? AND account_sid = ? AND kind = ?",
                (value, account_sid, kind.key),
            ).fetchone()
            if row is None:
                raise EmulatorError(
                    404, 20404, f"The {kind.label} {value} was not found in this account"
                )
            if row["service_sid"] == service_sid:
                raise _refusal(senders.ALREADY_IN_SERVICE)
            if row["service_sid"]:
                raise _refusal(senders.ALREADY_ELSEWHERE)
            caps = set(json.loads(row["capabilities"]))
            if kind is senders.PHONE_NUMBERS and not caps & {"SMS", "MMS"}:
                raise _refusal(senders.NO_MESSAGING_CAPABILITY)
            in_pool = db.execute(
                "SELECT COUNT(*) FROM numbers WHERE service_sid = ?", (service_sid,)
            ).fetchone()[0]
            if in_pool >= self.pool_limit:
                raise _refusal(senders.POOL_FULL)
            db.execute(
                "UPDATE numbers SET service_sid = ?, date_added = ? WHERE sid = ?",
                (service_sid, stamp, value),
            )
            return _one(db.execute("SELECT * FROM numbers WHERE sid = ?", (value,)))

    def _add_alpha(
        self,
        db: sqlite3.Connection,
        account_sid: str,
        service_sid: str,
        value: str,
        stamp: str,
        sid: str | None = None,
    ) -> sqlite3.Row:
        if senders.alpha_sender_problem(value):
            raise _refusal(senders.ALPHA_INVALID)
        existing = db.execute(
            "SELECT alpha_sender FROM alpha_senders WHERE service_sid = ?", (service_sid,)
        ).fetchone()
        if existing:
            # Twilio's code for a second alpha sender is not confirmed: the generic one.
            raise EmulatorError(
                409,
                fields.INVALID_PARAMETER,
                f"This service already has the alpha sender ID {existing[0]!r}; a service holds "
                "one: remove it first",
            )
        sid = sid or new_sid("AI")
        db.execute(
            "INSERT INTO alpha_senders(sid, account_sid, service_sid, alpha_sender,"
            " date_created, date_updated) VALUES (?,?,?,?,?,?)",
            (sid, account_sid, service_sid, value, stamp, stamp),
        )
        return _one(db.execute("SELECT * FROM alpha_senders WHERE sid = ?", (sid,)))

    def seed_alpha(
        self, account_sid: str, service_sid: str, value: str, sid: str, when: str
    ) -> None:
        with self.tx() as db:
            self._add_alpha(db, account_sid, service_sid, value, when, sid)

    def remove_from_pool(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, sid: str
    ) -> None:
        with self.tx() as db:
            self._service_row(account_sid, service_sid)
            if kind is senders.ALPHA_SENDERS:
                cur = db.execute(
                    "DELETE FROM alpha_senders WHERE sid = ? AND service_sid = ?",
                    (sid, service_sid),
                )
                if cur.rowcount == 0:
                    raise EmulatorError(404, 20404, f"Alpha sender {sid} is not in this service")
                return
            row = db.execute(
                "SELECT service_sid FROM numbers WHERE sid = ? AND account_sid = ?",
                (sid, account_sid),
            ).fetchone()
            if row is None:
                raise EmulatorError(404, 20404, f"The {kind.label} {sid} was not found")
            if row["service_sid"] != service_sid:
                raise _refusal(senders.NOT_IN_SERVICE)
            db.execute(
                "UPDATE numbers SET service_sid = NULL, date_added = NULL WHERE sid = ?", (sid,)
            )


def _one(cursor: sqlite3.Cursor) -> sqlite3.Row:
    """The row a statement just wrote (it exists: the same transaction made it)."""
    row: sqlite3.Row = cursor.fetchone()
    return row


def _refusal(refusal: tuple[int, int, str]) -> EmulatorError:
    code, status, message = refusal
    return EmulatorError(status, code, message)
