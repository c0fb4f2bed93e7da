"""What a service owns beyond its settings and number pool, in the emulator's SQLite store:
channel senders (the account's Messaging v2 senders, and which service holds each), country
alpha senders, A2P brands and campaigns, and link-shortening domains.

Campaigns move on the emulator's clock, as Twilio's review does: created IN_PROGRESS, then
VERIFIED (or FAILED, for a brand whose campaigns are designated to fail) once `review_seconds`
have passed. `advance()` settles what is due; the app runs it before every request, so a
service's `us_app_to_person_registered` always follows its campaign. The clock is injectable:
tests move it instead of waiting.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import Any

from msgsvc_tui.core import a2p, countries, fields, senders
from msgsvc_tui.emulator.store import EmulatorError, Store, _one, _refusal, new_sid, now_iso

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
CREATE TABLE IF NOT EXISTS brands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    body TEXT NOT NULL,
    campaign_outcome TEXT NOT NULL DEFAULT 'VERIFIED'
);
CREATE TABLE IF NOT EXISTS campaigns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    service_sid TEXT NOT NULL UNIQUE REFERENCES services(sid) ON DELETE CASCADE,
    status TEXT NOT NULL,
    review_due REAL,
    body TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaigns_due ON campaigns(status, review_due);
CREATE TABLE IF NOT EXISTS link_domains (
    service_sid TEXT PRIMARY KEY REFERENCES services(sid) ON DELETE CASCADE,
    domain_sid TEXT NOT NULL,
    config_sid TEXT NOT NULL,
    fallback_url TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    continue_on_failure INTEGER NOT NULL,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
"""

REVIEW_SECONDS = 20.0  # a demo sees the status change within a minute
# What a failed review says, in Twilio's shape (the spec's readFailed example, code 30897).
REVIEW_FAILURE = {
    "description": (
        "The campaign submission has been reviewed and it was rejected due to Disallowed Content."
    ),
    "error_code": 30897,
    "fields": ["MESSAGE_FLOW"],
    "url": "https://www.twilio.com/docs/api/errors/30897",
}
# Twilio's refusals on the campaign routes. The spec lists none; the emulator answers with
# the generic "Invalid parameter" (20001) and the HTTP status Twilio uses for the case (400
# bad values, 409 a second campaign), rather than a code that means something else.
INVALID = fields.INVALID_PARAMETER


def _not_found(what: str) -> EmulatorError:
    return EmulatorError(404, 20404, f"The requested resource {what} was not found")


