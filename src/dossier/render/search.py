"""Static full-text search with Pagefind, built with the site.

Pagefind indexes the written HTML (only what templates mark `data-pagefind-body`).
A big dossier is indexed in shards of about `SHARD_PAGES` pages (whole articles
with their claims): each shard is one Pagefind run with bounded memory, only the
shards whose pages changed are indexed again, and the search page merges them
(Pagefind's `mergeIndex`). The first shard lives in `site/pagefind/`, the others
in `site/pagefind-shards/<n>/` (only their index: the first bundle's scripts search
them all). Changed shards are indexed concurrently, one Pagefind process per core,
each over a temporary folder of just its pages, cut to what Pagefind reads of them
(`search_page`: the same index, ~10 % less of Pagefind's time; in memory where there
is /dev/shm; removed whatever happens). Each run's files then replace the old ones
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

import contextlib
import dataclasses
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from ..errors import DossierError, Problem
from .pages import ARTICLES_INDEX

SEARCH_DIR = "pagefind"
SHARDS_DIR = "pagefind-shards"
# An edit re-indexes ~100 pages (~0.15 s); a 10,000-claim site merges ~125 indexes in the browser.
SHARD_PAGES = 100
# Pagefind runs at once beyond one per core (see `ShardIndexer`).
SEARCH_RUNS_BEYOND_CORES = 1
# The most searched pages whose cuts (see `search_page`, ~5 KB each) a build keeps in memory.
IN_MEMORY_MAX_PAGES = 25_000
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


# What Pagefind reads of a page (`search_page`). Looked for in the page lower-cased (tag and
# attribute names are not case-sensitive), with `find` where a pattern is a plain string, so that
# cutting a page costs a fraction of what Pagefind saves on it (~45 µs a claim page, ~140 µs).
_BODY_TAG_RE = re.compile(rb"<([a-z][a-z0-9-]*)(?:\s[^>]*)?\sdata-pagefind-body[\s>]")
_IGNORED_RE = re.compile(rb"<(section|td)(?:\s[^>]*)?\sdata-pagefind-ignore[\s>]")
_HTML_TAG_RE = re.compile(rb"<html(?:\s[^>]*)?>", re.IGNORECASE)
# Elements whose text is not markup, and comments: a fake tag in one (`"</article>"` in a script)
# would mislead the search for tags, so a page where one holds a `<` is kept whole.
_RAW_TEXT_RE = re.compile(rb"<(?:s(?:cript|tyle)|t(?:extarea|itle)|no(?:script|embed|frames)|xmp|iframe"
                          rb"|plaintext|!)")
# What Pagefind reads anywhere on a page, not just in its body: the title (the first <h1>, else
# the first <title>), the image (the first <img> after that <h1>), and meta, filter and sort
# attributes (data-pagefind-*).
_READ_TAG_RE = re.compile(rb"<(h1|img|title)[\s/>]")
_TAG_NAME_ENDS = b" \t\n\r\f/>"


def search_page(html: bytes) -> bytes:
    """What Pagefind reads of a page, as a page of its own: the `data-pagefind-body` element
    with its `data-pagefind-ignore` sections and table cells emptied, in the page's <html> tag,
    after its <title>.

    Pagefind indexes it exactly as it indexes the page, byte for byte (a test checks that on
    random pages), and ~10 % faster: it still parses every byte of what it ignores. The search
    index is built from these, and their hashes decide which shards are indexed again.
    Whenever a page is not plain enough to be sure of that (no such element or two, one nested
    in its like or the <body> itself, a comment, markup inside a script, something Pagefind
    reads outside it), the page is kept whole; an ignored part that holds something Pagefind
    reads even there is kept whole too."""
    lower = html.lower()
    at = lower.find(b"data-pagefind-body")
    if at < 0:
        return html
    opening = _BODY_TAG_RE.match(lower, max(0, lower.rfind(b"<", 0, at)))
    if opening is None or opening.group(1) in (b"html", b"head", b"body") or _unsure_markup(lower):
        return html
    close = _tag_patterns(opening.group(1)).search(lower, opening.end())
    if close is None or close.group(1) is None:  # not closed, or the first tag of its kind opens
        return html
    start, body_end, end = opening.start(), close.start(), close.end()
    if lower.find(b"data-pagefind", 0, start) >= 0 or lower.find(b"data-pagefind", end) >= 0:
        return html
    title = None  # the first <title> before the body, copied; without one, any counts
    for read in _READ_TAG_RE.finditer(lower, 0, start):
        if read.group(1) != b"title":
            return html
        if title is None:
            title_close = _tag_patterns(b"title").search(lower, read.end(), start)
            if title_close is None or title_close.group(1) is None:
                return html
            title = html[read.start(): title_close.end()]
    for read in _READ_TAG_RE.finditer(lower, end):
        if read.group(1) != b"title" or title is None:
            return html
    kept, position = [], start
    at = lower.find(b"data-pagefind-ignore", start, body_end)
    while at >= 0:
        ignored = _IGNORED_RE.match(lower, lower.rfind(b"<", start, at))
        part = ignored and _empties(lower, ignored, body_end)
        if part:  # the element stays, empty: only what is inside it goes
            kept.append(html[position: part[0]])
            position = part[1]
        at = lower.find(b"data-pagefind-ignore", max(at + 1, position), body_end)
    kept.append(html[position: end])
    tag = _HTML_TAG_RE.search(html, 0, start)
    return b"".join([b"<!DOCTYPE html>", tag.group(0) if tag else b"<html>", b'<head><meta charset="utf-8">',
                     title or b"", b"</head><body>", *kept, b"</body></html>"])


def _empties(lower: bytes, ignored: re.Match, body_end: int) -> tuple[int, int] | None:
    """(end of its opening tag, start of its closing tag) of an ignored element that can be
    emptied: closed within the body, not nesting its like, holding nothing Pagefind reads."""
    close = _tag_patterns(ignored.group(1)).search(lower, ignored.end(), body_end)
    if (close is None or close.group(1) is None
            or lower.find(b"data-pagefind", ignored.end(), close.start()) >= 0
            or _READ_TAG_RE.search(lower, ignored.end(), close.start())):
        return None
    return lower.find(b">", ignored.end() - 1) + 1, close.start()


@functools.cache
def _tag_patterns(name: bytes) -> re.Pattern:
    """The first tag of `name` (in lower case), opening or closing: group 1 is set for a
    closing tag."""
    return re.compile(rb"<(?:(/)" + name + rb"\s*>|" + name + rb"[\s/>])")


def _unsure_markup(lower: bytes) -> bool:
    """Whether the page holds a comment (or other `<!` but its doctype), or an element of raw
    text that is not closed or holds a `<`."""
    found = _RAW_TEXT_RE.search(lower)
    while found is not None:
        name = found.group(0)[1:]
        if name == b"!":
            if not lower.startswith(b"<!doctype", found.start()):
                return True
            found = _RAW_TEXT_RE.search(lower, found.end())
            continue
        after = lower[found.end(): found.end() + 1]
        if not after or after not in _TAG_NAME_ENDS:  # another tag (<titles>, <style-x>), or the end
            found = _RAW_TEXT_RE.search(lower, found.end())
            continue
        text = lower.find(b">", found.end())
        close = lower.find(b"<", text) if text >= 0 else -1
        if close < 0 or not lower.startswith(b"</" + name, close):  # any other `<` in it
            return True
        close = _tag_patterns(name).match(lower, close)
        if close is None or close.group(1) is None:
            return True
        found = _RAW_TEXT_RE.search(lower, close.end())
    return False


def shard_name(index: int) -> str:
    return SEARCH_DIR if index == 0 else f"{SHARDS_DIR}/{index + 1}"


def is_indexed(path: str) -> bool:
    """Whether the page at this site path is searched: a claim's, an article's, a site page."""
    parts = path.split("/")
    return (path in SITE_PAGES or (parts[0] == "claims" and len(parts) == 3)
            or (parts[0] == "articles" and len(parts) == 2 and path.endswith(".html")
                and path != ARTICLES_INDEX))


def write_cut(cuts: str, path: str, cut: bytes) -> None:
    """Write what Pagefind reads of a page just rendered (`search_page`) into the build's folder
    of them (`ShardIndexer.cuts`), so that its shard's run need not read and cut the page again.
    Not written (no room, say), the run makes it from the page."""
    dest = f"{cuts}/{path}"
    try:
        _make_folder_of(dest, _MADE_FOLDERS)
        with open(dest, "wb") as file:
            file.write(cut)
    except OSError:
        pass


_MADE_FOLDERS: set[str] = set()  # in this process (each build's folder has a name of its own)


def _make_folder_of(dest: str, made: set[str]) -> None:
    """Make the folder that will hold the file `dest`, unless `made` says it was made already."""
    folder = dest.rpartition("/")[0]
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)


def plan_shards(page_paths: list[str]) -> list[list[str]]:
    """The indexed pages, in shards of whole articles, in site order (deterministic)."""
    units: dict[str, list[str]] = {"": []}
    for path in page_paths:
        if not is_indexed(path):
            continue
        parts = path.split("/")
        if path in SITE_PAGES:
            units[""].append(path)
        elif parts[0] == "claims":
            units.setdefault(parts[1], []).append(path)
        else:
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
        _remove_work(self.work)


def start_early(site: Path, language: str, shards: list[list[str]], done: dict[str, str],
                known: Callable[[str], str], fresh: dict[str, str], staged: set[str],
                staging: Path) -> EarlyRun | None:
    """Index now the shard holding the pages `fresh` (page -> the hash of what Pagefind reads
    of it, its `search_page`; `staged`: those in the staging folder), its other pages as they
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
        work = _search_pages(site, _page_files(site, staging, staged, shards[index]), _scratch_folder())
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
    missing) is indexed in a worker thread from a temporary folder of its pages, while the build
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
        # One run more than there are cores: a run leaves its core idle while it starts, reads
        # and writes files, and the third fills those gaps (and takes a larger share of the
        # cores while the pages render, so that fewer runs are left once they are done): a
        # full build at 10,000 claims ~0.3 s sooner on two cores (median of 9 interleaved
        # pairs). Two runs beyond the cores was slower than one in every pair of three.
        self.pool = ThreadPoolExecutor(max_workers=cores + SEARCH_RUNS_BEYOND_CORES)
        # With shards enough, one thread each, as Pagefind's own threads would only share the
        # same cores (~1.5 % less CPU in a full build at 10,000 claims); a site of a few
        # shards lets Pagefind use every core.
        self.threads = 1 if len(shards) >= cores else None
        self.early = early
        self.dropped: list[EarlyRun] = []  # early runs whose guess failed: waited for, then removed
        for leftover in site.parent.glob(f"{_work_prefix(site)}*"):  # from a build that was killed
            if early is None or leftover != early.work:
                _remove_work(leftover)
        # What Pagefind reads of each page rendered, written there by the render workers
        # (`write_cut`), moved from there into its shard's folder when the shard's run starts.
        # In memory while every page's cut fits there: the cuts wait for their shard's run, and
        # in a big build Pagefind falls far behind the render (at 100,000 claims ~400 MB of cuts
        # waited at once), so a bigger site writes them next to itself.
        pages = sum(map(len, shards))
        self.scratch = _scratch_folder() if pages <= IN_MEMORY_MAX_PAGES else None
        self.cuts_work = _work_folder(site, self.scratch)
        self.cuts = str(self.cuts_work / "pages")
        _MADE_FOLDERS.clear()  # the last build's (`dossier serve` builds again and again)
        self.cut: set[str] = set()  # pages whose cut is in `cuts` (the ones rendered)
        for index, count in enumerate(self.waiting):
            if count == 0:
                self.start_if_changed(index)

    def page_ready(self, path: str, search_digest: str, staged: bool, rendered: bool = False) -> None:
        """A page the build considered: the hash of what Pagefind reads of it (`search_page`),
        whether it is in the staging folder, and whether this build rendered it: then its cut is
        in `cuts` (else, as when writing it failed, it is made from the page)."""
        index = self.shard_of.get(path)
        if index is None:
            return
        self.digests[path] = search_digest
        if staged:
            self.staged.add(path)
        if rendered:
            self.cut.add(path)
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
        cut = [page for page in self.shards[index] if page in self.cut]
        if _index_is_of(self.site, name, self.done, self.wanted[name]):
            for page in cut:  # not needed: gone, so that the folder stays small
                with contextlib.suppress(OSError):
                    os.unlink(f"{self.cuts}/{page}")
        else:
            # Made now: a page in the staging folder moves into the site when the build commits.
            try:
                work = _search_pages(self.site, _page_files(self.site, self.staging, self.staged,
                                                            self.shards[index]),
                                     self.scratch, self.cuts, set(cut))
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
                    _remove_work(self.work.pop(index))
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
        # An early run the indexer took over runs in its own thread, not in the pool: removing
        # its folder before it ends would let Pagefind write its index there afterwards.
        wait(list(self.runs.values()))
        if self.early is not None:  # its shard never completed (a failed build)
            self.dropped.append(self.early)
            self.early = None
        for early in self.dropped:
            early.drop()
        self.dropped = []
        for work in self.work.values():
            _remove_work(work)
        self.runs, self.work = {}, {}
        _remove_work(self.cuts_work)


