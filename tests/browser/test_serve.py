"""`msgsvc-tui serve` in headless Chromium: what a workshop attendee does, end to end."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from msgsvc_tui.emulator import demo
from tests.browser.conftest import Served, Visitor, service_names, wait_until

N = demo.SERVICE_COUNT  # the demo's services, as each visitor's sandbox starts

pytestmark = pytest.mark.browser


def test_the_page_loads_the_list_and_takes_keys(visit: Callable[[], Visitor]) -> None:
    visitor = visit()
    assert visitor.page.locator("#terminal .xterm").count() == 1  # the terminal is drawn
    visitor.wait_for_text("Acme Order Updates")  # the services list
    visitor.wait_for_text("SANDBOX")
    visitor.wait_for_text(f"{N} services")
    seen = len(visitor.screen())
    visitor.keys("o")  # a key typed in the page reaches the app: the list's order is by name
    visitor.wait_for_text(f"{N} services · sort: name", after=seen)
    seen = len(visitor.screen())
    visitor.keys("?")  # and its help opens
    visitor.wait_for_text("Keys  (j/k scroll, esc closes)", after=seen)


def _create(visitor: Visitor, name: str) -> None:
    seen = len(visitor.screen())
    visitor.keys("n")
    visitor.wait_for_text("New service", after=seen)  # the form has the focus: typing is safe
    visitor.type(name)
    visitor.wait_for_text(name, after=seen)
    visitor.keys("Control+s")
    visitor.wait_for_text(f"Created {name}", after=seen)
    visitor.wait_for_text(f"{N + 1} services", after=seen)


def test_two_visitors_have_separate_sandboxes(served: Served, visit: Callable[[], Visitor]) -> None:
    first = visit()
    first.wait_for_text("Acme Order Updates")
    [first_box] = wait_until("the first sandbox", lambda: served.sandboxes() or None)
    second = visit()
    second.wait_for_text("Acme Order Updates")
    boxes = wait_until(
        "a second sandbox", lambda: len(served.sandboxes()) == 2 and served.sandboxes()
    )
    [second_box] = [b for b in boxes if b != first_box]

    _create(first, "Visitor One Alerts")
    seen = len(second.screen())
    second.keys("r")  # the second reloads its list: the first one's service is not in it
    second.wait_for_text("Acme Order Updates", after=seen)  # the list drawn again
    second.wait_for_text(f"{N} services · sort", after=seen)
    assert "Visitor One Alerts" not in second.screen()

    _create(second, "Visitor Two Alerts")
    first_names, second_names = service_names(first_box), service_names(second_box)
    assert "Visitor One Alerts" in first_names and "Visitor One Alerts" not in second_names
    assert "Visitor Two Alerts" in second_names and "Visitor Two Alerts" not in first_names
    assert len(first_names) == len(second_names) == N + 1


def test_closing_the_page_ends_its_process_and_its_sandbox(
    served: Served, visit: Callable[[], Visitor]
) -> None:
    staying, leaving = visit(), visit()
    staying.wait_for_text("Acme Order Updates")
    leaving.wait_for_text("Acme Order Updates")
    pids = wait_until(
        "two app processes", lambda: len(served.app_pids()) == 2 and served.app_pids()
    )
    assert len(served.sandboxes()) == 2

    leaving.close()
    wait_until("one app process left", lambda: len(served.app_pids()) == 1)
    wait_until("one sandbox left", lambda: len(served.sandboxes()) == 1)
    assert served.app_pids() < pids  # the staying visitor's process is the one left
    staying.keys("?")
    staying.wait_for_text("Keys  (j/k scroll, esc closes)")

    staying.close()
    wait_until("no app process", lambda: not served.app_pids())
    wait_until("no sandbox", lambda: not served.sandboxes())
    assert served.process.poll() is None  # the server itself stays up for the next visitor