class Resources:
    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        review_seconds: float = REVIEW_SECONDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.review_seconds = review_seconds
        with store.tx() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    @property
    def db(self) -> sqlite3.Connection:
        return self.store.db

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
        with self.store.tx() as db:
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
        return self.db.execute(
            "SELECT * FROM channel_senders WHERE account_sid = ? AND channel = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (account_sid, channel, after, limit),
        ).fetchall()

    def get_account_channel_sender(self, account_sid: str, sid: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM channel_senders WHERE sid = ? AND account_sid = ?", (sid, account_sid)
        ).fetchone()
        if row is None:
            raise _not_found(f"/v2/Channels/Senders/{sid}")
        return row

    # ---- the two extra pools: channel senders, destination alpha senders ------------------
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
        self.store.get_service(account_sid, service_sid)
        if kind is senders.CHANNEL_SENDERS:
            return self.db.execute(
                "SELECT * FROM channel_senders WHERE service_sid = ? AND seq > ?"
                " ORDER BY seq LIMIT ?",
                (service_sid, after, limit),
            ).fetchall()
        clause, args = "", tuple[str, ...]()
        if country:
            clause, args = " AND iso_country_code = ?", (country,)
        return self.db.execute(
            f"SELECT * FROM destination_alpha_senders WHERE service_sid = ? AND seq > ?{clause}"
            " ORDER BY seq LIMIT ?",
            (service_sid, after, *args, limit),
        ).fetchall()

    def get_member(
        self, account_sid: str, service_sid: str, kind: senders.SenderKind, sid: str
    ) -> sqlite3.Row:
        self.store.get_service(account_sid, service_sid)
        table = (
            "channel_senders" if kind is senders.CHANNEL_SENDERS else "destination_alpha_senders"
        )
        row: sqlite3.Row | None = self.db.execute(
            f"SELECT * FROM {table} WHERE sid = ? AND service_sid = ?", (sid, service_sid)
        ).fetchone()
        if row is None:
            raise _not_found(f"/Services/{service_sid}/{kind.path}/{sid}")
        return row

    def add_channel_sender(self, account_sid: str, service_sid: str, sid: str) -> sqlite3.Row:
        with self.store.tx() as db:
            self.store.get_service(account_sid, service_sid)
            row = db.execute(
                "SELECT * FROM channel_senders WHERE sid = ? AND account_sid = ?",
                (sid, account_sid),
            ).fetchone()
            if row is None:
                raise EmulatorError(404, 20404, f"The channel sender {sid} was not found")
            # A channel sender serves one Messaging Service, as a number does: the same
            # refusals (Twilio documents none of its own for channel senders).
            if row["service_sid"] == service_sid:
                raise _refusal(senders.ALREADY_IN_SERVICE)
            if row["service_sid"]:
                raise _refusal(senders.ALREADY_ELSEWHERE)
            db.execute(
                "UPDATE channel_senders SET service_sid = ?, date_added = ? WHERE sid = ?",
                (service_sid, now_iso(), sid),
            )
            return _one(db.execute("SELECT * FROM channel_senders WHERE sid = ?", (sid,)))

    def remove_channel_sender(self, account_sid: str, service_sid: str, sid: str) -> None:
        with self.store.tx() as db:
            self.store.get_service(account_sid, service_sid)
            cur = db.execute(
                "UPDATE channel_senders SET service_sid = NULL, date_added = NULL"
                " WHERE sid = ? AND service_sid = ? AND account_sid = ?",
                (sid, service_sid, account_sid),
            )
            if cur.rowcount == 0:
                raise _not_found(f"/Services/{service_sid}/ChannelSenders/{sid}")

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
            raise _refusal(senders.ALPHA_INVALID)
        if country is not None:
            problem = countries.country_problem(country)
            if problem:
                raise EmulatorError(400, INVALID, f"Invalid IsoCountryCode: {problem}")
        with self.store.tx() as db:
            self.store.get_service(account_sid, service_sid)
            taken = db.execute(
                "SELECT 1 FROM destination_alpha_senders WHERE service_sid = ?"
                " AND IFNULL(iso_country_code, '') = ?",
                (service_sid, country or ""),
            ).fetchone()
            if taken:
                raise _refusal(senders.COUNTRY_TAKEN)
            sid = sid or new_sid("AI")
            stamp = when or now_iso()
            db.execute(
                "INSERT INTO destination_alpha_senders(sid, account_sid, service_sid,"
                " alpha_sender, iso_country_code, date_created, date_updated)"
                " VALUES (?,?,?,?,?,?,?)",
                (sid, account_sid, service_sid, alpha, country, stamp, stamp),
            )
            return _one(db.execute("SELECT * FROM destination_alpha_senders WHERE sid = ?", (sid,)))

    def remove_destination_alpha(self, account_sid: str, service_sid: str, sid: str) -> None:
        with self.store.tx() as db:
            self.store.get_service(account_sid, service_sid)
            cur = db.execute(
                "DELETE FROM destination_alpha_senders WHERE sid = ? AND service_sid = ?",
                (sid, service_sid),
            )
            if cur.rowcount == 0:
                raise _not_found(f"/Services/{service_sid}/DestinationAlphaSenders/{sid}")

    # ---- brands ---------------------------------------------------------------------------
    def seed_brand(
        self, account_sid: str, body: Mapping[str, Any], *, campaign_outcome: str = "VERIFIED"
    ) -> None:
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO brands(sid, account_sid, body, campaign_outcome) VALUES (?,?,?,?)",
                (body["sid"], account_sid, json.dumps(dict(body)), campaign_outcome),
            )

    def list_brands(self, account_sid: str, *, after: int, limit: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM brands WHERE account_sid = ? AND seq > ? ORDER BY seq LIMIT ?",
            (account_sid, after, limit),
        ).fetchall()

    def get_brand(self, account_sid: str, sid: str) -> sqlite3.Row:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM brands WHERE sid = ? AND account_sid = ?", (sid, account_sid)
        ).fetchone()
        if row is None:
            raise _not_found(f"/v1/a2p/BrandRegistrations/{sid}")
        return row

    @staticmethod
    def usecases_for(brand: Mapping[str, Any]) -> list[str]:
        """The use cases a brand may register: a sole proprietor brand only its own one
        (the spec's BrandType: "There can only be one SOLE_PROPRIETOR campaign created per
        SOLE_PROPRIETOR brand"), a standard brand all the others."""
        if brand.get("brand_type") == "SOLE_PROPRIETOR":
            return ["SOLE_PROPRIETOR"]
        return [code for code, *_ in USECASES if code != "SOLE_PROPRIETOR"]

    # ---- campaigns ------------------------------------------------------------------------
    def advance(self) -> int:
        """Settle every campaign whose review is due; returns how many changed."""
        now = self.clock()
        due = self.db.execute(
            "SELECT c.sid, c.service_sid, c.body, b.campaign_outcome FROM campaigns c"
            " LEFT JOIN brands b ON b.sid = json_extract(c.body, '$.brand_registration_sid')"
            " WHERE c.status = 'IN_PROGRESS' AND c.review_due <= ?",
            (now,),
        ).fetchall()
        if not due:
            return 0
        with self.store.tx() as db:
            for row in due:
                outcome = row["campaign_outcome"] or "VERIFIED"
                body = json.loads(row["body"])
                body["errors"] = [REVIEW_FAILURE] if outcome == "FAILED" else []
                db.execute(
                    "UPDATE campaigns SET status = ?, review_due = NULL, body = ?,"
                    " date_updated = ? WHERE sid = ?",
                    (outcome, json.dumps(body), now_iso(), row["sid"]),
                )
                self._set_registered(db, row["service_sid"], outcome == "VERIFIED")
        return len(due)

    @staticmethod
    def _set_registered(db: sqlite3.Connection, service_sid: str, registered: bool) -> None:
        """`us_app_to_person_registered` follows the campaign (not a write by the user: the
        service's date_updated stays)."""
        db.execute(
            "UPDATE services SET body = json_set(body, '$.us_app_to_person_registered',"
            " json(?)) WHERE sid = ?",
            ("true" if registered else "false", service_sid),
        )

    def list_campaigns(self, account_sid: str, service_sid: str) -> list[sqlite3.Row]:
        self.store.get_service(account_sid, service_sid)
        return self.db.execute(
            "SELECT * FROM campaigns WHERE service_sid = ? ORDER BY seq", (service_sid,)
        ).fetchall()

    def get_campaign(self, account_sid: str, service_sid: str, sid: str) -> sqlite3.Row:
        self.store.get_service(account_sid, service_sid)
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM campaigns WHERE sid = ? AND service_sid = ?", (sid, service_sid)
        ).fetchone()
        if row is None:
            raise _not_found(f"/v1/Services/{service_sid}/Compliance/Usa2p/{sid}")
        return row

    def create_campaign(
        self,
        account_sid: str,
        service_sid: str,
        values: Mapping[str, Any],
        *,
        status: str = "IN_PROGRESS",
        sid: str | None = None,
        when: str | None = None,
        external: bool = False,
    ) -> sqlite3.Row:
        self.store.get_service(account_sid, service_sid)
        brand_body: dict[str, Any] = {}
        if not external:
            brand_sid = str(values.get("brand_registration_sid") or "")
            brand_body = json.loads(self.get_brand(account_sid, brand_sid)["body"])
            refusal = a2p.brand_can_register(brand_body)
            if refusal:
                raise EmulatorError(400, INVALID, refusal)
            wrong = a2p.problems(values, creating=True, usecases=self.usecases_for(brand_body))
            if wrong:
                name, problem = next(iter(wrong.items()))
                param = a2p.BY_NAME[name].param if name in a2p.BY_NAME else _CREATE_PARAMS[name]
                raise EmulatorError(400, INVALID, f"Invalid {param}: {problem}")
        stamp = when or now_iso()
        sid = sid or new_sid(a2p.CAMPAIGN_PREFIX)
        body: dict[str, Any] = {f.name: values.get(f.name) for f in a2p.FIELDS}
        for f in a2p.FIELDS:
            if body[f.name] is None:
                body[f.name] = [] if f.kind in ("list", "samples") else None
                if f.kind == "bool":
                    body[f.name] = False
        body.update(
            brand_registration_sid=values.get("brand_registration_sid"),
            us_app_to_person_usecase=values.get("us_app_to_person_usecase"),
            campaign_id=values.get("campaign_id") or ("C" + sid[2:8].upper()),
            is_externally_registered=external,
            mock=bool(brand_body.get("mock", False)),
            errors=list(values.get("errors") or []),
            rate_limits=values.get("rate_limits")
            or {"att": {"mps": 600, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}},
        )
        due = self.clock() + self.review_seconds if status == "IN_PROGRESS" else None
        with self.store.tx() as db:
            if db.execute(
                "SELECT 1 FROM campaigns WHERE service_sid = ?", (service_sid,)
            ).fetchone():
                raise EmulatorError(
                    409,
                    INVALID,
                    "This Messaging Service already has an A2P campaign: delete it before "
                    "registering another",
                )
            db.execute(
                "INSERT INTO campaigns(sid, account_sid, service_sid, status, review_due, body,"
                " date_created, date_updated) VALUES (?,?,?,?,?,?,?,?)",
                (sid, account_sid, service_sid, status, due, json.dumps(body), stamp, stamp),
            )
            self._set_registered(db, service_sid, status == "VERIFIED")
            return _one(db.execute("SELECT * FROM campaigns WHERE sid = ?", (sid,)))

    def update_campaign(
        self, account_sid: str, service_sid: str, sid: str, values: Mapping[str, Any]
    ) -> sqlite3.Row:
        row = self.get_campaign(account_sid, service_sid, sid)
        wrong = a2p.problems(values, creating=False)
        if wrong:
            name, problem = next(iter(wrong.items()))
            raise EmulatorError(400, INVALID, f"Invalid {a2p.BY_NAME[name].param}: {problem}")
        body = json.loads(row["body"])
        body.update({k: v for k, v in values.items() if k in a2p.BY_NAME})
        with self.store.tx() as db:
            db.execute(
                "UPDATE campaigns SET body = ?, date_updated = ? WHERE sid = ?",
                (json.dumps(body), now_iso(), sid),
            )
            return _one(db.execute("SELECT * FROM campaigns WHERE sid = ?", (sid,)))

    def delete_campaign(self, account_sid: str, service_sid: str, sid: str) -> None:
        self.get_campaign(account_sid, service_sid, sid)
        with self.store.tx() as db:
            db.execute("DELETE FROM campaigns WHERE sid = ?", (sid,))
            self._set_registered(db, service_sid, False)

    # ---- link shortening ------------------------------------------------------------------
    def seed_link_domain(
        self,
        service_sid: str,
        domain_sid: str,
        config_sid: str,
        *,
        fallback_url: str,
        callback_url: str,
        continue_on_failure: bool,
        when: str,
    ) -> None:
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO link_domains VALUES (?,?,?,?,?,?,?,?)",
                (
                    service_sid,
                    domain_sid,
                    config_sid,
                    fallback_url,
                    callback_url,
                    int(continue_on_failure),
                    when,
                    when,
                ),
            )

    def get_link_domain(self, account_sid: str, service_sid: str, what: str) -> sqlite3.Row:
        self.store.get_service(account_sid, service_sid)
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM link_domains WHERE service_sid = ?", (service_sid,)
        ).fetchone()
        if row is None:
            raise _not_found(what)
        return row


