"""`dossier build`: load, analyse, plan the pages, render what changed, check, commit.

Read top to bottom, this is the whole build:

1. nothing changed since the last build (a stat pass, `noop`): stop there;
2. only existing claim files changed (the everyday edit): `_build_edit` reads just
   those and plans just the pages they touch (see `incremental`). The edited claims'
   own pages are rendered first and their search shard indexed from them at once
   (`search.start_early`), and the spliced claim exports are copied into the staging
   folder by a thread, while the rest is planned;
3. otherwise `_build_full`: the claims stream through `load_dossier` a batch of
   files at a time, leaving their `ClaimEntry`s, findings and export lines;
   `page_specs` lists every page;
4. each page is planned, fingerprinted (data + templates it uses + settings +
   code) and rendered only if its fingerprint changed, in worker processes for
   big builds; a rendered page is staged only if its bytes differ; a search
   shard whose pages changed is indexed as soon as they are all there, beside
   the rest of the build (`search.ShardIndexer`);
5. check every internal link and anchor of the whole site (cached scans for
   pages not rendered again): a broken one fails the build;
6. commit: move the staged files into `site/`, delete files no longer made,
   put the new search indexes in, save the caches.

Nothing touches `site/` before step 6, so a failed build leaves the previous
site exactly as it was. A build with nothing changed writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import io
import json
import os
import pickle
import posixpath
import re
import shutil
import sys
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from markupsafe import Markup

from ..analyse import Decision, Finding
from ..article import Article, Block, Location
from ..claims import Claim, Correction, Entity, Quantity, Source, Speaker
from ..errors import DossierError, Problem
from ..load import prefetch
from ..slugs import is_slug
from . import feeds, noop
from .cache import CACHE_DIR, BuildCache, Entry, Scans, digest, indexed_hash, kept_path, pack_scan
from .links import check_links, scan
from .pages import LIST_KINDS, Page
from .record import Record
from .search import is_indexed, search_page, write_cut

PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
RENDER_CHUNK_PAGES = 500  # pages a worker renders as one task (see `_render_all`)
# Up to this size of the build process (its peak so far), its render workers live for the
# whole render; above it, each chunk gets a fresh worker. A fresh worker costs ~20 ms of CPU
# (the fork, copying the memory pages it touches, the exit): ~1.5 s over the ~75 chunks of a
# 10,000-claim build, whose process holds ~170 MB. A long-lived worker ends up copying at
# most its parent's memory, so the whole tree stays within (workers + 1) x this; at 100,000
# claims (a build process of ~1.1 GB) fresh workers keep the tree within 1.2 GB.
LONG_LIVED_WORKERS_MAX_MB = 400
# A list page shows 100 claims from all over the dossier: a worker that renders 50 of them touches
# (so copies, page by page) ~450 MB of its parent's memory at 100,000 claims; 20 keep it lower.
LIST_CHUNK_PAGES = 20
_WORKER_KINDS = frozenset({"claim", "article", *LIST_KINDS})
# Pages the search index reads (see search.plan_shards): rendered first, so that each shard's
# Pagefind run starts early and overlaps the rendering of the lists and site-wide pages.
_INDEXED_KINDS = frozenset({"claim", "article", "methodology", "corrections", "contact"})
STATIC_DIR = "static"
_COLOR_RE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


@dataclass(frozen=True)
class BuildReport:
    output: Path
    problems: tuple[Problem, ...]
    pages: int
    rendered: int
    written: int
    deleted: int
    seconds: float
    timings: tuple[tuple[str, float], ...] = ()  # seconds per phase, for benchmarks
    mode: str = "full"  # "full", "edit" (only edited claim files read, see `incremental`) or "no-op"
    # The build's working data (state, index, page cache), alive as long as the report: a
    # process that ends right after the build (the `dossier` command) skips freeing it.
    working: object = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        return (f"{self.output}: {self.pages} pages, {self.rendered} rendered, {self.written} files"
                f" written, {self.deleted} removed, in {self.seconds:.2f} s")


def build_site(root: Path, output: Path | None = None, strict: bool = False,
               clean: bool = False, search: bool | None = None, keep_working: bool = False,
               changes: noop.PendingChanges | None = None) -> BuildReport:
    """See `_build_site`; this wrapper tunes the garbage collector around it, and removes the
    exports the last build replaced meanwhile (see `_commit`). `keep_working`: the report
    holds the build's working data (for a process that exits right after, see `cli.run`).
    `changes`: `noop.start_build`'s answer for these arguments, if the caller started it.

    A build holds millions of small, long-lived objects (claims, page data); the
    collector's full passes over them cost seconds at 10,000 claims and free
    nothing. Objects are frozen out of its way once loaded, and passes are rarer.
    """
    root, output = noop.build_paths(root, output)
    replaced = _replaced_folder(root, output)
    remover = None
    if replaced.is_dir():
        # Renamed first: this build's commit may make a new one. The kernel frees the files
        # while the build reads its inputs, on a core that is idle then.
        with contextlib.suppress(OSError):
            replaced.rename(replaced.with_name(f"{replaced.name}.{os.getpid()}"))
        remover = threading.Thread(target=_remove_replaced, args=(replaced,))
        remover.start()
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        report = _build_site(root, output, strict, clean, search, changes)
        # The build's data stays alive with the report only when asked (see `cli.run`).
        return report if keep_working else dataclasses.replace(report, working=None)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if remover:
            remover.join()


def _build_site(root: Path, output: Path, strict: bool = False, clean: bool = False,
                search: bool | None = None, started: noop.PendingChanges | None = None) -> BuildReport:
    """Build the site of the dossier at `root` into `output` (both resolved).

    `search` overrides `search:` of dossier.yaml (False: no Pagefind index, e.g.
    for quick previews).

    Raises `DossierError` (and leaves `output` untouched) on bad input, a
    template error, a broken internal link, or any warning under `strict`.
    """
    from . import THEME_DIR, incremental

    clock = _Clock()
    settings_key = noop.settings_key(output, strict, search)
    if not clean:
        # An edit build's work is bounded (the kept state, the pages of a few claims) and lives
        # until it ends: the collector's passes over it (~25 ms at 10,000 claims) free nothing.
        # Frozen before the collector is back, else its first pass would scan all of it at once.
        collecting = gc.isenabled()
        gc.disable()
        try:
            # A child process looks for changes while this one reads what an edit build needs:
            # both take ~50 ms at 10,000 claims, and the second core is idle then. The read
            # stops as soon as the answer shows it needless (a no-op, a full build). `dossier
            # build` starts the child before it loads this module (`noop.start_build`).
            changes = started
            if changes is None or changes.asked != (root, output, THEME_DIR, settings_key):
                changes = noop.start_changes(root, output, THEME_DIR, settings_key)

            def needless() -> bool:  # the changes are known, and are no edit of claim files
                if not changes.ready():
                    return False
                known = changes.result()
                return known is None or not incremental.edited_claim_files(known[0],
                                                                           known[1]["came_or_went"])

            try:
                kept = incremental.load_state(root, output, needless)
            finally:
                found = changes.result()
            if found is not None and not found[0]:
                clock.phase("noop")
                return BuildReport(output, found[1]["problems"], found[1]["pages"], 0, 0, 0,
                                   clock.seconds(), tuple(clock.timings), "no-op")
            if found is not None:
                report = _build_edit(root, output, strict, search, found, kept, settings_key, clock)
                if report is not None:
                    return report
            del kept  # a full build follows: not kept alive through it
        finally:
            gc.freeze()
            if collecting:
                gc.enable()
    noop.forget(root, output)  # until this build succeeds, the site is not known to be up to date
    prefetch(root)  # every input is read: the disk starts on them now, not file by file
    inputs = noop.input_state(root, THEME_DIR)
    return _build_full(root, output, strict, clean, search, settings_key, inputs, clock)


class _Clock:
    def __init__(self):
        self.started = time.perf_counter()
        self.timings: list[tuple[str, float]] = []

    def phase(self, name: str) -> None:
        self.timings.append((name, round(self.seconds() - sum(t for _, t in self.timings), 4)))

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def _problems(dossier_problems, config, strict: bool) -> list[Problem]:
    problems = list(dossier_problems) + _config_warnings(config)
    if any(p.severity == "error" for p in problems):
        raise DossierError(problems)
    if strict and problems:
        raise DossierError([*problems, Problem(
            "dossier.yaml", None, None,
            f"--strict: {len(problems)} warning{'s' * (len(problems) != 1)} fail the build",
            "fix them, or build without --strict")])
    return problems


def _settle(root: Path, found: dict, positions: dict, language: str):
    from ..analyse import settle

    findings, problems = settle(root, found, positions, language)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DossierError(errors)
    return findings


def _environment(root: Path, config, built: str):
    from .environment import make_environment, template_fingerprints

    bytecode = root / CACHE_DIR / "templates"
    bytecode.mkdir(parents=True, exist_ok=True)
    env = make_environment(root, config.language, bytecode)
    env.globals.update(_site_globals(config, built))
    return env, template_fingerprints(env)


def _build_full(root: Path, output: Path, strict: bool, clean: bool, search: bool | None,
                settings_key: tuple, inputs, clock: _Clock) -> BuildReport:
    """Every page considered. Claims stream through, one batch of files at a time: each
    article's claims give (where they are read, see `_prepare_folder`) their `ClaimEntry`s,
    the article's findings and their lines of the exports, then leave memory; pages read
    them back from the parse cache."""
    from ..analyse import article_findings, place_ids
    from ..load import load_dossier
    from ..parse_cache import context_key
    from .incremental import CachedSource, SiteState
    from .pages import list_pages, make_index, make_page, page_specs, search_shards

    entries: list = []
    found_in: dict[str, list] = {}
    exports = _ExportFiles(root)
    places: list[set[str]] = []  # the place entities, found once by each process that reads folders

    def prepare(claims, config, articles, entities) -> _Prepared | None:
        if not places:
            places.append(place_ids(entities))
        return _prepare_folder(claims, config, articles, places[0])

    def visit(prepared: _Prepared | None, *_) -> None:
        if prepared is None:  # a folder without a valid claim
            return
        entries.extend(prepared.entries)
        if prepared.findings is not None:
            found_in[prepared.entries[0].article] = prepared.findings
        exports.add(prepared.exports)

    try:
        # Reads every seed: once here, for the loader's parse cache and for the kept state.
        context = context_key(root)
        dossier = load_dossier(root, cache="refresh" if clean else "use", visit=visit, context=context,
                               prepare=prepare)
        clock.phase("load")
        gc.freeze()  # what is loaded lives as long as the build: never scan it again
        config = dossier.config
        if search is not None and search != config.search:
            config = dataclasses.replace(config, search=search)
            dossier = dataclasses.replace(dossier, config=config)
        place_set = place_ids(dossier.entities)
        found = {slug: found_in[slug] if slug in found_in else
                 article_findings(article, [], place_set, config.language)
                 for slug, article in dossier.articles.items()}
        findings = _settle(root, found, {e.key: (e.line, e.start) for e in entries}, config.language)
        settled: dict[str, list] = {slug: [] for slug in dossier.articles}
        for finding in findings:
            settled.setdefault(finding.article, []).append(finding)
        clock.phase("analyse")
        problems = _problems(dossier.problems, config, strict)

        ix = make_index(dossier, findings, entries).prepare()
        specs = page_specs(ix)
        shards = search_shards(ix, specs)
        lists = list_pages(specs)
        source = CachedSource(root, context, {}, dossier.articles.get)
        env, template_fps = _environment(root, config, ix.built)
        gc.freeze()
        clock.phase("plan")
        code = _code_version()
        settings = _fingerprint(code, config, ix.built)
        cache = BuildCache.load(root, output, code)
        _check_output_folder(output, cache.entries)
        all_paths = [(s.path, s.kind not in ("search", "404")) for s in specs]
        made = exports.finish()
        made.update({"feed.xml": (None, lambda: feeds.atom_feed(ix)),
                     "findings.json": (None, lambda: feeds.findings_json(findings))})
        made.update(_sitemaps(config, all_paths))
        made.update(_static(root, config))
        state = SiteState(settings, context, entries, ix.articles,
                          {slug: a.path for slug, a in dossier.articles.items()}, settled,
                          tuple(dossier.problems), exports.offsets, tuple(specs), shards,
                          entities=dossier.entities)
        job = _Job(root, output, config, env, template_fps, settings, specs,
                   lambda spec: make_page(ix, spec, source, shards, lists), all_paths, shards, cache,
                   {} if clean else cache.entries, made, clean, problems, state)
        report = _produce(job, clock, settings_key, inputs, None)
        return dataclasses.replace(report, working=(report.working, locals()))
    finally:
        exports.close()


@dataclass(frozen=True)
class _Prepared:
    """What a full build keeps of one article folder's claims (see `_prepare_folder`)."""

    entries: list  # their `ClaimEntry`s, in article order
    findings: list | None  # the article's findings (None: the folder names no article)
    exports: dict[str, list[bytes]]  # export name -> each claim's body


