"""The emulator's SQLite connection and what every resource's store shares: transactions,
the meta table, Twilio's error as an exception, SIDs and timestamps.

Each write is one transaction committed before the HTTP answer goes out, so a process killed
between requests loses nothing. File databases use WAL so a reader never blocks a writer.
Each resource's store (emulator/stores/) brings its own tables as a `SCHEMA` class attribute;
the database creates every table of the classes it is made of.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

META_SCHEMA = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class EmulatorError(Exception):
    """An answer in Twilio's error shape."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what: str) -> EmulatorError:
    return EmulatorError(404, 20404, f"The requested resource {what} was not found")


def refusal(refusal: tuple[int, int, str]) -> EmulatorError:
    """A (code, status, message) refusal from the core's catalogue, as an error answer."""
    code, status, message = refusal
    return EmulatorError(status, code, message)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_at(moment: float) -> str:
    """An ISO 8601 UTC stamp (one-second resolution, as Twilio's) for a clock reading."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def one_row(cursor: sqlite3.Cursor) -> sqlite3.Row:
    """The row a statement just wrote (it exists: the same transaction made it)."""
    row: sqlite3.Row = cursor.fetchone()
    return row


class Database:
    """The connection, transactions and meta table; a resource's store subclasses it and
    names its tables in `SCHEMA`.

    `clock` is the emulator's one clock (seconds since the epoch): campaign reviews and
    message queues move on it, so a test moves it instead of waiting.
    """

    SCHEMA = META_SCHEMA

    def __init__(
        self, path: str | Path = ":memory:", *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.lock = threading.RLock()  # one writer at a time: requests, the ticker, webhooks
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
        # base classes first: a table's parent (services) exists before its children
        schemas = dict.fromkeys(
            k.__dict__["SCHEMA"] for k in reversed(type(self).__mro__) if "SCHEMA" in k.__dict__
        )
        self.db.executescript("\n".join(schemas))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # ---- the queries every store makes ----------------------------------------------------
    # `where` maps a column to its value (`col = ?`), or a column and an operator ("seq <")
    # to a bound; a None value sets no condition. Column names come from code, never input.
    def one(
        self, table: str, where: Mapping[str, object], missing: str | EmulatorError
    ) -> sqlite3.Row:
        """The row of `table` that matches, or Twilio's 404 naming `missing` (its path), or
        the error `missing` is."""
        clause, args = _where(where)
        row: sqlite3.Row | None = self.db.execute(
            f"SELECT * FROM {table} WHERE {clause}", args
        ).fetchone()
        if row is None:
            raise missing if isinstance(missing, EmulatorError) else not_found(missing)
        return row

    def rows(self, table: str, where: Mapping[str, object]) -> list[sqlite3.Row]:
        """Every row of `table` that matches, in the order they were made."""
        clause, args = _where(where)
        return self.db.execute(
            f"SELECT * FROM {table} WHERE {clause} ORDER BY seq", args
        ).fetchall()

    def rows_after(
        self,
        table: str,
        where: Mapping[str, object],
        *,
        after: int,
        limit: int,
        offset: int = 0,
    ) -> list[sqlite3.Row]:
        """A list page read forwards: at most `limit` matching rows past the seq `after`
        (a PageToken's place), skipping `offset` (a page number's)."""
        clause, args = _where({**where, "seq >": after})
        return self.db.execute(
            f"SELECT * FROM {table} WHERE {clause} ORDER BY seq LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()

    def exists(self, table: str, where: Mapping[str, object]) -> bool:
        clause, args = _where(where)
        return (
            self.db.execute(f"SELECT 1 FROM {table} WHERE {clause} LIMIT 1", args).fetchone()
            is not None
        )

    def count(self, table: str, where: Mapping[str, object]) -> int:
        clause, args = _where(where)
        return int(
            self.db.execute(f"SELECT COUNT(*) FROM {table} WHERE {clause}", args).fetchone()[0]
        )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def shift_times(self, delta: float) -> None:
        """Move every stored clock reading `delta` seconds later, as if the data had been
        made `delta` seconds later (a copy of a seeded template; each store extends it)."""

    def reset(self) -> None:
        """Every table emptied; children first, so no foreign key is left dangling."""
        with self.tx() as db:
            tables = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name = 'services', rowid DESC"
                )
            ]
            for table in tables:
                db.execute(f"DELETE FROM {table}")


def _where(where: Mapping[str, object]) -> tuple[str, tuple[object, ...]]:
    """A WHERE clause and its arguments (see Database.one)."""
    kept = {k: v for k, v in where.items() if v is not None}
    clause = " AND ".join(k + " ?" if k.endswith(("<", ">", "=")) else k + " = ?" for k in kept)
    return clause or "1", tuple(kept.values())
