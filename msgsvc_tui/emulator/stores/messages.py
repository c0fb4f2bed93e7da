"""Messages (2010 API) and what sending needs to remember: sticky sender mappings, each
sender's queue, opted-out recipients, and the numbers' own inbound webhooks.

A message's timeline is decided when its sender is chosen (the queue says when it goes out)
and kept in `plan`: the steps still to come, each with the clock time it is due. `next_at` is
the first of them, so settling what is due is one indexed query.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgsvc_tui.emulator.stores.pool import PoolStore

COLUMNS = (
    "sid",
    "account_sid",
    "service_sid",
    "direction",
    "to_addr",
    "from_addr",
    "sender_key",
    "body",
    "media",
    "num_media",
    "num_segments",
    "status",
    "error_code",
    "price",
    "created",
    "updated",
    "sent",
    "validity",
    "status_callback",
    "send_at",
    "next_at",
    "plan",
    "why",
)


# What a listed Message resource is rendered from (handlers/messages.render)
_LISTED = (
    "seq, sid, account_sid, service_sid, direction, to_addr, from_addr, body, num_media,"
    " num_segments, status, error_code, price, created, updated, sent"
)


class MessageStore(PoolStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sid TEXT NOT NULL UNIQUE,
        account_sid TEXT NOT NULL,
        service_sid TEXT,          -- no foreign key: a deleted service's messages stay
        direction TEXT NOT NULL,
        to_addr TEXT NOT NULL,
        from_addr TEXT,
        sender_key TEXT,
        body TEXT NOT NULL,
        media TEXT NOT NULL,
        num_media INTEGER NOT NULL,
        num_segments INTEGER NOT NULL,
        status TEXT NOT NULL,
        error_code INTEGER,
        price TEXT,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        sent REAL,
        validity INTEGER NOT NULL,
        status_callback TEXT,
        send_at REAL,
        next_at REAL,
        plan TEXT NOT NULL,
        why TEXT
    );
    CREATE INDEX IF NOT EXISTS messages_account ON messages(account_sid, seq);
    CREATE INDEX IF NOT EXISTS messages_to ON messages(account_sid, to_addr, seq);
    CREATE INDEX IF NOT EXISTS messages_due ON messages(next_at) WHERE next_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS sticky_senders (
        service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
        to_addr TEXT NOT NULL,
        sender_key TEXT NOT NULL,
        last_used REAL NOT NULL,
        PRIMARY KEY (service_sid, to_addr)
    );
    CREATE TABLE IF NOT EXISTS sender_queues (
        sender_key TEXT PRIMARY KEY,
        free_at REAL NOT NULL,
        last_used REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS opt_outs (
        service_sid TEXT NOT NULL,
        address TEXT NOT NULL,
        PRIMARY KEY (service_sid, address)
    );
    CREATE TABLE IF NOT EXISTS number_webhooks (
        number_sid TEXT PRIMARY KEY,
        sms_url TEXT NOT NULL,
        sms_method TEXT NOT NULL DEFAULT 'POST',
        sms_fallback_url TEXT
    );
    """

    def after_pool_removal(self, db: sqlite3.Connection, service_sid: str, sid: str) -> None:
        super().after_pool_removal(db, service_sid, sid)
        # "When a Twilio phone number is removed from your Messaging Service, Twilio deletes
        # all Sticky Sender mappings associated with the removed Twilio number."
        # (https://www.twilio.com/docs/messaging/services#sticky-sender)
        db.execute(
            "DELETE FROM sticky_senders WHERE service_sid = ? AND sender_key = ?",
            (service_sid, sid),
        )

    def shift_times(self, delta: float) -> None:
        super().shift_times(delta)
        with self.tx() as db:
            db.execute(
                "UPDATE messages SET created = created + ?1, updated = updated + ?1,"
                " sent = sent + ?1, send_at = send_at + ?1, next_at = next_at + ?1",
                (delta,),
            )
            for sid, plan in db.execute(
                "SELECT sid, plan FROM messages WHERE plan != '[]'"
            ).fetchall():
                steps = [[at + delta, *rest] for at, *rest in json.loads(plan)]
                db.execute("UPDATE messages SET plan = ? WHERE sid = ?", (json.dumps(steps), sid))
            db.execute(
                "UPDATE sender_queues SET free_at = free_at + ?1, last_used = last_used + ?1",
                (delta,),
            )
            db.execute("UPDATE sticky_senders SET last_used = last_used + ?", (delta,))

    # ---- messages -------------------------------------------------------------------------
    def insert_message(self, db: sqlite3.Connection, values: dict[str, Any]) -> None:
        row = {c: values.get(c) for c in COLUMNS}
        row["plan"] = json.dumps(values.get("plan") or [])
        row["media"] = json.dumps(values.get("media") or [])
        db.execute(
            f"INSERT INTO messages({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            tuple(row[c] for c in COLUMNS),
        )

    def insert_messages(self, rows: list[dict[str, Any]]) -> None:
        """Bulk insert (demo data, benchmarks): one transaction."""
        with self.tx() as db:
            for values in rows:
                self.insert_message(db, values)

    def update_message(self, db: sqlite3.Connection, sid: str, values: dict[str, Any]) -> None:
        values = dict(values)
        if "plan" in values:
            values["plan"] = json.dumps(values["plan"])
        sets = ", ".join(f"{k} = ?" for k in values)
        db.execute(f"UPDATE messages SET {sets} WHERE sid = ?", (*values.values(), sid))

    def get_message(self, account_sid: str, sid: str) -> sqlite3.Row:
        where = {"sid": sid, "account_sid": account_sid}
        return self.one(
            "messages", where, f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
        )

    def list_messages(
        self,
        account_sid: str,
        *,
        before: int | None,
        limit: int,
        to: str | None = None,
        from_: str | None = None,
        sent_from: float | None = None,
        sent_to: float | None = None,
    ) -> list[sqlite3.Row]:
        """Newest first (as Twilio lists them), `limit` rows with seq below `before`: the
        columns the Message resource shows (a list page leaves the plan and reasons unread)."""
        clauses: list[str] = ["account_sid = ?"]
        args: list[str | float] = [account_sid]
        for clause, value in (
            ("seq < ?", before),
            ("to_addr = ?", to),
            ("from_addr = ?", from_),
            ("sent >= ?", sent_from),
            ("sent < ?", sent_to),
        ):
            if value is not None:
                clauses.append(clause)
                args.append(value)
        sql = (
            f"SELECT {_LISTED} FROM messages WHERE {' AND '.join(clauses)}"
            " ORDER BY seq DESC LIMIT ?"
        )
        return self.db.execute(sql, (*args, limit)).fetchall()

    def due_messages(self, now: float, limit: int = 500) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM messages WHERE next_at IS NOT NULL AND next_at <= ?"
            " ORDER BY next_at, seq LIMIT ?",
            (now, limit),
        ).fetchall()

    def count_messages(self, account_sid: str) -> int:
        return self.count("messages", {"account_sid": account_sid})

    # ---- sticky senders, queues, opt-outs -------------------------------------------------
    def sticky_sender(self, service_sid: str, to: str) -> str | None:
        row = self.db.execute(
            "SELECT sender_key FROM sticky_senders WHERE service_sid = ? AND to_addr = ?",
            (service_sid, to),
        ).fetchone()
        return row[0] if row else None

    def set_sticky_sender(
        self, db: sqlite3.Connection, service_sid: str, to: str, sender_key: str, at: float
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO sticky_senders(service_sid, to_addr, sender_key, last_used)"
            " VALUES (?,?,?,?)",
            (service_sid, to, sender_key, at),
        )

    def drop_sticky_sender(self, db: sqlite3.Connection, service_sid: str, to: str) -> None:
        db.execute(
            "DELETE FROM sticky_senders WHERE service_sid = ? AND to_addr = ?", (service_sid, to)
        )

    def queue_state(self, sender_key: str) -> tuple[float, float]:
        """(free_at, last_used) of a sender's queue; (0, 0) for one never used."""
        row = self.db.execute(
            "SELECT free_at, last_used FROM sender_queues WHERE sender_key = ?", (sender_key,)
        ).fetchone()
        return (row[0], row[1]) if row else (0.0, 0.0)

    def set_queue_state(
        self, db: sqlite3.Connection, sender_key: str, free_at: float, last_used: float
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO sender_queues(sender_key, free_at, last_used) VALUES (?,?,?)",
            (sender_key, free_at, last_used),
        )

    def opted_out(self, service_sid: str, address: str) -> bool:
        return self.exists("opt_outs", {"service_sid": service_sid, "address": address})

    def set_opt_out(self, service_sid: str, address: str, out: bool) -> None:
        with self.tx() as db:
            if out:
                db.execute(
                    "INSERT OR IGNORE INTO opt_outs(service_sid, address) VALUES (?, ?)",
                    (service_sid, address),
                )
            else:
                db.execute(
                    "DELETE FROM opt_outs WHERE service_sid = ? AND address = ?",
                    (service_sid, address),
                )

    # ---- the pool as sending sees it ------------------------------------------------------
    def pool_rows(self, service_sid: str) -> dict[str, list[sqlite3.Row]]:
        """Every sender of a service: numbers and short codes, its alpha sender, its country
        alpha senders and its channel senders."""
        held = {"service_sid": service_sid}
        return {
            "numbers": self.rows("numbers", held),
            "alpha": self.rows("alpha_senders", held),
            "country_alpha": self.rows("destination_alpha_senders", held),
            "channel": self.rows("channel_senders", held),
        }

    def number_by_value(self, account_sid: str, value: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM numbers WHERE account_sid = ? AND value = ?", (account_sid, value)
        ).fetchone()
        return row

    def number_webhook(self, number_sid: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM number_webhooks WHERE number_sid = ?", (number_sid,)
        ).fetchone()
        return row

    def set_number_webhook(
        self, number_sid: str, url: str, method: str = "POST", fallback: str | None = None
    ) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO number_webhooks VALUES (?,?,?,?)",
                (number_sid, url, method, fallback),
            )
