"""listing.py and editing.py: the list's and the form's rules, without a screen."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.core import editing, fields
from msgsvc_tui.core.editing import Incoming
from msgsvc_tui.core.listing import ServiceList, SortKey, bulk_target


def svc(i: int, **kw) -> dict:
    base = {
        "sid": f"MG{i:032x}",
        "friendly_name": f"Service {i}",
        "usecase": ("marketing", "poll", "notifications")[i % 3],
        "date_updated": f"2026-01-{(i % 28) + 1:02d}T00:00:00Z",
        "sticky_sender": bool(i % 2),
    }
    return {**base, **kw}


def test_filter_sort_and_marks():
    model = ServiceList()
    model.replace([svc(i) for i in range(30)])
    model.set_filter("POLL")
    assert {model.visible_service(i)["usecase"] for i in range(len(model.visible))} == {"poll"}
    model.set_filter("")
    assert model.cycle_sort() is SortKey.NAME
    names = [model.visible_service(i)["friendly_name"] for i in range(30)]
    assert names == sorted(names, key=str.lower)
    model.toggle_mark(svc(3)["sid"])
    assert [s["sid"] for s in model.marked_services()] == [svc(3)["sid"]]


def test_upsert_keeps_position_and_retain_drops_the_rest():
    model = ServiceList()
    model.replace([svc(i) for i in range(5)])
    model.toggle_mark(svc(1)["sid"])
    model.toggle_mark(svc(4)["sid"])
    model.extend([svc(1, friendly_name="Renamed")])
    assert model.visible_service(1)["friendly_name"] == "Renamed"
    model.retain({svc(i)["sid"] for i in range(3)})
    assert len(model) == 3 and model.marked == {svc(1)["sid"]}
    assert model.row_of(svc(4)["sid"]) is None


@given(st.lists(st.booleans(), min_size=1, max_size=20))
def test_bulk_target_turns_on_unless_all_on(states):
    services = [{"sticky_sender": s} for s in states]
    assert bulk_target(services, "sticky_sender") is (not all(states))


def test_changes_only_what_differs():
    original = {"friendly_name": "A", "status_callback": None, "sticky_sender": True}
    edited = {"friendly_name": "A", "status_callback": "", "sticky_sender": False, "sid": "x"}
    assert editing.changes(original, edited) == {"sticky_sender": False}


def test_incoming_modes_round_trip():
    assert editing.incoming_mode({"use_inbound_webhook_on_number": True}) is Incoming.DEFER
    assert editing.incoming_mode({"inbound_request_url": "https://x.example"}) is Incoming.WEBHOOK
    assert editing.incoming_mode({"inbound_request_url": None}) is Incoming.DROP
    dropped = editing.apply_incoming(Incoming.DROP, {"inbound_request_url": "https://x.example"})
    assert dropped["inbound_request_url"] is None
    deferred = editing.apply_incoming(Incoming.DEFER, {"inbound_request_url": "https://x.example"})
    assert deferred["use_inbound_webhook_on_number"] is True
    assert deferred["inbound_request_url"] == "https://x.example"  # kept for switching back
    assert editing.incoming_problem(Incoming.WEBHOOK, " ") is not None
    assert editing.incoming_problem(Incoming.DROP, "") is None


def test_conflicts_compare_fields_not_the_update_stamp():
    """Two edits in one second leave Twilio's date_updated alone; fields still tell."""
    loaded = {"date_updated": "2026-01-01T00:00:00Z", "friendly_name": "A", "validity_period": 10}
    same_second = {**loaded, "friendly_name": "Theirs", "validity_period": 20}
    clash = editing.conflicts(loaded, same_second, {"friendly_name": "Mine"})
    assert [(d.field.name, d.loaded, d.mine, d.theirs) for d in clash] == [
        ("friendly_name", "A", "Mine", "Theirs")
    ]
    # a field only they changed is no conflict; nor is one both set to the same value
    assert editing.conflicts(loaded, same_second, {"sticky_sender": False}) == []
    assert editing.conflicts(loaded, same_second, {"friendly_name": "Theirs"}) == []
    # a null date_updated (allowed by the spec on a new resource) changes nothing
    assert editing.conflicts({**loaded, "date_updated": None}, loaded, {"friendly_name": "B"}) == []


def test_server_changes_name_fields():
    loaded = {"date_updated": "1", "validity_period": 10, "friendly_name": "A"}
    current = {"date_updated": "2", "validity_period": 20, "friendly_name": "A"}
    diffs = editing.server_changes(loaded, current)
    assert [(d.field.name, d.mine, d.theirs) for d in diffs] == [("validity_period", 10, 20)]
    assert diffs[0].field is fields.get("validity_period")


_stamps = st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | _stamps,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    *("account_sid", "usecase", "validity_period", "sticky_sender", "url"),
                    *("date_created", "date_updated", "x", "links"),
                ]
            ),
            _json_values,
        ),
        max_size=8,
    )
)
def test_packed_rows_give_back_what_the_server_sent_minus_links(bodies):
    """Issue 13's compact rows: a packed service reads back equal, in the server's key order,
    with the same types (a shared 1 never comes back as True, nor True as 1)."""
    model = ServiceList()
    sent = [{"sid": f"MG{i:032x}", **body} for i, body in enumerate(bodies)]
    last = "MG" + "f" * 32
    sent += [{"sid": last, "url": f"https://messaging.twilio.com/v1/Services/{last}"}]
    model.replace([dict(s) for s in sent])
    for service in sent:
        expected = {k: v for k, v in service.items() if k != "links"}
        got = model.get(service["sid"])
        assert got == expected and list(got) == list(expected)
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


def test_the_list_hands_out_copies_and_derives_url_from_the_sid():
    model = ServiceList()
    url = f"https://messaging.twilio.com/v1/Services/{svc(1)['sid']}"
    model.replace([svc(1, url=url, links={"phone_numbers": url + "/PhoneNumbers"})])
    got = model.get(svc(1)["sid"])
    assert got is not None and got["url"] == url and "links" not in got
    got["friendly_name"] = "changed by a caller"
    assert model.get(svc(1)["sid"])["friendly_name"] == "Service 1"
    assert model.visible_service(0)["friendly_name"] == "Service 1"
    assert model.sids() == [svc(1)["sid"]]


def test_sorting_by_update_puts_newest_first_and_survives_odd_stamps():
    model = ServiceList()
    model.replace(
        [svc(1), svc(2, date_updated="yesterday"), svc(3, date_updated=None), svc(4), svc(5)]
    )
    while model.sort is not SortKey.UPDATED:
        model.cycle_sort()
    order = [model.visible_service(i)["date_updated"] for i in range(len(model.visible))]
    assert order[:3] == ["2026-01-06T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-02T00:00:00Z"]
    assert set(order[3:]) == {"yesterday", None}


def test_packed_rows_are_left_alone_by_the_garbage_collector():
    """A row holds only atoms, so a full collection stops walking it: at 100k services the
    collector would otherwise walk every row again on each full pass."""
    import gc

    model = ServiceList()
    url = f"https://messaging.twilio.com/v1/Services/{svc(1)['sid']}"
    model.replace([svc(1, url=url, date_created="2026-01-01T00:00:00Z", validity_period=600)])
    gc.collect()
    assert not gc.is_tracked(model._rows[0])