def _prepare_folder(claims: list[Claim], config, articles: dict, places: set[str]) -> _Prepared | None:
    """Made where an article folder's claims are read (a worker process of a big build, see
    `load.load_claims`): only this comes back to the build process, not the claims, which it
    would otherwise receive, analyse and write out one by one while the workers wait.
    `places`: the ids of the place entities."""
    from ..analyse import article_findings
    from .pages import claim_entry

    if not claims:
        return None
    article = articles.get(claims[0].article)
    findings = article_findings(article, claims, places, config.language) if article else None
    bodies = {name: [export.body(c, config) for c in claims] for name, export in feeds.EXPORTS.items()}
    return _Prepared([claim_entry(c) for c in claims], findings, bodies)


class _ExportFiles:
    """claims.json and claims.csv written as the claims stream by (to temporary files in
    the cache folder), with where each claim's fragment starts (see `feeds.splice`)."""

    def __init__(self, root: Path):
        self.folder = root / CACHE_DIR
        self.count = 0
        self.files: dict[str, tuple[Path, object]] = {}
        self.offsets: dict[str, list[int]] = {name: [] for name in feeds.EXPORTS}
        self.position: dict[str, int] = {}

    def add(self, bodies: dict[str, list[bytes]]) -> None:
        """The next claims' bodies, export name -> one per claim (see `feeds.Export`)."""
        if not self.files:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, export in feeds.EXPORTS.items():
                path = self.folder / f".{name}.part"
                # A big buffer: the bodies are ~4 KB, Python's default buffer 8 KB.
                handle = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed in `finish` or `close`
                handle.write(export.head)
                self.files[name] = (path, handle)
                self.position[name] = len(export.head)
        for name, export in feeds.EXPORTS.items():
            handle, offsets, position = self.files[name][1], self.offsets[name], self.position[name]
            for index, body in enumerate(bodies[name], self.count):
                before = export.before(index)
                offsets.append(position)
                position += len(before) + len(body)
                handle.write(before)
                handle.write(body)
            self.position[name] = position
        self.count += len(next(iter(bodies.values())))  # the same claims in every export

    def finish(self) -> dict[str, tuple]:
        made = {}
        for name, export in feeds.EXPORTS.items():
            if name not in self.files:  # no claim at all
                self.offsets[name] = [len(export.head)]
                made[name] = (None, export.head + export.tail)
                continue
            path, handle = self.files[name]
            handle.write(export.tail)
            handle.close()
            self.offsets[name].append(self.position[name])
            made[name] = (None, self._read(path))
        return made

    @staticmethod
    def _read(path: Path):
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                yield block

    def close(self) -> None:
        for path, handle in self.files.values():
            handle.close()
            path.unlink(missing_ok=True)


