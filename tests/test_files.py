"""Files we write (core/files.py, the one atomic writer) and `services export -o`: never a half
file, never something clobbered unasked, never a folder/FIFO/device replaced by a file."""

from __future__ import annotations

import io
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from msgsvc_tui import cli
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core import files
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import RunningServer
from tests.test_ascode import _client

PACKAGE = Path(__file__).resolve().parents[1] / "msgsvc_tui"


# ---- the writer ------------------------------------------------------------------------------
def test_a_new_file_gets_the_umask_mode_and_no_temporary_file_is_left(tmp_path):
    old = os.umask(0o027)
    try:
        written = files.atomic_write(tmp_path / "a.txt", "héllo")
    finally:
        os.umask(old)
    assert written == tmp_path / "a.txt"
    assert written.read_text(encoding="utf-8") == "héllo"
    assert stat.S_IMODE(written.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "kept.toml"
    path.write_text("old")
    path.chmod(0o604)
    files.atomic_write(path, b"new", new_mode=0o600)
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o604


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "real" / "out.toml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    assert files.atomic_write(link, "new") == real
    assert link.is_symlink() and real.read_text() == "new"


def test_an_existing_file_is_refused_unless_replace(tmp_path):
    path = tmp_path / "there.txt"
    path.write_text("mine")
    with pytest.raises(files.FileExistsRefusedError, match=re.escape(str(path))):
        files.atomic_write(path, "theirs", replace=False)
    assert path.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["there.txt"]


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_fifo, "a FIFO"),
        (_folder, "a folder"),
        (lambda _: Path("/dev/null"), "a character device"),
        (lambda tmp: tmp / "missing" / "out.toml", "does not exist"),
        (lambda tmp: (tmp / "f").touch() or tmp / "f" / "out.toml", "not a folder"),
    ],
)
def test_anything_but_a_regular_file_is_refused_before_a_byte_is_written(tmp_path, make, words):
    path = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(files.FileRefusedError) as caught:
        files.atomic_write(path, "x")
    assert str(path) in str(caught.value) and words in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if path.name == "fifo":
        assert stat.S_ISFIFO(path.stat().st_mode)  # still a FIFO, not a regular file


def test_a_symlink_to_a_device_is_refused_and_stays_a_link(tmp_path):
    link = tmp_path / "stdout"
    link.symlink_to("/dev/null")
    with pytest.raises(files.FileRefusedError, match="character device"):
        files.atomic_write(link, "x")
    assert link.is_symlink()


def test_there_is_one_atomic_writer_in_the_codebase():
    """A second writer would lose one of the guarantees (fsync, kept mode, symlinks, refusals):
    nothing but core/files.py renames into place or makes temporary files."""
    offenders = []
    pattern = re.compile(r"os\.replace\(|os\.rename\(|mkstemp\(|NamedTemporaryFile\(")
    for path in PACKAGE.rglob("*.py"):
        if path.name == "files.py" and path.parent.name == "core":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


# ---- services export -o ----------------------------------------------------------------------
def _export(server: RunningServer, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    args = cli.build_parser().parse_args(["services", "export", *argv])
    code = cli_services.run(args, stdout=out, client=_client(server.url))
    return code, out.getvalue()


def test_export_to_dash_is_stdout(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = _export(server, "-o", "-")
    assert code == 0 and out.count("[services.") == demo.SERVICE_COUNT
    assert list(tmp_path.iterdir()) == []


def test_export_does_not_replace_a_file_without_force_when_nobody_can_be_asked(
    server, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    path = tmp_path / "mine.toml"
    path.write_text("my work")
    path.chmod(0o640)
    code, out = _export(server, "-o", str(path))
    err = capsys.readouterr().err
    assert code == 2 and out == "" and "--force" in err and str(path) in err
    assert path.read_text() == "my work"
    code, _ = _export(server, "-o", str(path), "--force")
    assert code == 0 and path.read_text().count("[services.") == demo.SERVICE_COUNT
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "replaced"), [("y", True), ("n", False)])
def test_export_asks_on_a_terminal_before_replacing(
    server, tmp_path, monkeypatch, answer, replaced
):
    monkeypatch.setattr("sys.stdin", _Terminal(answer + "\n"))
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or answer)
    path = tmp_path / "mine.toml"
    path.write_text("my work")
    code, _ = _export(server, "-o", str(path))
    assert code == 0 and str(path) in questions[0]
    assert (path.read_text() != "my work") is replaced


