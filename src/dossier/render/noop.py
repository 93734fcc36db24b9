"""The no-op fast path: nothing changed since the last successful build, so stop after a stat pass.

After a successful build, `save` records the state of every input (claims,
seeds, dossier.yaml, entities.yaml, findings.yaml, the dossier's templates, the
packaged theme, the package's code) by (size, mtime_ns, ctime_ns, inode), packed
folder by folder (`Folders`), with the build's settings. `changes` answers what is
no longer exactly so; when nothing is, the build has nothing to do.

Of the output folder only the folders are stamped (and each search shard's entry
file): a file added, removed or replaced by a new one (as editors and `sed -i` save)
changes its folder's stamps, and the build then takes the full path, which renders
again any page that is missing. Stamping every output file cost more (~12,000 stats
and the hashing of just-written exports at 10,000 claims) and bought nothing more: a
page edited in place keeps its name, so the full path would keep it too (only
`--clean` replaces pages that look up to date).

A file (or folder) modified within the file system's timestamp granularity of the
moment it was recorded could keep its stamps ("racy" in git's words): such files
are recorded with a hash of their content (folders: of their listing), and checked
by content.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import select
import sys
import time
from array import array
from collections.abc import Callable
from datetime import date
from operator import attrgetter
from pathlib import Path

from . import THEME_DIR
from .cache import kept_path

FORMAT = 3
RACY_NS = 200_000_000  # well above any file system's timestamp granularity
_INPUT_FILES = ("dossier.yaml", "entities.yaml", "findings.yaml")
_INPUT_DIRS = ("claims", "seeds", "templates")
_PACKAGE = Path(__file__).resolve().parent.parent

Stamp = tuple[int, int, int, int]


# The inputs' stamps are kept per folder: the names of its files (sorted, NUL-separated) and
# their stamps packed as 64-bit integers, four a file. A check compares folder by folder and
# unpacks only the folders that differ: at 100,000 claims the record holds ~5,000 such pairs
# instead of ~105,000 tuples of four integers, which marshal read back in ~0.3 s.
Folders = dict[str, tuple[str, bytes]]


def _walk(base: Path, prefix: str, into: Folders, skip: tuple[str, ...] = ()) -> None:
    stack = [(str(base), prefix)]
    while stack:
        folder, shown = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=attrgetter("name"))
        except OSError:
            continue
        names, stamps = [], array("q")
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    name = f"{shown}{entry.name}"
                    if not name.startswith(skip) and entry.name != "__pycache__":
                        stack.append((entry.path, name + "/"))
                    continue
                st = entry.stat()
            except OSError:
                continue
            names.append(entry.name)
            stamps.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        if names:
            into[shown] = ("\0".join(names), stamps.tobytes())


def _unpacked(folder: str, packed: tuple[str, bytes] | None) -> dict[str, Stamp]:
    """A folder's entry of `Folders` as file name -> stamp."""
    if packed is None:
        return {}
    names, blob = packed
    values = array("q")
    values.frombytes(blob)
    return {f"{folder}{name}": tuple(values[4 * i: 4 * i + 4])  # type: ignore[misc]
            for i, name in enumerate(names.split("\0"))}


