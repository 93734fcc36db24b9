"""What the previous build produced, so the next one renders and writes only what changed.

Kept in `<dossier>/.dossier-cache/` (never published), one file per output
folder. For every output file: the fingerprint of its inputs, the hash of its
bytes, and (for HTML pages) its internal links and ids for the link checker.
A missing, unreadable or outdated cache simply means a full build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..store import write_atomic

CACHE_DIR = ".dossier-cache"
FORMAT = 2


@dataclass
class Entry:
    fingerprint: str
    digest: str  # sha256 of the file's bytes, truncated
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


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
        path = root / CACHE_DIR / f"build-{key}.json"
        empty = cls(path, str(output), code)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != code \
                or data.get("output") != str(output):
            return empty
        try:
            strings = [sys.intern(x) for x in data["strings"]]
            entries = {p: Entry(fp, dig, [strings[i] for i in links], [strings[i] for i in ids])
                       for p, (fp, dig, links, ids) in data["entries"].items()}
        except (TypeError, KeyError, AttributeError, IndexError, ValueError):
            return empty
        return cls(path, str(output), code, entries, str(data.get("search", "")))

    def save(self) -> None:
        # Links and ids repeat across pages ("../../index.html" on every claim page):
        # each string is stored once and pages list indexes, so a 100,000-page cache
        # stays small on disk and in memory.
        table: dict[str, int] = {}

        def index(values: list[str]) -> list[int]:
            return [table.setdefault(v, len(table)) for v in values]

        entries = {p: [e.fingerprint, e.digest, index(e.links), index(e.ids)]
                   for p, e in sorted(self.entries.items())}
        data = {"format": FORMAT, "code": self.code, "output": self.output, "search": self.search,
                "strings": list(table), "entries": entries}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
