"""What a service sends from beyond numbers: channel senders (the account's Messaging v2
senders, WhatsApp and RCS, and which service holds each) and country alpha senders."""

from __future__ import annotations

import sqlite3

from msgsvc_tui.core import countries, fields, senders
from msgsvc_tui.emulator.db import EmulatorError, new_sid, not_found, now_iso, one_row, refusal
from msgsvc_tui.emulator.stores.services import ServiceStore

INVALID = fields.INVALID_PARAMETER


class ChannelStore(ServiceStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS channel_senders (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sid TEXT NOT NULL UNIQUE,
        account_sid TEXT NOT NULL,
        channel TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        status TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        country_code TEXT NOT NULL,
        date_created TEXT NOT NULL,
        date_updated TEXT NOT NULL,
        service_sid TEXT REFERENCES services(sid) ON DELETE SET NULL,
        date_added TEXT
    );
    CREATE INDEX IF NOT EXISTS channel_senders_service ON channel_senders(service_sid, seq);
    CREATE TABLE IF NOT EXISTS destination_alpha_senders (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sid TEXT NOT NULL UNIQUE,
        account_sid TEXT NOT NULL,
        service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
        alpha_sender TEXT NOT NULL,
        iso_country_code TEXT,
        date_created TEXT NOT NULL,
        date_updated TEXT NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS destination_alpha_country
        ON destination_alpha_senders(service_sid, IFNULL(iso_country_code, ''));
    """

    # ---- channel senders (Messaging v2 account list + the service's pool) -----------------
    def seed_channel_sender(
        self,
        account_sid: str,
        sid: str,
        channel: str,
        sender_id: str,
        status: str,
        profile_name: str,
        country: str,
        when: str,
        service_sid: str | None = None,
    ) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO channel_senders(sid, account_sid, channel, sender_id, status,"
                " profile_name, country_code, date_created, date_updated, service_sid,"
                " date_added) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    sid,
                    account_sid,
                    channel,
                    sender_id,
                    status,
                    profile_name,
                    country,
                    when,
                    when,
                    service_sid,
                    when if service_sid else None,
                ),
            )

    def list_account_channel_senders(
        self, account_sid: str, channel: str, *, after: int, limit: int
    ) -> list[sqlite3.Row]:
        where = {"account_sid": account_sid, "channel": channel}
        return self.rows_after("channel_senders", where, after=after, limit=limit)

    def get_account_channel_sender(self, account_sid: str, sid: str) -> sqlite3.Row:
        where = {"sid": sid, "account_sid": account_sid}
        return self.one("channel_senders", where, f"/v2/Channels/Senders/{sid}")

    # ---- the two extra pools: channel senders, destination alpha senders ------------------
    def add_channel_sender(self, account_sid: str, service_sid: str, sid: str) -> sqlite3.Row:
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            missing = EmulatorError(404, 20404, f"The channel sender {sid} was not found")
            row = self.one("channel_senders", {"sid": sid, "account_sid": account_sid}, missing)
            # A channel sender serves one Messaging Service, as a number does: the same
            # refusals (Twilio documents none of its own for channel senders).
            self.refuse_held(row, service_sid)
            return self.claim(db, "channel_senders", row, service_sid, now_iso())

    def remove_channel_sender(self, account_sid: str, service_sid: str, sid: str) -> None:
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            cur = db.execute(
                "UPDATE channel_senders SET service_sid = NULL, date_added = NULL"
                " WHERE sid = ? AND service_sid = ? AND account_sid = ?",
                (sid, service_sid, account_sid),
            )
            if cur.rowcount == 0:
                raise not_found(f"/Services/{service_sid}/ChannelSenders/{sid}")

    def add_destination_alpha(
        self,
        account_sid: str,
        service_sid: str,
        alpha: str,
        country: str | None,
        *,
        sid: str | None = None,
        when: str | None = None,
    ) -> sqlite3.Row:
        if senders.alpha_sender_problem(alpha):
            raise refusal(senders.ALPHA_INVALID)
        if country is not None:
            problem = countries.country_problem(country)
            if problem:
                raise EmulatorError(400, INVALID, f"Invalid IsoCountryCode: {problem}")
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            taken = db.execute(
                "SELECT 1 FROM destination_alpha_senders WHERE service_sid = ?"
                " AND IFNULL(iso_country_code, '') = ?",
                (service_sid, country or ""),
            ).fetchone()
            if taken:
                raise refusal(senders.COUNTRY_TAKEN)
            sid = sid or new_sid("AI")
            stamp = when or now_iso()
            db.execute(
                "INSERT INTO destination_alpha_senders(sid, account_sid, service_sid,"
                " alpha_sender, iso_country_code, date_created, date_updated)"
                " VALUES (?,?,?,?,?,?,?)",
                (sid, account_sid, service_sid, alpha, country, stamp, stamp),
            )
            return one_row(
                db.execute("SELECT * FROM destination_alpha_senders WHERE sid = ?", (sid,))
            )

    def remove_destination_alpha(self, account_sid: str, service_sid: str, sid: str) -> None:
        with self.tx() as db:
            self.service_row(account_sid, service_sid)
            cur = db.execute(
                "DELETE FROM destination_alpha_senders WHERE sid = ? AND service_sid = ?",
                (sid, service_sid),
            )
            if cur.rowcount == 0:
                raise not_found(f"/Services/{service_sid}/DestinationAlphaSenders/{sid}")
