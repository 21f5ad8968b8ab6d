"""Reading the runs a search looks into: a few at a time, each kept per run version.

Lists do not carry extracted values, metadata or tags, so a search reads the runs
it looks into (``read_runs``, at most ``READ_WORKERS`` at a time). ``RunCache``
keeps them by (id, updatedAt), so the next search does not read them again unless
the run changed since.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from tools.client.errors import ExtendError

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.runs.listing import RunListItem
    from tools.runs.models import Run

__all__ = ["CACHE_SIZE", "READ_WORKERS", "RunCache", "read_runs"]

READ_WORKERS = 4
CACHE_SIZE = 1000


class RunCache:
    """Runs read during searches, by (id, updatedAt): a run that changed is read again."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._runs: OrderedDict[tuple[str, str | None], Run] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, item: RunListItem) -> Run | None:
        with self._lock:
            run = self._runs.get((item.id, item.updated_at))
            if run is not None:
                self._runs.move_to_end((item.id, item.updated_at))
            return run

    def put(self, item: RunListItem, run: Run) -> None:
        with self._lock:
            self._runs[(item.id, item.updated_at)] = run
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)


def read_runs(
    client: ExtendClient, items: list[RunListItem], cache: RunCache
) -> tuple[dict[str, Run], int]:
    """The runs of ``items`` (cached ones not read again) and how many reads failed."""
    found: dict[str, Run] = {}
    missing: list[RunListItem] = []
    for item in items:
        cached = cache.get(item)
        if cached is not None:
            found[item.id] = cached
        else:
            missing.append(item)

    def read(item: RunListItem) -> tuple[RunListItem, Run | None]:
        try:
            return item, client.get_run(item.id)
        except ExtendError:
            return item, None

    failures = 0
    if missing:
        with ThreadPoolExecutor(max_workers=min(READ_WORKERS, len(missing))) as pool:
            for item, run in pool.map(read, missing):
                if run is None:
                    failures += 1
                    continue
                cache.put(item, run)
                found[item.id] = run
    return found, failures
