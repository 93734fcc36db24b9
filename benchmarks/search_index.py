"""Time the search (Pagefind) step of `dossier build` alone, on a site that is already built.

    .venv/bin/python benchmarks/search_index.py --site benchmarks/out/dossier-10000/site \
        --shard-pages 50,100,250 [--repeat 3] [--full] [--module OTHER_search.py]

For each shard size it works on a hard-linked copy of the site next to it (the original is never
written), plans the shards as `dossier build` does, and times:

* `one shard`: one page of one shard is changed (written anew, so the link to the original is
  broken), and the indexer re-indexes that shard only: the search part of a one-claim edit;
* `full` (with `--full`): every shard indexed from scratch: the search phase of a full build;
* with `--browser WORD[,WORD]`: search.html (its shard list rewritten for this shard size) is
  served on 127.0.0.1 and opened in Debian's Chromium with an empty cache; for each word, the time
  from typing it to the first result shown, and the requests and bytes the search fetched. The
  search page merges every shard (`mergeIndex`), so this is what many small shards cost.

Prints one row per shard size: shards, pages per shard, times (median of the repeats).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # browsers.py: Chromium, a server

from browsers import CHROMIUM, CHROMIUM_ARGS, serve_folder

from dossier.render import search


def linked_copy(site: Path, into: Path) -> None:
    """Hard links to every page of `site` (no search index): cheap, and read-only use is safe."""
    for folder, dirs, files in os.walk(site):
        rel = Path(folder).relative_to(site)
        if rel.parts and rel.parts[0] in (search.SEARCH_DIR, search.SHARDS_DIR):
            dirs.clear()
            continue
        (into / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(folder) / name, into / rel / name)


def page_paths(site: Path) -> list[str]:
    paths = []
    for folder, dirs, files in os.walk(site):
        dirs.sort()
        rel = Path(folder).relative_to(site)
        if rel.parts and rel.parts[0] in (search.SEARCH_DIR, search.SHARDS_DIR):
            dirs.clear()
            continue
        paths += [(rel / n).as_posix() for n in sorted(files) if n.endswith(".html")]
    return sorted(paths)


def digests(site: Path, pages: list[str]) -> dict[str, str]:
    return {p: hashlib.sha256((site / p).read_bytes()).hexdigest() for p in pages}


def edit_page(site: Path, path: str, round_: int) -> None:
    """Change one word of a page's indexed body, as a claim edit does (a new file, not in place)."""
    file = site / path
    text = file.read_text()
    marker = "data-pagefind-body"
    at = text.index(marker)
    at = text.index(">", at) + 1
    text = text[:at] + f"<p>modifié{round_}</p>" + text[at:]
    fresh = file.with_name(file.name + ".new")
    fresh.write_text(text)
    os.replace(fresh, file)