def _index_is_of(site: Path, name: str, done: dict[str, str], fingerprint: str) -> bool:
    """Whether the shard `name`'s index in the site was made from pages of this `fingerprint`."""
    return done.get(name) == fingerprint and (site / name / ENTRY).is_file()


def _page_files(site: Path, staging: Path | None, staged: set[str],
                pages: list[str]) -> list[tuple[str, str]]:
    """(site path, the file holding it now) of `pages`: those `staged` are still in the staging folder."""
    return [(page, f"{staging if page in staged else site}/{page}") for page in pages]


def _work_prefix(site: Path) -> str:
    return f".{site.name}.pagefind-"


def _search_pages(site: Path, pages: list[tuple[str, str]], scratch: str | None,
                  cuts: str | None = None, cut: Collection[str] = ()) -> Path:
    """A temporary folder next to the site for one shard's run: the run writes its index in it
    (next to the site, so that it moves in with a rename), and its `pages` hold what Pagefind
    reads of each of `pages` (site path, the file holding it now), as `search_page` gives it,
    at their site paths, so that the result URLs are the same: moved from `cuts` for the pages
    in `cut` (the render workers wrote them there), else made from the page's file. `pages` is
    a link to a folder in `scratch` (in memory) if given.

    Pagefind over a folder of just the shard's pages is faster than over the whole site with a
    `--glob` (which walks every file of the site), more so for small shards. The pages are
    written in memory (`/dev/shm`) where there is such a folder and room (`ShardIndexer`): on
    disk, writing them costs about what Pagefind saves on them (~13 ms for 84 pages, ~3 ms).
    """
    work = _work_folder(site, scratch)
    try:
        into = work / "pages"
        made: set[str] = set()
        for path, file in pages:
            dest = f"{into}/{path}"
            _make_folder_of(dest, made)
            if path in cut:
                try:
                    os.rename(f"{cuts}/{path}", dest)
                    continue
                except FileNotFoundError:  # not written: see `write_cut`
                    pass
            with open(file, "rb") as source:
                html = source.read()
            with open(dest, "wb") as target:
                target.write(search_page(html))
    except BaseException:
        _remove_work(work)
        raise
    return work


