"""Twilio's error codes in words (core/twilio_errors.py), one table for every surface."""

from __future__ import annotations

from msgsvc_tui.core import twilio_errors


def test_known_code_in_words_with_its_page() -> None:
    entry = twilio_errors.explain(30036)
    assert entry is not None
    assert entry.title == "Validity Period Expired"
    assert entry.url == "https://www.twilio.com/docs/api/errors/30036"
    assert twilio_errors.describe("30007").startswith("30007 Message filtered: ")


def test_unknown_code_still_gets_its_page() -> None:
    assert twilio_errors.describe(12345).endswith("(https://www.twilio.com/docs/api/errors/12345)")


def test_no_code() -> None:
    for value in (None, "", 0, "abc", True, "٣٠٠٠٣", -5):
        assert twilio_errors.explain(value) is None
        assert twilio_errors.describe(value) == ""


def test_every_entry_has_words() -> None:
    for code, entry in twilio_errors.KNOWN.items():
        assert entry.code == code and entry.title and entry.meaning
