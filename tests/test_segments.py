"""Twilio's encoding and segment rules (core/segments.py), shared by the composer and emulator."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.core import segments
from msgsvc_tui.core.segments import segment


def test_plain_text_is_gsm7_in_one_segment() -> None:
    s = segment("hello")
    assert (s.encoding, s.units, s.segments, s.per_segment) == ("GSM-7", 5, 1, 160)
    assert s.forcing == ()


def test_empty_body_has_no_segment() -> None:
    assert segment("").segments == 0


def test_gsm7_limits_160_then_153() -> None:
    assert segment("a" * 160).segments == 1
    two = segment("a" * 161)
    assert (two.segments, two.per_segment) == (2, 153)  # "one with 153 characters and … eight"
    assert segment("a" * 306).segments == 2
    assert segment("a" * 307).segments == 3


def test_extension_characters_cost_two_septets() -> None:
    assert segment("{" * 80).units == 160
    assert segment("{" * 80).segments == 1
    assert segment("{" * 81).segments == 2
    assert segment("€").encoding == "GSM-7"


def test_an_escape_pair_is_never_split() -> None:
    # 306 septets fit two 153-septet segments only if the pair could be split.
    s = segment("a" * 152 + "{" + "a" * 152)
    assert s.units == 306
    assert s.segments == 3


def test_one_non_gsm_character_makes_the_whole_message_ucs2() -> None:
    s = segment("a" * 69 + "ç")  # lower-case ç is not in GSM-7 (Ç is)
    assert (s.encoding, s.units, s.segments, s.per_segment) == ("UCS-2", 70, 1, 70)
    assert s.forcing == ("ç",)
    assert segment("ç" * 71).segments == 2
    assert segment("ç" * 71).per_segment == 67
    assert segment("Ç").encoding == "GSM-7"
    assert segment("`").encoding == "UCS-2"  # no backtick in GSM-7


def test_emoji_costs_two_units_and_is_never_split() -> None:
    assert segment("😀" * 35).units == 70
    assert segment("😀" * 35).segments == 1
    s = segment("ç" * 66 + "😀" + "ç" * 66)
    assert s.units == 134
    assert s.segments == 3  # not ceil(134 / 67) = 2: the pair moves whole


def test_forcing_lists_each_character_once_in_order() -> None:
    assert segment("ça ç 😀 ça").forcing == ("ç", "😀")


def test_smart_encoding_makes_typographic_quotes_gsm7() -> None:
    body = "\u201c" + "a" * 98 + "\u201d"  # 100 characters with curly quotes
    off = segment(body)
    on = segment(body, smart_encoding=True)
    assert (off.encoding, off.segments) == ("UCS-2", 2)
    assert (on.encoding, on.segments, on.text) == ("GSM-7", 1, '"' + "a" * 98 + '"')
    assert on.replacements == (("\u201c", '"'), ("\u201d", '"'))
    assert on.forcing == ()


def test_smart_encoding_is_all_or_nothing() -> None:
    body = "\u201chi\u201d 😀"
    s = segment(body, smart_encoding=True)
    assert s.text == body
    assert s.encoding == "UCS-2"
    assert s.replacements == ()
    assert s.unreplaceable == ("😀",)
    assert segments.smart_encode(body) is None
    assert segments.smart_encode("plain") is None


def test_smart_encoding_replacements() -> None:
    assert segments.smart_encode("wait\u2026") == "wait..."
    assert segments.smart_encode("a\u2014b") == "a-b"
    assert segments.smart_encode("\uff21\uff11") == "A1"
    assert segments.smart_encode("x\u00a0y") == "x y"
    assert segments.smart_encode("zero\u200bwidth") == "zerowidth"
    # The result may be an extension character: two septets.
    assert segment("\uff3b", smart_encoding=True).units == 2


def test_every_replacement_is_gsm7() -> None:
    for ch, result in segments.SMART_ENCODING.items():
        assert not segments.is_gsm7(ch), ch
        assert all(segments.is_gsm7(c) for c in result), (ch, result)


def test_tollfree_to_us_ca_uses_152_and_66() -> None:
    assert segment("a" * 305).segments == 2
    assert segment("a" * 305, tollfree_to_us_ca=True).segments == 3
    assert segment("ç" * 133, tollfree_to_us_ca=True).segments == 3
    assert segment("ç" * 134).segments == 2


def test_body_limit_counts_utf16_units() -> None:
    assert not segment("a" * 1600).too_long
    assert segment("a" * 1601).too_long
    assert segment("😀" * 801).too_long  # 1,602 units in 801 characters


def test_describe_char_names_invisible_characters() -> None:
    assert segments.describe_char("\u00a0") == "U+00A0"
    assert segments.describe_char("ç") == "ç U+00E7"


@given(st.text(max_size=400))
def test_segment_count_is_consistent(body: str) -> None:
    s = segment(body)
    if s.units == 0:
        assert s.segments == 0
    elif s.units <= s.single_limit:
        assert s.segments == 1
    else:
        # Never fewer than an ideal split; at most one extra per unsplittable character.
        assert s.segments >= math.ceil(s.units / s.multi_limit)
        assert s.segments <= math.ceil(s.units / (s.multi_limit - 1))
    assert (s.encoding == "GSM-7") == all(segments.is_gsm7(c) for c in body)


@given(st.text(max_size=200))
def test_smart_encoding_either_yields_gsm7_or_leaves_the_body(body: str) -> None:
    s = segment(body, smart_encoding=True)
    if s.replacements:
        assert s.encoding == "GSM-7"
        assert s.forcing == ()
    else:
        assert s.text == body
