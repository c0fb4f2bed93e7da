"""Messaging Services: the settings of each, one JSON column for the catalogue's values (a
field added to the catalogue needs no schema change here)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.db import Database, new_sid, now_iso, one_row, refusal

# Where each kind of sender is kept (each store brings its tables).
SENDER_TABLES = {
    senders.PHONE_NUMBERS: "numbers",
    senders.SHORT_CODES: "numbers",
    senders.ALPHA_SENDERS: "alpha_senders",
    senders.CHANNEL_SENDERS: "channel_senders",
    senders.DESTINATION_ALPHA_SENDERS: "destination_alpha_senders",
}


@dataclass
class Row:
    seq: int
    data: dict[str, Any]


class ServiceStore(Database):
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
    """

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
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

    def reset(self) -> None:
        super().reset()
        self._complete_bodies()

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

    def service_row(self, account_sid: str, sid: str) -> sqlite3.Row:
        """The service's row, or Twilio's 404 (every store under a service checks this)."""
        return self.one("services", {"sid": sid, "account_sid": account_sid}, f"/Services/{sid}")

    def get_service(self, account_sid: str, sid: str) -> dict[str, Any]:
        return self._service(self.service_row(account_sid, sid)).data

    def update_service(
        self, account_sid: str, sid: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        with self.tx() as db:
            row = self.service_row(account_sid, sid)
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
            self.service_row(account_sid, sid)
            self.before_service_delete(db, sid)
            db.execute("DELETE FROM services WHERE sid = ?", (sid,))

    def before_service_delete(self, db: sqlite3.Connection, sid: str) -> None:
        """What a resource store does, in the deleting transaction, for what the service held
        beyond foreign keys (each store extends it and calls super())."""

    # ---- the senders a service holds, of every kind --------------------------------------
    def list_members(
        self,
        account_sid: str,
        service_sid: str,
        kind: senders.SenderKind,
        *,
        after: int,
        limit: int,
        country: str | None = None,
    ) -> list[sqlite3.Row]:
        """A page of the service's senders of `kind` (`country`: the destination alpha
        sender for that country only)."""
        self.service_row(account_sid, service_sid)
        where: dict[str, object] = {"service_sid": service_sid}
        if kind in (senders.PHONE_NUMBERS, senders.SHORT_CODES):
            where["kind"] = kind.key  # both in the account's `numbers`
        if kind is senders.DESTINATION_ALPHA_SENDERS:
            where["iso_country_code"] = country or None
        return self.rows_after(SENDER_TABLES[kind], where, after=after, limit=limit)

    def get_member(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, sid: str
    ) -> sqlite3.Row:
        self.service_row(account_sid, service_sid)
        where = {"sid": sid, "service_sid": service_sid}
        return self.one(SENDER_TABLES[kind], where, f"/Services/{service_sid}/{kind.path}/{sid}")

    @staticmethod
    def refuse_held(row: sqlite3.Row, service_sid: str) -> None:
        """A sender serves one Messaging Service: Twilio's refusal when `row` is held."""
        if row["service_sid"] == service_sid:
            raise refusal(senders.ALREADY_IN_SERVICE)
        if row["service_sid"]:
            raise refusal(senders.ALREADY_ELSEWHERE)

    @staticmethod
    def claim(
        db: sqlite3.Connection, table: str, row: sqlite3.Row, service_sid: str, stamp: str
    ) -> sqlite3.Row:
        """Put the account's sender `row` (of `table`) in `service_sid`'s pool; the row as
        it is now."""
        db.execute(
            f"UPDATE {table} SET service_sid = ?, date_added = ? WHERE sid = ?",
            (service_sid, stamp, row["sid"]),
        )
        return one_row(db.execute(f"SELECT * FROM {table} WHERE sid = ?", (row["sid"],)))

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
            rows = self.rows_after(
                "services", {"account_sid": account_sid}, after=after or 0, limit=limit
            )
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
        return self.exists("services", {"account_sid": account_sid, "seq <": seq})

    def has_services_after(self, account_sid: str, seq: int) -> bool:
        return self.exists("services", {"account_sid": account_sid, "seq >": seq})

    def count_services(self, account_sid: str) -> int:
        return self.count("services", {"account_sid": account_sid})
