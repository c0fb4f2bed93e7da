"""Link shortening: a service's domain and its configuration."""

from __future__ import annotations

from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import Request, Response


class LinkHandlers:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- link shortening ------------------------------------------------------------------
    def link_domain(self, req: Request, service: str) -> Response:
        row = self.store.get_link_domain(req.account_sid, service, req.path)
        return Response(
            200,
            {
                "domain_sid": row["domain_sid"],
                "messaging_service_sid": service,
                "url": f"{req.base}{req.path}",
            },
        )

    def link_domain_config(self, req: Request, service: str) -> Response:
        row = self.store.get_link_domain(req.account_sid, service, req.path)
        return Response(
            200,
            {
                "callback_url": row["callback_url"],
                "config_sid": row["config_sid"],
                "continue_on_failure": bool(row["continue_on_failure"]),
                "date_created": row["date_created"],
                "date_updated": row["date_updated"],
                "domain_sid": row["domain_sid"],
                "fallback_url": row["fallback_url"],
                "messaging_service_sid": service,
                "url": f"{req.base}{req.path}",
            },
        )
