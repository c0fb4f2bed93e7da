"""The architecture's checks that import-linter cannot make: no import circle anywhere (even
inside a function), one field catalogue, a small start-up. The layers and the forbidden
imports are import-linter contracts in pyproject.toml, run by `make check`."""

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


def test_no_field_list_outside_the_catalogue():
    """A field is added in one place: no other module spells out the writable params."""
    from msgsvc_tui.core import fields

    params = [f.param for f in fields.WRITABLE]
    for path in PKG.rglob("*.py"):
        if path.name == "fields.py":
            continue
        text = path.read_text()
        named = [p for p in params if f'"{p}"' in text or f"'{p}'" in text]
        assert not named, f"{path.relative_to(PKG)} spells out catalogue params {named}"


def test_no_import_circles_anywhere():
    """Every import counts, even one inside a function: a circle is a circle however it is
    hidden. (The layers and forbidden imports are import-linter contracts in pyproject.toml,
    run by `make check`.)"""
    import grimp

    graph = grimp.build_graph("msgsvc_tui", include_external_packages=False)
    modules = sorted(graph.modules)
    index = {m: i for i, m in enumerate(modules)}
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}

    # Tarjan's strongly connected components: any component of two or more is a circle
    counter = 0
    stack: list[str] = []
    on_stack: set[str] = set()
    low: dict[str, int] = {}
    order: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(m: str) -> None:
        nonlocal counter
        order[m] = low[m] = counter
        counter += 1
        stack.append(m)
        on_stack.add(m)
        for n in edges[m]:
            if n not in index:
                continue
            if n not in order:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], order[n])
        if low[m] == order[m]:
            component = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                component.append(n)
                if n == m:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for m in modules:
        if m not in order:
            visit(m)
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def _reaches_into(path: Path) -> list[str]:
    """Where a file uses another module's private name: `from msgsvc_tui.x import _y`, or
    `x._y` on a project module it imported."""
    found = []
    modules: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("msgsvc_tui"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                elif (PKG.parent / node.module.replace(".", "/") / f"{alias.name}.py").exists():
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("msgsvc"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_file_uses_another_modules_private_names():
    """A leading underscore means "this file's own": a helper two files need is public where
    it lives, so that what a module offers is what the others use (the tests included). This
    reads imports and `module._name`; an object's private attribute (`client._x`) it cannot
    tell from `self._x`, so the client's primitives are public by name instead."""
    found = [
        use
        for path in sorted([*PKG.rglob("*.py"), *(PKG.parent / "tests").rglob("*.py")])
        for use in _reaches_into(path)
    ]
    assert not found, "\n".join(found)


def test_each_type_ignore_names_its_code_and_says_why():
    """mypy is strict; where it is told to look away, the reader is told why: after the
    code on the same line, or in the comment line just above."""
    bare = []
    for path in sorted(PKG.rglob("*.py")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if "type: ignore" not in line:
                continue
            after = line.split("type: ignore", 1)[1]
            named = after.startswith("[")
            why = "#" in after or lines[number - 2].strip().startswith("#")
            if not (named and why):
                bare.append(f"{path.relative_to(PKG)}:{number}")
    assert not bare, bare


def test_every_command_module_is_kept_from_the_ui_by_a_contract():
    """import-linter checks the modules a contract lists: a new module of cli/ (but the
    entry point, which opens the app) is listed, or a UI import could creep in unseen."""
    import tomllib

    config = tomllib.loads((PKG.parent / "pyproject.toml").read_text())
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "forbidden"
        and "msgsvc_tui.tui" in c["forbidden_modules"]
        and "msgsvc_tui.core" in c["source_modules"]
    )
    commands = {f"msgsvc_tui.cli.{p.stem}" for p in (PKG / "cli").glob("*.py")}
    assert commands - {"msgsvc_tui.cli.__init__"} <= set(contract["source_modules"])


def test_version_and_help_import_no_network_stack_ui_or_emulator():
    """Start-up of the CLI stays small: httpx alone costs ~0.1 s ."""
    import subprocess
    import sys

    for flag in ("--version", "--help"):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "msgsvc_tui", flag],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        heavy = {m for m in imported if m.split(".")[0] in ("httpx", "textual", "rich")}
        heavy |= {m for m in imported if m.startswith("msgsvc_tui.emulator")}
        assert not heavy, f"{flag} imports {sorted(heavy)[:5]}"


def test_the_client_does_not_load_httpx_command_line_tool():
    """httpx loads its CLI (click, rich, pygments: ~70 ms) when they are installed; we keep a
    None in its place (api/__init__.py)."""
    import subprocess
    import sys

    code = (
        "import sys, msgsvc_tui.api.client as c, httpx; "
        "print('click' in sys.modules, 'httpx._main' in sys.modules, httpx.AsyncClient.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "True", "AsyncClient"], done.stderr[-1500:]


def test_the_main_screen_imports_no_detail_tab_and_no_httpx():
    """The first frame waits for the main screen's imports: the tabs beyond Settings are
    imported when first opened (tui/tabs.py), and httpx when the client is made."""
    import subprocess
    import sys

    code = (
        "import sys, msgsvc_tui.tui.app, msgsvc_tui.tui.screens.main\n"
        "from msgsvc_tui.tui.tabs import TABS\n"
        "mods = [t.pane_path.partition(':')[0] for t in TABS if t.pane_path]\n"
        "print(sorted(m for m in [*mods, 'httpx', 'msgsvc_tui.api.compliance'] "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_every_lazily_built_subcommand_builds_and_helps(capsys):
    """The CLI builds a subcommand's parser only when it is chosen (cli/parser.py: ~12 ms of a
    `--help`, which `make bench` row 6 needs). That leans on argparse internals; walk every
    command, nested ones too, so a Python release that changes them fails here, by name."""
    import argparse

    import pytest

    from msgsvc_tui import cli
    from msgsvc_tui.cli.parser import LazySubParsers

    assert hasattr(argparse._SubParsersAction, "_ChoicesPseudoAction")
    seen: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, LazySubParsers):
                for name in list(action.choices):
                    child = action.parser_for(name)
                    assert isinstance(child, argparse.ArgumentParser), [*path, name]
                    seen.append(" ".join([*path, name]))
                    walk(child, [*path, name])

    walk(cli.build_parser(), [])
    assert "services list" in seen and "emulator" in seen
    for command in seen:
        with pytest.raises(SystemExit) as done:
            cli.main([*command.split(), "--help"])
        assert done.value.code == 0, command
        assert f"usage: msgsvc-tui {command}" in " ".join(capsys.readouterr().out.split())


def _classes_of_the_package() -> list[type]:
    """Every class defined at the top of a module of the package (each module imported)."""
    import importlib
    import inspect

    found: list[type] = []
    for path in sorted(PKG.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        module = importlib.import_module(name)
        found.extend(
            c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == name
        )
    return found


def test_every_modal_screen_is_a_dialog():
    """One dialog base: its frame, title, escape, focus on open and name in the key bar are
    written once (tui/screens/modals.py), so a new dialog cannot leave one out."""
    from textual.binding import Binding
    from textual.screen import ModalScreen

    from msgsvc_tui.tui.screens.modals import Dialog

    modals = [c for c in _classes_of_the_package() if issubclass(c, ModalScreen)]
    assert len(modals) >= 15, modals  # the walk found them (a broken walk proves nothing)
    strays = [c.__qualname__ for c in modals if not issubclass(c, Dialog)]
    assert not strays, f"modal screens not built on Dialog: {strays}"
    for c in modals:
        if c is Dialog:
            continue  # the base: its subclasses get escape (tui/screens/modals.py)
        keys = {
            k.strip()
            for klass in c.__mro__
            for b in klass.__dict__.get("BINDINGS", [])
            for k in (b.key if isinstance(b, Binding) else b[0]).split(",")
        }
        assert "escape" in keys, f"{c.__qualname__}: escape does not back out"


class _ConfirmsMade(ast.NodeVisitor):
    """The function each `ConfirmScreen(...)` call is written in (innermost)."""

    def __init__(self) -> None:
        self.around: list[str] = []
        self.made_in: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.around.append(node.name)
        self.generic_visit(node)
        self.around.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if called == "ConfirmScreen":
            self.made_in.append(self.around[-1] if self.around else "<module>")
        self.generic_visit(node)


def test_a_confirm_is_asked_only_by_confirm_then():
    """One confirm-then-act: the yes/no dialog is made in one function, which runs the action
    on yes only. No other module names it (to push it, await it or wait on it)."""
    for path in PKG.rglob("*.py"):
        where = path.relative_to(PKG).as_posix()
        tree = ast.parse(path.read_text())
        seen = _ConfirmsMade()
        seen.visit(tree)
        if where == "tui/screens/modals.py":
            assert seen.made_in == ["confirm_then"], seen.made_in
            continue
        named = [
            n.lineno
            for n in ast.walk(tree)
            if (isinstance(n, ast.Name) and n.id == "ConfirmScreen")
            or (isinstance(n, ast.Attribute) and n.attr == "ConfirmScreen")
            or (isinstance(n, ast.alias) and n.name == "ConfirmScreen")
        ]
        assert not named, f"{where} names ConfirmScreen (lines {named}): use confirm_then"


# ---- Textual's private API: only through tui/textual_private.py --------------------------------
TEXTUAL_PRIVATE = PKG / "tui" / "textual_private.py"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _gathered_private_names() -> set[str]:
    """The private names textual_private.py uses: attributes it reads or sets, members it
    overrides."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(TEXTUAL_PRIVATE.read_text())):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            names.update(
                item.name
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and _is_private(item.name)
            )
    return names


def _own_names(cls: ast.ClassDef) -> set[str]:
    """What a class of ours defines itself (its methods, `self.x = …`): a private name of its
    own, not one it inherits from Textual."""
    names = {
        item.name
        for item in cls.body
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    for node in ast.walk(cls):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                names.add(target.attr)
    return names


def _private_uses(path: Path, gathered: set[str]) -> list[str]:
    tree = ast.parse(path.read_text())
    where = str(path.relative_to(PKG))
    found: list[str] = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "textual" and any(_is_private(p) for p in parts):
                found.append(f"{where}:{node.lineno}: imports {module}")
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    own_of: dict[int, set[str]] = {}
    for cls in classes:  # outer classes first: a nested class's own names win inside it
        own = _own_names(cls)
        own_of.update((id(inner), own) for inner in ast.walk(cls))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in gathered):
            continue
        on_self = isinstance(node.value, ast.Name) and node.value.id == "self"
        if on_self and node.attr in own_of.get(id(node), set()):
            continue  # the class's own attribute or method that happens to share the name
        found.append(f"{where}:{node.lineno}: .{node.attr}")
    return found


def test_textuals_private_api_is_used_only_through_textual_private():
    """A private name of Textual's that tui/textual_private.py wraps (each one tested against
    the pinned Textual in tests/test_textual_private.py) is used nowhere else, and no other
    module imports a private Textual module: a new use goes through that module and its tests."""
    gathered = _gathered_private_names()
    assert {"_modal_binding_chain", "_display", "_options"} <= gathered  # the walk sees them
    found = [
        use
        for path in sorted(PKG.rglob("*.py"))
        if path != TEXTUAL_PRIVATE
        for use in _private_uses(path, gathered)
    ]
    assert not found, "use tui/textual_private.py instead:\n" + "\n".join(found)


def test_no_class_overrides_a_private_member_of_textual_outside_textual_private():
    """Overriding Textual's private hooks (`_on_key`, `_display`, a `_watch_` method…) is a use
    of its private API as much as calling them: only tui/textual_private.py does it."""
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.widget import Widget

    def made_by_textual(base: type) -> set[str]:
        """What Textual's metaclass puts in every subclass's own namespace."""
        return set(vars(type("Probe", (base,), {"__module__": __name__})))

    automatic = made_by_textual(App) | made_by_textual(Screen) | made_by_textual(Widget)
    found: list[str] = []
    classes = [c for c in _classes_of_the_package() if issubclass(c, DOMNode)]
    assert len(classes) >= 40, classes  # the walk found them (a broken walk proves nothing)
    for cls in classes:
        if cls.__module__ == "msgsvc_tui.tui.textual_private":
            continue
        textual_bases = [b for b in cls.__mro__ if b.__module__.startswith("textual.")]
        for member in vars(cls):
            if not _is_private(member) or member in automatic:
                continue
            if any(member in vars(base) for base in textual_bases):
                found.append(f"{cls.__module__}.{cls.__qualname__}.{member}")
    assert not found, "overrides Textual's private members:\n" + "\n".join(found)


def test_a_rule_keyed_on_a_lit_pane_styles_only_the_pane():
    """The main screen restyles only its two panes when the focus crosses between them (not
    the hundred widgets inside), so a rule keyed on `-editing` may style a pane itself but
    nothing within it: `#list-pane.-editing Input` would go stale."""
    import re

    sheets = [PKG / "tui" / "app.tcss"]
    texts = [p.read_text() for p in sheets]
    for path in (PKG / "tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)  # DEFAULT_CSS: ClassVar[str] = ...
                else []
            )
            value = getattr(node, "value", None)
            if (
                any(isinstance(t, ast.Name) and t.id == "DEFAULT_CSS" for t in targets)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                texts.append(value.value)
    keyed = []
    for text in texts:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for selectors in re.findall(r"([^{}]+)\{", text):
            for selector in selectors.split(","):
                parts = selector.replace(">", " ").split()
                if any("-editing" in part for part in parts):
                    keyed.append(parts)
    assert keyed, "no rule keyed on -editing: the check reads the wrong sheet"
    for parts in keyed:
        assert "-editing" in parts[-1] and not any("-editing" in p for p in parts[:-1]), parts
        assert parts[-1].startswith(("#list-pane", "#detail-pane")), parts


def _map_words(drawing: str) -> dict[str, set[str]]:
    """The words of each folder's own lines in the README's drawing ("" the package root):
    a folder's lines run from its `name/` heading to the next line at its indent or less."""
    import re

    words: dict[str, set[str]] = {}
    stack: list[tuple[int, str]] = []
    for line in drawing.splitlines()[1:]:
        heading = re.match(r"^( *)([a-z_]+)/( |$)", line)
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:  # a line at a folder's indent ends it
            stack.pop()
        if heading:
            stack.append((indent, heading.group(2)))
            line = line[heading.end() :]
        folder = "/".join(name for _, name in stack)
        words.setdefault(folder, set()).update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))
    return words


def test_the_readmes_map_names_every_module_in_its_folder():
    """The README's architecture drawing is a map a newcomer follows to any file: a module
    added without its name among its own folder's lines (not merely somewhere in the
    drawing, where `help` or `messages` of another folder would do) fails here."""
    readme = (PKG.parent / "README.md").read_text()
    drawing = readme.split("msgsvc_tui/                three front ends over one core", 1)[1]
    words = _map_words(drawing.split("```", 1)[0])
    missing = sorted(
        str(path.relative_to(PKG))
        for path in PKG.rglob("*.py")
        if path.stem != "__init__"
        and path.stem not in words.get(str(path.parent.relative_to(PKG)).strip("."), set())
    )
    assert not missing, f"the README's map names none of {missing} in its folder"
