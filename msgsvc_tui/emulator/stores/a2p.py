"""A2P 10DLC: the account's brands and each service's campaign.

Campaigns move on the emulator's clock, as Twilio's review does: created IN_PROGRESS, then
VERIFIED (or FAILED, for a brand whose campaigns are designated to fail) once `review_seconds`
have passed. `advance()` settles what is due; the app runs it before every request, so a
service's `us_app_to_person_registered` always follows its campaign. The clock is injectable:
tests move it instead of waiting.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from msgsvc_tui.core import a2p, fields
from msgsvc_tui.emulator.db import EmulatorError, new_sid, now_iso, one_row
from msgsvc_tui.emulator.stores.services import ServiceStore

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


class A2PStore(ServiceStore):
    SCHEMA = """
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
    -- TrustHub's Customer Profiles: where a brand's name lives (a brand registration has none)
    CREATE TABLE IF NOT EXISTS customer_profiles (
        sid TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL,
        friendly_name TEXT NOT NULL,
        status TEXT NOT NULL,
        date_created TEXT NOT NULL
    );
    """

    def __init__(self, *args: Any, review_seconds: float = REVIEW_SECONDS, **kw: Any) -> None:
        self.review_seconds = review_seconds
        super().__init__(*args, **kw)

    # ---- brands ---------------------------------------------------------------------------
    def seed_brand(
        self,
        account_sid: str,
        body: Mapping[str, Any],
        *,
        campaign_outcome: str = "VERIFIED",
        name: str | None = None,
    ) -> None:
        """`name`: the business's name, kept on the brand's customer profile (TrustHub)."""
        with self.tx() as db:
            db.execute(
                "INSERT INTO brands(sid, account_sid, body, campaign_outcome) VALUES (?,?,?,?)",
                (body["sid"], account_sid, json.dumps(dict(body)), campaign_outcome),
            )
            profile = body.get("customer_profile_bundle_sid")
            if name and profile:
                db.execute(
                    "INSERT OR REPLACE INTO customer_profiles VALUES (?,?,?,?,?)",
                    (profile, account_sid, name, "twilio-approved", body.get("date_created")),
                )

    def get_customer_profile(self, account_sid: str, sid: str) -> sqlite3.Row:
        where = {"sid": sid, "account_sid": account_sid}
        return self.one("customer_profiles", where, f"/v1/CustomerProfiles/{sid}")

    def list_brands(self, account_sid: str, *, after: int, limit: int) -> list[sqlite3.Row]:
        return self.rows_after("brands", {"account_sid": account_sid}, after=after, limit=limit)

    def get_brand(self, account_sid: str, sid: str) -> sqlite3.Row:
        where = {"sid": sid, "account_sid": account_sid}
        return self.one("brands", where, f"/v1/a2p/BrandRegistrations/{sid}")

    @staticmethod
    def usecases_for(brand: Mapping[str, Any]) -> list[str]:
        """The use cases a brand may register: a sole proprietor brand only its own one
        (the spec's BrandType: "There can only be one SOLE_PROPRIETOR campaign created per
        SOLE_PROPRIETOR brand"), a standard brand all the others."""
        if brand.get("brand_type") == "SOLE_PROPRIETOR":
            return ["SOLE_PROPRIETOR"]
        return [code for code, *_ in USECASES if code != "SOLE_PROPRIETOR"]

    def shift_times(self, delta: float) -> None:
        super().shift_times(delta)
        with self.tx() as db:
            db.execute(
                "UPDATE campaigns SET review_due = review_due + ? WHERE review_due IS NOT NULL",
                (delta,),
            )

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
        with self.tx() as db:
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
        self.service_row(account_sid, service_sid)
        return self.rows("campaigns", {"service_sid": service_sid})

    def get_campaign(self, account_sid: str, service_sid: str, sid: str) -> sqlite3.Row:
        self.service_row(account_sid, service_sid)
        where = {"sid": sid, "service_sid": service_sid}
        return self.one("campaigns", where, f"/v1/Services/{service_sid}/Compliance/Usa2p/{sid}")

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
        review: bool = True,
    ) -> sqlite3.Row:
        """`review=False`: an IN_PROGRESS campaign that stays so until acted on (the demo's
        seeded one: the review clock is for campaigns created during a session)."""
        self.service_row(account_sid, service_sid)
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
        due = self.clock() + self.review_seconds if status == "IN_PROGRESS" and review else None
        with self.tx() as db:
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
            return one_row(db.execute("SELECT * FROM campaigns WHERE sid = ?", (sid,)))

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
        with self.tx() as db:
            db.execute(
                "UPDATE campaigns SET body = ?, date_updated = ? WHERE sid = ?",
                (json.dumps(body), now_iso(), sid),
            )
            return one_row(db.execute("SELECT * FROM campaigns WHERE sid = ?", (sid,)))

    def delete_campaign(self, account_sid: str, service_sid: str, sid: str) -> None:
        self.get_campaign(account_sid, service_sid, sid)
        with self.tx() as db:
            db.execute("DELETE FROM campaigns WHERE sid = ?", (sid,))
            self._set_registered(db, service_sid, False)


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
