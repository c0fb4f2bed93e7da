"""Every key, as people write it, from the bindings themselves: the help screen and the
README's Keys table are both made here, so neither can fall out of date (a test compares the
README with `markdown_table()`)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingType

from msgsvc_tui.tui.keymode import keys_label

# The sections that explain what the list's columns show, not keys: the help gives them a
# table of their own (a mark and what it means), with no empty column to squeeze the words.
US_COLUMN = "The list's US column"
H_COLUMN = "The list's H column"
LEGENDS = frozenset({US_COLUMN, H_COLUMN})


def rows(bindings: Sequence[BindingType]) -> list[tuple[str, str, str]]:
    out = []
    for b in bindings:
        if isinstance(b, Binding):
            out.append((keys_label(b.key), b.description, b.tooltip))
    return out


def sections() -> list[tuple[str, list[tuple[str, str, str]]]]:
    from msgsvc_tui.tui.bindings import APP_BINDINGS
    from msgsvc_tui.tui.screens.main import ListPane, MainScreen
    from msgsvc_tui.tui.tabs import TABS
    from msgsvc_tui.tui.widgets.nav import NAV_KEYS
    from msgsvc_tui.tui.widgets.service_form import FieldInput, ServiceForm
    from msgsvc_tui.tui.widgets.service_table import ServiceTable, health_mark

    moving = [(keys_label(k), d, "") for k, d, _ in NAV_KEYS]
    table_only = [r for r in rows(ServiceTable.BINDINGS) if r[1] == "Edit"]
    # the form's rows move with the keys every list has: said once, under Moving
    form_only = [
        b
        for b in ServiceForm.BINDINGS
        if isinstance(b, Binding) and not b.action.startswith("nav(")
    ]
    return [
        ("Moving (every list and modal)", moving),
        ("The list", table_only + rows(ListPane.BINDINGS)),
        ("The form", rows(form_only) + rows(FieldInput.BINDINGS)),
        *((t.pane.TITLE, rows(t.pane.BINDINGS)) for t in TABS if t.pane is not None),
        (
            US_COLUMN,
            [
                ("✓", "Registered: its A2P campaign is verified", ""),
                ("…", "Campaign in review (seen on the A2P tab)", ""),
                ("✗", "Campaign failed (seen on the A2P tab)", ""),
                ("·", "Not registered: cannot send to US numbers over 10DLC", ""),
            ],
        ),
        (
            H_COLUMN,
            [
                (health_mark("ok"), "Healthy: the doctor found no error or warning", ""),
                (health_mark("warning"), "Warnings, no error: likely trouble or cost", ""),
                (health_mark("error"), "Errors: messages will fail (the Health tab says why)", ""),
                (health_mark("failed"), "Check failed: the doctor could not read the service", ""),
                ("blank", "Not checked yet: H (or the Health tab) checks it", ""),
            ],
        ),
        ("Anywhere on the main screen", rows(MainScreen.BINDINGS)),
        ("Everywhere", rows(APP_BINDINGS)),
    ]


def markdown_table() -> str:
    lines = ["| key | does | where |", "|---|---|---|"]
    for title, section in sections():
        for keys, description, tip in section:
            what = f"{description}: {tip}" if tip and tip != description else description
            lines.append(f"| `{keys}` | {what} | {title} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m msgsvc_tui.tui.help  → the README's Keys table
    print(markdown_table())
