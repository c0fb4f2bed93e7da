"""The import contract: the core never reaches into the UI."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "msgsvc_tui"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_the_ui():
    # cli.py is the entry point that starts the UI; everything else is core
    core = [
        p
        for p in PKG.rglob("*.py")
        if "tui" not in p.relative_to(PKG).parts and p.name not in ("cli.py", "__main__.py")
    ]
    assert core, "no core modules found"
    for path in core:
        bad = {n for n in _imports(path) if n.startswith(("msgsvc_tui.tui", "textual"))}
        assert not bad, f"{path.relative_to(PKG)} imports the UI: {sorted(bad)}"


def test_no_field_list_outside_the_catalogue():
    """A field is added in one place: no other module spells out the writable params."""
    from msgsvc_tui import fields

    params = [f.param for f in fields.WRITABLE]
    for path in PKG.rglob("*.py"):
        if path.name == "fields.py":
            continue
        text = path.read_text()
        named = [p for p in params if f'"{p}"' in text]
        assert len(named) < 3, f"{path.relative_to(PKG)} repeats catalogue params {named}"