_CREATE_PARAMS = {
    "brand_registration_sid": "BrandRegistrationSid",
    "us_app_to_person_usecase": "UsAppToPersonUsecase",
}

# Twilio's A2P use cases (code, name, description, post-approval required), from the spec's
# fetchWithBrandRegistrationSid example and the Usecases documentation.
USECASES: tuple[tuple[str, str, str, bool], ...] = (
    ("2FA", "Two-Factor authentication (2FA)", "One-time use passwords, password reset", False),
    (
        "ACCOUNT_NOTIFICATION",
        "Account Notification",
        "Reminders, alerts and notifications (flight delayed, appointment reminders)",
        False,
    ),
    ("CUSTOMER_CARE", "Customer Care", "Account management and support", False),
    ("DELIVERY_NOTIFICATION", "Delivery Notification", "Status of a delivery", False),
    ("FRAUD_ALERT", "Fraud Alert Messaging", "Fraud alert notification", False),
    ("HIGHER_EDUCATION", "Higher Education", "Colleges, universities, school districts", False),
    ("LOW_VOLUME", "Low Volume Mixed", "Several use cases at low volume", False),
    ("MARKETING", "Marketing", "Promotional content: sales, offers", False),
    ("MIXED", "Mixed", "Several use cases on one campaign", False),
    ("POLLING_VOTING", "Polling and voting", "Surveys, polls and votes", False),
    ("PUBLIC_SERVICE_ANNOUNCEMENT", "Public Service Announcement", "Awareness", False),
    ("SECURITY_ALERT", "Security Alert", "Notice of a compromised system", False),
    ("AGENTS_FRANCHISES", "Agents and Franchises", "Local numbers per agent or office", True),
    ("EMERGENCY", "Emergency", "Public safety during emergencies", True),
    ("SOLE_PROPRIETOR", "Sole Proprietor", "One campaign for a sole proprietor brand", False),
)
