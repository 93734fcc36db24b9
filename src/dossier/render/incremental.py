"""Edits without a full plan: what a build keeps for the next one, and what an edit touches.

After every successful build, `save_state` keeps the site's `ClaimEntry`s (what
lists show of each claim, one marshalled run per article, so that an edit saves
again only its own article's), the article summaries, each article's findings
(as the site shows them), where each claim sits in the exports, and the page
plan with its search shards (`kept_plan`: an edit that changes no list's number
of pages uses them as they are). When the next build finds that only existing
claim files changed (the everyday edit), it reads just those files and plans
just the pages they can touch:

* the claim's page, and the pages of the claims that show it as a neighbour or a
  related claim (`SiteIndex.near`, before and after the edit);
* its article page; of each verdict, entity and publisher list it was or is in,
  the pages that show it (every page if the list gained or lost an item: each
  page shows the list's length, and later items move); the site-wide pages that
  count claims (home, the verdicts' index, findings, methodology), and the entities'
  and publishers' indexes if it names other entities or cites other sources;
* any page that did not exist before (a list grew a page).

An edit that changes nothing other pages show of the claim (its list entry, its
article's findings), such as its notes or its confidence, plans only the claim's
page, its article page and the site-wide pages.

Everything else is as the last build left it. Anything else (a claim file added
or removed, a claim moved in its article, dossier.yaml, entities, findings.yaml,
seeds, templates, code, or a date that moves "built at") takes the full path.
The incremental result equals a clean build's; tests check it on random edits.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import itertools
import marshal
import pickle
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from ..article import Article
from ..claims import Claim
from ..parse_cache import ClaimCache
from .cache import kept_path, read_kept, write_kept_base, write_kept_delta
from .pages import ClaimEntry, ClaimSource, PageSpec, SiteIndex, list_items, page_count

FORMAT = 8  # 2: no raw findings; 3: the page plan; 4: entries per article; 5: deltas; 6: entities;
# 7: kept as cache.read_kept files; 8: entries' sources packed


@dataclass
class SiteState:
    settings: str  # the fingerprint of code, config and "built at" the pages were made with
    context: str  # the parse cache's context (see parse_cache.context_key)
    entries: list[ClaimEntry]
    articles: dict[str, dict]  # slug -> article summary, in seed order
    seeds: dict[str, str]  # slug -> seed file, relative to the dossier
    settled: dict[str, list]  # slug -> the article's findings as the site shows them
    problems: tuple  # the problems the last build reported
    offsets: dict[str, list[int]] = field(default_factory=dict)  # export -> fragment offsets
    plan: tuple = ()  # every page's PageSpec (kept as plain tuples): see `kept_plan`
    shards: list = field(default_factory=list)  # the search shards of that plan
    # The entries as saved, one (article, count, marshal bytes) run per article, and the articles
    # whose entries changed since: an edit saves again only its own article's entries.
    runs: list = field(default_factory=list)
    edited: set = field(default_factory=set)
    # What the state's base file holds (see `save_state`): its token, runs, plan and shards.
    stored: tuple = ()
    # entities.yaml as read: an edit build runs only when no file but claim files changed.
    entities: dict = field(default_factory=dict)


def _path(root: Path, output: Path) -> Path:
    return kept_path(root, output, "site", ".pickle")


def load_state(root: Path, output: Path, needless: Callable[[], bool] = lambda: False) -> SiteState | None:
    """The state the last build kept (None if there is none, or it cannot be read). Read
    while the changes are still being looked for (see `build._build_site`): `needless()`,
    asked now and then, tells that the build will not use it (a no-op, a full build), and
    the read stops there (at 100,000 claims the whole read takes ~1.2 s)."""
    try:
        data, delta = read_kept(_path(root, output), pickle.loads)
        if data.get("format") != FORMAT:
            return None
        state, runs = data["state"], data["entries"]
        if delta is not None:
            state, runs = delta["state"], list(runs)
            for index, run in delta["runs"].items():
                runs[index] = run
        if not isinstance(state, SiteState):
            return None
        state.runs, state.edited = runs, set()
        entries: list[ClaimEntry] = []
        for number, (_, _, run) in enumerate(state.runs):
            if number % 64 == 0 and needless():
                return None
            entries += ClaimEntry.from_plain(marshal.loads(run))
        state.entries = entries
        if needless():
            return None
        plan, state.shards = marshal.loads(data["plan"])
        state.plan = tuple(PageSpec.from_plain(plan))
        state.stored = (data["token"], data["entries"], state.plan, state.shards)
        return state
    except Exception:  # missing, corrupt, another version: a full build
        return None


def save_state(root: Path, output: Path, state: SiteState) -> None:
    """Keep `state` for the next build (see `cache.read_kept`). A full build writes the base
    file: the entries as one marshal run per article (plain tuples: ~10x faster than pickling
    10,000 objects, both ways), the page plan and the rest. An edit build that kept the plan
    writes only a delta: the runs of the articles changed since the base and the (small) rest,
    not the ~12 MB of the base at 10,000 claims. A cache only: the Python version is in its key."""
    runs = []
    for index, (slug, group) in enumerate(itertools.groupby(state.entries, key=attrgetter("article"))):
        entries = list(group)
        kept = state.runs[index] if index < len(state.runs) else None
        if kept and kept[0] == slug and kept[1] == len(entries) and slug not in state.edited:
            runs.append(kept)
        else:
            seen: dict[str, str] = {}
            plain = [_shared(entry.plain(), seen) for entry in entries]
            runs.append((slug, len(entries), marshal.dumps(plain)))
    rest = dataclasses.replace(state, entries=[], plan=(), shards=[], runs=[], edited=set(), stored=())
    token, base_runs, base_plan, base_shards = state.stored or ("", [], None, None)
    path = _path(root, output)
    with contextlib.suppress(OSError):
        if token and state.plan is base_plan and state.shards is base_shards and len(runs) == len(base_runs):
            replaced = {index: run for index, run in enumerate(runs) if run is not base_runs[index]}
            if len(replaced) <= max(50, len(runs) // 10):
                write_kept_delta(path, token, {"state": rest, "runs": replaced}, _pickled)
                return
        plan = marshal.dumps((tuple(map(tuple, state.plan)), state.shards))  # plain tuples: no PageSpec
        write_kept_base(path, {"format": FORMAT, "state": rest, "entries": runs, "plan": plan},
                        {"state": rest, "runs": {}}, _pickled)


def _pickled(data: dict) -> bytes:
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


def _shared(value, seen: dict):
    """`value` with equal strings made one object: marshal writes a string met again as a
    reference (verdicts, publishers, dates, entity ids recur in an article's entries), which
    makes the state ~15% smaller and ~30% faster to read back."""
    if type(value) is str:
        return seen.setdefault(value, value)
    if type(value) is tuple:
        return tuple([_shared(item, seen) for item in value])
    return value


def edited_claim_files(changed: set[str], came_or_went: set[str]) -> list[str] | None:
    """The claim files an edit changed, if that is all it changed (else None: a full build).
    `came_or_went`: the changed files that were added or removed."""
    edited = []
    for name in sorted(changed):
        parts = name.split("/")
        if not (len(parts) == 3 and parts[0] == "claims" and name.endswith((".yaml", ".yml"))
                and not parts[2].startswith(".")):
            return None
        if name in came_or_went:  # added or removed: ids and order change
            return None
        edited.append(name)
    return edited or None


class CachedSource(ClaimSource):
    """Full claims from the parse cache (the edited ones `fresh`), a few article folders at a
    time; articles from `article(slug)` (in memory for a full build, read from the seed for
    an edit)."""

    FOLDERS_KEPT = 4  # pages come grouped by article: a few folders are enough

    def __init__(self, root: Path, context: str, fresh: dict[str, Claim],
                 article: Callable[[str], Article | None]):
        self.root = root
        self.fresh = fresh
        self.cache = ClaimCache(root, context)
        self._read_article = article
        self._folders: OrderedDict[str, dict[str, Claim]] = OrderedDict()
        self._articles: dict[str, Article | None] = {}

    def claim(self, key: str) -> Claim:
        if key in self.fresh:
            return self.fresh[key]
        folder = "claims/" + key.partition("/")[0]
        claims = self._folders.get(folder)
        if claims is None:
            claims = {c.key: c for c in self.cache.claims_in(folder)}
            self.cache.loaded.pop(folder, None)
            self._folders[folder] = claims
            while len(self._folders) > self.FOLDERS_KEPT:
                self._folders.popitem(last=False)
        else:
            self._folders.move_to_end(folder)
        return claims[key]  # KeyError: the cache lost it (an edit build falls back to a full one)

    def article(self, slug: str) -> Article | None:
        if slug not in self._articles:
            self._articles[slug] = self._read_article(slug)
        return self._articles[slug]


def dirty_specs(old: SiteIndex, new: SiteIndex, keys: list[str], specs: list[PageSpec],
                old_paths: Collection[str], findings_moved: Collection[str] = ()) -> list[PageSpec]:
    """The pages an edit of the claims `keys` may change (see the module docstring).
    `findings_moved`: the articles whose findings the edit changed."""
    claims: set[str] = set()
    articles: set[str] = set()
    lists: dict[tuple[str, str], set[int] | None] = {}  # list -> its pages to plan (None: all)
    for key in keys:
        entry = new.by_key[key]  # its article is in its key: the edit path never moves it
        articles.add(entry.article)
        if old.by_key[key] == entry and entry.article not in findings_moved:
            # Nothing other pages show of it changed (its notes, its confidence...): they show
            # its entry, or its article's findings. Its own page and its article's show the rest.
            claims.add(key)
            continue
        claims |= old.near(key) | new.near(key)
        for name in _lists_of(key, old, new):
            numbers, before = _pages_showing(old, new, key, *name), lists.get(name, set())
            lists[name] = None if numbers is None or before is None else before | numbers
    site_wide = {"home", "verdicts", "findings", "methodology", "search"}
    # The entities' index counts the claims naming each, the publishers' index each one's
    # sources and citations: a claim's entities, or its sources, are all that change them.
    if any(old.by_key[key].entities != new.by_key[key].entities for key in keys):
        site_wide.add("entities")
    if any(old.by_key[key].source_rows != new.by_key[key].source_rows for key in keys):
        site_wide.add("publishers")
    dirty = []
    for spec in specs:
        kind = spec.kind
        if kind in site_wide or spec.path not in old_paths \
                or (kind == "claim" and spec.subject in claims) \
                or (kind == "article" and spec.subject in articles):
            dirty.append(spec)
        elif (kind, spec.subject) in lists:
            numbers = lists[(kind, spec.subject)]
            if numbers is None or spec.number in numbers:
                dirty.append(spec)
    return dirty


def _pages_showing(old: SiteIndex, new: SiteIndex, key: str, kind: str, subject: str) -> set[int] | None:
    """The pages of a list that an edit of the claim `key` changes: those showing it, before
    and after; and if the list's items changed (another claim edited in the same build may
    have entered or left it), its first page (it shows the list's length) and the pages whose
    items changed (page breaks depend on the items next to them, see `list_slices`). None if
    the list gains or loses a page: every page lists them all."""
    before, after = list_items(old, kind, subject), list_items(new, kind, subject)
    old_pages, new_pages = old.list_slices(kind, subject), new.list_slices(kind, subject)
    if len(old_pages) != len(new_pages):
        return None
    numbers: set[int] = set()
    if before != after:
        pairs = enumerate(zip(old_pages, new_pages, strict=True), 1)
        numbers = {1} | {number for number, ((a, b), (c, d)) in pairs if before[a:b] != after[c:d]}
    for ix, items, pages in ((old, before, old_pages), (new, after, new_pages)):
        if kind == "publisher":
            urls = {s.url for s in ix.by_key[key].sources_on(subject)}
            positions = [i for i, url in enumerate(items) if url in urls]
        else:
            positions = [i for i, item in enumerate(items) if item == key]
        # A position's page number: how many pages start at or before it.
        numbers.update(bisect.bisect_right(pages, (position, len(items) + 1)) for position in positions)
    return numbers


def kept_plan(state: SiteState, old: SiteIndex, new: SiteIndex, keys: list[str]) -> list[PageSpec] | None:
    """The last build's pages, if an edit of the claims `keys` keeps them: every list those
    claims were or are in keeps its number of pages. Else None, and the build takes the full
    path: a page that comes or goes changes the sitemap and the search shards. Articles,
    entities and claim ids cannot change on the edit path; a publisher can gain or lose its
    page."""
    if not state.plan:
        return None
    for key in keys:
        for kind, subject in _lists_of(key, old, new):
            if kind == "publisher" and (subject not in old.citing or subject not in new.citing):
                return None
            if page_count(old, kind, subject) != page_count(new, kind, subject):
                return None
    return list(state.plan)


def _lists_of(key: str, old: SiteIndex, new: SiteIndex) -> set[tuple[str, str]]:
    """The paged lists (kind, subject) the claim `key` was or is in."""
    lists: set[tuple[str, str]] = set()
    for ix in (old, new):
        entry = ix.by_key[key]
        lists.add(("verdict", entry.verdict))
        lists.update(("entity", e) for e in entry.entities if e in ix.entities)  # others have no page
        lists.update(("publisher", path) for path in entry.publisher_pages())
    return lists

