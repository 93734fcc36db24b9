"""Static full-text search with Pagefind, built with the site.

Pagefind indexes the written HTML (only what templates mark `data-pagefind-body`)
into `site/pagefind/`. It is run only when some page changed, into a staging
folder whose changed files then replace the old ones (a delta, not a rewrite).
Search is an extra: every page reads without JavaScript.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import DossierError, Problem

SEARCH_DIR = "pagefind"
# Only the pages that carry content of their own: lists (entities, verdicts,
# publishers) repeat claim texts and would only add duplicate results.
INDEXED = "{claims/**/*.html,articles/*.html,methodology.html,corrections.html,contact.html}"


def pagefind_binary() -> str | None:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]

        return str(get_executable())
    except Exception:  # any failure means "not installed": fall back to PATH
        return shutil.which("pagefind")


def build_index(site: Path, language: str) -> None:
    """(Re)build `site/pagefind/` from the HTML now in `site`."""
    binary = pagefind_binary()
    if binary is None:
        raise DossierError(Problem("dossier.yaml", None, None, "search is on but Pagefind is missing",
                                   "install it (`pip install 'pagefind[bin]'`) or set `search: false`"))
    staging = site.parent / f".{site.name}.pagefind-staging"
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [binary, "--site", str(site), "--output-path", str(staging), "--force-language", language,
         "--glob", INDEXED, "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DossierError(Problem(str(site), None, None,
                                   f"Pagefind failed: {(result.stderr or result.stdout).strip()[:500]}",
                                   "the pages are written; the previous search index is kept"))
    _sync(staging, site / SEARCH_DIR)
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
