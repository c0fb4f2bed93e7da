"""The services list as data: filter, sort, marks, without any widget.

The list widget only paints rows this model says are visible. Filtering and sorting rebuild a
list of indices, never widgets, so a keystroke costs one pass over precomputed lower-case
search keys (a few ms at 10k services).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

Json = dict[str, Any]


class SortKey(StrEnum):
    CREATED = "created"  # the API's own order
    NAME = "name"
    UPDATED = "updated"
    USECASE = "use case"


SORT_CYCLE = (SortKey.CREATED, SortKey.NAME, SortKey.UPDATED, SortKey.USECASE)


class _Shape:
    """The keys of a packed row, in the order the server sent them; one per distinct key set
    (in practice one per list), shared by every row of that shape."""

    __slots__ = ("at", "keys")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.at = {k: i + 1 for i, k in enumerate(keys)}  # row[0] is the shape's number


# Values that take few distinct values across an account: stored once, shared by every row.
_SHARED_KEYS = frozenset(
    {
        "account_sid",
        "usecase",
        "inbound_method",
        "fallback_method",
        "scan_message_content",
        "validity_period",
        "status_callback",
        "inbound_request_url",
        "fallback_url",
    }
)
_SHARED_LIMIT = 4096  # past this many distinct values, stop sharing: they are not repetitive

# (shape number, value, value, …). Only atoms (str, int, None, bool, tuples of them) as long
# as the server sent atoms: the garbage collector then stops tracking the row, and never
# walks 100k of them again on each full collection.
Row = tuple[Any, ...]

# Twilio's stamps ("2025-03-03T09:15:00Z", RFC 3339 in UTC) kept as int seconds: 32 bytes
# instead of 69. Only a stamp that prints back exactly is converted; anything else stays as
# sent, and an int the server sent there is wrapped in a 1-tuple (JSON never decodes to one).
_STAMP_KEYS = frozenset({"date_created", "date_updated"})
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def _pack_stamp(value: object) -> object:
    if type(value) is int:
        return (value,)
    if type(value) is str and len(value) == 20 and value[10] == "T" and value[19] == "Z":
        try:
            moment = datetime.fromisoformat(value[:19])
        except ValueError:
            return value
        if moment.isoformat() == value[:19]:
            return (moment - _EPOCH) // _SECOND
    return value


def _unpack_stamp(value: object) -> object:
    if type(value) is int:
        return (_EPOCH + timedelta(seconds=value)).isoformat() + "Z"
    if type(value) is tuple:
        return value[0]
    return value


class _Packer:
    """Service dicts to compact rows and back (100k services in ≤ 150 MB: a `make bench` row).

    A row is one tuple: no per-service dict (~1.2 KB at 22 keys), no `links` (seven URLs
    derivable from `url`), `url` itself derived from the SID (the number of its prefix, kept
    once), and the values an account repeats (its SID, the use cases, methods, webhooks)
    held once. `unpack` gives back the dict the server sent, minus `links`."""

    def __init__(self) -> None:
        self.shapes: list[_Shape] = []
        self._shape_numbers: dict[tuple[str, ...], int] = {}
        self._shared: dict[object, object] = {}
        self._prefixes: list[str] = []
        self._prefix_numbers: dict[str, int] = {}

    def pack(self, service: Json) -> Row:
        keys = tuple(k for k in service if k != "links")
        shape = self._shape_numbers.get(keys)
        if shape is None:
            shape = self._shape_numbers[keys] = len(self.shapes)
            self.shapes.append(_Shape(keys))
        sid = service.get("sid")
        shared = self._shared
        values: list[Any] = [shape]
        for key in keys:
            value = service[key]
            # exact types: True == 1 as a dict key, and a shared 1 must never come back True
            if key in _SHARED_KEYS and type(value) in (str, int):
                held = shared.get(value)
                if held is not None:
                    value = held
                elif len(shared) < _SHARED_LIMIT:
                    shared[value] = value
            elif key in _STAMP_KEYS:
                value = _pack_stamp(value)
            elif key == "url":
                value = self._pack_url(value, sid)
            values.append(value)
        return tuple(values)

    def _pack_url(self, url: object, sid: object) -> object:
        """The number of the url's prefix when it is that prefix plus the SID; an int the
        server sent in its place wrapped in a 1-tuple; anything else as sent."""
        if type(url) is int:
            return (url,)
        if not (isinstance(url, str) and isinstance(sid, str) and sid and url.endswith(sid)):
            return url
        prefix = url[: -len(sid)]
        number = self._prefix_numbers.get(prefix)
        if number is None:
            if len(self._prefixes) >= _SHARED_LIMIT:
                return url
            number = self._prefix_numbers[prefix] = len(self._prefixes)
            self._prefixes.append(prefix)
        return number

    def unpack(self, row: Row) -> Json:
        shape = self.shapes[row[0]]
        service = dict(zip(shape.keys, row[1:], strict=True))
        url = service.get("url")
        if type(url) is int:
            service["url"] = self._prefixes[url] + str(service["sid"])
        elif type(url) is tuple:
            service["url"] = url[0]
        for key in _STAMP_KEYS & shape.at.keys():
            service[key] = _unpack_stamp(service[key])
        return service

    def field(self, row: Row, key: str) -> Any:
        """One value as stored (a stamp as its int; see `unpack` for the rest)."""
        at = self.shapes[row[0]].at.get(key)
        return None if at is None else row[at]


def _stamp_order(packed: object) -> tuple[int, int | str]:
    """Sorts packed stamps by time, anything unreadable before them (never a TypeError)."""
    if type(packed) is int:
        return (1, packed)
    unpacked = _unpack_stamp(packed)
    return (0, unpacked if isinstance(unpacked, str) else "")


@dataclass
class ServiceList:
    """The listed services, packed (see `_Packer`); every accessor hands out plain dicts,
    fresh each time, so no caller can change what the list holds by mutating one."""

    filter_text: str = ""
    sort: SortKey = SortKey.CREATED
    marked: set[str] = field(default_factory=set)
    visible: Sequence[int] = range(0)  # indices into the rows: a range, or a list
    _rows: list[Row] = field(default_factory=list)
    _keys: list[str] = field(default_factory=list)
    _by_sid: dict[str, int] = field(default_factory=dict)
    _packer: _Packer = field(default_factory=_Packer)

    # ---- data -----------------------------------------------------------------------------
    def replace(self, services: Iterable[Json]) -> None:
        self._rows = []
        self._keys = []
        self._by_sid = {}
        self.extend(services)
        self.marked &= set(self._by_sid)

    def extend(self, services: Iterable[Json]) -> None:
        for s in services:
            sid = s.get("sid", "")
            if sid in self._by_sid:
                self._update_at(self._by_sid[sid], s)
                continue
            self._by_sid[sid] = len(self._rows)
            self._keys.append(search_key(s))
            self._rows.append(self._packer.pack(s))
        self.refresh_view()

    def upsert(self, service: Json) -> None:
        sid = service["sid"]
        if sid in self._by_sid:
            self._update_at(self._by_sid[sid], service)
            self.refresh_view()
        else:
            self.extend([service])

    def _update_at(self, index: int, service: Json) -> None:
        self._keys[index] = search_key(service)
        self._rows[index] = self._packer.pack(service)

    def remove(self, sid: str) -> None:
        index = self._by_sid.pop(sid, None)
        if index is None:
            return
        del self._rows[index]
        del self._keys[index]
        self._reindex()
        self.marked.discard(sid)
        self.refresh_view()

    def retain(self, sids: set[str]) -> None:
        """Drop every service not in `sids` (the end of a refresh: deleted elsewhere)."""
        if len(sids) >= len(self._rows) and all(s in sids for s in self._by_sid):
            return
        field = self._packer.field
        keep = [i for i, row in enumerate(self._rows) if field(row, "sid") in sids]
        self._rows = [self._rows[i] for i in keep]
        self._keys = [self._keys[i] for i in keep]
        self._reindex()
        self.marked &= sids
        self.refresh_view()

    def _reindex(self) -> None:
        field = self._packer.field
        self._by_sid = {field(row, "sid"): i for i, row in enumerate(self._rows)}

    def get(self, sid: str) -> Json | None:
        index = self._by_sid.get(sid)
        return None if index is None else self._packer.unpack(self._rows[index])

    def sids(self) -> list[str]:
        """Every listed SID, in the API's order."""
        return list(self._by_sid)

    def __len__(self) -> int:
        return len(self._rows)

    # ---- view -----------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.refresh_view()

    def cycle_sort(self) -> SortKey:
        self.sort = SORT_CYCLE[(SORT_CYCLE.index(self.sort) + 1) % len(SORT_CYCLE)]
        self.refresh_view()
        return self.sort

    def refresh_view(self) -> None:
        """Rebuild the visible order: a `range` when nothing filters or sorts (a list would
        hold an int object per row, 4 MB at 100k, for as long as the list is shown), else the
        list the filter and sort build (a keystroke's own work, nothing added to it)."""
        needle = self.filter_text.strip().lower()
        if not needle and self.sort is SortKey.CREATED:
            self.visible = range(len(self._rows))
            return
        if needle:
            indices = [i for i, key in enumerate(self._keys) if needle in key]
        else:
            indices = list(range(len(self._rows)))
        rows, _field = self._rows, self._packer.field
        if self.sort is SortKey.NAME:
            indices.sort(key=lambda i: (_field(rows[i], "friendly_name") or "").lower())
        elif self.sort is SortKey.UPDATED:
            indices.sort(key=lambda i: _stamp_order(_field(rows[i], "date_updated")), reverse=True)
        elif self.sort is SortKey.USECASE:
            indices.sort(
                key=lambda i: (
                    _field(rows[i], "usecase") or "",
                    (_field(rows[i], "friendly_name") or "").lower(),
                )
            )
        self.visible = indices

    def visible_service(self, row: int) -> Json | None:
        if 0 <= row < len(self.visible):
            return self._packer.unpack(self._rows[self.visible[row]])
        return None

    def row_of(self, sid: str) -> int | None:
        index = self._by_sid.get(sid)
        if index is None:
            return None
        try:
            return self.visible.index(index)
        except ValueError:
            return None

    # ---- marks ----------------------------------------------------------------------------
    def toggle_mark(self, sid: str) -> bool:
        if sid in self.marked:
            self.marked.discard(sid)
            return False
        self.marked.add(sid)
        return True

    def marked_services(self) -> list[Json]:
        rows, by_sid = self._rows, self._by_sid
        return [self._packer.unpack(rows[by_sid[s]]) for s in self.marked if s in by_sid]


def search_key(service: Json) -> str:
    return " ".join(str(service.get(k) or "") for k in ("friendly_name", "sid", "usecase")).lower()


def bulk_target(services: Iterable[Json], flag: str) -> bool:
    """The value a bulk flip sets: on, unless every one is already on."""
    return not all(bool(s.get(flag)) for s in services)


def bulk_plan(services: list[Json], flag: str) -> tuple[bool, list[Json], list[Json]]:
    """(value, the services it changes, those already there): a bulk flip sends nothing to a
    service that already holds the value."""
    value = bulk_target(services, flag)
    change = [s for s in services if bool(s.get(flag)) is not value]
    already = [s for s in services if bool(s.get(flag)) is value]
    return value, change, already
