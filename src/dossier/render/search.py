"""Static full-text search with Pagefind, built with the site.

Pagefind indexes the written HTML (only what templates mark `data-pagefind-body`).
A big dossier is indexed in shards of about `SHARD_PAGES` pages (whole articles
with their claims): each shard is one Pagefind run with bounded memory, only the
shards whose pages changed are indexed again, and the search page merges them
(Pagefind's `mergeIndex`). The first shard lives in `site/pagefind/`, the others
in `site/pagefind-shards/<n>/`. Each run writes to a staging folder whose changed
files then replace the old ones (a delta, not a rewrite). Search is an extra:
every page reads without JavaScript.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from ..errors import DossierError, Problem

SEARCH_DIR = "pagefind"
SHARDS_DIR = "pagefind-shards"
# Small enough that an edit re-indexes a few hundred pages (a fraction of a second), big enough
# that a 10,000-claim site merges only ~40 indexes in the browser.
SHARD_PAGES = 250
# Only the pages that carry content of their own: lists (entities, verdicts,
# publishers) repeat claim texts and would only add duplicate results.
SITE_PAGES = ("methodology.html", "corrections.html", "contact.html")


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


def _glob(pages: list[str]) -> str:
    patterns = []
    for path in pages:
        parts = path.split("/")
        pattern = f"claims/{parts[1]}/*.html" if parts[0] == "claims" else path
        if pattern not in patterns:
            patterns.append(pattern)
    return "{" + ",".join(patterns) + "}"


def pagefind_binary() -> str | None:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]

        return str(get_executable())
    except Exception:  # any failure means "not installed": fall back to PATH
        return shutil.which("pagefind")


def shard_fingerprints(shards: list[list[str]], digests: dict[str, str], language: str) -> dict[str, str]:
    result = {}
    for index, pages in enumerate(shards):
        text = language + "\n" + "\n".join(f"{p} {digests[p]}" for p in pages)
        result[shard_name(index)] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return result


def build_index(site: Path, language: str, shards: list[list[str]], wanted: dict[str, str],
                done: dict[str, str]) -> dict[str, str]:
    """Index the shards whose fingerprint changed; drop shards that no longer exist.

    Returns the fingerprints now on disk (`done` updated).
    """
    binary = pagefind_binary()
    if binary is None:
        raise DossierError(Problem("dossier.yaml", None, None, "search is on but Pagefind is missing",
                                   "install it (`pip install 'pagefind[bin]'`) or set `search: false`"))
    done = {k: v for k, v in done.items() if k in wanted}
    for index, pages in enumerate(shards):
        name = shard_name(index)
        target = site / name
        if done.get(name) == wanted[name] and (target / "pagefind.js").is_file():
            continue
        _run(binary, site, language, _glob(pages), target)
        done[name] = wanted[name]
    extra = site / SHARDS_DIR
    if extra.is_dir():
        for folder in sorted(extra.iterdir()):
            if f"{SHARDS_DIR}/{folder.name}" not in wanted:
                shutil.rmtree(folder)
        if not any(extra.iterdir()):
            extra.rmdir()
    return done


def _run(binary: str, site: Path, language: str, glob: str, target: Path) -> None:
    staging = site.parent / f".{site.name}.pagefind-staging"
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [binary, "--site", str(site), "--output-path", str(staging), "--force-language", language,
         "--glob", glob, "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DossierError(Problem(str(site), None, None,
                                   f"Pagefind failed: {(result.stderr or result.stdout).strip()[:500]}",
                                   "the pages are written; the previous search index is kept"))
    _sync(staging, target)
    shutil.rmtree(staging, ignore_errors=True)


def _sync(new: Path, target: Path) -> None:
    """Make `target` hold exactly the files of `new`, writing only those that differ.

    Pagefind names its index fragments by content hash, so after a small edit
    most files are unchanged: this is the index "delta".
    """
    import os

    wanted = {p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()}
    if target.exists():
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
