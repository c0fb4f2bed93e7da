"""Generated requests against the emulator: any query, any form body, any path under a service.

Whatever arrives, the answer is Twilio's: a 2xx with JSON, or a 4xx with Twilio's error body
({code, message, more_info, status}); never a 500, never a traceback. Fast: requests go straight
to the ASGI app's handler, no socket. `make fuzz` runs these with thousands of examples.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.core import fields
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Response
from msgsvc_tui.emulator.server import open_emulator

EMU = open_emulator(":memory:")
SID = EMU.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1)[0].data[
    "sid"
]
AUTH = b"Basic " + base64.b64encode(f"{demo.DEMO_ACCOUNT_SID}:{demo.DEMO_AUTH_TOKEN}".encode())
PATHS = [
    "/v1/Services",
    f"/v1/Services/{SID}",
    f"/v1/Services/{SID}/PhoneNumbers",
    f"/v1/Services/{SID}/AlphaSenders",
    "/v1/Services/Usecases",
    f"/2010-04-01/Accounts/{demo.DEMO_ACCOUNT_SID}/IncomingPhoneNumbers.json",
]
PARAMS = ["Page", "PageSize", "PageToken", *fields.BY_PARAM, "PhoneNumberSid", "AlphaSender"]
values = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.sampled_from(["", "0", "-1", "1001", "9" * 30, "true", "PAYTE=", "PA" + "z" * 60]),
)


def _answer(method: str, path: str, query: dict[str, str], form: dict[str, str]) -> Response:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": urlencode(query).encode(),
        "headers": [(b"authorization", AUTH), (b"host", b"emulator.localhost")],
    }
    return EMU.handle(scope, urlencode(form).encode())


def _is_twilio_answer(response: Response) -> bool:
    if response.status >= 500:
        return False
    if response.status >= 400:
        body = response.body
        return isinstance(body, dict) and {"code", "message", "status"} <= set(body)
    if response.raw is not None:
        json.loads(b"".join(response.pieces()))
    return True


@given(
    st.sampled_from(["GET", "POST"]),
    st.sampled_from(PATHS),
    st.dictionaries(st.sampled_from(PARAMS), values, max_size=4),
)
def test_any_parameters_get_a_twilio_answer(method, path, params):
    # writes go through as forms, reads as queries; either way: a Twilio-shaped answer
    query = params if method == "GET" else {}
    form = params if method == "POST" else {}
    response = _answer(method, path, query, form)
    assert _is_twilio_answer(response), (response.status, response.body)


@given(st.binary(max_size=200))
def test_any_body_bytes_get_a_twilio_answer(body):
    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/v1/Services/{SID}",
        "query_string": b"",
        "headers": [(b"authorization", AUTH), (b"host", b"emulator.localhost")],
    }
    response = EMU.handle(scope, body)
    assert _is_twilio_answer(response), (response.status, response.body)
