"""The search index (render/search.py) with the real Pagefind binary, on small hand-made sites:
shards indexed from their own pages cut to what Pagefind reads (`search_page`, which a
property test checks against Pagefind itself), only changed shards indexed again, failures
reported with Pagefind's words and no temporary folder left behind."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from render_helpers import record_search_runs, stamps, tree

from dossier.errors import DossierError
from dossier.render import search

LANGUAGE = "fr"
# Three articles of two claims each, plus the transparency pages: with SHARD_PAGES = 3 every
# article (its page and its two claims) is a shard of its own.
ARTICLES = {"alpha": ("glacier", "tramway"), "beta": ("vignoble", "hôpital"), "gamma": ("phare", "écluse")}

pytestmark = pytest.mark.skipif(search.pagefind_binary() is None, reason="Pagefind is not installed")


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><nav>menu commun</nav><main data-pagefind-body><h1>{title}</h1><p>{body}</p></main>"
            "</body></html>")


def write_site(site: Path) -> list[str]:
    """The pages of a small site; returns their paths as the build plans them."""
    files = {"methodology.html": page("Méthode", "comment nous vérifions"),
             "index.html": page("Accueil", "toutes les affirmations")}
    for article, words in ARTICLES.items():
        files[f"articles/{article}.html"] = page(article, f"article {article}")
        for number, word in enumerate(words, 1):
            files[f"claims/{article}/{number}.html"] = page(f"{article} {number}", f"il parle du {word}")
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)
    return sorted(files)


def digests(site: Path, pages: list[str]) -> dict[str, str]:
    import hashlib

    return {p: hashlib.sha256((site / p).read_bytes()).hexdigest() for p in pages}


def index(site: Path, paths: list[str], done: dict[str, str]) -> tuple[list[list[str]], dict[str, str]]:
    shards = search.plan_shards(paths)
    return shards, search.ShardIndexer(site, LANGUAGE, shards, done, digests(site, paths), set()).finish()


def indexed_urls(bundle: Path) -> set[str]:
    """The page URLs one Pagefind bundle holds, read from its (gzipped JSON) fragments."""
    urls = set()
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        urls.add(json.loads(data[len(b"pagefind_dcd"):])["url"])
    return urls


def bundle_of(path: str) -> str | None:
    """The search bundle (shard folder) a site file belongs to; None for a page."""
    parts = path.split("/")
    if parts[0] == search.SEARCH_DIR:
        return search.SEARCH_DIR
    return "/".join(parts[:2]) if parts[0] == search.SHARDS_DIR else None


def work_folders(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name != site.name)


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)


@pytest.fixture
def page_folders(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders where the runs' pages were written (in memory where there is /dev/shm)."""
    folders: list[Path] = []
    real = search._search_pages

    def search_pages(*args):
        work = real(*args)
        folders.append((work / "pages").resolve())
        return work

    monkeypatch.setattr(search, "_search_pages", search_pages)
    return folders


def test_each_shard_indexes_exactly_its_pages_at_their_site_urls(tmp_path: Path, small_shards,
                                                                page_folders: list[Path]) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    shards, done = index(site, paths, {})
    assert len(shards) == 4 and shards[0] == ["methodology.html"]
    assert sorted(done) == ["pagefind", "pagefind-shards/2", "pagefind-shards/3", "pagefind-shards/4"]
    for number, pages in enumerate(shards):
        bundle = site / search.shard_name(number)
        assert indexed_urls(bundle) == {"/" + p for p in pages}
    # the first bundle carries the search UI and scripts; the merged ones only their index
    first = {p.name for p in (site / "pagefind").iterdir()}
    assert {"pagefind.js", "pagefind-ui.js", "pagefind-worker.js", "wasm.fr.pagefind", "fragment"} <= first
    for number in range(1, len(shards)):
        files = sorted(p.name for p in (site / search.shard_name(number)).iterdir())
        assert files[:2] == ["fragment", "index"] and files[2] == "pagefind-entry.json", files
        assert len(files) == 4 and files[3].endswith(".pf_meta"), files
    assert "index.html" not in {p for s in shards for p in s}  # lists repeat claims: not indexed
    assert work_folders(site) == []
    # the pages Pagefind read were written in memory where it can be, and are gone
    assert len(page_folders) == len(shards)
    where = Path(search._scratch_folder() or site.parent)
    assert all(folder.is_relative_to(where) for folder in page_folders)
    assert not any(folder.exists() for folder in page_folders)