def _work_folder(site: Path, scratch: str | None) -> Path:
    """A new temporary folder next to the site, with a folder `pages`: in `scratch` (a folder
    in memory) if given, `pages` then being a link to it."""
    site.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=_work_prefix(site), dir=site.parent))
    try:
        if scratch is None:
            (work / "pages").mkdir()
            return work
        in_memory = tempfile.mkdtemp(prefix="dossier-search-", dir=scratch)
        try:
            os.symlink(in_memory, work / "pages")
        except OSError:
            shutil.rmtree(in_memory, ignore_errors=True)
            raise
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work


def _scratch_folder() -> str | None:
    """A folder in memory (tmpfs) for the pages a run reads, or None (none here: in its work)."""
    return _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK | os.X_OK) else None


_SHM = "/dev/shm"


def _remove_work(work: Path) -> None:
    """Remove a run's temporary folder, with its pages where they were written in memory."""
    _remove_pages(work)
    shutil.rmtree(work, ignore_errors=True)


def _remove_pages(work: Path) -> None:
    pages = work / "pages"
    if pages.is_symlink():
        shutil.rmtree(os.readlink(pages), ignore_errors=True)
        pages.unlink(missing_ok=True)
    else:
        shutil.rmtree(pages, ignore_errors=True)


def _io_problem(site: Path, name: str, error: OSError) -> DossierError:
    # No room or no right next to the site: say where, no traceback.
    return DossierError(Problem(str(site), None, None,
                                f"could not build the search index {name}/: {error.strerror or error}"
                                + (f" ({error.filename})" if error.filename else ""),
                                "check the free space and permissions of the folder named: the one "
                                f"that holds the site, or {_SHM}, where the pages to index are written"))


def _failed(error: BaseException) -> Future:
    future: Future = Future()
    future.set_exception(error)
    return future


def _index_shard(binary: str, site: Path, language: str, work: Path, target: Path,
                 threads: int | None = None) -> Path:
    """Index the pages of `work` (see `_search_pages`) for `target`; return the new index
    (in `work`: `finish` moves it into the site and removes `work`).

    Only the Pagefind run happens in this thread, and the removal of the pages it read (they
    are in memory, ~5 MB per 1,000 claims): the other tidying after it is Python code, which
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
    finally:
        _remove_pages(work)
    if result.returncode != 0:
        raise DossierError(Problem(str(site), None, None,
                                   f"Pagefind failed on {name}/: "
                                   f"{(result.stderr or result.stdout).strip()[:500]}",
                                   "the pages are written; the previous search index is kept"))
    return staging


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
