"""What the demo's seeders share: SIDs drawn from a seeded generator, so the demo is the same
on every run (screenshots stay true), and the account's numbers made with them."""

from __future__ import annotations

import random

from msgsvc_tui.core import senders
from msgsvc_tui.emulator.store import Store


class Seeder:
    """One seeder's store, account and generator (`rng`: also for its other draws)."""

    def __init__(self, store: Store, account_sid: str, seed: int) -> None:
        self.store = store
        self.account_sid = account_sid
        self.rng = random.Random(seed)

    def sid(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice("0123456789abcdef") for _ in range(32))

    def number(
        self,
        kind: senders.SenderKind,
        value: str,
        country: str,
        capabilities: list[str],
        *,
        when: str,
        service_sid: str | None = None,
        friendly_name: str | None = None,
    ) -> str:
        """An account's phone number or short code (in `service_sid`'s pool, if given)."""
        return self.store.add_account_number(
            self.account_sid,
            kind,
            value,
            country_code=country,
            capabilities=capabilities,
            friendly_name=friendly_name,
            when=when,
            sid=self.sid(kind.prefix),
            service_sid=service_sid,
        )