def _build_edit(root: Path, output: Path, strict: bool, search: bool | None, found: tuple,
                state, settings_key: tuple, clock: _Clock) -> BuildReport | None:
    """The incremental path (see `incremental`); None when the change needs a full build.
    `state`: `incremental.load_state`'s, read before the changes were known."""
    from ..config import read_config
    from ..load import load_entities, problem_order, read_claim_files
    from ..parse_cache import ClaimCache, file_key, siblings_key
    from ..store import claim_ids_in
    from . import incremental
    from .pages import (
        PageSpec,
        SiteIndex,
        article_path,
        built_date,
        claim_entry,
        claim_path,
        list_pages,
        make_page,
    )

    changed, record = found
    edited = incremental.edited_claim_files(changed, record["came_or_went"])
    if not edited or state is None:
        return None
    config, config_problems = read_config(root)
    if config_problems or not state.entries:
        return None
    if search is not None and search != config.search:
        config = dataclasses.replace(config, search=search)
    entities = state.entities
    if not entities:  # no entities.yaml, or an empty one: nothing to keep, so read it here
        problems: list[Problem] = []
        entities = load_entities(root, problems)
        if problems:
            return None
    slugs = {name.split("/")[1] for name in edited}
    source = incremental.CachedSource(root, state.context, {}, _seed_reader(root, state, config.language))
    articles = {slug: source.article(slug) for slug in slugs}
    if any(a is None for a in articles.values()):
        return None
    # Keyed before they are read (as the loader does): a file saved again meanwhile keeps an
    # old key, so the next build reads it again instead of trusting a stale parse.
    siblings = {folder: siblings_key(claim_ids_in(root / folder))
                for folder in {name.rpartition("/")[0] for name in edited}}
    keys = {name: (file_key(root / name), siblings[name.rpartition("/")[0]]) for name in edited}
    results = read_claim_files([root / name for name in edited], (root, config, articles, entities))
    old_keys = {e.key: i for i, e in enumerate(state.entries)}
    fresh: dict[str, Claim] = {}
    new_problems: list[Problem] = []
    for shown, claim, file_problems, refs in results:
        # An error, or a change of id or references, takes the full path (it reports everything).
        if claim is None or claim.key not in old_keys or shown != claim.path \
                or any(p.severity == "error" for p in file_problems[:-1]) \
                or any(ref not in old_keys or ref == claim.key for _, ref in refs):
            return None
        fresh[claim.key] = claim
        new_problems += file_problems[:-1]  # the last one only marks where the id is
    entries = list(state.entries)
    for key, claim in fresh.items():
        entry = claim_entry(claim)
        old = entries[old_keys[key]]
        if (entry.line, entry.start) != (old.line, old.start) or key in entry.related:
            return None  # moved in its article: the site order changes
        entries[old_keys[key]] = entry
    source.fresh = fresh
    clock.phase("load")

    from ..analyse import article_findings, place_ids

    settled = dict(state.settled)
    places = place_ids(entities)
    try:
        for slug in slugs:
            mine = [e for e in entries if e.article == slug]
            found = article_findings(articles[slug], [source.claim(e.key) for e in mine], places,
                                     config.language)
            # Findings never span articles: each article's are settled on their own.
            settled[slug] = list(_settle(root, {slug: found}, {e.key: (e.line, e.start) for e in mine},
                                         config.language))
    except KeyError:
        return None  # the parse cache lost a claim: read everything
    findings = tuple(f for slug in state.articles for f in settled.get(slug, ()))
    clock.phase("analyse")

    ix = SiteIndex(config, state.articles, entities, entries, findings,
                   built_date((a["published"] for a in state.articles.values()), entries))
    code = _code_version()
    settings = _fingerprint(code, config, ix.built)
    if settings != state.settings:
        return None
    cache = BuildCache.load(root, output, code)
    index_of = {key: old_keys[key] for key in fresh}
    try:
        exports = _edit_exports(output, state, ix, findings, fresh, index_of, config, cache.entries)
    except _FullBuild:
        return None
    # The claim exports (~50 MB at 10,000 claims) are copied into the staging folder by the
    # kernel, on the other core, while this process plans the pages (see `_write_ahead`).
    staging = _fresh_staging(output)
    ahead = _write_ahead(staging, exports)
    job = early_search = None
    try:
        # The edited claims' pages and their articles' first, and their search shard indexed
        # from them at once (`search.start_early`): Pagefind's run (~0.15 s at 10,000 claims) then
        # overlaps the planning of the rest instead of being the last thing the build waits for.
        env, template_fps = _environment(root, config, ix.built)
        renderer = SimpleNamespace(env=env, template_fps=template_fps, settings=settings,
                                   previous=cache.entries, output=output, config=config)
        early_specs = [PageSpec(claim_path(ix.by_key[key]), "claim", key) for key in fresh]
        early_specs += [PageSpec(article_path(slug), "article", slug) for slug in sorted(slugs)]
        try:  # the pages that read claim files: one the parse cache lost takes the full path
            early = {spec.path: _render_made(renderer, staging, make_page(ix, spec, source, state.shards, {}))
                     for spec in early_specs}
        except KeyError:
            return None
        if config.search and all(result[0] != "problem" for result in early.values()):
            early_search = _start_early_search(output, config.language, state.shards, cache, early, staging)
        old_ix = ix.before_edit({key: state.entries[old_keys[key]] for key in fresh})
        # A new spelling of a publisher may rename its page on every claim page citing it.
        respelled = any(old_ix.by_key[k].publishers() != ix.by_key[k].publishers() for k in fresh) \
            and old_ix.publisher_names != ix.publisher_names
        if respelled:
            return None
        read_again = set(edited)
        dossier_problems = sorted([p for p in state.problems if p.path not in read_again] + new_problems,
                                  key=problem_order)
        problems = _problems(dossier_problems, config, strict)
        old_paths = cache.entries.keys()
        specs = incremental.kept_plan(state, old_ix, ix, list(fresh))
        if specs is None:
            return None  # a list gained or lost a page: the sitemap and the search shards change
        plan, shards = state.plan, state.shards
        findings_moved = {slug for slug in slugs if settled[slug] != state.settled.get(slug, [])}
        dirty = incremental.dirty_specs(old_ix, ix, list(fresh), specs, old_paths, findings_moved)
        # The pages of the search shards that hold the edited claims come first: those shards are
        # indexed again for sure, each as soon as its last page is rendered.
        edited_pages = {claim_path(ix.by_key[key]) for key in fresh}
        hot = {page for pages in shards if not edited_pages.isdisjoint(pages) for page in pages}
        dirty.sort(key=lambda spec: spec.path not in hot)
        lists = list_pages(specs)
        try:  # the pages that read claim files: one the parse cache lost takes the full path
            pages = {spec.path: make_page(ix, spec, source, shards, lists) for spec in dirty
                     if spec.kind in ("claim", "article") and spec.path not in early}
        except KeyError:
            return None
        clock.phase("plan")

        # Parse cache: the edited files' results, for the next full build.
        parse_cache = ClaimCache(root, state.context)
        parse_cache.update({shown: (*keys[shown], (shown, claim, file_problems, refs))
                            for shown, claim, file_problems, refs in results})

        keep = {path for path in cache.entries if path.startswith((STATIC_DIR + "/", "sitemap"))
                or (path in feeds.EXPORTS and path not in exports)}
        new_state = incremental.SiteState(settings, state.context, entries, state.articles, state.seeds,
                                          settled, tuple(dossier_problems), state.offsets, plan, shards,
                                          state.runs, slugs, state.stored, entities)
        all_paths = [(s.path, s.kind not in ("search", "404")) for s in specs]
        # The other pages are made as they render, after the indexed ones: their search shard
        # starts sooner.
        job = _Job(root, output, config, env, template_fps, settings, dirty,
                   lambda spec: pages.get(spec.path) or make_page(ix, spec, source, shards, lists),
                   all_paths, shards, cache, cache.entries, exports, False, problems, new_state, keep,
                   edit=True, ahead=ahead, early=early, early_search=early_search)
    finally:
        if job is None:  # a full build follows, or an error: no staging folder stays behind
            _wait(ahead)
            if early_search is not None:
                early_search.drop()
            shutil.rmtree(staging, ignore_errors=True)
    report = _produce(job, clock, settings_key, record["now"], record["outputs"][0])
    return dataclasses.replace(report, mode="edit", working=(report.working, locals()))