def test_export_through_a_symlink_writes_its_target(server, tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("old")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    code, _ = _export(server, "-o", str(link), "--force")
    assert (
        code == 0
        and link.is_symlink()
        and real.read_text().count("[services.") == demo.SERVICE_COUNT
    )


def test_export_refuses_a_fifo_at_once(server, tmp_path, capsys):
    path = _fifo(tmp_path)
    result: list[int] = []
    # a liveness check, not a timing one: opening a FIFO to write blocks until a reader comes
    worker = threading.Thread(
        target=lambda: result.append(_export(server, "-o", str(path), "--force")[0]), daemon=True
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "export blocked on a FIFO"
    assert result == [2] and "a FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(path.stat().st_mode)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_folder, "is a folder"),
        (lambda tmp: tmp / "no-such-folder" / "out.toml", "does not exist"),
        (lambda _: Path("/dev/null"), "character device"),
    ],
)
def test_export_onto_a_folder_device_or_missing_folder_is_a_clear_error(
    server, tmp_path, capsys, make, words
):
    path = make(tmp_path)
    code, out = _export(server, "-o", str(path), "--force")
    err = capsys.readouterr().err
    assert code == 2 and out == "" and str(path) in err and words in err
    assert "Traceback" not in err


# ---- files nested deeper than any parser should follow -------------------------------------
def _nested(kind: str, depth: int) -> str:
    if kind == "toml":
        return "x = " + "[" * depth + "]" * depth + "\n"
    if kind == "toml-tables":
        return "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
    return '{"x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("kind", ["toml", "toml-tables", "json"])
@pytest.mark.parametrize("depth", [100_000, 200])
def test_an_apply_file_nested_deep_is_exit_2_naming_the_file(server, tmp_path, capsys, kind, depth):
    path = tmp_path / ("deep.json" if kind == "json" else "deep.toml")
    path.write_text(_nested(kind, depth))
    out = io.StringIO()
    args = cli.build_parser().parse_args(["services", "plan", str(path)])
    code = cli_services.run(args, stdout=out, client=_client(server.url))
    err = capsys.readouterr().err
    assert code == 2 and str(path) in err and "nested more than" in err
    assert "Traceback" not in err and "RecursionError" not in err


@pytest.mark.parametrize("depth", [100_000, 200])
def test_a_config_nested_deep_is_exit_3_naming_the_file(tmp_path, capsys, monkeypatch, depth):
    path = tmp_path / "config.toml"
    path.write_text(_nested("toml", depth))
    monkeypatch.setenv("MSGSVC_TUI_CONFIG", str(path))
    code = cli.main(["services", "list"])
    err = capsys.readouterr().err
    assert code == 3 and str(path) in err and "nested more than" in err
    assert "Traceback" not in err


# ---- plan's problems name their lines without reading the file once per service -------------
class _CountingText(str):
    """A file's text that counts how often it is split into lines."""

    splits = 0

    def splitlines(self, keepends: bool = False) -> list[str]:
        type(self).splits += 1
        return super().splitlines(keepends)


def test_every_problem_of_a_large_file_is_located_from_one_reading_of_it(tmp_path):
    """Each problem's line was searched for from the top of the file, once per service and
    field: quadratic (167 s for 10,000 services). The speed itself is in `make bench`."""
    from msgsvc_tui.ops import ascode

    body = "".join(
        f'[services."Service {i}"]\nusecase = "spam"\nsticky_sender = true\n\n' for i in range(2000)
    )
    text = _CountingText("version = 1\n\n" + body)
    import tomllib

    with pytest.raises(ascode.FileError) as caught:
        ascode.check(tomllib.loads(text), tmp_path / "big.toml", text)
    problems = caught.value.problems
    assert len(problems) == 2000
    assert problems[0].startswith(f"{tmp_path / 'big.toml'}:4: ")  # the usecase line
    assert problems[-1].startswith(f"{tmp_path / 'big.toml'}:{4 + 4 * 1999}: ")
    assert _CountingText.splits == 1
