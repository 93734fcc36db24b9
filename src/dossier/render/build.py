"""`dossier build`: load, analyse, plan the pages, render what changed, check, commit.

Read top to bottom, this is the whole build:

1. `load_dossier` + `analyse` (bad input stops here, with every problem);
2. `plan_site`: every page, its template and its data;
3. fingerprint each output (data + templates it uses + settings + code) and
   render only those whose fingerprint differs from the last build, in
   parallel for big builds; each rendered page is compared with the file on
   disk and staged only if its bytes differ;
4. check every internal link and anchor of the whole site (cached scans for
   pages not rendered again): a broken one fails the build;
5. commit: move the staged files into `site/`, delete files no longer made,
   rebuild the search index if a page changed, save the cache.

Nothing touches `site/` before step 5, so a failed build leaves the previous
site exactly as it was. A build with nothing changed writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import posixpath
import re
import shutil
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..errors import DossierError, Problem
from ..slugs import is_slug
from . import feeds
from .cache import CACHE_DIR, BuildCache, Entry, digest
from .links import check_links, scan
from .pages import Page, plan_site

PARALLEL_MIN_PAGES = 400  # below this, starting processes costs more than it saves
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

    def summary(self) -> str:
        return (f"{self.output}: {self.pages} pages, {self.rendered} rendered, {self.written} files"
                f" written, {self.deleted} removed, in {self.seconds:.2f} s")


def build_site(root: Path, output: Path | None = None, strict: bool = False,
               clean: bool = False, search: bool | None = None) -> BuildReport:
    """See `_build_site`; this wrapper only tunes the garbage collector around it.

    A build holds millions of small, long-lived objects (claims, page data); the
    collector's full passes over them cost seconds at 10,000 claims and free
    nothing. Objects are frozen out of its way once loaded, and passes are rarer.
    """
    import gc

    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        return _build_site(root, output, strict, clean, search)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _build_site(root: Path, output: Path | None = None, strict: bool = False,
                clean: bool = False, search: bool | None = None) -> BuildReport:
    """Build the site of the dossier at `root` into `output` (default `root/site`).

    `search` overrides `search:` of dossier.yaml (False: no Pagefind index, e.g.
    for quick previews; Pagefind re-indexes the whole site whenever a page changes).

    Raises `DossierError` (and leaves `output` untouched) on bad input, a
    template error, a broken internal link, or any warning under `strict`.
    """
    from ..analyse import analyse
    from ..load import load_dossier
    from .environment import make_environment, template_fingerprints

    started = time.perf_counter()
    timings: list[tuple[str, float]] = []

    def phase(name: str) -> None:
        timings.append((name, round(time.perf_counter() - started - sum(t for _, t in timings), 4)))

    root = Path(root).resolve()
    output = (Path(output) if output else root / "site").resolve()
    from . import noop
    from .environment import THEME_DIR

    settings_key = noop.settings_key(output, strict, search)
    if not clean:
        last = noop.check(root, output, THEME_DIR, settings_key)
        if last is not None:
            phase("noop")
            pages, problems_before = last
            return BuildReport(output, problems_before, pages, 0, 0, 0, time.perf_counter() - started,
                               tuple(timings))
    noop.forget(root, output)  # until this build succeeds, the site is not known to be up to date
    inputs = noop.input_state(root, THEME_DIR)
    dossier = load_dossier(root, cache="refresh" if clean else "use")
    phase("load")
    import gc

    gc.freeze()  # the loaded dossier lives as long as the build: never scan it again
    findings = analyse(dossier)
    phase("analyse")
    config = dossier.config
    if search is not None and search != config.search:
        config = dataclasses.replace(config, search=search)
        dossier = dataclasses.replace(dossier, config=config)
    problems = list(dossier.problems) + _config_warnings(config)
    if any(p.severity == "error" for p in problems):
        raise DossierError(problems)
    if strict and problems:
        raise DossierError([*problems, Problem(
            "dossier.yaml", None, None,
            f"--strict: {len(problems)} warning{'s' * (len(problems) != 1)} fail the build",
            "fix them, or build without --strict")])

    bytecode = root / CACHE_DIR / "templates"
    bytecode.mkdir(parents=True, exist_ok=True)
    env = make_environment(root, config.language, bytecode)
    plan = plan_site(dossier, findings)
    env.globals.update(_site_globals(config, plan))
    template_fps = template_fingerprints(env)
    gc.freeze()
    phase("plan")
    code = _code_version()
    settings = _fingerprint(code, config, plan.built)
    cache = BuildCache.load(root, output, code)
    previous = {} if clean else cache.entries
    _check_output_folder(output, cache.entries)

    staging = output.parent / f".{output.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        entries: dict[str, Entry] = {}
        # --- pages
        seen: set[str] = set()
        for page in plan.pages:
            if page.path in seen:
                raise DossierError(Problem(page.path, None, None, "two pages would share this file",
                                           "rename one of the ids or slugs that name it"))
            seen.add(page.path)
        for page in plan.pages:
            if posixpath.normpath(page.path) != page.path or page.path.startswith(("/", "../")):
                raise DossierError(Problem(page.path, None, None, "page path leaves the site folder",
                                           "ids and slugs must be lower-case letters, digits, hyphens"))
            if page.template not in template_fps:
                raise DossierError(Problem(f"templates/{page.template}", None, None,
                                           "template not found",
                                           "it is part of the theme: restore it, or override it"))
            page.fingerprint = _fingerprint(settings, template_fps[page.template], page.path,
                                            page.title, page.description, page.context)
        todo = [p for p in plan.pages
                if previous.get(p.path) is None or previous[p.path].fingerprint != p.fingerprint
                or not (output / p.path).is_file()]
        phase("fingerprint")
        results, render_problems = _render_all(env, todo, output, staging)
        phase("render")
        if render_problems:
            raise DossierError(render_problems)
        staged = [r[0] for r in results if r[2]]
        by_path = {p.path: p for p in plan.pages}
        # Links repeat across pages: one shared string each, not one per page (memory).
        fresh = {r[0]: Entry(by_path[r[0]].fingerprint, r[1], [sys.intern(x) for x in r[3]],
                             [sys.intern(x) for x in r[4]]) for r in results}
        for page in plan.pages:
            entries[page.path] = fresh.get(page.path) or previous[page.path]

        # --- exports and static files: made only when something they show changed
        outputs_fp = _fingerprint(settings, [p.fingerprint for p in plan.pages],
                                  [f.__dict__ for f in findings])
        for path, make in _exports(dossier, plan, findings, root).items():
            fp = _fingerprint(outputs_fp, path) if not path.startswith(STATIC_DIR) else make[0]
            old = previous.get(path)
            if old is not None and old.fingerprint == fp and (output / path).is_file():
                entries[path] = old
                continue
            data = make[1]() if callable(make[1]) else make[1]
            if isinstance(data, bytes):
                entries[path] = Entry(fp, digest(data))
                changed = _stage(output, staging, path, data)
            else:
                changed, entry_digest = _stage_stream(output, staging, path, data)
                entries[path] = Entry(fp, entry_digest)
            if changed:
                staged.append(path)

        phase("exports")
        # --- the whole site's links, before anything is committed
        scans = {p.path: (entries[p.path].links, entries[p.path].ids) for p in plan.pages}
        known = set(entries)
        if config.search:
            known |= {"pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css"}
        # The links of a page not rendered again are still good when no file came or
        # went and no rendered page lost an id: then only rendered pages are checked.
        rendered = {r[0] for r in results}
        unchanged_ids = all(previous[p].ids == entries[p].ids for p in rendered if p in previous)
        only = rendered if previous and set(previous) == set(entries) and unchanged_ids else None
        link_problems = check_links(scans, known, only)
        if link_problems:
            raise DossierError(link_problems)

        # --- commit
        phase("links")
        deleted = _commit(output, staging, staged, entries, {} if clean else cache.entries)
        written = len(staged)
        phase("commit")
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    if config.search:
        from .search import build_index, shard_fingerprints

        digests = {path: entry.digest for path, entry in entries.items()}
        wanted = shard_fingerprints(plan.search_shards, digests, config.language)
        try:
            done = json.loads(cache.search) if cache.search else {}
        except ValueError:
            done = {}
        done = build_index(output, config.language, plan.search_shards, wanted,
                           done if isinstance(done, dict) else {})
        cache.search = json.dumps(done, sort_keys=True)
    else:
        for folder in ("pagefind", "pagefind-shards"):
            if (output / folder).exists():
                shutil.rmtree(output / folder)
        cache.search = ""
    phase("search")
    cache.entries = entries
    cache.save()
    noop.save(root, output, THEME_DIR, settings_key, inputs, {p: e.digest for p, e in entries.items()},
              len(plan.pages), tuple(problems))
    phase("cache")
    return BuildReport(output, tuple(problems), len(plan.pages), len(todo), written, deleted,
                       time.perf_counter() - started, tuple(timings))


# ---------------------------------------------------------------- fingerprints

def _fingerprint(*parts: object) -> str:
    """A hash of plain data and dataclasses. Pickle serialises every field (in C, ~2x
    faster than JSON here); it can only err towards re-rendering, never towards
    keeping a stale page, because equal hashes need equal content."""
    return hashlib.sha256(pickle.dumps(parts, protocol=5)).hexdigest()[:32]


def _code_version() -> str:
    """The render code itself: a new version of dossier re-renders everything."""
    digest_ = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        digest_.update(path.name.encode() + path.read_bytes())
    return digest_.hexdigest()[:16]


# ---------------------------------------------------------------- rendering

_STATE: tuple = ()


def _site_globals(config, plan) -> dict:
    labels = {v.id: v.label.get(config.language) or v.label.get("en") or v.id for v in config.verdicts}
    from . import jsonld
    from .pages import verdict_path

    def claim_jsonld(claim, article, page_url):
        return jsonld.for_claim(claim, article, config, page_url)

    return {"config": config, "verdicts": {v.id: v for v in config.verdicts}, "built": plan.built,
            "claim_jsonld": claim_jsonld,
            "verdict_labels": labels, "verdict_pages": {v.id: verdict_path(v.id) for v in config.verdicts}}


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
    env, pages, output, staging = _STATE
    results = []
    for index in indexes:
        page = pages[index]
        try:
            html = _render_page(env, page)
        except Exception as error:  # any template failure becomes a Problem
            results.append(("problem", _template_problem(error, page)))
            continue
        changed = _stage(output, staging, page.path, html)
        links, ids = scan(html)
        results.append((page.path, digest(html), changed, links, ids))
    return results


def _render_all(env, pages: list[Page], output: Path, staging: Path):
    global _STATE
    _STATE = (env, pages, output, staging)
    indexes = list(range(len(pages)))
    workers = min(os.cpu_count() or 1, 8)
    if len(pages) >= PARALLEL_MIN_PAGES and workers > 1 and hasattr(os, "fork"):
        import multiprocessing

        for name in sorted({p.template for p in pages}):
            env.get_template(name)  # compiled once, inherited by every worker
        size = max(16, len(pages) // (workers * 8))
        chunks = [indexes[i : i + size] for i in range(0, len(indexes), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_chunk, chunks)
        flat = [r for part in parts for r in part]
    else:
        flat = _render_chunk(indexes)
    _STATE = ()
    problems = [r[1] for r in flat if r[0] == "problem"]
    # One report per template problem, not one per page that hit it.
    unique = list(dict.fromkeys((p.path, p.line, p.message) for p in problems))
    reported = [next(p for p in problems if (p.path, p.line, p.message) == u) for u in unique]
    return [r for r in flat if r[0] != "problem"], reported


def _stage(output: Path, staging: Path, path: str, data: bytes) -> bool:
    """Put `data` in the staging folder unless `output/path` already holds exactly it."""
    try:
        if (output / path).read_bytes() == data:
            return False
    except OSError:
        pass
    target = staging / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def _stage_stream(output: Path, staging: Path, path: str, chunks) -> tuple[bool, str]:
    """`_stage` for a big file made in pieces: never the whole file in memory."""
    target = staging / path
    target.parent.mkdir(parents=True, exist_ok=True)
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

def _exports(dossier, plan, findings, root: Path) -> dict[str, tuple]:
    """Output path -> (fingerprint or None, bytes or a function making them)."""
    from .environment import THEME_DIR, user_template_dir

    made: dict[str, tuple] = {
        "feed.xml": (None, lambda: feeds.atom_feed(dossier, plan)),
        "claims.json": (None, lambda: feeds.claims_json(dossier, plan)),
        "claims.csv": (None, lambda: feeds.claims_csv(dossier, plan)),
        "findings.json": (None, lambda: feeds.findings_json(findings)),
    }
    for name, data in feeds.sitemaps(dossier.config.base_url, plan.pages).items():
        made[name] = (None, data)
    static: dict[str, bytes] = {}
    for base in (THEME_DIR / STATIC_DIR, user_template_dir(root) / STATIC_DIR):
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    static[f"{STATIC_DIR}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    static[f"{STATIC_DIR}/verdicts.css"] = _verdict_css(dossier.config)
    for path, data in sorted(static.items()):
        made[path] = (digest(data), data)
    return made


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


def _commit(output: Path, staging: Path, staged: list[str], entries: dict[str, Entry],
            before: dict[str, Entry]) -> int:
    output.mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    for rel in sorted(staged):
        target = output / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.replace(staging / rel, target)
    # Files the site no longer has: those the last build made, and on a first
    # build anything else in the folder (it holds a previous site, checked above).
    candidates = set(before) - set(entries) if before else {
        p.relative_to(output).as_posix() for p in output.rglob("*")
        if p.is_file() and not p.relative_to(output).as_posix().startswith(("pagefind/",
                                                                              "pagefind-shards/"))}
    deleted = 0
    folders = set()
    for rel in sorted(candidates - set(entries)):
        path = output / rel
        if path.is_file():
            path.unlink()
            deleted += 1
            folders.add(path.parent)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return deleted