def _changed_inputs(recorded: Folders, now: Folders) -> tuple[set[str], set[str]]:
    """The input files whose stamps differ, and those of them that came or went."""
    changed: set[str] = set()
    came_or_went: set[str] = set()
    for folder in recorded.keys() | now.keys():
        before, after = recorded.get(folder), now.get(folder)
        if before != after:
            old, new = _unpacked(folder, before), _unpacked(folder, after)
            changed.update(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
            came_or_went.update(old.keys() ^ new.keys())
    return changed, came_or_went


def _recent_inputs(stamps: Folders, since_ns: int) -> list[str]:
    """The input files modified or changed within `RACY_NS` of `since_ns`."""
    recent = []
    for folder, (names, blob) in stamps.items():
        values = array("q")
        values.frombytes(blob)
        if max(max(values[1::4]), max(values[2::4])) >= since_ns - RACY_NS:
            recent += [name for name, stamp in _unpacked(folder, (names, blob)).items()
                       if _recent(stamp, since_ns)]
    return recent


def _recent(stamp: Stamp, since_ns: int) -> bool:
    """Modified or changed within `RACY_NS` of `since_ns`: its stamps alone cannot be trusted."""
    return max(stamp[1], stamp[2]) >= since_ns - RACY_NS


def input_state(root: Path, theme: Path) -> tuple[Folders, dict[str, str | None]]:
    """The inputs' stamps, and the content hash of those too recent to trust by stamps alone
    (taken now, before the build reads them)."""
    taken = time.time_ns()
    stamps = input_stamps(root, theme)
    return stamps, _racy_inputs(stamps, taken, root, theme)


def _racy_inputs(stamps: Folders, since_ns: int, root: Path, theme: Path) -> dict[str, str | None]:
    return {name: _file_digest(_real(name, root, theme)) for name in _recent_inputs(stamps, since_ns)}


def input_stamps(root: Path, theme: Path) -> Folders:
    stamps: Folders = {}
    for name in _INPUT_FILES:
        with contextlib.suppress(OSError):
            st = os.stat(root / name)
            stamps[name] = ("", array("q", _stamp(st)).tobytes())  # a top-level file: its own entry
    for name in _INPUT_DIRS:
        _walk(root / name, f"{name}/", stamps)
    _walk(theme, "<theme>/", stamps)
    _walk(_PACKAGE, "<code>/", stamps, skip=("<code>/templates",))
    return stamps


# The search index is thousands of small files that only the build writes: of it only its
# two top folders (a shard folder that comes or goes changes `pagefind-shards/`) and each
# shard's entry file are stamped (the entry changes with the index; if it is gone, the
# build indexes that shard again).
_SEARCH = "pagefind"


def output_stamps(output: Path) -> dict[str, Stamp]:
    """The stamps of every folder of the output (named `x/`, the output itself ``), the
    search index's as `_search_stamps` takes them."""
    stamps: dict[str, Stamp] = {}
    stack = [""] if output.is_dir() else []
    while stack:
        name = stack.pop()
        try:
            st = os.stat(output / name)
            entries = list(os.scandir(output / name))
        except OSError:
            continue
        stamps[name] = _stamp(st)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and not (name == "" and entry.name.startswith(_SEARCH)):
                stack.append(f"{name}{entry.name}/")
    _search_stamps(output, stamps)
    return stamps


def _recorded_output_stamps(output: Path, names) -> dict[str, Stamp]:
    """The stamps, now, of the output folders and files recorded (a folder or file added
    anywhere changes the stamps of the folder that holds it: no walk needed)."""
    stamps: dict[str, Stamp] = {}
    for name in names:
        try:
            stamps[name] = _stamp(os.stat(output / name))
        except OSError:
            continue
    return stamps


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _search_stamps(output: Path, stamps: dict[str, Stamp]) -> None:
    paths = [output / _SEARCH, output / _SEARCH / "pagefind-entry.json"]
    shards = output / f"{_SEARCH}-shards"
    if shards.is_dir():
        paths += [shards, *(folder / "pagefind-entry.json" for folder in sorted(shards.iterdir()))]
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        name = path.relative_to(output).as_posix()
        stamps[name + "/" if path.suffix != ".json" else name] = _stamp(st)


def _path(root: Path, output: Path) -> Path:
    return kept_path(root, output, "noop", ".marshal")


def _file_digest(path: Path) -> str | None:
    try:
        if path.is_dir():  # a folder: its listing
            return hashlib.sha256("\n".join(sorted(os.listdir(path))).encode()).hexdigest()[:32]
        return hashlib.sha256(path.read_bytes()).hexdigest()[:32]  # as `cache.digest`
    except OSError:
        return None


def _real(name: str, root: Path, theme: Path) -> Path:
    """The file an input's recorded name stands for."""
    if name.startswith("<theme>/"):
        return theme / name[len("<theme>/"):]
    if name.startswith("<code>/"):
        return _PACKAGE / name[len("<code>/"):]
    return root / name


def settings_key(output: Path, strict: bool, search: bool | None) -> tuple:
    return (str(output), strict, search, os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
            date.today().isoformat(), sys.version, sys.executable)


def changes(root: Path, output: Path, theme: Path, settings: tuple):
    """What changed since the last build: None (unknown: no usable record, other settings,
    or the output folder was touched), else (names of the inputs that changed, were added
    or removed; the record of the last build, with "now": the inputs' stamps as read here,
    and "came_or_went": those of the changed inputs that were added or removed)."""
    return _with_problems(_changes(root, output, theme, settings))


class PendingChanges:
    """`changes`' answer, on its way from a child process (see `start_changes`)."""

    _UNKNOWN = object()

    def __init__(self, work: Callable[[], tuple | None], pipe: int | None = None, asked: tuple = ()):
        self._work, self._pipe = work, pipe  # the pipe the child answers through, if any
        self._answer = self._UNKNOWN
        self.asked = asked  # `start_changes`' arguments: what the answer is about

    def ready(self) -> bool:
        """Whether `result` would answer without waiting (always, where there is no child)."""
        if self._answer is not self._UNKNOWN or self._pipe is None:
            return True
        return bool(select.select([self._pipe], [], [], 0)[0])

    def result(self) -> tuple | None:
        """`changes`' answer (a child's leaves out the record's "inputs", the last build's
        stamps, which the build does not use)."""
        if self._answer is self._UNKNOWN:
            self._answer = self._work()
        return self._answer  # type: ignore[return-value]


def start_changes(root: Path, output: Path, theme: Path, settings: tuple) -> PendingChanges:
    """`changes`, worked out in a child process while the caller goes on.

    The stat pass is ~50 ms at 10,000 claims, and the first thing a build does, when the
    second core has nothing to do: meanwhile the build reads what an edit needs (see
    `build._build_site`), or, started by `dossier build` (`start_build`), loads its modules.
    Where there is no fork, the answer is worked out when asked for."""
    asked = (root, output, theme, settings)
    here = PendingChanges(lambda: changes(root, output, theme, settings), asked=asked)
    if not hasattr(os, "fork"):
        return here
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return here
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return here
    if pid == 0:  # the child: answer, then leave without any of the parent's clean-up
        status = 1
        try:
            os.close(read_end)
            found = _changes(root, output, theme, settings)
            if found is not None:
                del found[1]["inputs"]  # the caller keeps "now": half the bytes to send
            with open(write_end, "wb") as pipe:
                pipe.write(marshal.dumps(found))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    def answer():
        try:
            with open(read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
                os.waitpid(pid, 0)
        try:  # nothing (the child failed) or garbage: unknown, a full build
            return _with_problems(marshal.loads(data))
        except Exception:
            return None

    return PendingChanges(answer, read_end, asked)


def build_paths(root: Path, output: Path | None) -> tuple[Path, Path]:
    """The dossier's and the output's folders as a build works on them (resolved)."""
    root = Path(root).resolve()
    return root, (Path(output) if output else root / "site").resolve()


def start_build(root: Path, output: Path | None, strict: bool, search: bool | None) -> PendingChanges:
    """`start_changes` for the build `build.build_site` is about to be asked for (the same
    arguments), by a caller that has not loaded the build's modules yet: they take ~80 ms to
    load, which the stat pass then overlaps (see `cli.build`)."""
    root, output = build_paths(root, output)
    return start_changes(root, output, THEME_DIR, settings_key(output, strict, search))


def _with_problems(found):
    """`found` with the record's problems unpickled (None if they cannot be)."""
    if found is None:
        return None
    try:
        found[1]["problems"] = pickle.loads(found[1]["problems"])
    except Exception:
        return None
    return found


def _changes(root: Path, output: Path, theme: Path, settings: tuple):
    """`changes`, with the record's problems still pickled."""
    try:
        with open(_path(root, output), "rb") as handle:
            state = marshal.load(handle)
        if not isinstance(state, dict) or state.get("format") != FORMAT or state["settings"] != settings:
            return None
        taken = time.time_ns()
        now = input_stamps(root, theme)
        recorded, racy = state["inputs"]
        changed, came_or_went = _changed_inputs(recorded, now)
        for name, wanted in racy.items():
            if name not in changed and _file_digest(_real(name, root, theme)) != wanted:
                changed.add(name)
        # Outputs are stamped only if the inputs matched or the change can be built
        # incrementally: a site touched by hand needs a full build.
        recorded, racy = state["outputs"]
        if _recorded_output_stamps(output, recorded) != recorded:
            return None
        for name, wanted in racy.items():
            if _file_digest(output / name) != wanted:
                return None
        state["now"] = (now, _racy_inputs(now, taken, root, theme))
        state["came_or_went"] = came_or_went
        return changed, state
    except Exception:  # a missing, corrupt or foreign state: build normally
        return None


def _racy_outputs(stamps: dict[str, Stamp], since_ns: int, output: Path) -> dict[str, str | None]:
    return {name: _file_digest(output / name) for name, stamp in stamps.items() if _recent(stamp, since_ns)}


def save(root: Path, output: Path, theme: Path, settings: tuple,
         inputs: tuple[Folders, dict[str, str | None]],
         pages: int, problems: tuple,
         outputs: dict[str, Stamp] | None = None) -> None:
    """Record a successful build. `inputs` were taken before the build read them, so an
    input edited during the build makes the next check fail, never pass. `outputs`: the
    output folder's stamps if the caller kept them up to date (else the folder is walked)."""
    from ..store import write_atomic  # not at the top: it loads YAML, and this module is
    # loaded before the build's modules (`start_build`), whose loading the stat pass overlaps

    try:
        now = time.time_ns()
        outputs = output_stamps(output) if outputs is None else outputs
        # marshal (a few times faster than pickle for these dicts of stamps, which an edit
        # build reads and writes); the problems, which are objects, pickled inside.
        state = {
            "format": FORMAT, "settings": settings, "pages": pages,
            "problems": pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL),
            "inputs": inputs, "outputs": (outputs, _racy_outputs(outputs, now, output)),
        }
        write_atomic(_path(root, output), marshal.dumps(state), skip_unchanged=False)
    except OSError:
        pass


def restamp(output: Path, stamps: dict[str, Stamp], files: set[str], folders: set[str]) -> dict[str, Stamp]:
    """`stamps` of the output folder, updated for the `files` a build wrote or removed (their
    folders) and the search `folders` it indexed again or dropped."""
    stamps = dict(stamps)
    if folders:  # search index folders: stamped as in `output_stamps`
        stamps = {name: stamp for name, stamp in stamps.items() if not name.startswith(_SEARCH)}
        _search_stamps(output, stamps)
    touched = {""}
    for name in files:
        parts = name.split("/")[:-1]
        touched.update("".join(f"{part}/" for part in parts[:depth]) for depth in range(1, len(parts) + 1))
    for name in touched:
        try:
            stamps[name] = _stamp(os.stat(output / name))
        except OSError:
            stamps.pop(name, None)
    return stamps


def forget(root: Path, output: Path) -> None:
    with contextlib.suppress(OSError):
        _path(root, output).unlink()
