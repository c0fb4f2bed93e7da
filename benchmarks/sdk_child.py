"""The official twilio SDK doing what a script would, as a whole process (the baseline).

    python -m benchmarks.sdk_child BASE_URL fetch MG…          # one service, printed as JSON
    python -m benchmarks.sdk_child BASE_URL list [PAGE_SIZE]  # every service; prints the count

Credentials come from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN, as the SDK's own examples read
them. Its HTTP client is the SDK's own (requests), only pointed at the emulator: the host of
each URL is rewritten to BASE_URL, as tests/test_twilio_sdk.py does.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class _Loopback(TwilioHttpClient):
    base = ""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return super().request(method, f"{self.base}{parts.path}{query}", *args, **kwargs)


def main(argv: list[str]) -> int:
    _Loopback.base = argv[0].rstrip("/")
    client = Client(
        os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"], http_client=_Loopback()
    )
    services = client.messaging.v1.services
    if argv[1] == "fetch":
        service = services(argv[2]).fetch()
        print(json.dumps({"sid": service.sid, "friendly_name": service.friendly_name}))
    else:
        kwargs = {"page_size": int(argv[2])} if len(argv) > 2 else {}
        print(sum(1 for _ in services.stream(**kwargs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