def cpu() -> float:
    """CPU time (user + system) of this process and its finished children (the Pagefind runs)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def timed(run, *args) -> tuple[dict, float, float]:
    wall, used = time.perf_counter(), cpu()
    result = run(*args)
    return result, time.perf_counter() - wall, cpu() - used


def rewrite_bundles(site: Path, shards: int) -> None:
    """Point search.html at this many shards (a new file: the copy's pages are links)."""
    page = site / "search.html"
    bundles = " ".join(f"../{search.shard_name(i)}/" for i in range(1, shards))
    text = re.sub(r' data-bundles="[^"]*"', "", page.read_text())
    text = text.replace('<div id="search"', f'<div id="search" data-bundles="{bundles}"' if bundles else
                        '<div id="search"', 1)
    fresh = page.with_name("search.html.new")
    fresh.write_text(text)
    os.replace(fresh, page)


def browser_search(site: Path, words: list[str]) -> list[dict]:
    """Time searches on the served site in Chromium: typing -> first result, and what was fetched."""
    from playwright.sync_api import sync_playwright

    server = serve_folder(site)
    url = f"http://127.0.0.1:{server.server_address[1]}/search.html"
    rows = []
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for word in words:
                    context = chromium.new_context()  # an empty cache for every word
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_selector(".pagefind-ui__search-input")
                    fetched: list[int] = []
                    page.on("response", lambda r, fetched=fetched: fetched.append(
                        int(r.headers.get("content-length", "0"))))
                    started = time.perf_counter()
                    page.fill(".pagefind-ui__search-input", word)
                    page.wait_for_selector(".pagefind-ui__result-link", timeout=120_000)
                    elapsed = time.perf_counter() - started
                    page.wait_for_timeout(300)  # fragments still arriving for the first five results
                    rows.append({"word": word, "seconds": elapsed, "requests": len(fetched),
                                 "bytes": sum(fetched),
                                 "results": page.inner_text(".pagefind-ui__message")})
                    context.close()
            finally:
                chromium.close()
    finally:
        server.shutdown()
    return rows


def index(site: Path, language: str, shards: list[list[str]], sums: dict[str, str],
          done: dict[str, str]) -> dict[str, str]:
    """Index the shards whose pages changed, with the module under test: `ShardIndexer` as the
    build drives it, or the `build_index` of a version from before it (`--module`)."""
    if hasattr(search, "ShardIndexer"):
        return search.ShardIndexer(site, language, shards, done, sums, set()).finish()
    return search.build_index(site, language, shards, search.shard_fingerprints(shards, sums, language), done)


def measure(site: Path, shard_pages: int, repeat: int, full: bool, language: str,
            words: list[str]) -> dict:
    search.SHARD_PAGES = shard_pages
    work = Path(tempfile.mkdtemp(prefix=".search-bench-", dir=site.parent))
    try:
        copy = work / "site"
        linked_copy(site, copy)
        pages = page_paths(copy)
        shards = search.plan_shards(pages)
        sums = digests(copy, pages)
        full_times, full_cpu = [], []
        for _ in range(repeat if full else 1):
            for name in (search.SEARCH_DIR, search.SHARDS_DIR):
                shutil.rmtree(copy / name, ignore_errors=True)
            done, wall, used = timed(index, copy, language, shards, sums, {})
            full_times.append(wall)
            full_cpu.append(used)
        bundles = sum(f.stat().st_size for name in (search.SEARCH_DIR, search.SHARDS_DIR)
                      for f in (copy / name).rglob("*") if f.is_file())
        browser = []
        if words:
            rewrite_bundles(copy, len(shards))
            browser = browser_search(copy, words)
        edit_times, edit_cpu = [], []
        middle = shards[len(shards) // 2]
        claim = next(p for p in middle if p.startswith("claims/"))
        for round_ in range(repeat):
            edit_page(copy, claim, round_)
            sums[claim] = hashlib.sha256((copy / claim).read_bytes()).hexdigest()
            done, wall, used = timed(index, copy, language, shards, sums, done)
            edit_times.append(wall)
            edit_cpu.append(used)
        sizes = [len(s) for s in shards]
        return {"shard_pages": shard_pages, "shards": len(shards), "largest": max(sizes),
                "middle": len(middle), "full": statistics.median(full_times),
                "full_cpu": statistics.median(full_cpu), "one_shard": statistics.median(edit_times),
                "one_shard_cpu": statistics.median(edit_cpu), "browser": browser,
                "bundles": bundles}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    global search
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--shard-pages", default=str(search.SHARD_PAGES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also time indexing every shard")
    parser.add_argument("--language", default="fr")
    parser.add_argument("--browser", default="", metavar="WORD[,WORD]",
                        help="also time searching these words in Chromium")
    parser.add_argument("--module", type=Path, help="time this version of search.py instead, e.g. "
                        "`git show HEAD~1:src/dossier/render/search.py > /tmp/old_search.py`")
    args = parser.parse_args()
    if args.module:
        spec = importlib.util.spec_from_file_location("dossier.render.search_under_test", args.module)
        search = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(search)
    print("| SHARD_PAGES | shards | pages in the edited shard | one-shard re-index (wall / CPU) "
          "| full index (wall / CPU) | index on disk |")
    print("|---:|---:|---:|---:|---:|---:|")
    words = [w for w in args.browser.split(",") if w]
    for size in (int(s) for s in args.shard_pages.split(",")):
        row = measure(args.site.resolve(), size, args.repeat, args.full, args.language, words)
        full = f"{row['full']:.2f} s / {row['full_cpu']:.2f} s" + ("" if args.full else " (1 run)")
        print(f"| {size} | {row['shards']} | {row['middle']} | {row['one_shard']:.3f} s / "
              f"{row['one_shard_cpu']:.3f} s | {full} | {row['bundles'] / 1e6:.0f} MB |", flush=True)
        for search_row in row["browser"]:
            print(f"|   browser, {search_row['word']!r}: first result after {search_row['seconds']:.2f} s, "
                  f"{search_row['requests']} requests, {search_row['bytes'] / 1e6:.1f} MB "
                  f"({search_row['results']}) | | | | |", flush=True)


if __name__ == "__main__":
    main()
