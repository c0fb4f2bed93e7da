"""Untrusted text made safe to show on a terminal: the one sanitizer for every path.

A service's friendly name (and every other string the server returns) is written by anyone
with access to the account. Sent raw to a terminal, ``ESC ] 52 ; c ; … BEL`` writes the
user's clipboard, ``ESC ] 0 ;`` sets the window title, ``ESC [ 2 J`` clears the screen, and a
bidi override makes text read backwards. So every control character is *shown*, never
emitted:

    C0 (U+0000-U+001F)   the Unicode control pictures: ESC → ␛, NUL → ␀, TAB → ␉, LF → ␊
    DEL (U+007F)         ␡
    C1 (U+0080-U+009F)   a visible escape: \\x9b
    bidi marks, overrides and isolates, and the line/paragraph separators
                         ⟨U+202E⟩

Markup is the other half: the TUI shows server text as `rich.text.Text` (never parsed as
markup) and passes `markup=False` wherever a string goes to `notify`.
"""

from __future__ import annotations

_BIDI_AND_SEPARATORS = (
    0x061C,  # ARABIC LETTER MARK
    0x200E,  # LEFT-TO-RIGHT MARK
    0x200F,  # RIGHT-TO-LEFT MARK
    *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
    *range(0x2066, 0x206A),  # LRI RLI FSI PDI
    0x2028,  # LINE SEPARATOR
    0x2029,  # PARAGRAPH SEPARATOR
)


def _table() -> dict[int, str]:
    table: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
    table[0x7F] = "\u2421"
    table.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
    table.update({code: f"\u27e8U+{code:04X}\u27e9" for code in _BIDI_AND_SEPARATORS})
    return table


_TABLE = _table()
_TABLE_KEEP_NEWLINES = {k: v for k, v in _TABLE.items() if k != 0x0A}


def safe(value: object, *, newlines: bool = False) -> str:
    """`value` as text with every control character shown visibly (see the module doc).

    `newlines=True` keeps LF as a line break, for our own multi-line messages that quote
    server text: a line break moves the cursor down, nothing more.
    """
    text = value if isinstance(value, str) else str(value)
    return text.translate(_TABLE_KEEP_NEWLINES if newlines else _TABLE)


def is_safe(text: str) -> bool:
    """Whether `text` would show unchanged: nothing in it acts on a terminal."""
    return safe(text) == text
