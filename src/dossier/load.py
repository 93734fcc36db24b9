"""Load and validate a whole dossier: config, articles, entities, claim files.

The result is a `Dossier` of typed data plus every `Problem` found (all of
them, not just the first). Later stages (analyse, render) only ever see a
`Dossier`, never YAML.

Every problem points at the exact line and column of the offending key or
value, says what is wrong and, where it can, what would be right. The same
rules are published for editors as JSON Schema in `schema/`;
`tests/test_schema.py` proves the two agree on a corpus of good and bad files.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from . import claims as model
from .article import Article, Location, find_seeds, read_article
from .claims import Claim, Correction, Entity, Quantity, Source, Speaker
from .config import Config, read_config
from .errors import DossierError, Problem, did_you_mean
from .slugs import is_slug, slugify
from .store import YamlDocument, claim_ids_in, iter_claim_files, read_yaml

ENTITIES_FILE = "entities.yaml"
MAX_ID_LENGTH = 100
# Raw HTML in Markdown is shown as text, never rendered: say so, people may expect otherwise.
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_RAW_HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*[\s>/]|<!--")


@dataclass(frozen=True)
class Dossier:
    root: Path
    config: Config
    articles: dict[str, Article]  # slug -> article, in seed order
    claims: tuple[Claim, ...]  # article order, then position in the article
    entities: dict[str, Entity]
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def claims_of(self, article_slug: str) -> list[Claim]:
        return list(self._claims_by_article.get(article_slug, ()))

    @cached_property
    def _claims_by_article(self) -> dict[str, list[Claim]]:
        # Grouped once: a scan per article was quadratic in a big dossier.
        grouped: dict[str, list[Claim]] = {}
        for claim in self.claims:
            grouped.setdefault(claim.article, []).append(claim)
        return grouped


def load_dossier(root: Path, cache: str | None = None, visit=None, context: str | None = None,
                 prepare: Callable | None = None) -> Dossier:
    """Everything a build needs. Raises `DossierError` (with every problem) if any error was found.

    `cache`: None reads every claim file; "use" reuses the parse cache in
    `.dossier-cache/` for unchanged files and saves it; "refresh" reads every file
    and saves a fresh cache (`build --clean`). The result is the same either way.
    `visit`, `prepare`: see `load_claims` (the Dossier then has no claims; `visit` gets them).
    `context`: the parse cache's `context_key`, if the caller has it already.
    """
    problems: list[Problem] = []
    # A broken dossier.yaml still lets the rest be checked, against the default scale.
    config, config_problems = read_config(root)
    problems += config_problems

    articles: dict[str, Article] = {}
    try:
        seeds = find_seeds(root / "seeds")
    except DossierError as error:
        problems += [_relative(p, root) for p in error.problems]
        seeds = []
    for seed in seeds:
        shown = f"seeds/{seed.name}"
        try:
            article = read_article(seed, shown, language=config.language)
        except DossierError as error:
            problems += error.problems
            continue
        problems += article.warnings
        if not is_slug(article.slug):
            problems.append(Problem(shown, 1, 1, f"article slug '{article.slug}' must be lower-case"
                                    " letters, digits and hyphens", f"use slug: {slugify(article.slug)}"))
            continue
        if article.slug in articles:
            problems.append(Problem(shown, None, None, f"article slug '{article.slug}' is also the slug"
                                    f" of {articles[article.slug].path}", "give one of them another slug"))
            continue
        articles[article.slug] = article

    entities = load_entities(root, problems)
    claims = load_claims(root, config, articles, entities, problems, cache=cache, context=context,
                         visit=(lambda claims: visit(claims, config, articles, entities)) if visit else None,
                         prepare=prepare)
    problems.sort(key=problem_order)
    if any(p.severity == "error" for p in problems):
        raise DossierError(problems)
    return Dossier(root, config, articles, claims, entities, tuple(problems))


def prefetch(root: Path) -> None:
    """Have the kernel start reading the dossier's seeds and claim files into memory, in the
    order a full build reads them, from a short-lived process of its own while this one goes
    on (its first steps are one core's work).

    Where the files have left the page cache (the benchmark machine pages out what has been
    idle for a minute), the build's readers would otherwise wait on the disk file by file: at
    10,000 claims the load took 0.3-1.3 s longer from a cold cache. Only advice
    (`posix_fadvise`): nothing is read twice, and nothing fails if it cannot be given."""
    if not hasattr(os, "fork") or not hasattr(os, "posix_fadvise"):
        return
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:  # the child starts the one that works (so that nobody waits for it), and leaves
        try:
            if os.fork() == 0:
                _advise_reading(root)
        except BaseException:
            pass
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _advise_reading(root: Path) -> None:
    try:
        seeds = find_seeds(root / "seeds")
    except DossierError:
        seeds = []
    for path in (*seeds, *iter_claim_files(root)):  # the files, and the order, a build reads
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            os.posix_fadvise(handle, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(handle)


def _relative(problem: Problem, root: Path) -> Problem:
    try:
        path = Path(problem.path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return problem
    return Problem(path, problem.line, problem.column, problem.message, problem.hint, problem.severity)


def problem_order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.column or 0, problem.message)


# ---------------------------------------------------------------- typed reading


class _Reader:
    """Typed access to a YAML document that records problems instead of raising."""

    def __init__(self, doc: YamlDocument, problems: list[Problem]):
        self.doc, self.problems, self.failed = doc, problems, False

    def error(self, where: tuple, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.problems.append(self.doc.problem(where, message, hint))

    def warn(self, where: tuple, message: str, hint: str | None = None) -> None:
        self.problems.append(self.doc.problem(where, message, hint, severity="warning"))

    def get(self, data: dict, where: tuple, key: str, types: type | tuple, default: Any = None,
            required: bool = False) -> Any:
        if key not in data or data[key] is None:
            if required and key not in data:
                self.error(where, f"'{key}' is missing", f"add `{key}: ...`")
            elif required:
                self.error((*where, key), f"'{key}' is empty", f"fill in `{key}:`")
            return default
        value = data[key]
        wanted = types if isinstance(types, tuple) else (types,)
        if date in wanted:
            if isinstance(value, datetime):
                value = value.date()
            elif isinstance(value, str) and _ISO_DATE_RE.match(value):
                # A quoted date is still a date (editors following the JSON Schema quote them).
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    self.error((*where, key), f"'{value}' is not a real date",
                               "write dates as YYYY-MM-DD, e.g. 2025-06-17")
                    return default
        elif int in wanted and float not in wanted and isinstance(value, float) and value.is_integer():
            value = int(value)  # 3.0 is a whole number, as JSON Schema's "integer" says
        elif str in wanted and isinstance(value, date):
            # An unquoted 2025-06-04 where text is expected: YAML 1.2 (and editors) read it as text.
            value = value.isoformat()
        if isinstance(value, bool) and bool not in wanted:
            self.error((*where, key), f"'{key}' must be {_type_name(types)}, not true/false",
                       "put quotes around it: YAML reads yes/no/true/false/on/off as true or false"
                       if str in wanted else None)
            return default
        if not isinstance(value, types) or (isinstance(value, date) and date not in wanted):
            self.error((*where, key), f"'{key}' must be {_type_name(types)}, not {_describe(value)}",
                       _type_hint(value, wanted))
            return default
        if required and isinstance(value, str) and not value.strip():
            self.error((*where, key), f"'{key}' is empty", f"fill in `{key}:`")
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.error((*where, key), f"'{key}' must be a finite number, not {value}")
            return default
        return value

    def choice(self, data: dict, where: tuple, key: str, choices: tuple[str, ...], default: str,
               what: str | None = None, among: str | None = None) -> str:
        value = self.get(data, where, key, str, None)
        if value is None:
            return default
        if value not in choices:
            listed = f"({', '.join(choices)})"
            self.error((*where, key), f"{what or key} '{value}' is not "
                       + (f"in {among} {listed}" if among else f"one of {listed}"),
                       did_you_mean(value, choices))
            return default
        return value

    def keys(self, data: dict, where: tuple, allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error((*where, key, "<key>"), f"unknown {what} key '{key}'",
                           did_you_mean(str(key), allowed) or f"allowed: {', '.join(allowed)}")

    def markdown(self, data: dict, where: tuple, key: str) -> str:
        text = self.get(data, where, key, str, "")
        if text and _RAW_HTML_RE.search(text):
            self.warn((*where, key), f"'{key}' contains raw HTML, which is shown as plain text",
                      "write Markdown instead (e.g. **bold**, [link](https://...))")
        return text


def _as_text(value: Any) -> Any:
    """An unquoted date where text is expected is text, as YAML 1.2 and editors read it."""
    return value.isoformat() if isinstance(value, date) else value


def _type_name(types: type | tuple) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping", date: "a date (YYYY-MM-DD)"}
    if isinstance(types, tuple):
        return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types if t is not int or
                                         float not in types))
    return names.get(types, types.__name__)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value:g}"
    return f"{type(value).__name__} {value!r}"


def _type_hint(value: Any, wanted: tuple) -> str | None:
    if isinstance(value, str) and (int in wanted or float in wanted):
        try:
            float(value.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except ValueError:
            return "write a plain number, e.g. 6000 or 0.8"
        return "remove the quotes and spaces: numbers are written plain, e.g. 6000 or 0.8"
    if isinstance(value, str) and date in wanted:
        return "write dates as YYYY-MM-DD, e.g. 2025-06-17"
    if isinstance(value, (int, float, date)) and str in wanted:
        return "put quotes around it to make it text"
    if isinstance(value, (dict, list)) and str in wanted:
        return "put quotes around text that contains ': ' or starts with [ or {"
    if not isinstance(value, list) and list in wanted:
        return "write a list as [a, b] or one `- item` per line"
    return None


# ---------------------------------------------------------------- entities


def load_entities(root: Path, problems: list[Problem]) -> dict[str, Entity]:
    path = root / ENTITIES_FILE
    if not path.is_file():
        return {}
    try:
        doc = read_yaml(path, ENTITIES_FILE)
    except DossierError as error:
        problems += error.problems
        return {}
    return parse_entities(doc, problems)


def parse_entities(doc: YamlDocument, problems: list[Problem]) -> dict[str, Entity]:
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        problems.append(doc.problem((), "entities.yaml must map entity ids to {name, type, aliases}",
                                    "e.g. `koursk: {name: Koursk, type: place}`"))
        return {}
    entities: dict[str, Entity] = {}
    for entity_id, item in data.items():
        r = _Reader(doc, problems)
        where = (entity_id,)
        if not isinstance(entity_id, str) or not is_slug(entity_id):
            r.error((entity_id, "<key>"), f"entity id '{entity_id}' must be lower-case letters, digits"
                    " and hyphens", f"use {slugify(str(entity_id))}")
            continue
        if not isinstance(item, dict):
            r.error(where, f"entity '{entity_id}' must be a mapping {{name, type, aliases}}",
                    f"e.g. `{entity_id}: {{name: ..., type: person}}`")
            continue
        r.keys(item, where, ("name", "type", "aliases"), "entity")
        name = r.get(item, where, "name", str, entity_id, required=True)
        entity_type = r.choice(item, where, "type", model.ENTITY_TYPES, "", "entity type")
        if "type" not in item:
            r.error(where, f"entity '{entity_id}' has no type", f"add type: {' | '.join(model.ENTITY_TYPES)}")
        aliases = r.get(item, where, "aliases", list, [])
        aliases = [_as_text(alias) for alias in aliases]
        for index, alias in enumerate(aliases):
            if not isinstance(alias, str):
                r.error((*where, "aliases", index), f"an alias is a name (text), not {_describe(alias)}",
                        "put quotes around it")
        if r.failed:
            continue
        entities[entity_id] = Entity(entity_id, name, entity_type, tuple(aliases))  # type: ignore[arg-type]
    return entities


# ---------------------------------------------------------------- claims


# Below this many claim files to parse in a batch, starting worker processes costs more than
# it saves (the pool, once started, serves every later batch of the load).
PARALLEL_MIN_FILES = 500
# What a streaming load's workers inherit (they are forked): see `_read_folder`.
_SHARED: _Shared | None = None

# What reading one file gives: its shown path, the claim (None on errors), its problems, and
# each `related` reference with where it is written.
_FileResult = tuple[str, "Claim | None", list[Problem], list[tuple[Problem, str]]]


def read_claim_files(paths: list[Path], shared: tuple,
                     sibling_ids: set[str] | None = None) -> list[_FileResult]:
    """Parse and check claim files; `shared`: (root, config, articles, entities). `sibling_ids`:
    the claim ids of their folder, when they are all in one and the caller has listed it."""
    root, config, articles, entities = shared
    results: list[_FileResult] = []
    folders: dict[Path, set[str]] = {}  # folder -> its claim ids, listed once
    if paths and sibling_ids is not None:
        folders[paths[0].parent] = sibling_ids
    for path in paths:
        shown = path.relative_to(root).as_posix()
        problems: list[Problem] = []
        try:
            doc = read_yaml(path, shown)
        except DossierError as error:
            results.append((shown, None, error.problems, []))
            continue
        siblings = folders.get(path.parent)
        if siblings is None:
            siblings = folders[path.parent] = claim_ids_in(path.parent)
        refs: list[tuple[int, str]] = []
        claim = parse_claim(doc, config, articles, entities, problems, expected_id=path.stem,
                            expected_article=path.parent.name, sibling_ids=siblings, related_refs=refs)
        where = [(doc.problem(("related", index), ""), ref) for index, ref in refs] if claim else []
        id_problem = doc.problem(("id",), "") if claim else None
        results.append((shown, claim, problems + ([id_problem] if id_problem else []), where))
    return results


@dataclass(frozen=True)
class _Shared:
    """What reading a folder needs besides its files."""

    dossier: tuple  # (root, config, articles, entities): see `read_claim_files`
    cache: str | None  # the parse cache's mode: see `load_dossier`
    context: str | None  # the parse cache's context key
    prepare: Callable | None  # see `load_claims`


@dataclass(frozen=True)
class _FolderRead:
    """What the load keeps of one article folder of claim files."""

    problems: list[Problem]
    keys: dict[str, str]  # claim key -> its file (shown), for its valid claims
    related: list[tuple[str, Problem, str]]  # (claim key, where the reference is, the reference)
    claims: Any  # its valid claims in article order, or what `prepare` made of them


def _read_folder(files: list[Path], shared: _Shared) -> _FolderRead:
    """One article folder's claim files, read where the load runs them (a worker process of a
    big load): each file from the parse cache if it is unchanged (mode "use"), else parsed, and
    the cache saved again if a file was parsed; its valid claims checked for duplicate ids and
    sorted; and, with `prepare`, what the caller keeps of them made here, so that the claims
    themselves never travel back to the loading process."""
    from .parse_cache import ClaimCache, file_key, siblings_key

    root = shared.dossier[0]
    cache = ClaimCache(root, shared.context) if shared.cache else None
    # Keyed before they are read: a file saved again meanwhile keeps an old key, so the next
    # load reads it again instead of trusting a stale parse.
    ids = claim_ids_in(files[0].parent)  # listed once: the cache key and the parse both use it
    siblings = siblings_key(ids)
    rows = [(path, path.relative_to(root).as_posix(), file_key(path)) for path in files]
    results: dict[Path, _FileResult | None] = {
        path: cache.get(shown, key, siblings) if cache is not None and shared.cache == "use" else None
        for path, shown, key in rows}
    missing = [path for path in files if results[path] is None]
    if missing:
        results.update(zip(missing, read_claim_files(missing, shared.dossier, ids), strict=True))
        if cache is not None:
            cache.save({shown: (key, siblings, results[path]) for path, shown, key in rows
                        if key is not None})
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    mine: list[Claim] = []
    related: list[tuple[str, Problem, str]] = []
    for path in files:
        shown, claim, file_problems, refs = results[path]  # type: ignore[misc]
        if claim is None:
            problems += file_problems
            continue
        *file_problems, id_position = file_problems
        problems += file_problems
        if claim.key in seen:  # a claim's article is its folder: keys of other folders differ
            problems.append(replace(id_position, message=f"duplicate claim id '{claim.id}'",
                                    hint=f"also used by {seen[claim.key]}; ids must be unique"))
            continue
        seen[claim.key] = shown
        mine.append(claim)
        related += [(claim.key, where, ref) for where, ref in refs]
    mine.sort(key=lambda c: (c.location.line, c.location.start, c.id))
    return _FolderRead(problems, seen, related,
                       shared.prepare(mine, *shared.dossier[1:]) if shared.prepare else mine)


def _read_chunk(folders: list[list[Path]]) -> list[_FolderRead]:
    """`_read_folder` of each folder, in a worker process."""
    assert _SHARED is not None
    return [_read_folder(files, _SHARED) for files in folders]


READ_BATCH_FILES = 2000  # claim files read (and held) at once by a streaming load


class _ReaderPool:
    """Worker processes for reading folders, started once per load and only if there is enough to read."""

    def __init__(self, shared: _Shared):
        self.shared = shared
        self.pool = None

    def start(self, folders: list[list[Path]]) -> Callable[[], list[_FolderRead]]:
        """Start reading `folders`; the function returned gives their results, once read."""
        import multiprocessing

        global _SHARED
        workers = min(os.cpu_count() or 1, 8)
        files = sum(len(f) for f in folders)
        if files < PARALLEL_MIN_FILES or workers < 2 or not hasattr(os, "fork"):
            # Read when asked: one batch held.
            return lambda: [_read_folder(f, self.shared) for f in folders]
        if self.pool is None:
            _SHARED = self.shared
            self.pool = multiprocessing.get_context("fork").Pool(workers)
        # Whole folders, a few chunks per worker (evens out slow ones).
        size, chunks, count = -(-files // (workers * 4)), [[]], 0
        for folder in folders:
            if count >= size:
                chunks.append([])
                count = 0
            chunks[-1].append(folder)
            count += len(folder)
        pending = self.pool.map_async(_read_chunk, chunks)
        return lambda: [read for chunk in pending.get() for read in chunk]

    def close(self, abort: bool = False) -> None:
        """Stop the workers: once they finish (or at once, dropping a batch read ahead, when
        the load is abandoned)."""
        global _SHARED
        if self.pool is not None:
            if abort:
                self.pool.terminate()
            else:
                self.pool.close()
            self.pool.join()
            self.pool = None
        _SHARED = None


def _read_folders(root: Path, folders: list[list[Path]], shared: tuple, mode: str | None,
                  context: str | None = None, prepare: Callable | None = None):
    """`_read_folder` of each folder, in the order given, reading a batch of folders at a time
    (in parallel when there are many): the workers read the next batch while the caller takes
    in this one."""
    from .parse_cache import context_key

    reader = _ReaderPool(_Shared(shared, mode, (context or context_key(root)) if mode else None, prepare))

    def batches():
        batch: list[list[Path]] = []
        count = 0
        for index, files in enumerate(folders):
            batch.append(files)
            count += len(files)
            if count >= READ_BATCH_FILES or index + 1 == len(folders):
                yield batch
                batch, count = [], 0

    try:
        pending = None
        for batch in batches():
            started = reader.start(batch)
            if pending is not None:
                yield from pending()
            pending = started
        if pending is not None:
            yield from pending()
    except BaseException:  # an error, or the caller stopped reading: no wait for the batch ahead
        reader.close(abort=True)
        raise
    reader.close()


def load_claims(root: Path, config: Config, articles: dict[str, Article],
                entities: dict[str, Entity], problems: list[Problem],
                cache: str | None = None, visit=None, context: str | None = None,
                prepare: Callable | None = None) -> tuple[Claim, ...]:
    """Every valid claim, in site order (articles in seed order, then position).

    With `visit`, claims are not kept: `visit(claims)` gets each article folder's
    valid claims in site order, and the result is empty (a big build holds one
    batch of claim files at a time). With `prepare` too, `visit` gets instead what
    `prepare(claims, config, articles, entities)` made of them, where they were read
    (in a worker process of a big load: only that comes back).
    """
    loaded: list[Claim] = []
    keys: set[str] = set()
    related_refs: list[tuple[str, Problem, str]] = []  # the claim, where its reference is, the reference
    files = list(iter_claim_files(root))
    base = root / "claims"
    if base.is_dir():  # a claim file put straight into claims/ would otherwise be silently ignored
        for stray in sorted(base.glob("*.y*ml")):
            problems.append(Problem(f"claims/{stray.name}", None, None,
                                    "a claim file outside an article folder is ignored",
                                    "move it to claims/<article>/ (the article's slug)", "warning"))
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent, []).append(path)
    order = {slug: i for i, slug in enumerate(articles)}
    # A claim's article is its folder's name (anything else is an error): folders in site order.
    folders = sorted(by_folder, key=lambda f: (order.get(f.name, len(order)), f.name))
    shared = (root, config, articles, entities)
    for read in _read_folders(root, [by_folder[f] for f in folders], shared, cache, context,
                              prepare if visit is not None else None):
        problems += read.problems
        keys.update(read.keys)
        related_refs += read.related
        if visit is not None:
            visit(read.claims)
        else:
            loaded += read.claims
    for key, where, ref in related_refs:
        if ref not in keys:
            # Same-article references are shown (and suggested) as plain ids, as people write them.
            prefix = f"{key.partition('/')[0]}/"
            shown = ref.removeprefix(prefix)
            candidates = [k.removeprefix(prefix) for k in keys]
            problems.append(replace(where, message=f"related claim '{shown}' does not exist",
                                    hint=did_you_mean(shown, candidates) or "use the id of a claim file,"
                                    " or article/id for a claim of another article"))
        elif ref == key:
            problems.append(replace(where, message="a claim cannot be related to itself", severity="warning"))
    return tuple(loaded)


def parse_claim(doc: YamlDocument, config: Config, articles: dict[str, Article],
                entities: dict[str, Entity], problems: list[Problem],
                expected_id: str | None = None, expected_article: str | None = None,
                sibling_ids: set[str] | None = None,
                related_refs: list[tuple[int, str]] | None = None) -> Claim | None:
    """One claim file as a `Claim`, or None when it has errors (all appended to `problems`).

    `related_refs` collects (index, "article/id") of each `related` entry so the
    caller can check them once every claim is known.
    """
    data = doc.data
    if data is None:
        problems.append(doc.problem((), "empty claim file", "delete it, or fill in the claim"))
        return None
    if not isinstance(data, dict):
        problems.append(doc.problem((), f"a claim file must be a mapping of fields, not {_describe(data)}",
                                    "start with `id: ...` on the first line"))
        return None
    r = _Reader(doc, problems)
    r.keys(data, (), model.ALL_FIELDS, "claim")

    claim_id = r.get(data, (), "id", str, "", required=True)
    if claim_id and (not is_slug(claim_id) or len(claim_id) > MAX_ID_LENGTH):
        suggestion = slugify(claim_id, max_length=MAX_ID_LENGTH)
        r.error(("id",), f"id '{claim_id[:MAX_ID_LENGTH]}' must be lower-case letters, digits and"
                f" hyphens, at most {MAX_ID_LENGTH} characters",
                f"e.g. id: {expected_id if expected_id and is_slug(expected_id) else suggestion}")
    elif claim_id and expected_id and claim_id != expected_id:
        if sibling_ids and claim_id in sibling_ids:
            r.error(("id",), f"duplicate claim id '{claim_id}': {claim_id}.yaml already has it",
                    f"set id: {expected_id}")
        else:
            r.error(("id",), f"id '{claim_id}' differs from the file name '{expected_id}.yaml'",
                    f"set id: {expected_id}, or rename the file to {claim_id}.yaml")
    if expected_id is not None and not is_slug(expected_id):
        r.error((), f"file name '{expected_id}' is not a valid claim id",
                f"rename it to {slugify(expected_id)}.yaml (lower-case letters, digits, hyphens)")

    article_id = r.get(data, (), "article", str, "", required=True)
    article = articles.get(article_id)
    if article_id and expected_article and article_id != expected_article:
        r.error(("article",), f"article '{article_id}' differs from the folder '{expected_article}'",
                f"set article: {expected_article}, or move the file to claims/{article_id}/")
    elif article_id and article is None:
        r.error(("article",), f"article '{article_id}' is not in seeds/",
                did_you_mean(article_id, articles) or "the seed it came from is missing")

    text = r.get(data, (), "text", str, "", required=True)
    location = _location(r, data, article, text)
    kind = r.choice(data, (), "kind", model.KINDS, "event")
    checkworthy = r.get(data, (), "checkworthy", bool, True)
    score = r.get(data, (), "checkworthiness", (int, float), 0.0)
    if not 0 <= score <= 1:
        r.error(("checkworthiness",), f"checkworthiness must be between 0 and 1, not {score:g}",
                "e.g. 0.8")
    quantities = _quantities(r, data)
    speaker = _speaker(r, data, entities)
    verb = r.get(data, (), "verb", str)
    modality = r.choice(data, (), "modality", model.MODALITIES, "asserted")
    entity_ids = []
    for index, entity_id in enumerate(r.get(data, (), "entities", list, [])):
        entity_id = _as_text(entity_id)
        if not isinstance(entity_id, str):
            r.error(("entities", index), f"an entity reference is an id (text), not {_describe(entity_id)}")
        elif entity_id not in entities:
            r.error(("entities", index), f"entity '{entity_id}' is not in entities.yaml",
                    did_you_mean(entity_id, entities) or "add it to entities.yaml")
        else:
            entity_ids.append(entity_id)

    if isinstance(data.get("verdict"), bool):
        # YAML reads an unquoted `verdict: false` as a boolean; the scale's ids are text.
        data = {**data, "verdict": "true" if data["verdict"] else "false"}
    verdict = r.choice(data, (), "verdict", config.verdict_ids, model.DEFAULT_VERDICT, among="the scale")
    confidence = r.choice(data, (), "confidence", model.CONFIDENCES, "low")
    confidence_note = r.markdown(data, (), "confidence_note")
    sources = _sources(r, data)
    notes = r.markdown(data, (), "notes")
    corrections = _corrections(r, data)
    related = []
    for index, ref in enumerate(r.get(data, (), "related", list, [])):
        ref = _as_text(ref)
        parts = ref.split("/") if isinstance(ref, str) else []
        if not parts or len(parts) > 2 or not all(is_slug(part) for part in parts):
            r.error(("related", index), f"a related claim is a claim id or article/id, not {_describe(ref)}",
                    "e.g. related: [engineers-6000]")
            continue
        key = ref if "/" in ref else f"{article_id}/{ref}"
        related.append(key)
        if related_refs is not None:
            related_refs.append((index, key))
    rated = config.verdict(verdict)
    if rated is not None and rated.rating is not None and not sources:
        r.warn(("verdict",), f"verdict '{verdict}' has no source",
               "add the evidence under `sources:`, or keep the claim unverified")
    if r.failed:
        return None
    return Claim(
        id=claim_id, article=article_id, text=text, location=location, kind=kind,  # type: ignore[arg-type]
        checkworthy=checkworthy, checkworthiness=float(score), quantities=tuple(quantities),
        speaker=speaker, verb=verb, modality=modality, entities=tuple(entity_ids),  # type: ignore[arg-type]
        verdict=verdict, confidence=confidence, confidence_note=confidence_note,  # type: ignore[arg-type]
        sources=tuple(sources), notes=notes, corrections=tuple(corrections),
        related=tuple(related), path=doc.path,
    )


def _location(r: _Reader, data: dict, article: Article | None, text: str) -> Location:
    where = ("location",)
    raw = r.get(data, (), "location", dict, None, required=True)
    if raw is None:
        return Location(1, 0, 0)
    r.keys(raw, where, ("line", "start", "end", "end_line"), "location")
    numbers = {}
    for key in ("line", "start", "end", "end_line"):
        value = r.get(raw, where, key, int, None, required=key != "end_line")
        if value is not None and value < (1 if "line" in key else 0):
            r.error((*where, key), f"location {key} must be {'1' if 'line' in key else '0'} or more,"
                    f" not {value}")
            value = None
        numbers[key] = value
    line, start, end, end_line = (numbers[k] for k in ("line", "start", "end", "end_line"))
    if None in (line, start, end):
        return Location(1, 0, 0)
    location = Location(line, start, end, end_line)
    if end_line is not None and end_line < line:
        r.error((*where, "end_line"), f"end_line {end_line} is before line {line}")
        return location
    if (end_line is None or end_line == line) and end < start:
        r.error((*where, "end"), f"end {end} is before start {start}")
        return location
    if article is None or not text:
        return location
    lines = article.lines
    last_line = end_line or line
    if line > len(lines) or last_line > len(lines):
        bad = "line" if line > len(lines) else "end_line"
        r.error((*where, bad), f"{bad} {numbers[bad]} is past the end of the article ({len(lines)} lines)",
                _where_is(article, text))
    elif start > len(lines[line - 1]):
        r.error((*where, "start"), f"start {start} is past the end of line {line}"
                f" ({len(lines[line - 1])} characters)", _where_is(article, text))
    elif end > len(lines[last_line - 1]):
        r.error((*where, "end"), f"end {end} is past the end of line {last_line}"
                f" ({len(lines[last_line - 1])} characters)", _where_is(article, text))
    elif article.text_at(location) != text:
        found = _find(article, text)
        if found is None:
            r.error(("text",), "this text is no longer found in the article",
                    "restore the article's exact words, or delete this claim file")
        else:
            r.error(where, "location does not point at the claim's text", _where_is(article, text))
    return location


def _where_is(article: Article, text: str) -> str | None:
    found = _find(article, text)
    if found is None:
        return None
    where = f"line: {found.line}, start: {found.start}, end: {found.end}"
    if found.end_line is not None:
        where += f", end_line: {found.end_line}"
    return f"the text is at {{{where}}}"


def _find(article: Article, text: str) -> Location | None:
    for block in article.blocks:
        index = block.text.find(text)
        if index >= 0:
            return block.location(index, index + len(text))
    return None


_QUANTITY_KEYS = ("surface", "qualifier", "value", "low", "high", "of", "numerator", "denominator",
                  "unit", "counts", "topic", "modality")
_QUANTITY_NEEDS = {"exact": ("value",), "at_least": ("value",), "at_most": ("value",),
                   "approx": ("value",), "range": ("low", "high"), "ratio": ("value", "of"),
                   "fraction": ("numerator", "denominator")}


def _quantities(r: _Reader, data: dict) -> list[Quantity]:
    result = []
    for index, item in enumerate(r.get(data, (), "quantities", list, [])):
        where = ("quantities", index)
        if not isinstance(item, dict):
            r.error(where, "a quantity is a mapping {surface, qualifier, value, ...},"
                    f" not {_describe(item)}")
            continue
        r.keys(item, where, _QUANTITY_KEYS, "quantity")
        qualifier = r.choice(item, where, "qualifier", model.QUALIFIERS, "exact")
        if item.get("qualifier") is None:
            r.error(where, "a quantity needs a qualifier", f"one of {', '.join(model.QUALIFIERS)}")
        numbers = {k: r.get(item, where, k, (int, float)) for k in ("value", "low", "high", "of")}
        fraction = {k: r.get(item, where, k, int) for k in ("numerator", "denominator")}
        for key in _QUANTITY_NEEDS[qualifier]:
            if item.get(key) is None:
                r.error(where, f"a '{qualifier}' quantity needs '{key}'")
        if numbers["low"] is not None and numbers["high"] is not None and numbers["low"] > numbers["high"]:
            r.error((*where, "low"), f"low {numbers['low']:g} is more than high {numbers['high']:g}")
        if fraction["denominator"] == 0:
            r.error((*where, "denominator"), "denominator cannot be 0")
        modality = r.choice(item, where, "modality", model.QUANTITY_MODALITIES, "") or None
        result.append(Quantity(
            surface=r.get(item, where, "surface", str, ""), qualifier=qualifier,  # type: ignore[arg-type]
            **numbers, **fraction, unit=r.get(item, where, "unit", str),
            counts=r.get(item, where, "counts", str), topic=r.get(item, where, "topic", str),
            modality=modality,
        ))
    return result


def _speaker(r: _Reader, data: dict, entities: dict[str, Entity]) -> Speaker | None:
    raw = _as_text(data.get("speaker"))
    if raw is None:
        return None
    if isinstance(raw, str):
        return Speaker(raw)
    if not isinstance(raw, dict):
        r.error(("speaker",), "speaker must be a name or a mapping {name, kind, entity},"
                f" not {_describe(raw)}")
        return None
    where = ("speaker",)
    r.keys(raw, where, ("name", "kind", "entity"), "speaker")
    name = r.get(raw, where, "name", str, "", required=True)
    kind = r.choice(raw, where, "kind", model.SPEAKER_KINDS, "unknown", "speaker kind")
    entity = r.get(raw, where, "entity", str)
    if entity is not None and entity not in entities:
        r.error((*where, "entity"), f"entity '{entity}' is not in entities.yaml",
                did_you_mean(entity, entities) or "add it to entities.yaml")
    return Speaker(name, kind, entity)  # type: ignore[arg-type]


# scheme, host (no user:password@), optional port, then anything without whitespace
_URL_RE = re.compile(r"^https?://([^\s/?#@:\\]+)(?::([0-9]{1,5}))?(?:[/?#]\S*)?$", re.IGNORECASE)


def check_url(r: _Reader, where: tuple, url: Any) -> str | None:
    """An http(s) URL with a host and no whitespace; anything else (javascript:, data:...) is refused."""
    if not isinstance(url, str) or not url.strip():
        r.error(where, "the URL is missing" if url is None else f"a URL must be text, not {_describe(url)}",
                "e.g. url: https://example.org/page")
        return None
    value = url.strip()
    match = _URL_RE.match(value)
    if match is not None:
        host, port = match.groups()
        if ("." in host or host.lower() == "localhost") and not host.startswith(".") and \
                (port is None or int(port) < 65536):
            return value
    shown = value if len(value) <= 80 else value[:77] + "..."
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in ("http", "https"):
        hint = ("only http:// and https:// links are published" if scheme and "." not in scheme
                else f"add the scheme: https://{value}")
        r.error(where, f"'{shown}' is not an http(s) URL", hint)
    else:
        r.error(where, f"'{shown}' is not a well-formed URL",
                "a URL has no spaces and names a host, e.g. https://example.org/page")
    return None


_SOURCE_KEYS = ("url", "title", "publisher", "date", "stance", "archived", "quote")


def _sources(r: _Reader, data: dict) -> list[Source]:
    result = []
    for index, item in enumerate(r.get(data, (), "sources", list, [])):
        where = ("sources", index)
        if not isinstance(item, dict):
            r.error(where, f"a source is a mapping {{url, title, publisher, date, stance, ...}},"
                    f" not {_describe(item)}", "e.g. - {url: https://..., stance: supports}")
            continue
        r.keys(item, where, _SOURCE_KEYS, "source")
        url = check_url(r, (*where, "url") if "url" in item else where, item.get("url"))
        archived = item.get("archived")
        if archived is not None:
            archived = check_url(r, (*where, "archived"), archived)
        stance = r.choice(item, where, "stance", model.STANCES, "context", "stance")
        if item.get("stance") is None:
            r.error(where, "a source needs a stance", "add stance: supports, contradicts or context")
        when = r.get(item, where, "date", date)
        if when is not None and when > date.today():
            r.warn((*where, "date"), f"source date {when.isoformat()} is in the future")
        result.append(Source(url or "", stance, r.get(item, where, "title", str),  # type: ignore[arg-type]
                             r.get(item, where, "publisher", str), when, archived,
                             r.get(item, where, "quote", str)))
    return result


def _corrections(r: _Reader, data: dict) -> list[Correction]:
    result = []
    for index, item in enumerate(r.get(data, (), "corrections", list, [])):
        where = ("corrections", index)
        if not isinstance(item, dict):
            r.error(where, f"a correction is a mapping {{date, text}}, not {_describe(item)}",
                    "e.g. - {date: 2025-06-17, text: What changed and why}")
            continue
        r.keys(item, where, ("date", "text"), "correction")
        when = r.get(item, where, "date", date, required=True)
        text = r.get(item, where, "text", str, "", required=True)
        if when is not None:
            result.append(Correction(when, text))
    return result
