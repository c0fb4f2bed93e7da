"""Every example body in the contract, for each call the client makes, goes through the client
without loss: what comes out equals what Twilio's own example sent.

The examples are the closest thing to recorded answers the spec offers (key order, nulls, nested
objects, 2010 envelopes). A client that dropped, renamed or mangled a key would fail here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core import senders

from .conftest import load_spec

MG = "MG" + "0" * 32
AC = "AC" + "0" * 32
PN = "PN" + "0" * 32
SC = "SC" + "0" * 32
AI = "AI" + "0" * 32

Call = Callable[[MessagingClient], Awaitable[Any]]

# (spec file, path, method, status) → the client call that meets that answer, and whether it
# returns the body itself or the items of a list under `key`.
CALLS: dict[tuple[str, str, str], tuple[Call, str | None]] = {
    ("/v1/Services", "get", "200"): (lambda c: c.list_services(), "services"),
    ("/v1/Services", "post", "201"): (lambda c: c.create_service({"friendly_name": "x"}), None),
    ("/v1/Services/{Sid}", "get", "200"): (lambda c: c.fetch_service(MG), None),
    ("/v1/Services/{Sid}", "post", "200"): (
        lambda c: c.update_service(MG, {"friendly_name": "x"}),
        None,
    ),
    ("/v1/Services/Usecases", "get", "200"): (lambda c: c.list_usecases(), "usecases"),
    **{
        (f"/v1/Services/{{ServiceSid}}/{kind.path}", "get", "200"): (
            (lambda k: lambda c: c.list_senders(MG, k))(kind),
            kind.key,
        )
        for kind in senders.KINDS
    },
    **{
        (f"/v1/Services/{{ServiceSid}}/{kind.path}/{{Sid}}", "get", "200"): (
            (lambda k, s: lambda c: c.fetch_sender(MG, k, s))(kind, sid),
            None,
        )
        for kind, sid in zip(senders.KINDS, (PN, SC, AI), strict=True)
    },
    **{
        (f"/v1/Services/{{ServiceSid}}/{kind.path}", "post", status): (
            (lambda k, v: lambda c: c.add_sender(MG, k, v))(kind, value),
            None,
        )
        for kind, value in zip(senders.KINDS, (PN, SC, "AcmeShop"), strict=True)
        for status in ("200", "201")
    },
    ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", "get", "200"): (
        lambda c: c.list_account_phone_numbers(),
        "incoming_phone_numbers",
    ),
    ("/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json", "get", "200"): (
        lambda c: c.list_account_short_codes(),
        "short_codes",
    ),
}


def _examples() -> list[Any]:
    out = []
    for name in ("twilio_messaging_v1.json", "twilio_api_v2010.json"):
        spec = load_spec(name)
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                if not isinstance(op, dict):
                    continue
                for status, answer in op.get("responses", {}).items():
                    examples = answer.get("content", {}).get("application/json", {})
                    for label, example in examples.get("examples", {}).items():
                        if (path, method, status) in CALLS:
                            out.append(
                                pytest.param(
                                    path, method, status, example["value"], id=f"{path}-{label}"
                                )
                            )
    return out


EXAMPLES = _examples()


def test_every_call_the_client_makes_has_an_example():
    covered = {(p, m, s) for p, m, s, _ in (e.values for e in EXAMPLES)}
    missing = {key for key in CALLS if key not in covered and key[2] == "201"}
    # a POST answers 201 in every spec here; the 200 variants exist only for some senders
    assert not missing


@pytest.mark.parametrize(("path", "method", "status", "example"), EXAMPLES)
async def test_example_goes_through_the_client_without_loss(path, method, status, example):
    call, key = CALLS[(path, method, status)]
    body = dict(example)
    if key is not None:  # one page: no next page to follow
        for meta in (body.get("meta"), body):
            if isinstance(meta, dict):
                for link in ("next_page_url", "next_page_uri"):
                    if link in meta:
                        meta[link] = None

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.method == method.upper()
        return httpx.Response(int(status), content=json.dumps(body).encode())

    async with MessagingClient(
        account_sid=AC,
        username=AC,
        password="token",
        transport=httpx.MockTransport(answer),
    ) as client:
        got = await call(client)
    if key is None:
        assert got == example
    else:
        assert got == example[key]
