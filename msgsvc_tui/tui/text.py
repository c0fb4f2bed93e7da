"""Server text on screen: sanitized (msgsvc_tui.core.sanitize) and never parsed as markup.

Every widget that shows a name, a URL, a sender or an error message from the server goes
through `shown` (one line) or `as_text` (a Rich Text, styles kept, markup never parsed).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from msgsvc_tui.core.sanitize import safe


def shown(value: object) -> str:
    """One line of untrusted text, safe for a terminal."""
    return safe("" if value is None else value)


def name_of(service: dict[str, object] | None) -> str:
    """A service as the user knows it: its friendly name, else its SID, made safe."""
    service = service or {}
    return shown(service.get("friendly_name") or service.get("sid") or "")


def as_text(content: str | Text, style: str = "") -> Text:
    """A Text whose every character is safe; a str is taken literally, never as markup."""
    if isinstance(content, Text):
        cleaned = safe(content.plain, newlines=True)
        if cleaned == content.plain:
            return content
        return Text(cleaned, style=content.style)  # a control char widened: one style
    return Text(safe(content, newlines=True), style=style)


def put(widget: Static, content: str | Text) -> None:
    """`widget` shows `content`, made safe. Unchanged content is not set again: every
    `Static.update` lays out the whole screen, and a form clears its error lines on every key
    typed."""
    text = as_text(content)
    current = widget.content
    if isinstance(current, Text):
        if current == text and current.style == text.style:  # == compares text and spans
            return
    elif current == "" == text.plain:
        return
    widget.update(text)
