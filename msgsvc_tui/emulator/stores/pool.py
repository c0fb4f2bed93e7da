"""The account's phone numbers and short codes (2010 API) and the service's sender pool:
which service each number serves, and the service's alpha sender."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.db import EmulatorError, new_sid, now_iso, one_row, refusal
from msgsvc_tui.emulator.stores.services import ServiceStore


class PoolStore(ServiceStore):
    SCHEMA = """
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
    """

    def __init__(self, *args: Any, pool_limit: int = senders.POOL_LIMIT, **kw: Any) -> None:
        self.pool_limit = pool_limit
        super().__init__(*args, **kw)

    def before_service_delete(self, db: sqlite3.Connection, sid: str) -> None:
        super().before_service_delete(db, sid)
        # numbers go back to the account (ON DELETE SET NULL); alpha senders go with it
        db.execute("UPDATE numbers SET date_added = NULL WHERE service_sid = ?", (sid,))

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
        where = {"account_sid": account_sid, "kind": kind.key}
        rows = self.rows_after("numbers", where, after=after, limit=limit + 1, offset=offset)
        return rows[:limit], len(rows) > limit

    # ---- sender pool ----------------------------------------------------------------------
    def add_to_pool(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, value: str
    ) -> sqlite3.Row:
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            stamp = now_iso()
            if kind is senders.ALPHA_SENDERS:
                return self._add_alpha(db, account_sid, service_sid, value, stamp)
            where = {"sid": value, "account_sid": account_sid, "kind": kind.key}
            missing = EmulatorError(
                404, 20404, f"The {kind.label} {value} was not found in this account"
            )
            row = self.one("numbers", where, missing)
            self.refuse_held(row, service_sid)
            caps = set(json.loads(row["capabilities"]))
            if kind is senders.PHONE_NUMBERS and not caps & {"SMS", "MMS"}:
                raise refusal(senders.NO_MESSAGING_CAPABILITY)
            if self.count("numbers", {"service_sid": service_sid}) >= self.pool_limit:
                raise refusal(senders.POOL_FULL)
            return self.claim(db, "numbers", row, service_sid, stamp)

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
            raise refusal(senders.ALPHA_INVALID)
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
        return one_row(db.execute("SELECT * FROM alpha_senders WHERE sid = ?", (sid,)))

    def seed_alpha(
        self, account_sid: str, service_sid: str, value: str, sid: str, when: str
    ) -> None:
        with self.tx() as db:
            self._add_alpha(db, account_sid, service_sid, value, when, sid)

    def remove_from_pool(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, sid: str
    ) -> None:
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            if kind is senders.ALPHA_SENDERS:
                cur = db.execute(
                    "DELETE FROM alpha_senders WHERE sid = ? AND service_sid = ?",
                    (sid, service_sid),
                )
                if cur.rowcount == 0:
                    raise EmulatorError(404, 20404, f"Alpha sender {sid} is not in this service")
                return
            missing = EmulatorError(404, 20404, f"The {kind.label} {sid} was not found")
            row = self.one("numbers", {"sid": sid, "account_sid": account_sid}, missing)
            if row["service_sid"] != service_sid:
                raise refusal(senders.NOT_IN_SERVICE)
            db.execute(
                "UPDATE numbers SET service_sid = NULL, date_added = NULL WHERE sid = ?", (sid,)
            )
            self.after_pool_removal(db, service_sid, sid)

    def after_pool_removal(self, db: sqlite3.Connection, service_sid: str, sid: str) -> None:
        """What a resource store does, in the removing transaction, when a number leaves a
        service's pool (each store extends it and calls super())."""
