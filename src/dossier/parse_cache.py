"""A persistent cache of parsed, validated claim files, so an unchanged file is never re-read.

Kept in `<dossier>/.dossier-cache/claims/` (one file per article folder) (never published, gitignored).
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

from .store import write_atomic

CACHE_DIR = ".dossier-cache"
CACHE_FOLDER = "claims"
FORMAT = 2
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
    """shown path -> (file key, siblings key, result); see the module docstring.

    One file per article folder (`claims-<folder hash>.pickle`), so an edit rewrites
    only its folder's cache, not the whole dossier's.
    """

    def __init__(self, root: Path, context: str):
        self.folder = root / CACHE_DIR / CACHE_FOLDER
        self.context = context
        self.loaded: dict[str, dict] = {}  # article folder -> its entries as read

    def _file(self, folder: str) -> Path:
        return self.folder / f"{hashlib.sha256(folder.encode()).hexdigest()[:16]}.pickle"

    def _entries(self, folder: str) -> dict:
        if folder not in self.loaded:
            entries: dict = {}
            try:
                with open(self._file(folder), "rb") as handle:
                    data = pickle.load(handle)
                if isinstance(data, dict) and data.get("format") == FORMAT and \
                        data.get("context") == self.context and data.get("folder") == folder and \
                        isinstance(data.get("entries"), dict):
                    entries = data["entries"]
            except Exception:  # missing, truncated, corrupt, from another version: read the files
                pass
            self.loaded[folder] = entries
        return self.loaded[folder]

    def get(self, shown: str, key: tuple | None, siblings: str):
        entry = self._entries(shown.rpartition("/")[0]).get(shown)
        if key is None or not isinstance(entry, tuple) or len(entry) != 3:
            return None
        if entry[0] != key or entry[1] != siblings:
            return None
        return entry[2]

    def claims_in(self, folder: str) -> list:
        """The claims cached for an article folder (`claims/<slug>`), valid or not checked here."""
        return [entry[2][1] for entry in self._entries(folder).values()
                if isinstance(entry, tuple) and len(entry) == 3 and entry[2][1] is not None]

    def update(self, results: dict) -> None:
        """Store fresh results (shown path -> (file key, siblings key, result)) next to the
        cached ones of their folders."""
        merged: dict = {}
        for shown in results:
            folder = shown.rpartition("/")[0]
            if folder not in merged:
                merged[folder] = dict(self._entries(folder))
            merged[folder][shown] = results[shown]
        self.save({shown: entry for entries in merged.values() for shown, entry in entries.items()})

    def save(self, entries: dict) -> None:
        """Store `entries`, rewriting (atomically) only the folders whose entries differ;
        a failure to write is no error."""
        by_folder: dict[str, dict] = {}
        for shown, entry in entries.items():
            by_folder.setdefault(shown.rpartition("/")[0], {})[shown] = entry
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for folder, mine in by_folder.items():
                old = self._entries(folder)
                if old.keys() == mine.keys() and all(old[k][:2] == mine[k][:2] for k in mine):
                    continue
                data = {"format": FORMAT, "context": self.context, "folder": folder, "entries": mine}
                write_atomic(self._file(folder), pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL),
                             skip_unchanged=False)
        except OSError:
            pass
