"""The emulator against Twilio's spec, over real HTTP, and its SQLite persistence."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from msgsvc_tui.core import senders
from msgsvc_tui.emulator import app as emulator_app
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import open_emulator, start_in_thread
from msgsvc_tui.emulator.store import Store

AUTH = (demo.DEMO_ACCOUNT_SID, demo.DEMO_AUTH_TOKEN)
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$")


def _schema(spec, name):
    return spec["components"]["schemas"][name]


def _check_against_schema(spec, body: dict, schema_name: str) -> None:
    props = _schema(spec, schema_name)["properties"]
    assert set(body) == set(props), set(body) ^ set(props)
    for key, prop in props.items():
        prop = _schema(spec, prop["$ref"].rsplit("/", 1)[1]) if "$ref" in prop else prop
        value = body[key]
        if value is None:
            assert prop.get("nullable", False) or "$ref" in props[key], key
            continue
        typ = prop.get("type")
        pytype = {"string": str, "boolean": bool, "integer": int, "object": dict, "array": list}
        if typ in pytype:
            assert isinstance(value, pytype[typ]), (key, value)
        if "pattern" in prop:
            assert re.match(prop["pattern"], value), (key, value)
        if "enum" in prop:
            assert value in prop["enum"], (key, value)
        if prop.get("format") == "date-time":
            assert ISO.match(value), (key, value)


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, auth=AUTH, timeout=5) as c:
        yield c


def test_service_bodies_match_the_spec(http, messaging_spec):
    body = http.get("/v1/Services", params={"PageSize": 3}).json()
    list_schema = messaging_spec["paths"]["/v1/Services"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert set(body) == set(list_schema["properties"])
    assert set(body["meta"]) == set(list_schema["properties"]["meta"]["properties"])
    assert body["meta"]["key"] == "services" and body["meta"]["page_size"] == 3
    for service in body["services"]:
        _check_against_schema(messaging_spec, service, "messaging.v1.service")
        example = messaging_spec["paths"]["/v1/Services"]["post"]["responses"]["201"]["content"][
            "application/json"
        ]["examples"]["create"]["value"]
        # the spec's example names more links than this emulator serves: it advertises only
        # what it answers (test_every_advertised_link_answers)
        assert set(service["links"]) <= set(example["links"])
        base = str(http.base_url).rstrip("/")
        assert service["url"] == f"{base}/v1/Services/{service['sid']}"


def test_status_codes_follow_the_spec(http, messaging_spec):
    paths = messaging_spec["paths"]
    created = http.post("/v1/Services", data={"FriendlyName": "spec"})
    assert str(created.status_code) in paths["/v1/Services"]["post"]["responses"]
    sid = created.json()["sid"]
    updated = http.post(f"/v1/Services/{sid}", data={"StickySender": "false"})
    assert str(updated.status_code) in paths["/v1/Services/{Sid}"]["post"]["responses"]
    deleted = http.delete(f"/v1/Services/{sid}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert str(deleted.status_code) in paths["/v1/Services/{Sid}"]["delete"]["responses"]


def test_sender_bodies_match_the_spec(http, messaging_spec):
    services = http.get("/v1/Services", params={"PageSize": 1000}).json()["services"]
    seen = set()
    for s in services:
        for kind in senders.KINDS:
            items = http.get(f"/v1/Services/{s['sid']}/{kind.path}").json()[kind.key]
            for item in items:
                _check_against_schema(messaging_spec, item, f"messaging.v1.service.{kind.key[:-1]}")
                seen.add(kind.key)
    assert seen == {k.key for k in senders.KINDS}


def test_account_lists_match_the_2010_spec(http, api2010_spec):
    for tail, key, schema in [
        (
            "IncomingPhoneNumbers.json",
            "incoming_phone_numbers",
            "api.v2010.account.incoming_phone_number",
        ),
        ("SMS/ShortCodes.json", "short_codes", "api.v2010.account.short_code"),
    ]:
        body = http.get(f"/2010-04-01/Accounts/{demo.DEMO_ACCOUNT_SID}/{tail}").json()
        path = f"/2010-04-01/Accounts/{{AccountSid}}/{tail}"
        envelope = api2010_spec["paths"][path]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"]["properties"]
        assert set(body) == set(envelope)
        props = api2010_spec["components"]["schemas"][schema]["properties"]
        for item in body[key]:
            assert set(item) <= set(props), set(item) - set(props)
            assert RFC2822.match(item["date_created"]), item["date_created"]
            assert re.match(props["sid"]["pattern"], item["sid"])


def test_usecases_body(http, messaging_spec):
    body = http.get("/v1/Services/Usecases").json()
    example = messaging_spec["paths"]["/v1/Services/Usecases"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["examples"]["fetch"]["value"]
    assert set(body) == set(example)
    assert set(body["usecases"][0]) == set(example["usecases"][0])


def test_paging_tokens_and_previous(http, messaging_spec):
    first = http.get("/v1/Services", params={"PageSize": 10}).json()
    example = messaging_spec["paths"]["/v1/Services"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]["readFull"]["value"]
    assert list(first) == list(example) == ["meta", "services"]  # clients may rely on it
    assert first["meta"]["previous_page_url"] is None
    second = http.get(first["meta"]["next_page_url"]).json()
    assert "PageToken=PA" in first["meta"]["next_page_url"]
    back = http.get(second["meta"]["previous_page_url"]).json()
    assert [s["sid"] for s in back["services"]] == [s["sid"] for s in first["services"]]
    assert back["meta"]["previous_page_url"] is None and back["meta"]["next_page_url"]
    third = http.get(second["meta"]["next_page_url"]).json()
    assert len(third["services"]) == 10 and third["meta"]["next_page_url"]
    middle = http.get(third["meta"]["previous_page_url"]).json()
    assert [s["sid"] for s in middle["services"]] == [s["sid"] for s in second["services"]]
    assert middle["meta"]["previous_page_url"] and middle["meta"]["next_page_url"]
    bad = http.get("/v1/Services", params={"PageToken": "garbage"})
    assert bad.status_code == 400 and bad.json()["message"] == "Invalid PageToken"
    too_large = http.get("/v1/Services", params={"PageSize": 1001})
    assert too_large.status_code == 400 and too_large.json()["code"] == 20007  # as Twilio


@pytest.mark.parametrize(
    ("auth", "message"),
    [(None, "Authenticate"), (("AC" + "0" * 32, "x"), "invalid username or password")],
)
def test_auth_required_and_checked(server, auth, message):
    r = httpx.get(f"{server.url}/v1/Services", auth=auth)
    assert r.status_code == 401
    assert r.json() == {
        "code": 20003,
        "message": message if message == "Authenticate" else r.json()["message"],
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert message in r.json()["message"]
    assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_not_found_and_method_not_allowed(http):
    r = http.get("/v1/Services/MG" + "0" * 32)
    assert (r.status_code, r.json()["code"]) == (404, 20404)
    r = http.get("/v1/Nowhere")
    assert (r.status_code, r.json()["code"]) == (404, 20404)
    r = http.delete("/v1/Services")
    assert r.status_code == 405


def test_unknown_parameters_are_ignored(http):
    r = http.post("/v1/Services", data={"FriendlyName": "x", "Bogus": "1"})
    assert r.status_code == 201 and "bogus" not in r.json()


def test_booleans_as_twilio_accepts_them(http):
    sid = http.post("/v1/Services", data={"FriendlyName": "b", "StickySender": "False"}).json()[
        "sid"
    ]
    assert http.get(f"/v1/Services/{sid}").json()["sticky_sender"] is False
    r = http.post(f"/v1/Services/{sid}", data={"StickySender": "perhaps"})
    assert r.status_code == 400 and "StickySender" in r.json()["message"]


def test_deleting_a_service_returns_its_senders(http, emulator):
    services = http.get("/v1/Services", params={"PageSize": 100}).json()["services"]
    holder = next(
        s
        for s in services
        if http.get(f"/v1/Services/{s['sid']}/PhoneNumbers").json()["phone_numbers"]
    )
    numbers = http.get(f"/v1/Services/{holder['sid']}/PhoneNumbers").json()["phone_numbers"]
    assert http.delete(f"/v1/Services/{holder['sid']}").status_code == 204
    other = services[-1] if services[-1]["sid"] != holder["sid"] else services[0]
    r = http.post(
        f"/v1/Services/{other['sid']}/PhoneNumbers", data={"PhoneNumberSid": numbers[0]["sid"]}
    )
    assert r.status_code == 201, r.json()


def test_pool_rules(http, emulator):
    services = http.get("/v1/Services", params={"PageSize": 100}).json()["services"]
    numbers = http.get(
        f"/2010-04-01/Accounts/{demo.DEMO_ACCOUNT_SID}/IncomingPhoneNumbers.json",
        params={"PageSize": 100},
    ).json()["incoming_phone_numbers"]
    a, b = services[0]["sid"], services[1]["sid"]
    pn = numbers[-1]["sid"]
    assert (
        http.post(f"/v1/Services/{a}/PhoneNumbers", data={"PhoneNumberSid": pn}).status_code == 201
    )
    again = http.post(f"/v1/Services/{a}/PhoneNumbers", data={"PhoneNumberSid": pn}).json()
    assert again["code"] == 21710
    elsewhere = http.post(f"/v1/Services/{b}/PhoneNumbers", data={"PhoneNumberSid": pn}).json()
    assert elsewhere["code"] == 21712 and a not in elsewhere["message"]  # as Twilio: no holder
    missing = http.delete(f"/v1/Services/{b}/PhoneNumbers/{pn}").json()
    assert missing["code"] == 21711
    emulator.store.pool_limit = 0
    free = {
        r[0] for r in emulator.store.db.execute("SELECT sid FROM numbers WHERE service_sid IS NULL")
    }
    other = next(n["sid"] for n in numbers[:-1] if n["sid"] in free and n["capabilities"]["sms"])
    full = http.post(f"/v1/Services/{b}/PhoneNumbers", data={"PhoneNumberSid": other})
    assert full.json()["code"] == 21714


def test_persistence_survives_a_killed_server(tmp_path):
    """A real SQLite file; the server process killed with SIGKILL right after answering."""
    db = tmp_path / "emu.sqlite3"
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "msgsvc_tui",
            "emulator",
            "--port",
            str(port),
            "--db",
            str(db),
            "--seed-demo",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_up(url)
        r = httpx.post(f"{url}/v1/Services", data={"FriendlyName": "Survivor"}, auth=AUTH)
        assert r.status_code == 201
        sid = r.json()["sid"]
        httpx.post(f"{url}/v1/Services/{sid}", data={"SmartEncoding": "false"}, auth=AUTH)
    finally:
        proc.send_signal(signal.SIGKILL)
        out = proc.communicate(timeout=10)[0].decode()
    assert demo.DEMO_ACCOUNT_SID in out and demo.DEMO_AUTH_TOKEN in out  # prints credentials
    store = Store(db)
    service = store.get_service(demo.DEMO_ACCOUNT_SID, sid)
    assert service["friendly_name"] == "Survivor" and service["smart_encoding"] is False
    assert store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT + 1


def test_demo_seeded_once_and_edits_survive_reopen(tmp_path):
    db = tmp_path / "demo.sqlite3"
    app = open_emulator(db)
    assert app.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT
    sid = app.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1)[0].data[
        "sid"
    ]
    app.store.delete_service(demo.DEMO_ACCOUNT_SID, sid)
    app.store.close()
    again = open_emulator(db)
    assert (
        again.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT - 1
    )  # not re-seeded
    again.store.reset()
    assert demo.ensure_demo(again.store) is True  # reset then seed gives the demo back
    assert again.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT


def test_demo_is_deterministic():
    one, two = Store(), Store()
    demo.seed_demo(one)
    demo.seed_demo(two)

    def rows(s):
        return [
            r.data
            for r in s.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=100)
        ]

    assert rows(one) == rows(two)


def test_bulk_seed_adds_that_many_distinct_services():
    store = Store()
    demo.seed_bulk(store, 5000)
    assert store.count_services(demo.DEMO_ACCOUNT_SID) == 5000
    listed = store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=5000)
    assert len({row.data["sid"] for row in listed}) == 5000


def test_emulator_refuses_non_loopback_bind():
    r = subprocess.run(
        [sys.executable, "-m", "msgsvc_tui", "emulator", "--host", "0.0.0.0", "--db", ":memory:"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2 and "loopback" in r.stderr


def test_latency_option():
    app = open_emulator(":memory:", latency_ms=150)
    running = start_in_thread(app)
    try:
        start = time.monotonic()
        httpx.get(f"{running.url}/v1/Services/Usecases", auth=AUTH)
        assert time.monotonic() - start >= 0.15
    finally:
        running.stop()


@pytest.mark.parametrize("seconds", [0.001, emulator_app.SPIN, 0.003])
async def test_a_latency_is_waited_for_in_full_even_shorter_than_the_final_spin(
    seconds, monkeypatch
):
    """The wait is measured on the loop's clock: here one that moves 0.1 ms each time it is
    read and never by itself, so the wait ends by what it read, not by a wall clock."""
    loop = asyncio.get_running_loop()
    now = [loop.time()]
    start = now[0]

    def reading() -> float:
        now[0] += 0.0001
        return now[0]

    monkeypatch.setattr(loop, "time", reading)
    await emulator_app.wait_precisely(seconds)
    assert now[0] - start >= seconds


def test_basic_header_garbage_is_401(server):
    r = httpx.get(f"{server.url}/v1/Services", headers={"Authorization": "Basic !!!"})
    assert r.status_code == 401
    token = base64.b64encode(b"no-colon").decode()
    r = httpx.get(f"{server.url}/v1/Services", headers={"Authorization": f"Basic {token}"})
    assert r.status_code == 401


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/Services/Usecases", auth=AUTH, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"emulator at {url} did not come up")


def test_list_items_equal_fetched_bodies(http):
    """The list's fast path (stored JSON spliced as text) says exactly what fetch says."""
    listed = http.get("/v1/Services", params={"PageSize": 1000}).json()["services"]
    assert len(listed) == demo.SERVICE_COUNT
    for item in listed:
        assert item == http.get(f"/v1/Services/{item['sid']}").json()


