"""What the previous build produced, so the next one renders and writes only what changed.

Kept in `<dossier>/.dossier-cache/` (never published), one file per output
folder. For every output file: the fingerprint of its inputs, the hash of its
bytes, and (for HTML pages) its internal links and ids for the link checker.
A missing, unreadable or outdated cache simply means a full build.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from pathlib import Path

from ..store import write_atomic

CACHE_DIR = ".dossier-cache"
FORMAT = 4


@dataclass(slots=True)
class Entry:
    fingerprint: str
    digest: str  # sha256 of the file's bytes, truncated
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    search: str = ""  # hash of what the search index reads of the page (see build.search_digest)


@dataclass
class BuildCache:
    path: Path
    output: str
    code: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    search: str = ""  # fingerprint of the HTML the search index was built from

    @classmethod
    def load(cls, root: Path, output: Path, code: str) -> BuildCache:
        key = hashlib.sha256(str(output).encode()).hexdigest()[:12]
        path = root / CACHE_DIR / f"build-{key}.marshal"
        empty = cls(path, str(output), code)
        try:
            data = marshal.loads(path.read_bytes())
            if data[:3] != (FORMAT, code, str(output)):
                return empty
            entries = {p: Entry(*values) for p, values in data[4].items()}
        except Exception:  # missing, truncated, from another version: a full build
            return empty
        return cls(path, str(output), code, entries, str(data[3]))

    def save(self) -> None:
        # marshal, not JSON: ~10x faster both ways, which an edit's build feels. Links and
        # ids are interned strings, which marshal writes once and reads back shared. The
        # file is a cache only; its format is tied to the Python version, like .pyc files.
        entries = {p: (e.fingerprint, e.digest, e.links, e.ids, e.search) for p, e in self.entries.items()}
        data = (FORMAT, self.code, self.output, self.search, entries)
        write_atomic(self.path, marshal.dumps(data), skip_unchanged=False)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
