"""Rendered citation images kept on disk, keyed by file, page, boxes and image size.

A file's content never changes in Extend (a new upload is a new file id), so a
crop rendered once can be served again without downloading the document: a hit
costs one small file read. Entries are written atomically (temp file, then
rename), so a reader never sees half an image and several processes may share
the directory; the oldest entries go when there are more than ``max_entries``.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

RENDER_VERSION = 1  # bump when the drawing changes, so old crops are not served
DEFAULT_MAX_ENTRIES = 2000
_SUFFIX = ".cimg"


@dataclass(frozen=True)
class CachedImage:
    png: bytes
    width: int
    height: int
    origin: tuple[float, float]
    scale: float
    page_count: int


def default_cache_dir() -> Path:
    """``$EXTEND_AGENT_DATA_DIR/citation-images``, else under ``~/.cache/extend-run-agent``."""
    data_dir = os.environ.get("EXTEND_AGENT_DATA_DIR")
    if data_dir:
        return Path(data_dir).expanduser() / "citation-images"
    return Path.home() / ".cache" / "extend-run-agent" / "citation-images"


class ImageCache:
    """A directory of rendered images; ``get``/``put`` by the key ``key()`` builds."""

    def __init__(
        self, directory: str | Path | None = None, *, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_entries = max_entries

    @staticmethod
    def key(
        file_id: str,
        page: int,
        polygons: tuple[tuple[tuple[float, float], ...], ...],
        *,
        whole_page: bool,
        size_name: str,
        page_size: tuple[float, float] | None,
    ) -> str:
        """A stable key: the same file, page, boxes and view always give the same one."""
        boxes = [[[round(x, 1), round(y, 1)] for x, y in polygon] for polygon in polygons]
        parts = [RENDER_VERSION, file_id, page, boxes, whole_page, size_name, page_size]
        return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()

    def get(self, key: str) -> CachedImage | None:
        try:
            raw = (self.directory / f"{key}{_SUFFIX}").read_bytes()
            (length,) = struct.unpack(">I", raw[:4])
            meta = json.loads(raw[4 : 4 + length])
            return CachedImage(
                png=raw[4 + length :],
                width=int(meta["width"]),
                height=int(meta["height"]),
                origin=(float(meta["origin"][0]), float(meta["origin"][1])),
                scale=float(meta["scale"]),
                page_count=int(meta["pageCount"]),
            )
        except (OSError, ValueError, KeyError, IndexError, TypeError, struct.error):
            return None  # missing or unreadable: render again

    def put(self, key: str, image: CachedImage) -> None:
        """Store ``image``; a cache that cannot be written is skipped, never an error."""
        meta = json.dumps(
            {
                "width": image.width,
                "height": image.height,
                "origin": list(image.origin),
                "scale": image.scale,
                "pageCount": image.page_count,
            }
        ).encode()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(struct.pack(">I", len(meta)) + meta + image.png)
            os.replace(temp, self.directory / f"{key}{_SUFFIX}")
            self._trim()
        except OSError:
            return

    def clear(self) -> None:
        for path in self._entries():
            path.unlink(missing_ok=True)

    def _entries(self) -> list[Path]:
        try:
            return list(self.directory.glob(f"*{_SUFFIX}"))
        except OSError:
            return []

    def _trim(self) -> None:
        entries = self._entries()
        if len(entries) <= self.max_entries:
            return
        entries.sort(key=lambda p: p.stat().st_mtime if p.exists() else 0)
        for path in entries[: len(entries) - self.max_entries]:
            path.unlink(missing_ok=True)