def _start_early_search(output: Path, language: str, shards, cache: BuildCache, early: dict[str, tuple],
                        staging: Path):
    """`search.start_early` for the pages rendered `early` (their `_render_made` results)."""
    from .search import start_early

    rendered = {result[0]: result for result in early.values() if result[2] is not None}
    if not rendered:
        return None
    previous = cache.entries
    return start_early(output, language, shards, cache.search_done(), lambda page: previous[page].indexed,
                       {path: indexed_hash(result[5], result[2]) for path, result in rendered.items()},
                       {path for path, result in rendered.items() if result[3]}, staging)


def _seed_reader(root: Path, state, language: str):
    from ..article import read_article

    def read(slug: str):
        seed = state.seeds.get(slug)
        return read_article(root / seed, seed, language=language) if seed else None

    return read


@dataclass
class _Job:
    """What the second half of a build (render, export, check, commit, index) works from."""

    root: Path
    output: Path
    config: object
    env: object
    template_fps: dict
    settings: str
    specs: list  # the pages to consider (all of them, or those an edit touches): PageSpecs
    make: object  # PageSpec -> Page
    all_paths: list[tuple[str, bool]]  # every page of the site, and whether the sitemap lists it
    shards: list[list[str]]
    cache: BuildCache
    previous: dict[str, Entry]
    exports: dict[str, tuple]  # path -> (fingerprint or None, bytes, a stream or a function)
    clean: bool
    problems: list[Problem]
    state: object  # incremental.SiteState to keep for the next build
    keep: set[str] = field(default_factory=set)  # outputs left as the last build made them
    edit: bool = False  # an edit build (see `_commit`)
    ahead: dict = field(default_factory=dict)  # export path -> the Future writing it to staging
    early: dict = field(default_factory=dict)  # page path -> its `_render_made` result, made first
    early_search: object = None  # the search run those pages started (`search.EarlyRun`)


