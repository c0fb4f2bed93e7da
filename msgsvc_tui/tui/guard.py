"""The last line between the app and the terminal: no control character in any widget's text
ever reaches it.

Every string from outside (server values and keys, profile names, error texts) is shown
through the sanitizer (core/sanitize.py), which makes each control character *visible*. This
guard is the net under it, for the string someone forgets: just before a frame is turned into
terminal bytes, every character that would act on the terminal (C0, DEL, C1, bidi controls)
is dropped from the text of every segment. They take no cells, so the layout is unchanged;
the escape sequences Textual itself writes (cursor moves, colours) are made after this and
are untouched. The poisoned-store test (tests/test_poisoned.py) reads the frames *before*
this guard, so a string that misses the sanitizer still fails it.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.strip import Strip

from msgsvc_tui.tui.textual_private import map_frame_strips

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def clean_strip(strip: Strip) -> Strip:
    """`strip` itself when nothing in it acts on a terminal (the common case), else a copy
    without those characters."""
    if not UNSAFE.search(strip.text):
        return strip
    return Strip(
        [Segment(UNSAFE.sub("", text), style, control) for text, style, control in strip],
        strip.cell_length,
    )


def clean_update(update: object) -> object:
    """A compositor update (a full layout, or changed chops) with every strip cleaned;
    anything else as it is."""
    return map_frame_strips(update, clean_strip)