def test_bodies_completed_when_the_catalogue_grows(tmp_path):
    import json as _json
    import sqlite3

    db = tmp_path / "old.sqlite3"
    Store(db).create_service(demo.DEMO_ACCOUNT_SID, {"friendly_name": "old"})
    raw = sqlite3.connect(db)
    body = _json.loads(raw.execute("SELECT body FROM services").fetchone()[0])
    del body["smart_encoding"]  # as if written before the field existed
    raw.execute("UPDATE services SET body = ?", (_json.dumps(body),))
    raw.execute("DELETE FROM meta WHERE key = 'body_keys'")
    raw.commit()
    raw.close()
    store = Store(db)
    row = store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1)[0]
    assert row.data["smart_encoding"] is True  # the catalogue default, filled in once


def test_connections_the_emulator_accepts_send_without_nagle():
    """A kept-alive connection must not wait on the client's delayed ACK: uvicorn writes an
    answer's head and body separately, and asyncio turns Nagle off only on sockets whose proto
    says TCP. Checked on a real loopback accept, with no clock involved."""
    import asyncio
    import socket

    from msgsvc_tui.emulator.server import listen_socket

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listener = listen_socket("127.0.0.1", 0)
        server = await asyncio.start_server(on_connect, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, 30)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accept_one()) != 0