def test_an_edit_reindexes_only_the_shard_holding_the_changed_page(tmp_path: Path, small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    _, done = index(site, paths, {})
    before = stamps(site)
    (site / "claims/beta/2.html").write_text(page("beta 2", "il parle du sanatorium"))
    shards, done = index(site, paths, done)
    changed = {p for p in set(before) | set(stamps(site)) if before.get(p) != stamps(site).get(p)}
    assert {bundle_of(p) for p in changed} == {"pagefind-shards/3", None}, sorted(changed)
    assert "claims/beta/2.html" in shards[2]
    # a delta: the fragments of the shard's unchanged pages (its article, its other claim) stay
    after = stamps(site)
    kept = [p for p in after if p.startswith("pagefind-shards/3/fragment/") and p not in changed]
    assert len(kept) == 2, sorted(changed)
    fragments = [p for p in changed if "/fragment/" in p]
    assert len([p for p in fragments if p in before]) == 1  # the edited page's old fragment, gone
    assert len([p for p in fragments if p not in before]) == 1  # and its new one
    assert_indexed_as_from_scratch(tmp_path, site, paths, done)  # the same bytes


def test_nothing_changed_runs_no_pagefind(tmp_path: Path, small_shards, monkeypatch) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    _, done = index(site, paths, {})
    before = stamps(site)
    monkeypatch.setattr(search, "_index_shard", lambda *args: pytest.fail(f"indexed again: {args}"))
    _, again = index(site, paths, done)
    assert again == done and stamps(site) == before


def test_a_shard_that_went_away_is_removed(tmp_path: Path, small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    _, done = index(site, paths, {})
    shutil.rmtree(site / "claims" / "gamma")
    (site / "articles" / "gamma.html").unlink()
    paths = [p for p in paths if "gamma" not in p]
    _, done = index(site, paths, done)
    assert sorted(done) == ["pagefind", "pagefind-shards/2", "pagefind-shards/3"]
    assert sorted(p.name for p in (site / "pagefind-shards").iterdir()) == ["2", "3"]


def test_a_failing_pagefind_run_is_reported_and_leaves_no_temporary_folder(
        tmp_path: Path, small_shards, page_folders: list[Path]) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    shards, done = index(site, paths, {})
    before = tree(site)
    # A shard without any HTML page: Pagefind itself refuses to build an index for it.
    (site / "notes.txt").write_text("pas une page")
    broken = [*shards, ["notes.txt"]]
    with pytest.raises(DossierError) as caught:
        search.ShardIndexer(site, LANGUAGE, broken, done, digests(site, [*paths, "notes.txt"]),
                            set()).finish()
    problem = caught.value.problems[0]
    assert "Pagefind failed on pagefind-shards/5/" in problem.message
    assert "not able to build an index" in problem.message  # Pagefind's own words
    assert problem.hint and "previous search index is kept" in problem.hint
    assert work_folders(site) == []
    assert page_folders and not any(folder.exists() for folder in page_folders)
    assert {p: b for p, b in tree(site).items() if p != "notes.txt"} == before


def test_a_failing_run_does_not_stop_the_others_and_the_first_failure_is_reported(
        tmp_path: Path, small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    for name in ("one.txt", "two.txt"):
        (site / name).write_text("pas une page")
    shards = [*search.plan_shards(paths), ["one.txt"], ["two.txt"]]
    with pytest.raises(DossierError) as caught:
        search.ShardIndexer(site, LANGUAGE, shards, {}, digests(site, [*paths, "one.txt", "two.txt"]),
                            set()).finish()
    message = caught.value.problems[0].message
    assert "pagefind-shards/5/" in message and "(and 1 other shard)" in message
    for number in range(4):  # the good shards were indexed all the same
        assert (site / search.shard_name(number) / search.ENTRY).is_file()
    assert work_folders(site) == []


@pytest.mark.parametrize("why", ["no folder in memory", "too many pages"])
def test_without_room_in_memory_the_pages_are_written_beside_the_site(
        tmp_path: Path, small_shards, monkeypatch, page_folders: list[Path], why: str) -> None:
    in_memory = tmp_path / "in-memory" / "site"
    paths = write_site(in_memory)
    index(in_memory, paths, {})
    if why == "no folder in memory":
        monkeypatch.setattr(search, "_scratch_folder", lambda: None)
    else:  # the site has more searched pages than the build keeps cut in memory
        monkeypatch.setattr(search, "IN_MEMORY_MAX_PAGES", len(paths) - 2)
    site = tmp_path / "on-disk" / "site"
    write_site(site)
    shards, _ = index(site, paths, {})
    assert all(folder.is_relative_to(site.parent) for folder in page_folders[-len(shards):])
    # The same pages, the same content: Pagefind numbers the pages in the order the file system
    # lists them, which differs from one kind of file system to another, so only the page
    # fragments are the same bytes.
    def fragments(folder: Path) -> dict[str, bytes]:
        return {p: b for p, b in tree(folder).items() if "/fragment/" in p}

    assert fragments(site) == fragments(in_memory) and len(fragments(site)) == sum(map(len, shards))
    for number, pages in enumerate(shards):
        assert indexed_urls(site / search.shard_name(number)) == {"/" + p for p in pages}
    assert work_folders(site) == []


def early_edit(tmp_path: Path):
    """A site indexed once, then one claim page edited and staged as an edit build stages it, and
    its shard's early run started; returns (site, paths, shards, done, staging, old digests, run)."""
    site = tmp_path / "site"
    paths = write_site(site)
    shards, done = index(site, paths, {})
    staging = tmp_path / ".site.staging"
    (staging / EDITED).parent.mkdir(parents=True)
    (staging / EDITED).write_text(page("beta 2", "il parle du sanatorium"))
    old = digests(site, paths)
    early = search.start_early(site, LANGUAGE, shards, done, old.__getitem__, digests(staging, [EDITED]),
                               {EDITED}, staging)
    assert early is not None and early.index == 2 and EDITED in shards[2]
    assert early.work.parent == site.parent and early.work.name.startswith(".site.pagefind-")
    return site, paths, shards, done, staging, old, early


EDITED = "claims/beta/2.html"


def assert_indexed_as_from_scratch(tmp_path: Path, site: Path, paths: list[str],
                                   done: dict[str, str]) -> None:
    fresh = tmp_path / "fresh" / "site"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("pagefind*"))
    _, fresh_done = index(fresh, paths, {})
    assert tree(site) == tree(fresh) and done == fresh_done


def test_an_early_run_whose_guess_holds_is_the_shards_index(tmp_path: Path, small_shards,
                                                            monkeypatch) -> None:
    site, paths, shards, done, staging, old, early = early_edit(tmp_path)
    calls = []
    real = search._index_shard
    monkeypatch.setattr(search, "_index_shard", lambda *args: calls.append(args[4]))  # no other run
    indexer = search.ShardIndexer(site, LANGUAGE, shards, done, old, {EDITED}, staging=staging,
                                  early=early)
    assert early.work.is_dir()  # not taken for a killed build's leftover
    indexer.page_ready(EDITED, digests(staging, [EDITED])[EDITED], True)
    shutil.copy(staging / EDITED, site / EDITED)  # the commit
    done = indexer.finish()
    assert calls == []
    monkeypatch.setattr(search, "_index_shard", real)
    assert work_folders(site) == [".site.staging"]
    assert indexed_urls(site / "pagefind-shards/3") == {"/" + p for p in shards[2]}
    assert_indexed_as_from_scratch(tmp_path, site, paths, done)


def test_an_early_run_whose_guess_fails_is_dropped_and_the_shard_indexed_again(tmp_path: Path,
                                                                               small_shards) -> None:
    site, paths, shards, done, staging, old, early = early_edit(tmp_path)
    # The rest of the plan re-renders the shard's other claim, and what search reads of it changes.
    (staging / "claims/beta/1.html").write_text(page("beta 1", "il parle du funiculaire"))
    pending = {"claims/beta/1.html", EDITED}
    indexer = search.ShardIndexer(site, LANGUAGE, shards, done, old, pending, staging=staging,
                                  early=early)
    for path in sorted(pending):
        indexer.page_ready(path, digests(staging, [path])[path], True)
    for path in sorted(pending):
        shutil.copy(staging / path, site / path)
    done = indexer.finish()
    assert early.run.done() and not early.work.exists()  # waited for, then removed
    assert work_folders(site) == [".site.staging"]
    assert_indexed_as_from_scratch(tmp_path, site, paths, done)
    assert b"funiculaire" in b"".join(
        gzip.decompress(f.read_bytes()) for f in (site / "pagefind-shards/3/fragment").iterdir())


def test_no_early_run_when_it_would_not_change_the_index(tmp_path: Path, small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    shards, done = index(site, paths, {})
    old = digests(site, paths)
    same = {"claims/beta/2.html": old["claims/beta/2.html"]}
    assert search.start_early(site, LANGUAGE, shards, done, old.__getitem__, same, set(),
                              tmp_path) is None
    # pages in two shards, or a page no shard holds: no guess to make
    two = {"claims/alpha/1.html": "x", "claims/beta/1.html": "y"}
    assert search.start_early(site, LANGUAGE, shards, done, old.__getitem__, two, set(), tmp_path) is None
    assert search.start_early(site, LANGUAGE, shards, done, old.__getitem__, {"index.html": "x"}, set(),
                              tmp_path) is None
    assert work_folders(site) == []


def test_a_failed_build_drops_an_early_run_it_never_reached(tmp_path: Path, small_shards) -> None:
    site, _, shards, done, staging, old, early = early_edit(tmp_path)
    indexer = search.ShardIndexer(site, LANGUAGE, shards, done, old, {EDITED}, staging=staging,
                                  early=early)
    before = tree(site)
    indexer.abort()  # the build failed before the shard's pages were all rendered
    assert early.run.done() and work_folders(site) == [".site.staging"]
    assert tree(site) == before  # the site keeps its index


@pytest.mark.parametrize(("cores", "threads"), [(2, 1), (8, None)])
def test_pagefind_runs_one_thread_each_when_there_are_shards_for_every_core(
        tmp_path: Path, small_shards, monkeypatch, cores: int, threads: int | None) -> None:
    """4 shards on 2 cores: two runs at once, one thread each. On 8 cores: Pagefind's own threads."""
    site = tmp_path / "site"
    paths = write_site(site)
    runs = record_search_runs(monkeypatch)
    monkeypatch.setattr(search.os, "cpu_count", lambda: cores)
    shards, _ = index(site, paths, {})
    assert len(shards) == 4 and [given for _, given in runs] == [threads] * 4
    for number, pages in enumerate(shards):
        assert indexed_urls(site / search.shard_name(number)) == {"/" + p for p in pages}


def test_leftovers_of_a_killed_build_are_cleared(tmp_path: Path, small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    leftover = tmp_path / ".site.pagefind-dead"
    (leftover / "pages").mkdir(parents=True)
    other = tmp_path / ".other.pagefind-keep"  # another site's: not ours to remove
    other.mkdir()
    index(site, paths, {})
    assert work_folders(site) == [".other.pagefind-keep"]


def test_the_search_page_finds_pages_of_every_shard_in_a_browser(dossier_dir: Path, browser,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Built in two shards, search.html merges them (mergeIndex): a word only on the methodology
    page (first shard) and one only in a claim's notes (second shard) are both found, and every
    result links into the site, also when it is hosted under a sub-path (/site/...)."""
    import yaml
    from browsers import search_results, serve_folder

    from dossier.render.build import build_site

    monkeypatch.setattr(search, "SHARD_PAGES", 4)  # transparency pages | the article and its claims
    config = dossier_dir / "dossier.yaml"
    data = yaml.safe_load(config.read_text())
    data["methodology"] += "\nNous consultons aussi le registre quetzal.\n"
    config.write_text(yaml.safe_dump(data, allow_unicode=True))
    claim = dossier_dir / "claims/crue-de-valmont/evacues-400-600.yaml"
    claim.write_text(claim.read_text().replace('notes: ""', 'notes: "Le mot zibeline figure ici seulement."'))
    build_site(dossier_dir)
    assert (dossier_dir / "site" / "pagefind-shards" / "2" / search.ENTRY).is_file()

    server = serve_folder(dossier_dir)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and errors.append(f"HTTP {r.status}: {r.url}"))
        page.goto(f"{origin}/site/search.html")
        found = {}
        for word in ("quetzal", "zibeline"):
            found[word] = {link.split("#")[0] for link in search_results(page, word)}
        assert "/site/methodology.html" in found["quetzal"], found
        assert "/site/claims/crue-de-valmont/evacues-400-600.html" in found["zibeline"], found
        for link in set().union(*found.values()):
            assert link.startswith("/site/") and "/../" not in link, found
            response = page.request.get(origin + link)
            assert response.ok, f"{link}: HTTP {response.status}"
        assert errors == []
    finally:
        context.close()
        server.shutdown()


def test_a_file_error_is_reported_with_its_path_and_leaves_no_temporary_folder(tmp_path: Path,
                                                                                small_shards) -> None:
    site = tmp_path / "site"
    paths = write_site(site)
    shards = search.plan_shards(paths)
    known = digests(site, paths)
    (site / "claims/beta/2.html").unlink()  # gone between the plan and the index
    with pytest.raises(DossierError) as caught:
        search.ShardIndexer(site, LANGUAGE, shards, {}, known, set()).finish()
    message = caught.value.problems[0].message
    assert message.startswith("could not build the search index pagefind-shards/3/: No such file")
    assert "claims/beta/2.html" in message
    assert work_folders(site) == []


# --- search_page: what Pagefind reads of a page, indexed exactly as the page is

def pagefind_index(pages: dict[str, bytes], folder: Path) -> tuple[int, dict[str, bytes]]:
    """Pagefind's exit code and every file it writes, over a folder holding just `pages`."""
    import os
    import subprocess

    for path, html in pages.items():
        (folder / "pages" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "pages" / path).write_bytes(html)
    result = subprocess.run([search.pagefind_binary(), "--site", str(folder / "pages"), "--output-path",
                             str(folder / "index"), "--force-language", LANGUAGE, "--silent"],
                            capture_output=True, check=False, env={**os.environ, "RAYON_NUM_THREADS": "1"})
    return result.returncode, tree(folder / "index") if (folder / "index").is_dir() else {}


_HEAD = st.lists(st.sampled_from([
    "<title>Titre de la page</title>", "<TITLE>Autre titre</TITLE>", "<title>Titre de la page</title>",
    '<meta name="description" content="résumé">',
    '<script type="application/ld+json">{"texte": "\\u003cb\\u003e gras"}</script>',
    "<style>p { color: red }</style>", '<script>var s = "</article>";</script>']), max_size=3)
# Pieces that let the page be cut come more often than those that keep it whole.
_OUTSIDE = st.lists(st.sampled_from([
    "<nav>menu commun</nav>", "<nav>menu commun</nav>", "<p>texte dehors</p>", "<p>texte dehors</p>",
    "<h1>Titre dehors</h1>", '<img src="logo.png" alt="logo">', "<H1>TITRE MAJUSCULE</H1>",
    '<span data-pagefind-meta="auteur">Julie</span>', '<span data-pagefind-filter="lieu">Koursk</span>',
    "<!-- </article> -->", "<footer><p>pied de page</p></footer>",
    "<div data-pagefind-body><p>second corps</p></div>",
    '<svg><title id="t">Titre du graphique</title></svg>']), max_size=3)
_INSIDE = st.lists(st.sampled_from([
    "<h1>Titre</h1>", '<h2 id="ancre">Partie</h2>', "<p>mot clé éolienne</p>", "<p>deuxième paragraphe</p>",
    '<section data-pagefind-ignore><h2 id="cache">Ignoré</h2><p>caché</p></section>',
    '<section data-pagefind-ignore><h2 id="cache">Ignoré</h2><p>caché</p></section>',
    '<section class="a" data-pagefind-ignore><p>caché aussi</p></section>',
    "<section data-pagefind-ignore><section><p>imbriqué</p></section><p>après</p></section>",
    "<SECTION DATA-PAGEFIND-IGNORE><P>majuscules</P></SECTION>",
    "<table><tr><td>3</td><td data-pagefind-ignore>4</td><td>5</td></tr></table>",
    '<section data-pagefind-ignore><span data-pagefind-meta="cache">m</span></section>',
    '<section data-pagefind-ignore><img src="b.png" alt="image cachée"></section>',
    "<section data-pagefind-ignore><h1>Titre caché</h1></section>",
    '<section data-pagefind-ignore><svg><title id="c">Graphique caché</title></svg></section>',
    '<svg><title id="g">Graphique</title></svg>',
    '<div data-pagefind-ignore="all"><p>tout ignoré</p></div>',
    "<article><p>article imbriqué</p></article>",
    "<p>texte<section data-pagefind-ignore>x</section>collé</p>",
    '<span data-pagefind-meta="date">2024</span>', "<!-- commentaire -->",
    '<img src="c.png" alt="dedans">', "<section data-pagefind-ignore><p>non fermée",
    "<section data-pagefind-ignore >espace</section >", "<!-- fin </article> -->",
    '<script>var s = "</article>";</script>']), max_size=6)
_ARTICLE = ("<article data-pagefind-body>", "</article>")
_BODY = st.sampled_from([_ARTICLE,
                         ('<main class="m" data-pagefind-body>', "</main>"),
                         ('<ARTICLE CLASS="x" DATA-PAGEFIND-BODY>', "</ARTICLE>"),
                         ("<article>", "</article>")])


@settings(max_examples=250, deadline=None)
@given(_HEAD, _OUTSIDE, _BODY, _INSIDE, _OUTSIDE)
@example(["<title>Titre de la page</title>"], [], _ARTICLE,
         ['<h2 id="ancre">Partie</h2>'], [])  # no <h1>: Pagefind's title is the page's <title>
@example([], [], _ARTICLE, ['<section data-pagefind-ignore><svg><title id="c">Caché</title></svg></section>',
                            "<p>mot</p>"], [])  # nor a <title> before: the first one anywhere
# A closing tag of the body's kind that does not close it:
@example([], [], _ARTICLE, ["<p>mot</p>", "<!-- fin </article> -->", "<p>mot après</p>"], [])
@example([], [], _ARTICLE, ["<p>mot</p>", '<script>var s = "</article>";</script>', "<p>mot après</p>"], [])
@example([], [], _ARTICLE, ["<article><p>imbriqué</p></article>", "<p>mot après</p>"], [])
def test_pagefind_indexes_what_it_reads_of_a_page_as_it_indexes_the_page(
        head: list[str], before: list[str], body: tuple[str, str], inside: list[str],
        after: list[str]) -> None:
    """The whole claim of `search_page`: Pagefind's index of it is the index of the page, byte
    for byte, whatever the page holds (pieces it reads outside its body, ignored parts that hold
    what it reads, nesting, comments, scripts, upper case); the page is cut only where that is sure."""
    import tempfile

    html = "".join(['<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">', *head, "</head><body>",
                    *before, body[0], *inside, body[1], *after, "</body></html>"]).encode()
    cut = search.search_page(html)
    with tempfile.TemporaryDirectory() as folder:
        whole = pagefind_index({"claims/a/page.html": html}, Path(folder) / "whole")
        assert pagefind_index({"claims/a/page.html": cut}, Path(folder) / "cut") == whole


def test_the_pages_of_a_built_site_are_cut_and_index_as_they_are(dossier_dir: Path, tmp_path: Path) -> None:
    """On the theme's own pages: each indexed page is cut to well under its size, and Pagefind's
    index of the cut pages is the index of the site's pages."""
    from dossier.render.build import build_site

    build_site(dossier_dir)
    site = dossier_dir / "site"
    every = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    paths = [p for shard in search.plan_shards(every) for p in shard]
    assert any(p.startswith("claims/") for p in paths) and any(p.startswith("articles/") for p in paths)
    pages = {p: (site / p).read_bytes() for p in paths}
    cut = {p: search.search_page(html) for p, html in pages.items()}
    for path in paths:
        assert len(cut[path]) < 0.8 * len(pages[path]), path
    whole = pagefind_index(pages, tmp_path / "whole")
    assert whole[0] == 0 and whole[1]
    assert pagefind_index(cut, tmp_path / "cut") == whole
