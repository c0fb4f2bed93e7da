"""A plan as the terminal shows it: the sanitized text, coloured by each line's mark (`+`
green, `~` yellow, `-` red, `!` bold red) as terraform does, on a terminal only.

Colour is added after the sanitizer (which would show an escape sequence, never emit it) and
never when the output is piped or redirected, when NO_COLOR is set (no-color.org), or when the
terminal is "dumb": a script or a file gets the plain text, byte for byte.
"""

from __future__ import annotations

import os
from typing import IO

from msgsvc_tui.core.sanitize import safe

_COLOURS = {"+": "\x1b[32m", "~": "\x1b[33m", "-": "\x1b[31m", "!": "\x1b[1;31m"}
_RESET = "\x1b[0m"


def wants_colour(out: IO[str]) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def plan_text(rendered: str, out: IO[str]) -> str:
    """`rendered` (a Plan's render(), server text in it) sanitized, coloured for `out`."""
    text = safe(rendered, newlines=True)
    if not wants_colour(out):
        return text + "\n"
    lines = []
    for line in text.split("\n"):
        colour = _COLOURS.get(line.lstrip()[:1])
        lines.append(f"{colour}{line}{_RESET}" if colour else line)
    return "\n".join(lines) + "\n"