def _staging_folder(output: Path) -> Path:
    return output.parent / f".{output.name}.staging"


def _fresh_staging(output: Path) -> Path:
    """The empty staging folder (one a killed build left is removed first)."""
    staging = _staging_folder(output)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _write_ahead(staging: Path, exports: dict[str, tuple]) -> dict[str, Future]:
    """Start writing the spliced exports into `staging`, in a thread: their copies run in the
    kernel (`os.copy_file_range`) without the interpreter lock, ~20 ms at 10,000 claims."""
    spliced = {path: data for path, (_, data) in exports.items() if isinstance(data, feeds.Spliced)}
    if not spliced:
        return {}
    pool = ThreadPoolExecutor(1)
    try:
        return {path: pool.submit(data.write, staging / path) for path, data in spliced.items()}
    finally:
        pool.shutdown(wait=False)


def _wait(ahead: dict[str, Future]) -> None:
    """Wait for the writes `_write_ahead` started, whatever their outcome."""
    for future in ahead.values():
        future.exception()


def _produce(job: _Job, clock: _Clock, settings_key: tuple, inputs, outputs_before) -> BuildReport:
    from . import THEME_DIR, incremental

    output, previous = job.output, job.previous
    every = [path for path, _ in job.all_paths]
    if len(set(every)) != len(every):
        twice = next(p for p in every if every.count(p) > 1)
        raise DossierError(Problem(twice, None, None, "two pages would share this file",
                                   "rename one of the ids or slugs that name it"))
    for spec in job.specs:
        if posixpath.normpath(spec.path) != spec.path or spec.path.startswith(("/", "../")):
            raise DossierError(Problem(spec.path, None, None, "page path leaves the site folder",
                                       "ids and slugs must be lower-case letters, digits, hyphens"))
    # An edit build made the staging folder already, and may be writing its exports there.
    staging = _staging_folder(output) if job.edit else _fresh_staging(output)
    indexer = None
    try:
        if job.config.search:
            indexer = _start_search(job, staging)
        fresh: dict[str, Entry] = {}
        rendered: set[str] = set()
        staged: list[str] = []
        problems: list[Problem] = []
        # Each page is planned, fingerprinted and (if its fingerprint changed) rendered where it
        # is rendered: in the worker processes of a big build, so that no process ever holds
        # the data of every page, and planning runs on every core too.
        for result in _render_all(job, staging, indexer.cuts if indexer else None):
            if result[0] == "problem":
                problems.append(result[1])
                continue
            path, fingerprint, page_digest = result[:3]
            if page_digest is None:
                old = previous[path]
                fresh[path] = Entry(fingerprint, old.digest, old.scan, old.search)
                if indexer:
                    indexer.page_ready(path, old.indexed, False)
                continue
            changed, page_scan, search_digest_ = result[3:]
            rendered.add(path)
            if changed:
                staged.append(path)
            fresh[path] = Entry(fingerprint, page_digest, page_scan, search_digest_)
            if indexer:  # its shard is indexed as soon as all its pages are there
                indexer.page_ready(path, fresh[path].indexed, changed, rendered=True)
        clock.phase("render")
        if problems:
            # One report per template problem, not one per page that hit it.
            unique = list(dict.fromkeys((p.path, p.line, p.message) for p in problems))
            raise DossierError([next(p for p in problems if (p.path, p.line, p.message) == u)
                                for u in unique])
        entries: dict[str, Entry] = {}
        for path in every:
            entries[path] = fresh.get(path) or previous[path]
        for path in job.keep:
            entries[path] = previous[path]

        # --- exports and static files: made only when something they show changed
        sitemap_fp = _fingerprint(job.settings, job.all_paths)
        for path, (fp, make) in job.exports.items():
            fp = fp or sitemap_fp if path.startswith("sitemap") else fp
            old = previous.get(path)
            if fp is not None and old is not None and old.fingerprint == fp and (output / path).is_file():
                entries[path] = old
                continue
            data = make() if callable(make) else make
            if isinstance(data, feeds.Spliced):  # differs from the file on disk: made from it
                if path in job.ahead:
                    job.ahead[path].result()  # written while the pages were planned; its error
                else:
                    data.write(_staged_file(staging, path))
                entries[path] = Entry(data.digest, data.digest)
                changed = True
            elif isinstance(data, bytes):
                data_digest = digest(data)
                entries[path] = Entry(fp or data_digest, data_digest)
                changed = _stage(output, staging, path, data)
            else:
                changed, entry_digest = _stage_stream(output, staging, path, data)
                entries[path] = Entry(fp or entry_digest, entry_digest)
            if changed:
                staged.append(path)
        clock.phase("exports")

        # --- the whole site's links, before anything is committed
        scans = Scans(entries, set(every))
        known = set(entries)
        if job.config.search:
            known |= {"pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css"}
        # The links of a page not rendered again are still good when no file came or
        # went and no rendered page lost an id: then only rendered pages are checked.
        unchanged_ids = all(previous[p].scan == entries[p].scan or previous[p].ids == entries[p].ids
                            for p in rendered if p in previous)
        only = rendered if previous and previous.keys() == entries.keys() and unchanged_ids else None
        link_problems = check_links(scans, known, only)
        if link_problems:
            raise DossierError(link_problems)
        clock.phase("links")

        # --- commit
        deleted = _commit(job.root, output, staging, staged, entries, previous, keep_replaced=job.edit)
        clock.phase("commit")
        # Kept while the search runs finish (they read from it); what only the next build reads.
        incremental.save_state(job.root, output, job.state)
        cache = job.cache
        touched_dirs: set[str] = set()
        if indexer:
            from .search import SHARDS_DIR

            before = dict(indexer.done)
            done, indexer = indexer.finish(), None
            # Only the shards indexed again (or dropped) are stamped again for the next no-op check.
            touched_dirs = {name for name in before.keys() | done.keys()
                            if before.get(name) != done.get(name)}
            if set(before) != set(done):
                touched_dirs.add(SHARDS_DIR)
            cache.search = json.dumps(done, sort_keys=True)
        else:
            for folder in ("pagefind", "pagefind-shards"):
                if (output / folder).exists():
                    shutil.rmtree(output / folder)
            cache.search = ""
        clock.phase("search")
    finally:
        if indexer:  # the build failed: the runs' work is dropped, the site keeps its index
            indexer.abort()
        elif job.early_search is not None:  # failed before the indexer took it over
            job.early_search.drop()
        _wait(job.ahead)
        shutil.rmtree(staging, ignore_errors=True)

    cache.entries = entries
    cache.save()
    outputs = None
    if outputs_before is not None:
        outputs = noop.restamp(output, outputs_before, set(staged) | deleted,
                               touched_dirs)
    noop.save(job.root, output, THEME_DIR, settings_key, inputs,
              len(every), tuple(job.problems), outputs)
    clock.phase("cache")
    return BuildReport(output, tuple(job.problems), len(every), len(rendered), len(staged), len(deleted),
                       clock.seconds(), tuple(clock.timings), working=locals())


def _start_search(job: _Job, staging: Path):
    """The search indexer for this build, told what the pages it will not see hold now."""
    from .search import ShardIndexer

    # What Pagefind reads of each page, not its bytes: a claim whose related claim
    # changed verdict shows a new badge, in a part search ignores.
    pending = {spec.path for spec in job.specs}
    known = {path: entry.indexed for path, entry in job.previous.items() if path not in pending}
    return ShardIndexer(job.output, job.config.language, job.shards, job.cache.search_done(),
                        known, pending, staging=staging, early=job.early_search)


# ---------------------------------------------------------------- fingerprints

def _fingerprint(*parts: object) -> str:
    """A hash of plain data and dataclasses. Pickle serialises every field (in C, ~2x
    faster than JSON here); it can only err towards re-rendering, never towards
    keeping a stale page, because equal hashes need equal content.

    The pickler's memo is off ("fast" mode): with it, an object met twice is written
    the second time as a reference, so equal data shared differently (one build's
    plan shares a record, an incremental build holds two copies) would hash apart.
    Page data holds no cycles.

    Without a memo, the pickler would also write every object's class in full, looked up
    again each time (~120 per claim page, a third of the hashing). The classes page data is
    made of are put in the memo beforehand, at fixed positions (`_FINGERPRINT_CLASSES`), so
    each is written as a short reference; in fast mode the pickler adds nothing to the memo."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.memo = _FINGERPRINT_MEMO
    pickler.fast = True
    pickler.dump(parts)
    return hashlib.sha256(buffer.getbuffer()).hexdigest()[:32]


# Never reorder, only append: a class's position is written in every page's fingerprint (a
# change only costs one full render, as the render code's own version changes with it).
_FINGERPRINT_CLASSES = (Record, date, datetime, Markup, Claim, Quantity, Speaker, Source, Correction,
                        Entity, Location, Block, Article, Finding, Decision)
_FINGERPRINT_MEMO = {id(kind): (position, kind) for position, kind in enumerate(_FINGERPRINT_CLASSES)}


def _code_version() -> str:
    """The render code itself: a new version of dossier re-renders everything."""
    digest_ = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        digest_.update(path.name.encode() + path.read_bytes())
    return digest_.hexdigest()[:16]


# ---------------------------------------------------------------- rendering

_STATE: tuple = ()


def _site_globals(config, built: str) -> dict:
    labels = {v.id: v.label.get(config.language) or v.label.get("en") or v.id for v in config.verdicts}
    from . import jsonld
    from .environment import VerdictBadges
    from .pages import verdict_path

    def claim_jsonld(claim, article, page_url):
        return jsonld.for_claim(claim, article, config, page_url)

    return {"config": config, "verdicts": {v.id: v for v in config.verdicts}, "built": built,
            "claim_jsonld": claim_jsonld,
            "verdict_labels": labels, "badges": VerdictBadges(labels),
            "verdict_pages": {v.id: verdict_path(v.id) for v in config.verdicts}}


def _render_page(env, page: Page) -> bytes:
    template = env.get_template(page.template)
    canonical = env.globals["config"].base_url + ("" if page.path == "index.html" else page.path)
    html = template.render(page=page, root=page.root, canonical=canonical, **page.context)
    return html.encode("utf-8")


def _template_problem(error: BaseException, page: Page) -> Problem:
    """A template error as file:line, pointing into the template, not at Python."""
    import jinja2

    line = getattr(error, "lineno", None)
    name = getattr(error, "filename", None) or getattr(error, "name", None)
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml")):
            name, line = frame.filename, frame.lineno
            break
    shown = str(name or page.template)
    for marker in ("/templates/",):
        if marker in shown:
            shown = "templates/" + shown.rsplit(marker, 1)[1]
    kind = "template syntax error" if isinstance(error, jinja2.TemplateSyntaxError) else "template error"
    return Problem(shown, line, None, f"{kind}: {error}", f"while rendering {page.path}")


def _render_chunk(indexes: list[int]) -> list:
    job, staging, cuts = _STATE
    results: list = []
    for index in indexes:
        spec = job.specs[index]
        if spec.path in job.early:  # rendered before the rest was planned (an edit build)
            results.append(job.early[spec.path])
            continue
        try:
            page = job.make(spec)
        except Exception as error:  # a bad page's data becomes a Problem, never a crash
            results.append(("problem", Problem(spec.path, None, None, f"cannot plan this page: {error!r}",
                                               "please report this as a bug of dossier")))
            continue
        results.append(_render_made(job, staging, page, cuts))
    return results


def _render_made(job, staging: Path, page: Page, cuts: str | None = None) -> tuple:
    """A made page rendered and staged, unless its fingerprint says the site has it: ("problem",
    Problem), (path, fingerprint, None) or (path, fingerprint, digest, staged, scan, search digest).
    With search on, a searched page's search digest hashes what Pagefind reads of it, which is
    written into `cuts` (the search indexer's folder) when given. `job`: a `_Job`, or what of
    one `_render_made` reads (env, template_fps, settings, previous, output, config)."""
    if page.template not in job.template_fps:
        return ("problem", Problem(f"templates/{page.template}", None, None, "template not found",
                                   "it is part of the theme: restore it, or override it"))
    fingerprint = _fingerprint(job.settings, job.template_fps[page.template], page.path,
                               page.title, page.description, page.context)
    old = job.previous.get(page.path)
    if old is not None and old.fingerprint == fingerprint and (job.output / page.path).is_file():
        return (page.path, fingerprint, None)
    try:
        html = _render_page(job.env, page)
    except Exception as error:  # any template failure becomes a Problem
        return ("problem", _template_problem(error, page))
    changed = _stage(job.output, staging, page.path, html)
    search_digest = None
    if job.config.search and is_indexed(page.path):  # without search, nobody reads it
        cut = search_page(html)
        search_digest = digest(cut)
        if cuts is not None:
            write_cut(cuts, page.path, cut)
    return (page.path, fingerprint, digest(html), changed, pack_scan(*scan(html)), search_digest)


def _render_all(job: _Job, staging: Path, cuts: str | None):
    """The results of `_render_chunk` for every page of the job, as they come."""
    global _STATE
    _STATE = (job, staging, cuts)
    indexes = sorted(range(len(job.specs)), key=lambda i: job.specs[i].kind not in _INDEXED_KINDS)
    workers = min(os.cpu_count() or 1, 8)
    try:
        if len(indexes) >= PARALLEL_MIN_PAGES and workers > 1 and hasattr(os, "fork"):
            import multiprocessing

            for name in sorted(job.template_fps):
                job.env.get_template(name)  # compiled once, inherited by every worker
            # Out of the collector's sight before the fork: a worker's collection passes would
            # otherwise write to every object the parent holds, copying its memory page by page.
            gc.freeze()
            # Pages about the whole site (home, indexes, findings) read every claim's entry: in a
            # worker each would copy the parent's index; they are rendered here, after the pool.
            here = [i for i in indexes if job.specs[i].kind not in _WORKER_KINDS]
            indexes = [i for i in indexes if job.specs[i].kind in _WORKER_KINDS]
            yield from _render_chunk([i for i in here if job.specs[i].kind in _INDEXED_KINDS])
            here = [i for i in here if job.specs[i].kind not in _INDEXED_KINDS]
            size = min(RENDER_CHUNK_PAGES, max(16, len(indexes) // (workers * 16)))
            # A page of a list shows claims from all over the dossier: smaller chunks (see
            # LIST_CHUNK_PAGES), so that a fresh worker exits before it has copied much of the parent.
            chunks: list[list[int]] = []
            for kinds, most in ((("claim", "article"), size),
                                (LIST_KINDS, LIST_CHUNK_PAGES)):
                mine = [i for i in indexes if job.specs[i].kind in kinds]
                chunks += [mine[i : i + most] for i in range(0, len(mine), most)]
            # A worker gets a private copy of every memory page of the parent whose objects it
            # touches (reference counts are writes), so one that lives for a whole 100,000-claim
            # build ends up holding a copy of the site's index: there each chunk gets a fresh one.
            tasks_per_worker = 1 if _process_mb() > LONG_LIVED_WORKERS_MAX_MB else None
            with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=tasks_per_worker) as pool:
                for part in pool.imap(_render_chunk, chunks):
                    yield from part
            yield from _render_chunk(here)
        else:
            # Indexed pages first, one at a time: a search shard starts as soon as its last
            # page is there, while the rest renders.
            indexed = [i for i in indexes if job.specs[i].kind in _INDEXED_KINDS]
            for index in indexed:
                yield from _render_chunk([index])
            yield from _render_chunk(indexes[len(indexed):])
    finally:
        _STATE = ()


def _process_mb() -> float:
    """The most memory this process has held so far, in MB (its peak resident size)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes there, KB here


def _stage(output: Path, staging: Path, path: str, data: bytes) -> bool:
    """Put `data` in the staging folder unless `output/path` already holds exactly it."""
    try:
        if (output / path).read_bytes() == data:
            return False
    except OSError:
        pass
    _staged_file(staging, path).write_bytes(data)
    return True


def _staged_file(staging: Path, path: str) -> Path:
    target = staging / path
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _stage_stream(output: Path, staging: Path, path: str, chunks) -> tuple[bool, str]:
    """`_stage` for a big file made in pieces: never the whole file in memory."""
    target = _staged_file(staging, path)
    new = hashlib.sha256()
    with open(target, "wb") as handle:
        for chunk in chunks:
            new.update(chunk)
            handle.write(chunk)
    old = hashlib.sha256()
    try:
        with open(output / path, "rb") as handle:
            while block := handle.read(1 << 20):
                old.update(block)
        unchanged = old.digest() == new.digest()
    except OSError:
        unchanged = False
    if unchanged:
        target.unlink()
    return not unchanged, new.hexdigest()[:32]


# ---------------------------------------------------------------- exports, static files

def _sitemaps(config, all_paths: list[tuple[str, bool]]) -> dict[str, tuple]:
    files = feeds.sitemaps(config.base_url, [path for path, indexed in all_paths if indexed])
    return {name: (None, data) for name, data in files.items()}


def _static(root: Path, config) -> dict[str, tuple]:
    from . import THEME_DIR
    from .environment import user_template_dir

    static: dict[str, bytes] = {}
    for base in (THEME_DIR / STATIC_DIR, user_template_dir(root) / STATIC_DIR):
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    static[f"{STATIC_DIR}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    static[f"{STATIC_DIR}/verdicts.css"] = _verdict_css(config)
    return {path: (digest(data), data) for path, data in sorted(static.items())}


def _edit_exports(output: Path, state, ix, findings, fresh: dict, index_of: dict[str, int],
                  config, previous: dict[str, Entry]) -> dict[str, tuple]:
    """`_exports` after an edit: the claim exports are spliced (see `feeds.splice`). The
    static files and the sitemap do not change with a claim edit (the caller keeps them)."""
    made: dict[str, tuple] = {"feed.xml": (None, lambda: feeds.atom_feed(ix))}
    for name, export in feeds.EXPORTS.items():
        offsets = state.offsets.get(name)
        try:
            size = os.stat(output / name).st_size
        except OSError:
            size = None
        if size is None or offsets is None or len(offsets) != len(ix.entries) + 1 or name not in previous \
                or size != offsets[-1] + len(export.tail):
            raise _FullBuild()
        changed = {index_of[key]: claim for key, claim in fresh.items()}
        spliced, state.offsets[name] = feeds.splice(export, output / name, previous[name].digest, offsets,
                                                    changed, config)
        if spliced is not None:  # else the last build's file and entry stay
            made[name] = (None, spliced)
    made["findings.json"] = (None, lambda: feeds.findings_json(findings))
    return made


class _FullBuild(Exception):
    """An edit turned out to need the full path after all."""


def _verdict_css(config) -> bytes:
    rules = [f".v-{v.id} {{ --verdict: {v.color if _COLOR_RE.match(v.color) else '#57606a'}; }}"
             for v in config.verdicts]
    return ("/* generated from the verdict scale in dossier.yaml */\n" + "\n".join(rules) + "\n").encode()


def _config_warnings(config) -> list[Problem]:
    problems = []
    for key, what in (("methodology", "methodology page"),
                      ("corrections_policy", "corrections policy page"), ("contact", "contact page")):
        if not (getattr(config, key) or "").strip():
            problems.append(Problem("dossier.yaml", None, None, f"no {what}: '{key}' is missing",
                                    f"add `{key}: |` with a few lines of Markdown", "warning"))
    for verdict in config.verdicts:
        if not is_slug(verdict.id):
            problems.append(Problem("dossier.yaml", None, None,
                                    f"verdict id '{verdict.id}' must be lower-case letters, digits and"
                                    " hyphens", "it names a page and a CSS class"))
        if not _COLOR_RE.match(verdict.color):
            problems.append(Problem("dossier.yaml", None, None,
                                    f"verdict '{verdict.id}' colour '{verdict.color}' is not a CSS"
                                    " colour", "use #rrggbb", "warning"))
    return problems


# ---------------------------------------------------------------- commit

def _check_output_folder(output: Path, known: dict) -> None:
    """Refuse to prune a folder that is not a dossier site (e.g. `-o ~`)."""
    if known or not output.is_dir():
        return
    if any(output.iterdir()) and not (output / "index.html").is_file():
        raise DossierError(Problem(str(output), None, None,
                                   "the output folder is not empty and holds no site",
                                   "build into an empty folder, or into an existing site/"))


def _replaced_folder(root: Path, output: Path) -> Path:
    """The exports the last build replaced, until the next build removes them (in the cache
    folder: never published; a hard link there fails, harmlessly, across file systems)."""
    return kept_path(root, output, "replaced")


def _remove_replaced(replaced: Path) -> None:
    """Remove the renamed copies of `replaced` (this build's, and any a killed build left)."""
    for folder in replaced.parent.glob(f"{replaced.name}.*"):
        shutil.rmtree(folder, ignore_errors=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # Linux's values


def _exchange(new: Path, target: Path) -> bool:
    """Swap two files atomically (Linux's renameat2 RENAME_EXCHANGE); False where it is not
    available. Renaming a file over another makes ext4 allocate and start writing the new
    file's blocks first (its `auto_da_alloc`): ~12 ms for the 42 MB `claims.json` of 10,000
    claims, inside the edit build. An exchange replaces it as atomically, without that."""
    renameat2 = _renameat2()
    return renameat2 is not None and renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(target),
                                               _RENAME_EXCHANGE) == 0


@functools.cache
def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (ImportError, OSError, AttributeError):  # a C library without it
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


def _commit(root: Path, output: Path, staging: Path, staged: list[str], entries: dict[str, Entry],
            before: dict[str, Entry], keep_replaced: bool = False) -> set[str]:
    """Move the staged files into the site and remove those it no longer has; return these."""
    if output.is_dir() and not any(output.iterdir()):
        output.rmdir()
    if not output.exists():  # a first build: the staging folder becomes the site, one rename
        output.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, output)
        return set()
    made: set[Path] = set()
    replaced = _replaced_folder(root, output)
    for rel in sorted(staged):
        target = output / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if keep_replaced and rel in feeds.EXPORTS and target.is_file():
            # The old export (tens of MB) keeps a name: replacing it then frees none of its
            # blocks in an edit build (~30 ms at 10,000 claims); the next build removes it.
            if _exchange(staging / rel, target):  # the old one is now in the staging folder
                with contextlib.suppress(OSError):
                    replaced.mkdir(exist_ok=True)
                    os.rename(staging / rel, replaced / rel)
                continue
            with contextlib.suppress(OSError):
                replaced.mkdir(exist_ok=True)
                os.link(target, replaced / rel)
        os.replace(staging / rel, target)
    # Files the site no longer has: those the last build made, and on a first
    # build anything else in the folder (it holds a previous site, checked above).
    candidates = before.keys() - entries.keys() if before else {
        p.relative_to(output).as_posix() for p in output.rglob("*")
        if p.is_file() and not p.relative_to(output).as_posix().startswith(("pagefind/",
                                                                              "pagefind-shards/"))}
    deleted = set()
    folders = set()
    for rel in sorted(candidates - entries.keys()):
        path = output / rel
        if path.is_file():
            path.unlink()
            deleted.add(rel)
            folders.add(path.parent)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return deleted
