"""Toll-free verifications (Messaging v1 `/v1/Tollfree/Verifications`): one row per request,
its Twilio body as JSON. A verification names a phone number (`tollfree_phone_number_sid`),
never a service, as in the spec's `messaging.v1.tollfree_verification`.

A verification created here stays PENDING_REVIEW (Twilio's review is people reading the form:
the emulator does not pretend to decide it); tests and the demo set any status with
`set_tollfree_status`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgsvc_tui.core import tollfree
from msgsvc_tui.emulator.db import Database, new_sid, now_iso


class TollfreeStore(Database):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS tollfree_verifications (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sid TEXT NOT NULL UNIQUE,
        account_sid TEXT NOT NULL,
        phone_number_sid TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tollfree_verifications_number
        ON tollfree_verifications(account_sid, phone_number_sid);
    """

    def add_tollfree(
        self,
        account_sid: str,
        values: dict[str, Any],
        *,
        status: str = tollfree.PENDING_REVIEW,
        sid: str | None = None,
        when: str | None = None,
    ) -> dict[str, Any]:
        """Store a verification (`values` keyed by JSON names; `tollfree_phone_number_sid`
        required)."""
        stamp = when or now_iso()
        body = {
            "sid": sid or new_sid(tollfree.PREFIX),
            "account_sid": account_sid,
            "status": status,
            "date_created": stamp,
            "date_updated": stamp,
            "rejection_reason": None,
            "rejection_reasons": None,
            "error_code": None,
            "edit_allowed": None,
            "edit_expiration": None,
            **values,
        }
        with self.tx() as db:
            db.execute(
                "INSERT INTO tollfree_verifications"
                " (sid, account_sid, phone_number_sid, status, body) VALUES (?, ?, ?, ?, ?)",
                (
                    body["sid"],
                    account_sid,
                    body["tollfree_phone_number_sid"],
                    status,
                    json.dumps(body),
                ),
            )
        return body

    def set_tollfree_status(
        self, sid: str, status: str, *, reasons: list[dict[str, Any]] | None = None
    ) -> None:
        """Move a verification to `status` (a rejection with Twilio's reasons)."""
        body = json.loads(self._tollfree_row(None, sid)["body"])
        body.update(status=status, date_updated=now_iso())
        rejected = status == tollfree.REJECTED
        body["rejection_reasons"] = reasons if rejected else None
        first = (reasons or [{}])[0] if rejected else {}
        body["rejection_reason"] = first.get("reason")
        body["error_code"] = first.get("error_code")
        body["edit_allowed"] = True if rejected else None
        with self.tx() as db:
            db.execute(
                "UPDATE tollfree_verifications SET status = ?, body = ? WHERE sid = ?",
                (status, json.dumps(body), sid),
            )

    def delete_tollfree(self, account_sid: str, sid: str) -> None:
        self._tollfree_row(account_sid, sid)
        with self.tx() as db:
            db.execute("DELETE FROM tollfree_verifications WHERE sid = ?", (sid,))

    def get_tollfree(self, account_sid: str | None, sid: str) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self._tollfree_row(account_sid, sid)["body"])
        return body

    def _tollfree_row(self, account_sid: str | None, sid: str) -> sqlite3.Row:
        """The verification, of `account_sid`'s (None: of any account), or Twilio's 404."""
        where = {"sid": sid, "account_sid": account_sid}
        return self.one("tollfree_verifications", where, f"/Tollfree/Verifications/{sid}")

    def list_tollfree(
        self,
        account_sid: str,
        *,
        after: int,
        limit: int,
        status: str | None = None,
        phone_number_sid: str | None = None,
    ) -> list[sqlite3.Row]:
        where = {
            "account_sid": account_sid,
            "status": status or None,
            "phone_number_sid": phone_number_sid or None,
        }
        return self.rows_after("tollfree_verifications", where, after=after, limit=limit)
