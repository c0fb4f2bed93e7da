"""Link shortening: the domain and its configuration a service's links go through."""

from __future__ import annotations

import sqlite3

from msgsvc_tui.emulator.stores.services import ServiceStore


class LinkStore(ServiceStore):
    SCHEMA = """
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
        with self.tx() as db:
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
        self.service_row(account_sid, service_sid)
        return self.one("link_domains", {"service_sid": service_sid}, what)
