"""What the previous build produced, so the next one renders and writes only what changed.

Kept in `<dossier>/.dossier-cache/` (never published), one file per output
folder. For every output file: the fingerprint of its inputs, the hash of its
bytes, and (for HTML pages) its internal links and ids for the link checker.
A missing, unreadable or outdated cache simply means a full build.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import mmap
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

CACHE_DIR = ".dossier-cache"
FORMAT = 7


def kept_path(root: Path, output: Path, kind: str, suffix: str = "") -> Path:
    """Where a build keeps something of `kind` for `output` (the cache folder holds one of
    each per output folder, named by a hash of the output's path)."""
    key = hashlib.sha256(str(output).encode()).hexdigest()[:12]
    return Path(root) / CACHE_DIR / f"{kind}-{key}{suffix}"


class Entry(NamedTuple):
    fingerprint: str
    digest: str  # sha256 of the file's bytes, truncated
    scan: bytes = b""  # the page's internal links and ids, packed (see `pack_scan`)
    search: str = ""  # hash of what the search index reads of the page (see search.search_page)

    @property
    def ids(self) -> list[str]:
        return unpack_scan(self.scan)[1]

    @property
    def indexed(self) -> str:
        return indexed_hash(self.search, self.digest)


def kept_rows(kind: type, rows: Iterable[tuple]) -> list:
    """Rows kept between builds as plain tuples (marshal has no named tuples), back as the
    NamedTuple `kind`, made straight with `tuple.__new__`: no per-field argument handling, not
    even `_make`'s Python frame, for the ~10,000 rows an edit build reads back of each kind.
    Lengths are checked once for all, so that a file of the wrong shape fails here (ValueError:
    the caller then builds in full), not while pages are planned."""
    rows = list(rows)
    if {len(row) for row in rows} - {len(kind._fields)}:
        raise ValueError(f"not the plain form of {kind.__name__}")
    new = tuple.__new__
    return [new(kind, row) for row in rows]


def _entries(kept: dict[str, tuple]) -> dict[str, Entry]:
    return dict(zip(kept, kept_rows(Entry, kept.values()), strict=True))


def indexed_hash(search: str | None, page_digest: str) -> str:
    """What decides whether a page's search shard is indexed again: the hash of what Pagefind
    reads of it (`search.search_page`), or of its bytes for a file search does not read that way."""
    return search or page_digest


def pack_scan(links: list[str], ids: list[str]) -> bytes:
    """A page's links and ids as one small compressed blob. A site of 100,000 pages keeps
    millions of them; as Python lists of strings they cost hundreds of MB (and churn the
    allocator on their way back from the worker processes)."""
    if not links and not ids:
        return b""
    return zlib.compress("\n".join(links).encode() + b"\0" + "\n".join(ids).encode(), 1)


def unpack_scan(blob: bytes) -> tuple[list[str], list[str]]:
    if not blob:
        return [], []
    links, _, ids = zlib.decompress(blob).decode().partition("\0")
    return (links.split("\n") if links else []), (ids.split("\n") if ids else [])


class Scans:
    """path -> (links, ids) of the pages `paths` (each with an entry in `entries`), unpacked on
    demand (for `check_links`)."""

    def __init__(self, entries: dict[str, Entry], paths):
        self.entries = entries
        self.paths = paths
        self.memo: dict[str, tuple[list[str], list[str]]] = {}

    def __iter__(self):
        return iter(self.paths)

    def __contains__(self, path: object) -> bool:
        return path in self.paths  # every one of them has an entry

    def __getitem__(self, path: str) -> tuple[list[str], list[str]]:
        found = self.memo.get(path)
        if found is None:
            if len(self.memo) > 4096:
                self.memo.clear()
            found = self.memo[path] = unpack_scan(self.entries[path].scan)
        return found


@dataclass
class BuildCache:
    """Every output file's `Entry`, kept as a base file that full builds write, plus a small
    delta file that edit builds write: the entries that changed since the base (None: gone).
    An edit at 10,000 claims changes ~30 of 11,500 entries; rewriting the whole file cost
    ~25 ms at that size and ~0.5 s at 100,000 claims."""

    path: Path
    output: str
    code: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    search: str = ""  # fingerprint of the HTML the search index was built from
    base: dict[str, Entry] = field(default_factory=dict)  # the entries as the base file has them
    token: str = ""  # names the base file, so that a delta is applied only to its own base

    # Past this many changed entries (or a tenth of them all), a build writes a new base.
    DELTA_MOST = 2000

    @classmethod
    def load(cls, root: Path, output: Path, code: str) -> BuildCache:
        path = kept_path(root, output, "build", ".marshal")
        empty = cls(path, str(output), code)
        try:
            data, delta = read_kept(path, marshal.loads)
            if (data["format"], data["code"], data["output"]) != (FORMAT, code, str(output)):
                return empty
            base = _entries(data["entries"])
            search, token = str(data["search"]), str(data["token"])
            entries = dict(base)
            if delta is not None:
                search = str(delta["search"])
                changed = delta["entries"]
                entries.update(_entries({p: values for p, values in changed.items() if values is not None}))
                for p in [p for p, values in changed.items() if values is None]:
                    entries.pop(p, None)
        except Exception:  # missing, truncated, from another version: a full build
            return empty
        return cls(path, str(output), code, entries, search, base, token)

    def search_done(self) -> dict[str, str]:
        """The search shards' fingerprints as the last build left them (see `search.ShardIndexer`);
        empty when unreadable, so that every shard is checked again."""
        try:
            done = json.loads(self.search) if self.search else {}
        except ValueError:
            return {}
        return done if isinstance(done, dict) else {}

    def save(self) -> None:
        # marshal, not JSON: ~10x faster both ways, which an edit's build feels. Links and
        # ids travel as each page's packed `scan` bytes. The files are a cache only; their
        # format is tied to the Python version, like .pyc files.
        base = self.base
        changed = {p: e for p, e in self.entries.items() if base.get(p) is not e}
        gone = base.keys() - self.entries.keys()
        if self.token and len(changed) + len(gone) <= max(self.DELTA_MOST, len(self.entries) // 10):
            delta = {p: (e.fingerprint, e.digest, e.scan, e.search) for p, e in changed.items()}
            delta.update(dict.fromkeys(gone))
            write_kept_delta(self.path, self.token, {"search": self.search, "entries": delta}, marshal.dumps)
            return
        entries = {p: (e.fingerprint, e.digest, e.scan, e.search) for p, e in self.entries.items()}
        self.token = write_kept_base(self.path, {"format": FORMAT, "code": self.code, "output": self.output,
                                                 "search": self.search, "entries": entries},
                                     {"search": self.search, "entries": {}}, marshal.dumps)
        self.base = dict(self.entries)


# A kept file (the page cache, the site state): a base that full builds write, and beside it a
# delta of what changed since, which edit builds write instead of the whole base. A token ties
# the delta to its base: one of an older base is ignored (the newer base holds everything), and
# a missing one means the base may be stale (a crash between the two writes, a hand removal).

def kept_delta_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.delta{path.suffix}")


def write_kept_base(path: Path, base: dict, delta: dict, dumps) -> str:
    """Write `base` and the `delta` it comes with (usually empty); return the new token."""
    from ..store import write_atomic  # (not at the top: `store` loads YAML, see `noop`)

    token = os.urandom(8).hex()
    write_atomic(path, dumps({**base, "token": token}), skip_unchanged=False)
    write_kept_delta(path, token, delta, dumps)
    return token


def write_kept_delta(path: Path, token: str, delta: dict, dumps) -> None:
    from ..store import write_atomic

    write_atomic(kept_delta_path(path), dumps({**delta, "token": token}), skip_unchanged=False)


def read_kept(path: Path, loads) -> tuple[dict, dict | None]:
    """The base and its delta (None: the delta is an older base's). Raises if either file is
    missing or unreadable: a base without its delta may be stale, trust neither."""
    base, delta = _load_mapped(path, loads), loads(kept_delta_path(path).read_bytes())
    if not isinstance(base, dict) or not isinstance(delta, dict):
        raise ValueError("not a kept file")
    return base, (delta if delta.get("token") == base.get("token") else None)


def _load_mapped(path: Path, loads):
    """`loads` of the file's bytes, read through a memory map: a base is ~10 MB at 10,000 claims,
    and reading it into a new bytes object costs the page faults of as much fresh memory (~6 ms
    on the path of every edit build, where the map reads the kernel's cached pages). The files
    are only ever replaced whole (`store.write_atomic`), never truncated while mapped. An
    empty file cannot be mapped: a ValueError, as for any unreadable one."""
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return loads(mapped)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
