"""The one way this project writes a file: whole or not at all, and never over something unasked.

Every file we write (the config, an export, anything a screen saves) goes through
`atomic_write`, so each gets the same guarantees:

- a reader, or a crash, sees the old content or the new, never half: the bytes go to a
  temporary file in the same folder, are fsynced, and replace the target with one rename
  (then the folder is fsynced, so the rename itself survives a power cut);
- an existing file keeps its permission bits (and, when we may, its owner and group): saving
  never widens or narrows what others can read;
- a symlink is written *through*: its final target gets the new content and the link stays a
  link (dotfiles managers rely on it);
- anything but a regular file is refused before a byte is written: a folder, a FIFO (writing
  would block), a socket or a device (as root, replacing `/dev/stdout`'s symlink with a regular
  file breaks the machine);
- an existing file is replaced only when the caller says so (`replace=True`); otherwise the
  new file is put in place with a hard link, which fails if something appeared meanwhile, so
  even a race never clobbers.

Every refusal is a `FileRefusedError` whose message names the path and what is wrong, ready to
show to a user.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode


class FileRefusedError(MsgsvcError):
    """A file that cannot (or may not) be written; the message names it and says why."""

    EXIT = ExitCode.USAGE

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class FileExistsRefusedError(FileRefusedError):
    """The target exists and the caller did not say to replace it."""


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words ("a folder", "a FIFO", …)."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


@dataclass(frozen=True)
class Target:
    """Where a write would land: `path` is the file itself (a symlink followed to its end),
    `exists` whether there is one to replace."""

    path: Path
    exists: bool


def target(path: Path | str, *, create_folder: bool = False) -> Target:
    """Check a destination before writing (or before asking whether to replace it).

    Raises `FileRefusedError` for a folder, a FIFO, a device, a socket, a symlink loop, or a
    missing folder (unless `create_folder`, where the writer would make it)."""
    path = Path(path)
    if path.is_symlink():
        try:
            path = path.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise FileRefusedError(path, f"cannot follow the symlink: {exc}") from None
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise FileRefusedError(path, "a part of the path is not a folder") from None
    except OSError as exc:
        raise FileRefusedError(path, f"cannot check it: {exc.strerror or exc}") from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusedError(path, f"is {kind_of(info.st_mode)}, not a file: refusing it")
        return Target(path, True)
    folder = path.parent
    if not folder.is_dir() and not create_folder:
        what = "is not a folder" if folder.exists() else "does not exist"
        raise FileRefusedError(path, f"the folder {folder} {what}")
    return Target(path, False)


def atomic_write(
    path: Path | str,
    data: bytes | str,
    *,
    replace: bool = True,
    new_mode: int | None = None,
    create_folder: bool = False,
    folder_mode: int = 0o700,
) -> Path:
    """Write `data` (str as UTF-8) to `path` as the module doc says; returns the file written
    (a symlink's target).

    `replace=False` refuses an existing file (`FileExistsRefusedError`). `new_mode` is a new
    file's permission bits (default: 0o666 less the umask, as any program's new file);
    `create_folder` makes missing folders with `folder_mode`.
    """
    where = target(path, create_folder=create_folder)
    if where.exists and not replace:
        raise FileExistsRefusedError(where.path, "already exists: not replacing it unasked")
    final = where.path
    folder = final.parent
    if create_folder:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=folder_mode)
        except OSError as exc:
            problem = f"cannot make the folder: {exc.strerror or exc}"
            raise FileRefusedError(folder, problem) from None
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        old = final.stat() if where.exists else None
    except FileNotFoundError:  # removed since `target` looked: now a new file
        old = None
    mode = stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode(new_mode)
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FileRefusedError(final, f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, mode)
        if old is not None and hasattr(os, "fchown"):
            with contextlib.suppress(OSError):  # only root (or the same owner) may
                os.fchown(fd, old.st_uid, old.st_gid)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, final)
        else:
            _link_new(tmp, final)
    except FileRefusedError:
        raise
    except OSError as exc:
        raise FileRefusedError(final, f"cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_folder(folder)
    return final


def _link_new(tmp: str, final: Path) -> None:
    """Put `tmp` in place as `final` only if there is still nothing there: link() fails on an
    existing name, where rename() would silently replace it."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise FileExistsRefusedError(final, "already exists: not replacing it unasked") from None
    except OSError:  # a file system without hard links: the narrow race is accepted
        if final.exists():
            raise FileExistsRefusedError(
                final, "already exists: not replacing it unasked"
            ) from None
        os.replace(tmp, final)


def _new_file_mode(mode: int | None) -> int:
    if mode is not None:
        return mode
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the OS says it (Linux); else set
    and restored at once."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


MAX_NESTING = 64  # our files nest 4 deep; a parser's recursion gives out near 1,000


def too_deep(document: object, limit: int = MAX_NESTING) -> bool:
    """Whether a parsed document holds more than `limit` tables or lists one inside another:
    walked without recursion, so a hostile file cannot make the check itself fail."""
    stack: list[tuple[object, int]] = [(document, 0)]  # a value, and the containers above it
    while stack:
        value, above = stack.pop()
        if isinstance(value, dict | list):
            if above + 1 > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((v, above + 1) for v in children)
    return False


def nesting_message(path: Path | str) -> str:
    """What to say of a file nested too deeply (or too deeply for the parser)."""
    return f"{path}: nested more than {MAX_NESTING} levels deep: not a file this tool wrote"
