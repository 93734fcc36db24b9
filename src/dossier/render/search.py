"""Static full-text search with Pagefind, built with the site.

Pagefind indexes the written HTML (only what templates mark `data-pagefind-body`).
A big dossier is indexed in shards of about `SHARD_PAGES` pages (whole articles
with their claims): each shard is one Pagefind run with bounded memory, only the
shards whose pages changed are indexed again, and the search page merges them
(Pagefind's `mergeIndex`). The first shard lives in `site/pagefind/`, the others
in `site/pagefind-shards/<n>/` (only their index: the first bundle's scripts search
them all). Changed shards are indexed concurrently, one Pagefind process per core,
each over a temporary folder of hard links to just its pages (next to the site, so
links work; removed whatever happens). Each run's files then replace the old ones
only where they differ (a delta, not a rewrite). The runs overlap the build: a shard is
indexed as soon as its pages are rendered (`ShardIndexer`), while the build renders,
checks and commits the rest, and its index enters the site only after the commit. An edit
build starts its shard's run before it has planned the rest (`start_early`), on the guess
that the shard's other pages keep what Pagefind reads of them; the indexer takes that run
only if the guess held. Search is an extra: every page reads without JavaScript.

Choosing `SHARD_PAGES` (measured with `benchmarks/search_index.py --site
benchmarks/out/dossier-10000/site --shard-pages 250,100,50 --browser "éoliennes,Julie Robert"`,
10,000 claims = 11,033 pages, 2 shared cores, CPU time as the steadier figure):

| SHARD_PAGES | shards | re-index one shard | full index, CPU | first search in Chromium |
|---:|---:|---:|---:|---:|
| 250 | 46 | 0.33-0.47 s (231 pages) | 22.6 s | 1.4-1.9 s, 2-3 MB fetched |
| 100 | 125 | 0.14-0.17 s (84 pages) | 23.9-27.7 s | 1.9-2.8 s, 3-7 MB fetched |
| 50 | 250 | 0.08-0.14 s (42 pages) | 29.8 s | 3.5-5.5 s, 7-11 MB fetched |

Pagefind costs ~1 ms a page whatever the run, so an edit costs about its shard's
size; every shard adds a few requests to a search, and Pagefind answers a word a
shard lacks with its nearest prefix, so more shards also mean more stray results
("Julie Robert": 163 results with 46 shards, 216 with 125, 394 with 250). 100 keeps
the search step of a one-claim edit near 0.15 s (the edit budget is 0.5 s in all)
while a search still answers within ~2-3 s, and the full index costs only a little
more CPU (spread over the cores).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..errors import DossierError, Problem
from .cache import digest

SEARCH_DIR = "pagefind"
SHARDS_DIR = "pagefind-shards"
# An edit re-indexes ~100 pages (~0.15 s); a 10,000-claim site merges ~125 indexes in the browser.
SHARD_PAGES = 100
# Only the pages that carry content of their own: lists (entities, verdicts,
# publishers) repeat claim texts and would only add duplicate results.
SITE_PAGES = ("methodology.html", "corrections.html", "contact.html")
ENTRY = "pagefind-entry.json"


def merged_bundle_file(name: str) -> bool:
    """Whether the search page reads this top-level file of an extra shard.

    The first bundle's script and its one worker search every merged shard: of an extra shard,
    Pagefind 1.5 fetches only the entry, the metadata and the index/fragment/filter folders.
    Its copies of the scripts, styles and WebAssembly (~0.8 MB a shard) are never loaded.
    """
    return name == ENTRY or name.endswith(".pf_meta")


# What Pagefind reads of a page, for deciding whether its shard must be indexed again.
_BODY_RE = re.compile(rb"<[a-z]+[^>]*\sdata-pagefind-body[\s>]")
_IGNORED_RE = re.compile(rb"<(section|td)[^>]*\sdata-pagefind-ignore[\s>]")
_HTML_TAG_RE = re.compile(rb"<html[^>]*>")


def search_digest(html: bytes) -> str:
    """A hash of what Pagefind indexes of a page: the `data-pagefind-body` article without
    its `data-pagefind-ignore` sections and table cells, and the <html> tag (its language).
    A page without such an article counts whole. Only ever more than Pagefind reads, never less."""
    # The attribute's first occurrence tells where to start looking for the tag; each part
    # ends at the first closing tag after it (found with `find`, not a lazy `.*?`).
    opening = _BODY_RE.search(html, max(0, html.rfind(b"<", 0, html.find(b"data-pagefind-body"))))
    end = html.find(b"</article>", opening.end()) if opening else -1
    if end < 0:
        return digest(html)
    body, kept, position, looked = html[opening.start(): end + len(b"</article>")], [], 0, 0
    while ignored := _IGNORED_RE.search(body, looked):
        closing = b"</" + ignored.group(1) + b">"
        close = body.find(closing, ignored.end())
        if close < 0:  # not closed: kept, as Pagefind may read it
            looked = ignored.start() + 1
            continue
        kept.append(body[position: ignored.start()])
        position = looked = close + len(closing)
    kept.append(body[position:])
    tag = _HTML_TAG_RE.search(html)
    return digest((tag.group(0) if tag else b"") + b"".join(kept))


def shard_name(index: int) -> str:
    return SEARCH_DIR if index == 0 else f"{SHARDS_DIR}/{index + 1}"


def plan_shards(page_paths: list[str]) -> list[list[str]]:
    """The indexed pages, in shards of whole articles, in site order (deterministic)."""
    units: dict[str, list[str]] = {"": []}
    for path in page_paths:
        parts = path.split("/")
        if path in SITE_PAGES:
            units[""].append(path)
        elif parts[0] == "claims" and len(parts) == 3:
            units.setdefault(parts[1], []).append(path)
        elif parts[0] == "articles" and len(parts) == 2 and path.endswith(".html"):
            units.setdefault(path[len("articles/"):-len(".html")], []).append(path)
    shards: list[list[str]] = [[]]
    for pages in units.values():
        if shards[-1] and len(shards[-1]) + len(pages) > SHARD_PAGES:
            shards.append([])
        shards[-1].extend(pages)
    return shards


def pagefind_binary() -> str | None:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]

        return str(get_executable())
    except Exception:  # any failure means "not installed": fall back to PATH
        return shutil.which("pagefind")


def shard_fingerprints(shards: list[list[str]], digests: dict[str, str], language: str,
                       first: int = 0) -> dict[str, str]:
    result = {}
    for index, pages in enumerate(shards, first):
        text = language + "\n" + "\n".join(f"{p} {digests[p]}" for p in pages)
        result[shard_name(index)] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return result


@dataclasses.dataclass
class EarlyRun:
    """A shard's Pagefind run started before the build knows all the pages it renders again (an
    edit build: the edited claims' pages are rendered first), on a guess: that the shard's other
    pages keep what Pagefind reads of them. `ShardIndexer` takes the run if the guess holds
    (the shard's fingerprint, once all its pages are known, is `fingerprint`), else it indexes
    the shard again and drops this run's work."""

    index: int
    fingerprint: str
    run: Future
    work: Path

    def drop(self) -> None:
        """Wait for the run, whatever its outcome, and remove its work: it is not used."""
        self.run.exception()
        shutil.rmtree(self.work, ignore_errors=True)


def start_early(site: Path, language: str, shards: list[list[str]], done: dict[str, str],
                known: Callable[[str], str], fresh: dict[str, str], staged: set[str],
                staging: Path) -> EarlyRun | None:
    """Index now the shard holding the pages `fresh` (page -> what Pagefind reads of it, as
    `search_digest` gives it; `staged`: those in the staging folder), its other pages as they
    are in the site (`known(page)`: their digest, a KeyError if there is none). None when that
    would not change the shard's index, or the pages are in no shard or in several, or a
    page's digest is not known."""
    holding = {index for index, pages in enumerate(shards) if not fresh.keys().isdisjoint(pages)}
    binary = pagefind_binary()
    if len(holding) != 1 or binary is None:
        return None
    index = holding.pop()
    name = shard_name(index)
    try:
        digests = {page: fresh[page] if page in fresh else known(page) for page in shards[index]}
    except KeyError:
        return None
    fingerprint = shard_fingerprints([shards[index]], digests, language, first=index)[name]
    if _index_is_of(site, name, done, fingerprint):
        return None
    try:
        work = _linked_pages(site, _page_files(site, staging, staged, shards[index]))
    except OSError:
        return None  # the indexer tries again, and reports what fails then
    pool = ThreadPoolExecutor(1)
    try:
        # One thread: the build process keeps its core (a second Pagefind thread would take
        # a share of it, for a run of ~0.15 s that ends before the build needs it).
        run = pool.submit(_index_shard, binary, site, language, work, site / name, 1)
    finally:
        pool.shutdown(wait=False)
    return EarlyRun(index, fingerprint, run, work)


class ShardIndexer:
    """Pagefind runs started while the build goes on, each as soon as its shard's pages exist.

    The build reports every page it considers (`pending`) with `page_ready`: what Pagefind
    reads of it, and whether it was staged (rendered again, so still in the staging folder);
    pages it does not consider (an edit build) keep the `known` digests, and their shards
    are checked at once. A shard whose fingerprint differs from `done` (or whose index is
    missing) is indexed in a worker thread from a temporary folder of links, while the build
    renders, checks and commits the rest: only `finish` (after the commit) touches the site,
    and it raises the first failure after every other run is kept. `abort` (a failed build)
    waits for the runs and removes what they made. `early`: a run `start_early` began.
    """

    def __init__(self, site: Path, language: str, shards: list[list[str]], done: dict[str, str],
                 known: dict[str, str], pending: set[str], staging: Path | None = None,
                 early: EarlyRun | None = None):
        binary = pagefind_binary()
        if binary is None:
            raise DossierError(Problem("dossier.yaml", None, None, "search is on but Pagefind is missing",
                                       "install it (`pip install 'pagefind[bin]'`) or set `search: false`"))
        self.binary, self.site, self.language, self.shards = binary, site, language, shards
        self.done = dict(done)
        self.wanted: dict[str, str] = {}  # shard -> fingerprint, as shards complete
        self.digests = dict(known)
        self.staging = staging
        self.staged: set[str] = set()  # pages whose file is in the staging folder, not yet in the site
        self.waiting = [sum(page in pending for page in pages) for pages in shards]
        self.shard_of = {page: index for index, pages in enumerate(shards)
                         for page in pages if page in pending}
        self.runs: dict[int, Future] = {}  # shard index -> its run
        self.work: dict[int, Path] = {}  # shard index -> its run's temporary folder
        cores = os.cpu_count() or 1
        self.pool = ThreadPoolExecutor(max_workers=cores)
        # As many runs as cores at once when there are shards enough: then one thread each, as
        # Pagefind's own threads would only share the same cores (~1.5 % less CPU in a full
        # build at 10,000 claims); a site of a few shards lets Pagefind use every core.
        self.threads = 1 if len(shards) >= cores else None
        self.early = early
        self.dropped: list[EarlyRun] = []  # early runs whose guess failed: waited for, then removed
        for leftover in site.parent.glob(f"{_work_prefix(site)}*"):  # from a build that was killed
            if early is None or leftover != early.work:
                shutil.rmtree(leftover, ignore_errors=True)
        for index, count in enumerate(self.waiting):
            if count == 0:
                self.start_if_changed(index)

    def page_ready(self, path: str, search_digest: str, staged: bool) -> None:
        index = self.shard_of.get(path)
        if index is None:
            return
        self.digests[path] = search_digest
        if staged:
            self.staged.add(path)
        self.waiting[index] -= 1
        if self.waiting[index] == 0:
            self.start_if_changed(index)

    def start_if_changed(self, index: int) -> None:
        name = shard_name(index)
        if name not in self.wanted:
            self.wanted.update(shard_fingerprints([self.shards[index]], self.digests, self.language,
                                                  first=index))
        early = None
        if self.early is not None and self.early.index == index:
            early, self.early = self.early, None
        if early is not None and early.fingerprint == self.wanted[name]:
            self.runs[index], self.work[index] = early.run, early.work  # the guess held
            return
        if early is not None:
            self.dropped.append(early)
        if not _index_is_of(self.site, name, self.done, self.wanted[name]):
            # Linked now: a page in the staging folder moves into the site when the build commits.
            try:
                work = _linked_pages(self.site, _page_files(self.site, self.staging, self.staged,
                                                            self.shards[index]))
            except OSError as error:
                self.runs[index] = _failed(_io_problem(self.site, name, error))
                return
            self.work[index] = work
            self.runs[index] = self.pool.submit(_index_shard, self.binary, self.site, self.language, work,
                                               self.site / name, self.threads)

    def finish(self) -> dict[str, str]:
        """Wait for the runs, put their indexes in the site, drop shards that no longer exist;
        return the fingerprints now on disk. The first failure (in shard order) is raised after
        every other run has finished and been kept."""
        failures = []
        try:
            for index, run in sorted(self.runs.items()):
                name = shard_name(index)
                try:
                    staging = run.result()
                except DossierError as error:
                    failures.append(error)
                    continue
                try:
                    if name != SEARCH_DIR:  # an extra shard: the first bundle's scripts search it
                        for file in staging.iterdir():
                            if file.is_file() and not merged_bundle_file(file.name):
                                file.unlink()
                    _sync(staging, self.site / name)
                except OSError as error:
                    failures.append(_io_problem(self.site, name, error))
                    continue
                finally:
                    shutil.rmtree(self.work.pop(index), ignore_errors=True)
                self.done[name] = self.wanted[name]
        finally:
            self.abort()
        if failures:
            first = failures[0].problems[0]
            if len(failures) > 1:
                first = dataclasses.replace(first, message=first.message + f" (and {len(failures) - 1} "
                                            f"other shard{'s' if len(failures) > 2 else ''})")
            raise DossierError(first)
        done = {k: v for k, v in self.done.items() if k in self.wanted}
        extra = self.site / SHARDS_DIR
        if extra.is_dir():
            for folder in sorted(extra.iterdir()):
                if f"{SHARDS_DIR}/{folder.name}" not in self.wanted:
                    shutil.rmtree(folder)
            if not any(extra.iterdir()):
                extra.rmdir()
        return done

    def abort(self) -> None:
        """Wait for the runs still going and remove their temporary folders."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.early is not None:  # its shard never completed (a failed build)
            self.dropped.append(self.early)
            self.early = None
        for early in self.dropped:
            early.drop()
        self.dropped = []
        for work in self.work.values():
            shutil.rmtree(work, ignore_errors=True)
        self.runs, self.work = {}, {}


def _index_is_of(site: Path, name: str, done: dict[str, str], fingerprint: str) -> bool:
    """Whether the shard `name`'s index in the site was made from pages of this `fingerprint`."""
    return done.get(name) == fingerprint and (site / name / ENTRY).is_file()


def _page_files(site: Path, staging: Path | None, staged: set[str],
                pages: list[str]) -> list[tuple[str, str]]:
    """(site path, the file holding it now) of `pages`: those `staged` are still in the staging folder."""
    return [(page, f"{staging if page in staged else site}/{page}") for page in pages]


def _work_prefix(site: Path) -> str:
    return f".{site.name}.pagefind-"


def _linked_pages(site: Path, pages: list[tuple[str, str]]) -> Path:
    """A temporary folder next to the site holding `pages` (site path, file holding it now) at
    their site paths, as hard links (no copy; next to the site so that they work), else copies.

    Pagefind over a folder holding just the shard's pages is faster than over the whole site
    with a `--glob` (which walks every file of the site), more so for small shards, and the
    pages keep their relative paths, so the result URLs are the same.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=_work_prefix(site), dir=site.parent))
    try:
        _link_pages(work / "pages", pages)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work


def _io_problem(site: Path, name: str, error: OSError) -> DossierError:
    # No room or no right next to the site: say where, no traceback.
    return DossierError(Problem(str(site), None, None,
                                f"could not build the search index {name}/: {error.strerror or error}"
                                + (f" ({error.filename})" if error.filename else ""),
                                "check the free space and permissions of the folder that holds the site"))


def _failed(error: BaseException) -> Future:
    future: Future = Future()
    future.set_exception(error)
    return future


def _index_shard(binary: str, site: Path, language: str, work: Path, target: Path,
                 threads: int | None = None) -> Path:
    """Index the pages linked in `work` (see `_linked_pages`) for `target`; return the new index
    (in `work`: `finish` moves it into the site and removes `work`).

    Only the Pagefind run happens in this thread: the tidying after it is Python code, which
    would wait for the interpreter lock while the build process checks links, and leave a core
    idle between runs. `threads`: how many Pagefind may use (its thread pool reads
    RAYON_NUM_THREADS), else one per core."""
    name = target.relative_to(site).as_posix()
    pages_dir, staging = work / "pages", work / "index"
    try:
        result = subprocess.run(
            [binary, "--site", str(pages_dir), "--output-path", str(staging), "--force-language", language,
             "--silent"],
            capture_output=True, text=True, check=False,
            env=None if threads is None else {**os.environ, "RAYON_NUM_THREADS": str(threads)},
        )
    except OSError as error:
        raise _io_problem(site, name, error) from error
    if result.returncode != 0:
        raise DossierError(Problem(str(site), None, None,
                                   f"Pagefind failed on {name}/: "
                                   f"{(result.stderr or result.stdout).strip()[:500]}",
                                   "the pages are written; the previous search index is kept"))
    return staging


def _link_pages(into: Path, pages: list[tuple[str, str]]) -> None:
    link = True
    made: set[str] = set()
    for path, file in pages:
        dest = f"{into}/{path}"
        folder = dest.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if link:
            try:
                os.link(file, dest)
                continue
            except OSError:  # another file system, no hard links there, or not allowed: copy
                link = False
        shutil.copyfile(file, dest)


def _sync(new: Path, target: Path) -> None:
    """Make `target` hold exactly the files of `new`, writing only those that differ.

    Pagefind names its index fragments by content hash, so after a small edit
    most files are unchanged: this is the index "delta". A shard new to the site (a first or
    clean build) is moved in whole: ~8 ms a shard less, ~1 s over a 10,000-claim build.
    """
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, target)
        return
    wanted = {p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()}
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target).as_posix()
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for rel in sorted(wanted):
        source, dest = new / rel, target / rel
        data = source.read_bytes()
        try:
            if dest.read_bytes() == data:
                continue
        except OSError:
            pass
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, dest)
