"""The services list as data: filter, sort, marks, without any widget.

The list widget only paints rows this model says are visible. Filtering and sorting rebuild a
list of indices, never widgets, so a keystroke costs one pass over precomputed lower-case
search keys (a few ms at 10k services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Json = dict[str, Any]


class SortKey(StrEnum):
    CREATED = "created"  # the API's own order
    NAME = "name"
    UPDATED = "updated"
    USECASE = "use case"


SORT_CYCLE = (SortKey.CREATED, SortKey.NAME, SortKey.UPDATED, SortKey.USECASE)


@dataclass
class ServiceList:
    services: list[Json] = field(default_factory=list)
    filter_text: str = ""
    sort: SortKey = SortKey.CREATED
    marked: set[str] = field(default_factory=set)
    visible: list[int] = field(default_factory=list)
    _keys: list[str] = field(default_factory=list)
    _by_sid: dict[str, int] = field(default_factory=dict)

    # ---- data -----------------------------------------------------------------------------
    def replace(self, services: Iterable[Json]) -> None:
        self.services = []
        self._keys = []
        self._by_sid = {}
        self.extend(services)
        self.marked &= set(self._by_sid)

    def extend(self, services: Iterable[Json]) -> None:
        for s in services:
            _compact(s)
            sid = s.get("sid", "")
            if sid in self._by_sid:
                self._update_at(self._by_sid[sid], s)
                continue
            self._by_sid[sid] = len(self.services)
            self.services.append(s)
            self._keys.append(search_key(s))
        self.refresh_view()

    def upsert(self, service: Json) -> None:
        sid = service["sid"]
        if sid in self._by_sid:
            self._update_at(self._by_sid[sid], service)
            self.refresh_view()
        else:
            self.extend([service])

    def _update_at(self, index: int, service: Json) -> None:
        _compact(service)
        self.services[index] = service
        self._keys[index] = search_key(service)

    def remove(self, sid: str) -> None:
        index = self._by_sid.pop(sid, None)
        if index is None:
            return
        del self.services[index]
        del self._keys[index]
        self._by_sid = {s["sid"]: i for i, s in enumerate(self.services)}
        self.marked.discard(sid)
        self.refresh_view()

    def retain(self, sids: set[str]) -> None:
        """Drop every service not in `sids` (the end of a refresh: deleted elsewhere)."""
        if len(sids) >= len(self.services) and all(s in sids for s in self._by_sid):
            return
        keep = [i for i, s in enumerate(self.services) if s.get("sid") in sids]
        self.services = [self.services[i] for i in keep]
        self._keys = [self._keys[i] for i in keep]
        self._by_sid = {s["sid"]: i for i, s in enumerate(self.services)}
        self.marked &= sids
        self.refresh_view()

    def get(self, sid: str) -> Json | None:
        index = self._by_sid.get(sid)
        return None if index is None else self.services[index]

    def __len__(self) -> int:
        return len(self.services)

    # ---- view -----------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.refresh_view()

    def cycle_sort(self) -> SortKey:
        self.sort = SORT_CYCLE[(SORT_CYCLE.index(self.sort) + 1) % len(SORT_CYCLE)]
        self.refresh_view()
        return self.sort

    def refresh_view(self) -> None:
        needle = self.filter_text.strip().lower()
        if needle:
            indices = [i for i, key in enumerate(self._keys) if needle in key]
        else:
            indices = list(range(len(self.services)))
        services = self.services
        if self.sort is SortKey.NAME:
            indices.sort(key=lambda i: (services[i].get("friendly_name") or "").lower())
        elif self.sort is SortKey.UPDATED:
            indices.sort(key=lambda i: services[i].get("date_updated") or "", reverse=True)
        elif self.sort is SortKey.USECASE:
            indices.sort(
                key=lambda i: (
                    services[i].get("usecase") or "",
                    (services[i].get("friendly_name") or "").lower(),
                )
            )
        self.visible = indices

    def visible_service(self, row: int) -> Json | None:
        if 0 <= row < len(self.visible):
            return self.services[self.visible[row]]
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
        return [self.services[self._by_sid[sid]] for sid in self.marked if sid in self._by_sid]


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


def _compact(service: Json) -> None:
    """Drop what a listed service carries but nothing reads: its `links` (seven URLs, each
    its own `url` plus a fixed path) are a third of its memory, ~0.8 KB a service, 80 MB at
    100k. Done in place: the dict came from the page's JSON and is ours."""
    service.pop("links", None)
