"""Incremental builds: nothing changed -> nothing written; one edit -> only its dependants;
and whatever the sequence of edits, the result is byte-identical to a clean build."""

from __future__ import annotations

import random
import re
import shutil
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from render_helpers import record_search_runs, stamps, tree

from dossier.errors import DossierError, Problem
from dossier.render import build as build_module
from dossier.render.build import build_site

CLAIMS = "claims/crue-de-valmont"


def changed(before: dict, after: dict) -> set[str]:
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


def test_second_build_writes_nothing(dossier_dir: Path) -> None:
    first = build_site(dossier_dir)
    assert first.rendered == first.pages and first.written > first.pages
    before = stamps(dossier_dir / "site")
    cache_before = stamps(dossier_dir / ".dossier-cache")
    again = build_site(dossier_dir)
    assert (again.rendered, again.written, again.deleted) == (0, 0, 0)
    assert stamps(dossier_dir / "site") == before
    assert stamps(dossier_dir / ".dossier-cache") == cache_before


def test_clean_build_of_an_unchanged_dossier_renders_all_and_writes_nothing(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    before = stamps(dossier_dir / "site")
    report = build_site(dossier_dir, clean=True)
    assert report.rendered == report.pages and report.written == 0
    assert stamps(dossier_dir / "site") == before


def test_one_edit_renders_only_the_pages_that_show_it(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    before = stamps(dossier_dir / "site")
    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    path.write_text(path.read_text().replace("Aucune source publique", "Aucune source officielle"))
    report = build_site(dossier_dir)
    written = {p for p in changed(before, stamps(dossier_dir / "site")) if not p.startswith("pagefind/")}
    # The confidence note shows on the claim page only, and in the exports.
    assert written == {f"{CLAIMS}/evacues-400-600.html", "claims.json"}
    assert report.rendered == 1

    before = stamps(dossier_dir / "site")
    path.write_text(path.read_text().replace("verdict: unverifiable", "verdict: unverified"))
    build_site(dossier_dir)
    written = changed(before, stamps(dossier_dir / "site"))
    expected = {
        f"{CLAIMS}/evacues-400-600.html",  # its page
        "index.html", "articles/crue-de-valmont.html",  # lists with verdict badges and counts
        "verdicts/unverifiable.html", "verdicts/unverified.html", "verdicts/index.html",
        "methodology.html",  # the scale table counts claims per verdict
        "entities/valmont.html",  # names it
        "claims.json", "claims.csv", "feed.xml",
    }
    html_written = {p for p in written if not p.startswith("pagefind/")}
    assert html_written == expected
    # entities and sources that do not show this claim are left alone
    for untouched in ("entities/etat.html", "entities/vienne.html", "sources/academie-exemple.html",
                      f"{CLAIMS}/aide-5-millions.html", "findings.html"):
        assert untouched not in written


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "linked-then-replaced"])
def test_a_replaced_export_is_kept_aside_until_the_next_build(dossier_dir: Path, exchange: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The new export takes the old one's place by an atomic exchange (Linux), or, where there is
    none, the old one is linked aside and replaced: the same files either way."""
    if exchange:
        assert build_module._renameat2() is not None  # Linux with glibc: this machine
    else:
        monkeypatch.setattr(build_module, "_renameat2", lambda: None)
    build_site(dossier_dir)
    old_json = (dossier_dir / "site" / "claims.json").read_bytes()
    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    path.write_text(path.read_text().replace("Aucune source publique", "Aucune source officielle"))
    build_site(dossier_dir)
    new_json = (dossier_dir / "site" / "claims.json").read_bytes()
    assert new_json != old_json and b"Aucune source officielle" in new_json
    aside = [p for p in (dossier_dir / ".dossier-cache").glob("replaced-*/*") if p.is_file()]
    assert [p.name for p in aside] == ["claims.json"]
    assert aside[0].read_bytes() == old_json  # the old file itself, not a copy of the new one

    again = build_site(dossier_dir)  # nothing changed: a no-op build still clears it
    assert again.mode == "no-op"
    assert not list((dossier_dir / ".dossier-cache").glob("replaced-*"))
    assert (dossier_dir / "site" / "claims.json").read_bytes() == new_json


def test_an_edit_build_leaves_the_collector_as_it_found_it(dossier_dir: Path) -> None:
    import gc

    build_site(dossier_dir)
    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    threshold = gc.get_threshold()
    for enabled, note in ((True, "Aucune source officielle"), (False, "Aucune source connue")):
        (gc.enable if enabled else gc.disable)()
        try:
            text = path.read_text()
            path.write_text(re.sub(r"Aucune source \w+", note, text))
            report = build_site(dossier_dir)
            assert report.mode == "edit"
            assert (gc.isenabled(), gc.get_freeze_count(), gc.get_threshold()) == (enabled, 0, threshold)
            assert report.working is None  # the build's data is not kept unless asked
        finally:
            gc.enable()
    path.write_text(path.read_text().replace("verdict: unverifiable", "verdict: unverified"))
    assert build_site(dossier_dir, keep_working=True).working is not None


def test_template_change_rerenders_what_uses_it(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    before = stamps(dossier_dir / "site")
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "entity.html").write_text(
        '{% extends "theme/entity.html" %}{% block title %}Fiche : {{ super() }}{% endblock %}')
    report = build_site(dossier_dir)
    written = {p for p in changed(before, stamps(dossier_dir / "site")) if not p.startswith("pagefind/")}
    assert written == {f"entities/{e}.html" for e in
                       ("etat", "jeanne-martin", "oracle-9", "prefecture", "valmont", "vienne")}
    assert report.rendered == 6
    # base.html is used by every page
    (dossier_dir / "templates" / "base.html").write_text(
        (Path(build_module.__file__).parent.parent / "templates" / "base.html").read_text()
        .replace("<body>", '<body class="custom">'))
    report = build_site(dossier_dir)
    assert report.rendered == report.pages


def test_deleted_claim_removes_its_page(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    (dossier_dir / CLAIMS / "aide-5-millions.yaml").unlink()
    report = build_site(dossier_dir)
    assert not (dossier_dir / "site" / CLAIMS / "aide-5-millions.html").exists()
    assert report.deleted == 1


# ---------------------------------------------------------------- random edit sequences

def _claims(root: Path) -> list[Path]:
    return sorted((root / CLAIMS).glob("*.yaml"))


def _edit_claim(root: Path, rng: random.Random, change) -> None:
    path = rng.choice(_claims(root))
    data = yaml.safe_load(path.read_text())
    change(data, rng)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _verdict(data: dict, rng: random.Random) -> None:
    data["verdict"] = rng.choice(["true", "mostly-true", "mixed", "mostly-false", "false",
                                  "unverifiable", "unverified"])
    data.setdefault("sources", None)


def _note(data: dict, rng: random.Random) -> None:
    data["notes"] = (data.get("notes") or "") + f"\n\nAjout n° {rng.randint(1, 10**6)} : **vérifié**.\n"


def _confidence(data: dict, rng: random.Random) -> None:
    """What no other page shows of a claim: its own page and its article's change, no list."""
    data["confidence"] = rng.choice(["low", "medium", "high"])
    data["confidence_note"] = f"Deux sources n° {rng.randint(1, 10**6)} concordent."


def _quantity(data: dict, rng: random.Random) -> None:
    """A figure changed, its topic kept: the claim's list entry stays, the findings of its
    article (figures that disagree) may not."""
    for quantity in data.get("quantities") or []:
        if "value" in quantity:
            quantity["value"] = rng.choice([quantity["value"], rng.randint(1, 10**7)])


def _correction(data: dict, rng: random.Random) -> None:
    import datetime

    day = datetime.date(2025, 4, 1) + datetime.timedelta(days=rng.randint(0, 200))
    data["corrections"] = [*(data.get("corrections") or []), {"date": day, "text": "Correction."}]


def _source(data: dict, rng: random.Random) -> None:
    n = rng.randint(1, 999)
    data["sources"] = [*(data.get("sources") or []), {
        "url": f"https://source{n}.example.org/page", "title": f"Source {n}",
        "publisher": rng.choice(["Préfecture (exemple)", f"Éditeur {n} (exemple)"]),
        "stance": rng.choice(["supports", "contradicts", "context"])}]


def _entities(data: dict, rng: random.Random) -> None:
    pool = ["valmont", "vienne", "prefecture", "jeanne-martin", "etat", "oracle-9"]
    data["entities"] = sorted(rng.sample(pool, rng.randint(0, 3)))


def _delete(root: Path, rng: random.Random) -> None:
    referenced = set()
    for path in _claims(root):
        referenced |= set(yaml.safe_load(path.read_text()).get("related") or [])
    candidates = [p for p in _claims(root) if p.stem not in referenced]
    if len(candidates) > 3:
        rng.choice(candidates).unlink()


def _rename_entity(root: Path, rng: random.Random) -> None:
    path = root / "entities.yaml"
    data = yaml.safe_load(path.read_text())
    key = rng.choice(sorted(data))
    data[key]["name"] = f"{data[key]['name']} {rng.randint(1, 9)}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def _override(root: Path, rng: random.Random) -> None:
    folder = root / "templates"
    if folder.exists() and rng.random() < 0.5:
        shutil.rmtree(folder)
        return
    folder.mkdir(exist_ok=True)
    name = rng.choice(["claim.html", "verdict.html", "entity.html"])
    (folder / name).write_text(
        f'{{% extends "theme/{name}" %}}{{% block title %}}{rng.randint(1, 99)} {{{{ super() }}}}'
        '{% endblock %}')


def _config(root: Path, rng: random.Random) -> None:
    path = root / "dossier.yaml"
    data = yaml.safe_load(path.read_text())
    data["title"] = f"Dossier {rng.randint(1, 99)}"
    if rng.random() < 0.3:
        data["search"] = not data.get("search", True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


EDITS = [
    lambda root, rng: _edit_claim(root, rng, _verdict),
    lambda root, rng: _edit_claim(root, rng, _note),
    lambda root, rng: _edit_claim(root, rng, _correction),
    lambda root, rng: _edit_claim(root, rng, _source),
    lambda root, rng: _edit_claim(root, rng, _entities),
    _delete, _rename_entity, _override, _config,
    lambda root, rng: _edit_claim(root, rng, _confidence),
    lambda root, rng: _edit_claim(root, rng, _quantity),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_incremental_equals_clean(dossier_dir: Path, tmp_path: Path, seed: int) -> None:
    edit_and_compare(dossier_dir, tmp_path, random.Random(seed), EDITS, steps=5)


def edit_and_compare(dossier_dir: Path, tmp_path: Path, rng: random.Random, edits: list,
                     steps: int) -> list[str]:
    """`steps` times: a few random `edits`, a build, and a clean build beside it that must give
    the same files, byte for byte. Returns the mode each incremental build took."""
    build_site(dossier_dir)
    modes = []
    for step in range(steps):
        for _ in range(rng.randint(1, 3)):
            rng.choice(edits)(dossier_dir, rng)
        modes.append(build_site(dossier_dir).mode)
        clean_out = tmp_path / f"clean-{step}"
        build_site(dossier_dir, output=clean_out, clean=True)
        incremental, clean = tree(dossier_dir / "site"), tree(clean_out)
        assert sorted(incremental) == sorted(clean), f"step {step}"
        different = [p for p in clean if incremental[p] != clean[p]]
        assert different == [], f"step {step}"
    return modes


def test_an_edit_other_pages_do_not_show_plans_its_own_pages_only(dossier_dir: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim's confidence note is on its page (and its article's), nowhere else: the edit
    plans those two and the site-wide pages, not its neighbours' pages or its lists. A figure
    whose change settles a conflict with other claims changes their pages too (their
    findings): those are planned again. Either way the site is a clean build's."""
    from dossier.render import pages

    planned: list[str] = []
    kinds: set[str] = set()
    make_page = pages.make_page

    def spy(ix, spec, *args):
        planned.append(spec.path)
        kinds.add(spec.kind)
        return make_page(ix, spec, *args)

    site, own = dossier_dir / "site", f"{CLAIMS}/logements-2500.html"
    build_site(dossier_dir)
    monkeypatch.setattr(pages, "make_page", spy)
    path = dossier_dir / CLAIMS / "logements-2500.yaml"
    note = path.read_text().replace("publié par la préfecture.", "publié par la préfecture, recoupé.", 1)
    path.write_text(note)
    before = stamps(site)
    assert build_site(dossier_dir).mode == "edit"
    shown = {p for p in planned if p.startswith(("claims/", "articles/"))}
    assert shown == {own, "articles/crue-de-valmont.html"}
    assert not kinds & {"verdict", "entity", "publisher"}, planned  # no list shows the note
    assert own in changed(before, stamps(site))
    build_site(dossier_dir, output=tmp_path / "clean-1", clean=True)
    assert tree(site) == tree(tmp_path / "clean-1")

    # "Plus de 3 200", then 3 500: the figures agree, and the conflict between the three goes.
    planned.clear()
    path.write_text(path.read_text().replace("value: 2500", "value: 3500"))
    before = stamps(site)
    assert build_site(dossier_dir).mode == "edit"
    others = {f"{CLAIMS}/titre-3200-logements.html", f"{CLAIMS}/logements-3200.html"}
    assert others <= set(planned) and others <= changed(before, stamps(site))
    build_site(dossier_dir, output=tmp_path / "clean-2", clean=True)
    assert tree(site) == tree(tmp_path / "clean-2")


CLAIM_EDITS = EDITS[:2] + EDITS[3:5] + EDITS[9:]  # no dated correction: "built at" would move


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_claim_edits_take_the_edit_path_and_equal_clean(dossier_dir: Path, tmp_path: Path, seed: int) -> None:
    """The everyday edit (verdict, notes, sources, entities of existing claims) reads only the
    edited files and plans only the pages they touch: the result must still be a clean build's."""
    modes = edit_and_compare(dossier_dir, tmp_path, random.Random(seed), CLAIM_EDITS, steps=6)
    # A new publisher makes a new page (a full build); every other step is an edit build.
    assert modes.count("edit") >= 3, modes


@pytest.mark.parametrize(("seed", "page_size"), [(21, 2), (22, 4), (23, 4)])
def test_claim_edits_on_paged_lists_equal_clean(dossier_dir: Path, tmp_path: Path, seed: int, page_size: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists of one item a page (size 2), or of two to eight: verdict, entity and source edits
    move claims across pages, change the items of some pages only, or how many pages a list
    has, which an edit build keeps from the last plan or not."""
    from dossier.render import pages

    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", page_size)
    modes = edit_and_compare(dossier_dir, tmp_path, random.Random(seed), CLAIM_EDITS, steps=6)
    assert "edit" in modes, modes


@pytest.mark.parametrize("long_lived_max_mb", [0, 1 << 20],
                         ids=["fresh-worker-per-chunk", "long-lived-workers"])
def test_parallel_rendering_gives_the_same_bytes(dossier_dir: Path, tmp_path: Path, long_lived_max_mb: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    serial = build_site(dossier_dir, output=tmp_path / "serial")
    monkeypatch.setattr(build_module, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(build_module, "RENDER_CHUNK_PAGES", 1)  # more chunks than workers
    monkeypatch.setattr(build_module, "LONG_LIVED_WORKERS_MAX_MB", long_lived_max_mb)
    monkeypatch.setattr(build_module.os, "cpu_count", lambda: 2)
    parallel = build_site(dossier_dir, output=tmp_path / "parallel", clean=True)
    assert serial.pages == parallel.pages
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_search_index_in_shards_reindexes_only_changed_shards(dossier_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)  # transparency pages | the article and its claims
    build_site(dossier_dir)
    site = dossier_dir / "site"
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind-shards" / "2" / "pagefind-entry.json").is_file()
    assert 'data-bundles="../pagefind-shards/2/"' in (site / "search.html").read_text()
    before = stamps(site)
    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    path.write_text(path.read_text().replace("Aucune source publique", "Aucune source officielle"))
    build_site(dossier_dir)
    written = changed(before, stamps(site))
    assert any(p.startswith("pagefind-shards/2/") for p in written)
    assert not any(p.startswith("pagefind/") for p in written)  # the other shard is left alone
    build_site(dossier_dir, output=tmp_path / "clean", clean=True)
    assert tree(site) == tree(tmp_path / "clean")


def test_a_build_that_fails_after_search_runs_started_leaves_site_and_index_as_they_were(
        dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards are indexed while the build goes on; a broken link found afterwards fails the
    build: the runs' temporary folders go, and neither the pages nor the index change."""
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    build_site(dossier_dir)
    site = dossier_dir / "site"
    before = tree(site)
    started = []  # the folder holding each started run's pages (in memory where there is /dev/shm)
    real_pages = search._search_pages  # called only for a shard whose run starts

    def search_pages(*args):
        work = real_pages(*args)
        started.append((work / "pages").resolve())
        return work

    monkeypatch.setattr(search, "_search_pages", search_pages)
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "verdicts.html").write_text(
        '{% extends "theme/verdicts.html" %}{% block content %}<a href="{{ root }}nowhere.html">x</a>'
        "{% endblock %}")
    (dossier_dir / CLAIMS / "evacues-400-600.yaml").write_text(
        (dossier_dir / CLAIMS / "evacues-400-600.yaml").read_text().replace("Aucune source publique",
                                                                            "Aucune source officielle"))
    with pytest.raises(DossierError) as caught:
        build_site(dossier_dir)
    assert "nowhere.html" in caught.value.problems[0].message
    assert started  # the changed shard's run had started before the link check failed
    assert tree(site) == before
    assert sorted(p.name for p in dossier_dir.iterdir() if p.name.startswith(".site")) == []
    assert not any(pages.exists() for pages in started)


def edit_notes(dossier_dir: Path, new: str) -> None:
    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    path.write_text(path.read_text().replace("Aucune source publique", new))


def test_a_build_without_search_cuts_no_page(dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Pagefind reads of a page is only worked out for search; a build without it still
    equals a clean build when search comes back."""
    cuts = []
    real_cut = build_module.search_page
    monkeypatch.setattr(build_module, "search_page", lambda html: cuts.append(html) or real_cut(html))
    build_site(dossier_dir, search=False)
    assert cuts == []
    assert not (dossier_dir / "site" / "pagefind").exists()
    build_site(dossier_dir)
    assert cuts and (dossier_dir / "site" / "pagefind" / "pagefind-entry.json").is_file()


def test_a_build_cuts_each_searched_page_once_where_it_renders_it(
        dossier_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Pagefind reads of a page is cut from it as it is rendered, and that cut is what its
    shard's run reads: the indexer makes one from the page's file only for a page this build
    did not render (and then the index is still that of a clean build)."""
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    cut_again = []
    real_cut = search.search_page
    monkeypatch.setattr(search, "search_page", lambda html: cut_again.append(html) or real_cut(html))
    build_site(dossier_dir, clean=True)
    assert cut_again == []
    # A template only the transparency pages use: the other shards keep their index, and that
    # shard's pages are all rendered again.
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "text_page.html").write_text(
        (Path(search.__file__).parents[1] / "templates" / "text_page.html").read_text()
        .replace("data-pagefind-body>", "data-pagefind-body><p>Mis à jour.</p>", 1))
    runs = record_search_runs(monkeypatch)
    build_site(dossier_dir)
    assert [name for name, _ in runs] == ["pagefind"] and cut_again == []
    build_site(dossier_dir, output=tmp_path / "clean", clean=True)
    assert tree(dossier_dir / "site") == tree(tmp_path / "clean")


def test_an_edit_build_indexes_its_shard_once_from_the_run_started_with_its_first_pages(
        dossier_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)  # transparency pages | the article and its claims
    build_site(dossier_dir)
    runs = record_search_runs(monkeypatch)
    edit_notes(dossier_dir, "Aucune source officielle")
    assert build_site(dossier_dir).mode == "edit"
    assert runs == [("2", 1)]  # the early run (one thread), taken: no second run of the shard
    build_site(dossier_dir, output=tmp_path / "clean", clean=True)
    assert tree(dossier_dir / "site") == tree(tmp_path / "clean")
    assert sorted(p.name for p in dossier_dir.iterdir() if p.name.startswith(".site")) == []


def test_an_early_search_run_on_a_wrong_guess_is_dropped_for_a_run_on_the_real_pages(
        dossier_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    build_site(dossier_dir)
    runs = record_search_runs(monkeypatch)
    real_start = search.start_early

    def wrong_guess(site, language, shards, done, known, fresh, staged, staging):
        # as if the edited page were to be indexed with other words than it ends up with
        return real_start(site, language, shards, done, known, dict.fromkeys(fresh, "0" * 64), staged,
                          staging)

    monkeypatch.setattr(search, "start_early", wrong_guess)
    edit_notes(dossier_dir, "Aucune source officielle")
    assert build_site(dossier_dir).mode == "edit"
    assert [name for name, _ in runs] == ["2", "2"] and runs[0] == ("2", 1)  # early, then again
    build_site(dossier_dir, output=tmp_path / "clean", clean=True)
    assert tree(dossier_dir / "site") == tree(tmp_path / "clean")
    assert sorted(p.name for p in dossier_dir.iterdir() if p.name.startswith(".site")) == []


def test_an_edit_build_that_fails_after_its_early_search_run_leaves_the_site_as_it_was(
        dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    build_site(dossier_dir)
    site = dossier_dir / "site"
    before = tree(site)
    real = search._index_shard

    def slow_run(binary, site, language, work, target, threads=None):
        # Still writing when the build fails (as Pagefind makes its output folder, parents and
        # all): the run's folder must be removed after it ends, not before.
        made = real(binary, site, language, work, target, threads)
        time.sleep(0.4)
        (made / "late").mkdir(parents=True, exist_ok=True)
        return made

    monkeypatch.setattr(search, "_index_shard", slow_run)
    runs = record_search_runs(monkeypatch)
    # Notes cannot link inside the site: the link check is made to find a problem instead.
    broken = Problem("claims/crue-de-valmont/evacues-400-600.html", None, None, "broken link to nowhere.html")
    monkeypatch.setattr(build_module, "check_links", lambda *args: [broken])
    edit_notes(dossier_dir, "Aucune source officielle")
    with pytest.raises(DossierError) as caught:
        build_site(dossier_dir)
    assert caught.value.problems == [broken]
    assert runs == [("2", 1)]  # the early run had started before the link check failed
    # Whatever the build left running ends (it must have waited for it): nothing comes back.
    for thread in threading.enumerate():
        if thread.name.startswith("ThreadPoolExecutor"):
            thread.join(timeout=30)
    assert tree(site) == before
    assert sorted(p.name for p in dossier_dir.iterdir() if p.name.startswith(".site")) == []


def test_an_export_that_cannot_be_written_ahead_fails_the_edit_build_and_leaves_the_site(
        dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim exports are copied into the staging folder by a thread while the pages are
    planned: its failure (a full disk) is the build's, raised where the exports are made."""
    from dossier.render import feeds

    build_site(dossier_dir)
    site = dossier_dir / "site"
    before = tree(site)

    def full_disk(self, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(feeds.Spliced, "write", full_disk)
    edit_notes(dossier_dir, "Aucune source officielle")
    with pytest.raises(OSError, match="No space left"):
        build_site(dossier_dir)
    assert tree(site) == before
    assert sorted(p.name for p in dossier_dir.iterdir() if p.name.startswith(".site")) == []
    monkeypatch.undo()
    build_site(dossier_dir)  # the next build does it
    assert b"Aucune source officielle" in (site / "claims.json").read_bytes()


def test_a_verdict_edit_rewrites_a_page_or_two_of_a_long_verdict_list(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim moving from one verdict to another changes the pages it leaves and joins, and the
    lists' first pages (they show the lists' lengths), not every page after it: page breaks
    follow the items next to them. The result is still a clean build's, byte for byte."""
    import re
    import sys

    from dossier.render import pages

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "dossier"
    generate.generate(400, root, seed=3, search=False)
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 8)  # long lists: 6 to 12 pages each
    site = root / "site"
    build_site(root)
    rng = random.Random(5)
    files = sorted((root / "claims").rglob("*.yaml"))
    partial = 0
    for step in range(4):
        path = rng.choice(files)
        text = path.read_text(encoding="utf-8")
        old = re.search(r'(?m)^verdict: "?([a-z-]+)"?$', text).group(1)
        new = rng.choice([v for v in ("true", "mostly-true", "mixed", "mostly-false", "false") if v != old])
        path.write_text(re.sub(r"(?m)^verdict: .*$", f'verdict: "{new}"', text), encoding="utf-8")
        before = stamps(site)
        assert build_site(root).mode == "edit"
        written = changed(before, stamps(site))
        for verdict in (old, new):
            list_pages = [p for p in before if p == f"verdicts/{verdict}.html"
                          or p.startswith(f"verdicts/{verdict}/")]
            rewritten = [p for p in written if p in list_pages]
            assert f"verdicts/{verdict}.html" in rewritten  # its length
            partial += len(list_pages) >= 4 and len(rewritten) <= 3
        build_site(root, output=tmp_path / f"clean-{step}", clean=True)
        assert tree(site) == tree(tmp_path / f"clean-{step}"), f"step {step}"
    assert partial >= 6, partial  # of 8 lists touched; a page more or less rewrites one whole


def _mapping(value):
    """Maps compared as mappings (any key order), lists in order."""
    if isinstance(value, Mapping):  # a dict, or a map worked out per key (`pages._ByPublisher`)
        return {key: _mapping(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mapping(item) for item in value]
    return value


def test_citing_groups_every_source_by_its_publisher_page_then_url(tmp_path: Path) -> None:
    """`citing` and `publisher_urls` are worked out one publisher at a time, from the claims
    citing it: each equals grouping every source of the dossier in one pass."""
    import sys
    from collections import defaultdict

    from dossier.load import load_dossier
    from dossier.render.pages import make_index, publisher_path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "dossier"
    generate.generate(200, root, seed=5, search=False)
    ix = make_index(load_dossier(root), ())
    expected: dict = defaultdict(lambda: defaultdict(list))
    for entry in ix.entries:
        for source in entry.sources:
            expected[publisher_path(source.publisher)][source.url].append((source, entry.key))
    assert len(expected) > 10 and any(len(by_url) > 1 for by_url in expected.values())
    assert _mapping(ix.citing) == _mapping(expected)
    assert list(ix.citing) == list(expected)  # in the order claims first cite them
    assert _mapping(ix.publisher_urls) == {path: sorted(by_url) for path, by_url in expected.items()}
    assert "sources/nobody.html" not in ix.citing
    with pytest.raises(KeyError):
        ix.citing["sources/nobody.html"]


def test_the_index_before_an_edit_equals_a_fresh_index_of_the_old_claims(tmp_path: Path) -> None:
    """An edit build derives the index before the edit from the one after it, regrouping only
    what the edited claims were or are in: every map it plans from must equal a fresh index's,
    for random edits of verdicts, entities, sources (publishers and URLs) and topics."""
    import sys

    from dossier.load import load_dossier
    from dossier.render.pages import ClaimEntry, SourceRef, make_index, publisher_name

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "dossier"
    generate.generate(300, root, seed=4, search=False)
    new = make_index(load_dossier(root), ())
    entries = new.entries
    rng = random.Random(9)
    verdicts = [v.id for v in new.config.verdicts]
    entity_ids = sorted(new.entities)
    topics = [*sorted({t for e in entries for t in e.topics}), "sujet-neuf"]
    sources = [s for e in entries for s in e.sources]
    maps = ("position", "claims_of", "by_verdict", "naming", "by_topic", "topic_position", "explicit",
            "citers", "citing", "publisher_urls", "publisher_names")
    for _ in range(60):
        edited = {}
        for entry in rng.sample(entries, rng.randint(1, 4)):
            old = entry
            for _ in range(rng.randint(1, 3)):
                change = rng.choice(("verdict", "entities", "source", "topics", "related"))
                if change == "verdict":
                    old = old._replace(verdict=rng.choice(verdicts))
                elif change == "entities":
                    old = old._replace(entities=tuple(rng.sample(entity_ids, rng.randint(0, 5))))
                elif change == "topics":
                    old = old._replace(topics=tuple(sorted(set(rng.sample(topics, rng.randint(0, 2))))))
                elif change == "related":
                    related = (rng.choice(entries).key for _ in range(rng.randint(0, 2)))
                    old = old._replace(related=tuple(related))
                else:
                    cited = list(old.sources)
                    other = rng.choice(sources)
                    if cited and rng.random() < 0.3:
                        cited.pop(rng.randrange(len(cited)))
                    elif rng.random() < 0.5:  # another claim's source: a publisher and URL in use
                        cited.append(other)
                    else:  # a new spelling of a publisher, or a new one
                        name = rng.choice([other.publisher.upper(), f"Éditeur {rng.randint(1, 5)}"])
                        url = rng.choice([other.url, f"https://neuf{rng.randint(1, 5)}.example.org/a"])
                        cited.append(SourceRef(url, publisher_name(url, name), None, None, "supports"))
                    old = old._replace(**ClaimEntry.source_fields(cited))
            edited[entry.key] = old
        derived = new.before_edit(edited)
        fresh = type(new)(new.config, new.articles, new.entities, [edited.get(e.key, e) for e in entries],
                          (), "")
        for name in maps:
            assert _mapping(getattr(derived, name)) == _mapping(getattr(fresh, name)), name
        assert derived.by_key == fresh.by_key
        for kind, subject in {("verdict", v) for v in verdicts} | {("entity", e) for e in entity_ids} \
                | {("publisher", p) for p in fresh.citing}:
            assert derived.list_slices(kind, subject) == fresh.list_slices(kind, subject), (kind, subject)


def test_kept_state_and_page_cache_survive_a_lost_or_stale_delta(dossier_dir: Path, tmp_path: Path) -> None:
    """Edit builds write deltas of the site state and the page cache next to their base files.
    A base without its delta may be stale: the next build is a full one. A delta left from an
    older base is ignored. Either way the site is a clean build's."""
    from dossier.render.cache import CACHE_DIR

    def edit(text: str) -> None:
        import re

        path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
        path.write_text(re.sub(r"(?m)^notes: .*$", f'notes: "{text}"', path.read_text()))

    cache = dossier_dir / CACHE_DIR
    build_site(dossier_dir)
    edit("Note 1")
    assert build_site(dossier_dir).mode == "edit"
    deltas = sorted(cache.glob("*.delta.*"))
    assert [p.name.split("-")[0] for p in deltas] == ["build", "site"]
    stale = {p: p.read_bytes() for p in deltas}
    edit("Note 2")
    assert build_site(dossier_dir).mode == "edit"  # base + first delta read, a second delta written
    assert "Note 2" in (dossier_dir / "site" / CLAIMS / "evacues-400-600.html").read_text()
    for path in deltas:
        path.unlink()
    edit("Note 3")
    assert build_site(dossier_dir).mode == "full"
    build_site(dossier_dir, output=tmp_path / "clean-1", clean=True)
    assert tree(dossier_dir / "site") == tree(tmp_path / "clean-1")
    for path, data in stale.items():  # deltas of a base the full build replaced
        path.write_bytes(data)
    edit("Note 4")
    assert build_site(dossier_dir).mode == "edit"
    build_site(dossier_dir, output=tmp_path / "clean-2", clean=True)
    assert tree(dossier_dir / "site") == tree(tmp_path / "clean-2")


@pytest.mark.parametrize(("kept", "suffix"), [("site", ".pickle"), ("build", ".marshal")])
def test_an_empty_or_cut_kept_base_means_a_full_build(dossier_dir: Path, tmp_path: Path, kept: str,
                                                       suffix: str) -> None:
    """The kept site state and page cache are read through a memory map (`cache.read_kept`):
    one that is empty (which cannot be mapped) or cut short is not trusted, and the build
    that follows is a full one, its site a clean build's."""
    import re

    from dossier.render.cache import kept_path

    path = dossier_dir / CLAIMS / "evacues-400-600.yaml"
    for number, cut in enumerate((lambda data: b"", lambda data: data[: len(data) // 2])):
        build_site(dossier_dir)
        base = kept_path(dossier_dir, (dossier_dir / "site").resolve(), kept, suffix)
        assert base.stat().st_size > 0
        base.write_bytes(cut(base.read_bytes()))
        path.write_text(re.sub(r"(?m)^notes: .*$", f'notes: "Coupé {number}"', path.read_text()))
        assert build_site(dossier_dir).mode == "full"
        build_site(dossier_dir, output=tmp_path / f"clean-{number}", clean=True)
        assert tree(dossier_dir / "site") == tree(tmp_path / f"clean-{number}")


def test_two_claims_edited_together_in_one_list_equal_clean(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """One claim enters an entity's list (its items change) while another claim of that list,
    on a page whose items stay the same, changes verdict: that page shows the new badge."""
    import re
    import sys

    from dossier.load import load_dossier
    from dossier.render import pages

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "dossier"
    generate.generate(400, root, seed=5, search=False)
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 4)
    build_site(root)
    dossier = load_dossier(root)
    ix = pages.make_index(dossier, ())
    entity = max(ix.entities, key=lambda e: len(ix.naming.get(e, ())))
    keys, slices = ix.naming[entity], ix.list_slices("entity", entity)
    assert len(slices) >= 2
    shown = keys[slices[-1][0]]  # on the last page, whose items the other edit leaves alone
    entering = next(e.key for e in ix.entries if e.key not in keys
                    and pages.list_slices(sorted([*keys, e.key], key=ix.position.__getitem__))[-1]
                    == (slices[-1][0] + 1, slices[-1][1] + 1))
    files = {c.key: root / c.path for c in dossier.claims}
    text = files[entering].read_text(encoding="utf-8")
    files[entering].write_text(re.sub(r"(?m)^entities: \[", f"entities: [{entity}, ", text, count=1),
                               encoding="utf-8")
    text = files[shown].read_text(encoding="utf-8")
    verdict = "false" if 'verdict: "false"' not in text and "verdict: false" not in text else "true"
    files[shown].write_text(re.sub(r"(?m)^verdict: .*$", f"verdict: {verdict}", text), encoding="utf-8")
    assert build_site(root).mode == "edit"
    build_site(root, output=tmp_path / "clean", clean=True)
    assert tree(root / "site") == tree(tmp_path / "clean")


def test_parallel_loading_gives_the_same_site_and_a_parse_cache_that_serves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big build reads its claim folders in worker processes, which hand back only what the
    build keeps of each (entries, the article's findings, the export lines) and save the parse
    cache themselves: the same site, byte for byte, as a serial read; and the next build reads
    every claim from the cache they saved."""
    import sys

    import dossier.load

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "d"
    generate.generate(80, root, seed=3, search=False)  # 4 articles of 20 claims
    serial = build_site(root, output=tmp_path / "serial", clean=True)
    with monkeypatch.context() as patch:
        patch.setattr(dossier.load.os, "cpu_count", lambda: 2)
        patch.setattr(dossier.load, "PARALLEL_MIN_FILES", 1)
        patch.setattr(dossier.load, "READ_BATCH_FILES", 30)  # batches of two folders
        parallel = build_site(root, output=tmp_path / "parallel", clean=True)
    assert parallel.pages == serial.pages > 80
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")

    parsed: list[Path] = []
    read = dossier.load.read_claim_files
    monkeypatch.setattr(dossier.load, "read_claim_files",
                        lambda paths, shared: parsed.extend(paths) or read(paths, shared))
    build_site(root, output=tmp_path / "from-cache")  # a full build: a new output folder
    assert parsed == []
    assert tree(tmp_path / "from-cache") == tree(tmp_path / "serial")
