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
    """`widget` shows `content`, made safe: the one way text is set on a line or a block.

    Unchanged content is not set again, and the screen is laid out again only when the
    widget's height changes. `Static.update` lays out the whole screen by default (hundreds of
    widgets), while most updates (a status, a count, a title) keep the widget's size: a tenth
    of the layouts of tests/test_tui.py were such updates. A widget whose width follows its
    text, or that has no width yet, always takes the layout."""
    text = as_text(content)
    current = widget.content
    if isinstance(current, Text):
        if current == text and current.style == text.style:  # == compares text and spans
            return
    elif current == "" == text.plain:
        return
    widget.update(text, layout=False)
    if _resized(widget):
        widget.refresh(layout=True)


def _resized(widget: Static) -> bool:
    """Whether `widget`, its content just replaced, needs a layout to take its new size."""
    if not widget.display:
        return False  # shown later: the change of display lays it out then
    width, height = widget.styles.width, widget.styles.height
    if (width is not None and width.is_auto) or not widget.size.width:
        return True
    if height is None or not height.is_auto:
        return False  # a fixed or fractional height: the content does not change it
    lines = widget.get_content_height(widget.container_size, widget.app.size, widget.size.width)
    return lines != widget.size.height
