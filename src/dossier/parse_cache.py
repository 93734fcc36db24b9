"""A persistent cache of parsed, validated claim files, so an unchanged file is never re-read.

Kept in `<dossier>/.dossier-cache/claims.pickle` (never published, gitignored).
Each claim file's result (its `Claim` or its problems) is stored under the file's
(size, mtime_ns, ctime_ns, inode) and the ids of its sibling files (a duplicate-id
check reads them). The whole cache is valid only for one *context*: the loader's
code, dossier.yaml, entities.yaml, the seeds and today's date (a source dated in
the future is a warning), because a claim's validation reads all of them.

The cache can only make a build skip work, never change its result: a missing,
corrupt, foreign or outdated cache is ignored (a full read), writes are atomic,
and validation that spans files (duplicate ids, `related` references) always
runs on the combined results.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from datetime import date
from pathlib import Path

CACHE_DIR = ".dossier-cache"
CACHE_FILE = "claims.pickle"
FORMAT = 1
# Whatever the claim parser reads besides the claim file itself.
_CONTEXT_FILES = ("dossier.yaml", "entities.yaml")


def file_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _code_version() -> bytes:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):  # the loader and the data model it builds
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def context_key(root: Path) -> str:
    """A hash of everything a claim file's validation depends on besides the file."""
    digest = hashlib.sha256(_code_version())
    digest.update(date.today().isoformat().encode())
    for name in _CONTEXT_FILES:
        try:
            digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
        except OSError:
            digest.update(name.encode() + b"\0missing\0")
    seeds = root / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.rglob("*")):
            if path.is_file():
                try:
                    digest.update(path.relative_to(root).as_posix().encode() + b"\0"
                                  + path.read_bytes() + b"\0")
                except OSError:
                    digest.update(b"unreadable\0")
    return digest.hexdigest()


def siblings_key(ids: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


class ClaimCache:
    """shown path -> (file key, siblings key, result); see the module docstring."""

    def __init__(self, root: Path, context: str, entries: dict | None = None):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.context = context
        self.entries: dict = entries or {}

    @classmethod
    def load(cls, root: Path, context: str) -> ClaimCache:
        path = root / CACHE_DIR / CACHE_FILE
        try:
            with open(path, "rb") as handle:
                data = pickle.load(handle)
        except Exception:  # missing, truncated, corrupt, from another version: a full read
            return cls(root, context)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("context") != context \
                or not isinstance(data.get("entries"), dict):
            return cls(root, context)
        return cls(root, context, data["entries"])

    def get(self, shown: str, key: tuple | None, siblings: str):
        entry = self.entries.get(shown)
        if key is None or not isinstance(entry, tuple) or len(entry) != 3:
            return None
        if entry[0] != key or entry[1] != siblings:
            return None
        return entry[2]

    def save(self, entries: dict) -> None:
        """Replace the cache with `entries`, atomically; a failure to write is no error."""
        data = {"format": FORMAT, "context": self.context, "entries": entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass
