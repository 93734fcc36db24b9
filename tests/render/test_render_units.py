"""Small pieces of rendering: readable quantities and dates, link resolution, shards, list pages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dossier.claims import Quantity
from dossier.render import feeds
from dossier.render.links import check_links, resolve, scan
from dossier.render.pages import LIST_PAGE_SIZE, list_slices
from dossier.render.search import plan_shards
from dossier.render.text import long_date, quantity, shorten

NBSP = "\u00a0"


@pytest.mark.parametrize(("q", "fr", "en"), [
    (Quantity("", "at_least", 10000), f"plus de 10{NBSP}000", "more than 10,000"),
    (Quantity("", "range", low=4000, high=6000), f"entre 4{NBSP}000 et 6{NBSP}000",
     "between 4,000 and 6,000"),
    (Quantity("", "ratio", 37, of=64), "37 sur 64", "37 of 64"),
    (Quantity("", "fraction", numerator=2, denominator=3), "les deux tiers", "two thirds"),
    (Quantity("", "fraction", numerator=5, denominator=7), "5/7", "5/7"),
    (Quantity("", "exact", 12_000_000), "12 millions", "12 million"),
    (Quantity("", "exact", 1_000_000), "1 million", "1 million"),
    (Quantity("", "exact", 1_500_000, unit="€"), f"1,5 million{NBSP}€", f"1.5 million{NBSP}€"),
    (Quantity("", "approx", 4.5, unit="%"), f"environ 4,5{NBSP}%", "about 4.5%"),
    (Quantity("", "at_most", 200), "moins de 200", "fewer than 200"),
    (Quantity("", "exact", 6000), f"6{NBSP}000", "6,000"),
])
def test_quantities_read_as_a_person_would_write_them(q: Quantity, fr: str, en: str) -> None:
    assert quantity(q, "fr") == fr
    assert quantity(q, "en") == en


def test_dates() -> None:
    assert long_date(date(2025, 11, 17), "fr") == "17 novembre 2025"
    assert long_date(date(2025, 3, 1), "fr") == "1er mars 2025"
    assert long_date(date(2025, 3, 1), "en") == "March 1, 2025"


def test_shorten_cuts_at_a_word() -> None:
    text = "Le président ukrainien Volodymyr Zelensky a affirmé que sur les 12 000 Nord-Coréens envoyés"
    short = shorten(text, 74)
    assert len(short) <= 74 and short.endswith("…") and text.startswith(short[:-1])
    assert shorten("court", 74) == "court"


def test_link_resolution() -> None:
    assert resolve("claims/a/b.html", "../../index.html") == ("index.html", "")
    assert resolve("claims/a/b.html", "c.html#x") == ("claims/a/c.html", "x")
    assert resolve("index.html", "#top") == ("index.html", "top")
    assert resolve("index.html", "entities/") == ("entities/index.html", "")
    links, ids = scan(b'<a href="https://x.org/">x</a><a href="a.html#k">a</a><p id="k"></p>'
                      b'<a href="mailto:a@b.c">m</a><a href="//cdn.example/x.js">c</a>')
    assert links == ["a.html#k"] and ids == ["k"]
    # One pass finds both in a tag that has both, once each, unescaped; `data-id` is no id.
    links, ids = scan(b'<a id="top" href="b.html?x=1&amp;y=2">b</a>\n<img\nsrc="i.png" data-id="no">'
                      b'<a href="b.html?x=1&amp;y=2" id="t&#39;2">again</a><p>id="text"</p>')
    assert links == ["b.html?x=1&y=2", "i.png"] and ids == ["t'2", "top"]


def test_check_links_finds_missing_pages_anchors_and_escapes() -> None:
    scans = {"index.html": (["a.html#k", "a.html#missing", "gone.html", "../outside.html"], []),
             "a.html": ([], ["k"])}
    problems = check_links(scans, {"index.html", "a.html"})
    messages = sorted(p.message for p in problems)
    assert messages == ["broken anchor 'a.html#missing'", "broken internal link 'gone.html'",
                        "link '../outside.html' points outside the site"]
    assert all(p.path == "index.html" for p in problems)


_FOLDERS = ["", "a", "b", "a/x", "a/y", "b/x"]


@st.composite
def _sites(draw):
    """A small site: pages in folders of several depths, each with ids, and links of every
    kind (from the site's root, relative, to an anchor, up and out of the site), good or bad."""
    pages = sorted(set(draw(st.lists(st.builds(lambda f, n: f"{f}/{n}.html".lstrip("/"),
                                                  st.sampled_from(_FOLDERS), st.sampled_from("pqr")),
                                        min_size=1, max_size=12))))
    names = [*pages, "gone.html", "a/gone.html", "style.css"]
    ids = st.lists(st.sampled_from(["k", "m", "n"]), unique=True, max_size=2)
    scans = {}
    # Few names, so that one link text comes back on pages of other folders and depths.
    tails = sorted({n.rpartition("/")[2] for n in names} | set(names))
    for page in pages:
        link = st.one_of(
            st.builds(lambda up, n, f: up + n + f, st.sampled_from(["", "../", "../../"]),
                      st.sampled_from(tails), st.sampled_from(["", "#k", "#m"])),
            st.sampled_from(["#k", "#m", "#gone", "../" * 4 + "x.html", "./p.html", "x/../q.html"]),
        )
        scans[page] = (sorted(set(draw(st.lists(link, max_size=6)))), draw(ids))
    return scans, set(pages) | {"style.css"}


@given(_sites())
@example(({"a/x/p.html": (["p.html"], []), "a/y/q.html": (["p.html"], [])}, {"a/x/p.html", "a/y/q.html"}))
def test_check_links_remembers_good_links_without_changing_a_verdict(site) -> None:
    """check_links skips a link it found good on a page as deep (from the root) or of the same
    folder: every problem is the one checking each link on its own finds, page by page."""
    from dossier.render.links import _check

    scans, files = site
    expected: list = []
    for page in sorted(scans):
        for link in scans[page][0]:
            _check(page, link, *resolve(page, link), files, scans, {}, expected)
    assert check_links(scans, files) == expected
    some = set(sorted(scans)[::2])
    assert check_links(scans, files, some) == [p for p in expected if p.path in some]


def test_shards_keep_articles_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.render import search

    monkeypatch.setattr(search, "SHARD_PAGES", 3)
    pages = ["index.html", "methodology.html", "articles/a.html", "claims/a/1.html", "claims/a/2.html",
             "articles/b.html", "claims/b/1.html", "entities/x.html"]
    assert plan_shards(pages) == [["methodology.html"], ["articles/a.html", "claims/a/1.html",
                                  "claims/a/2.html"], ["articles/b.html", "claims/b/1.html"]]


@given(st.text())
def test_feed_escaping_is_xml_sax_saxutils(text: str) -> None:
    """feeds.py writes out saxutils' escape and quoteattr (to keep its imports out of the build):
    the same output for any text."""
    from xml.sax.saxutils import escape as sax_escape
    from xml.sax.saxutils import quoteattr as sax_quoteattr

    assert feeds.escape(text) == sax_escape(text)
    assert feeds.quoteattr(text) == sax_quoteattr(text)


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_spliced_export_is_old_ranges_and_new_fragments(tmp_path, monkeypatch, kernel_copy: bool) -> None:
    old = tmp_path / "old.json"
    old.write_bytes(b"0123456789" * 300_000)  # 3 MB: more than one block of the fallback copy
    if not kernel_copy:  # e.g. another file system: copy_file_range refuses, blocks are copied
        def refuse(*args, **kwargs):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(feeds.os, "copy_file_range", refuse)
    parts = ((0, 5), b"new", (2_000_000, 3_000_000), b"", (7, 9))
    target = tmp_path / "new.json"
    feeds.Spliced(old, parts, "digest").write(target)
    data = old.read_bytes()
    assert target.read_bytes() == data[0:5] + b"new" + data[2_000_000:3_000_000] + data[7:9]


_SEGMENTS = st.sampled_from(["..", ".", "a", "b.html", "claims", "x y", "%20", "?q=1", "", "c.css", "...",
                             "a..b"])


@settings(max_examples=1000)
@given(st.sampled_from(["index.html", "claims/a/b.html", "entities/x.html", "verdicts/true/2.html"]),
       st.lists(_SEGMENTS, min_size=1, max_size=6), st.sampled_from(["", "#top", "#", "#a/b"]))
def test_the_link_checkers_shortcut_agrees_with_resolve(page: str, segments: list[str],
                                                        fragment: str) -> None:
    from dossier.render.links import resolve, root_relative

    folder = page.rpartition("/")[0]
    up = "../" * (folder.count("/") + 1) if folder else ""
    link = up + "/".join(segments) + fragment
    fast = root_relative(link, up)
    if fast is not None:
        assert fast == resolve(page, link)


def test_the_link_checkers_shortcut_takes_template_links() -> None:
    """The links templates write (`{{ root }}path#id`) take the shortcut; others resolve."""
    from dossier.render.links import root_relative

    assert root_relative("../../claims/a/b.html#c-1", "../../") == ("claims/a/b.html", "c-1")
    assert root_relative("index.html", "") == ("index.html", "")
    assert root_relative("../x/../y.html", "../") is None
    assert root_relative("b.html", "../") is None


def test_what_pagefind_reads_of_a_page_is_its_body_with_ignored_parts_emptied() -> None:
    from dossier.render.cache import digest
    from dossier.render.search import search_page

    def search_digest(html: bytes) -> str:
        return digest(search_page(html))

    def page(head: str, inside: str, after: str = "") -> bytes:
        return (f'<!DOCTYPE html><html lang="fr"><head>{head}</head><body><nav>menu</nav>'
                f'<article class="claim" data-pagefind-body>{inside}</article>{after}</body></html>').encode()

    html = page('<meta charset="utf-8"><title>Titre</title><link rel="stylesheet" href="s.css">',
                '<h1>Affirmation</h1><section data-pagefind-ignore><p>contexte</p></section><p>notes</p>')
    assert search_page(html) == (
        b'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Titre</title></head><body>'
        b'<article class="claim" data-pagefind-body><h1>Affirmation</h1><section data-pagefind-ignore>'
        b"</section><p>notes</p></article></body></html>")
    # Its hash is what decides whether a shard is indexed again: the same for a change Pagefind
    # does not read (the menu, an ignored section), another for one it reads.
    same = html.replace(b"<nav>menu</nav>", b"<nav>autre menu</nav>").replace(b"contexte", b"autre contexte")
    assert search_digest(same) == search_digest(html)
    assert search_digest(html.replace(b"notes", b"autres notes")) != search_digest(html)
    # A page Pagefind might read differently once cut is kept whole.
    for kept_whole in (page("", "<p>x</p>", after="<h1>Titre dehors</h1>"),
                       page("", "<p>x</p><!-- </article> --><p>y</p>"),
                       page("", "<article><p>x</p></article><p>y</p>"),
                       page("<script>var s = '</article>';</script>", "<p>x</p>"),
                       b"<html><head><title>t</title></head><body data-pagefind-body><p>x</p></body></html>",
                       b"<html><body><p>sans corps</p></body></html>"):
        assert search_page(kept_whole) == kept_whole


def _pages(items: list[str]) -> list[list[str]]:
    return [items[start:end] for start, end in list_slices(items)]


@given(st.lists(st.text(min_size=1, max_size=12), max_size=700))
@settings(max_examples=200, deadline=None)
def test_list_pages_cover_the_list_in_order_within_their_bounds(items: list[str]) -> None:
    pages = _pages(items)
    assert [item for page in pages for item in page] == items
    assert len(pages) >= 1
    if len(pages) > 1:
        # Half a page at least; twice at most, or a little more for the last page, which takes
        # in a short tail rather than stand alone.
        assert all(LIST_PAGE_SIZE // 2 <= len(page) <= 2 * LIST_PAGE_SIZE for page in pages[:-1])
        assert LIST_PAGE_SIZE // 2 <= len(pages[-1]) < 2 * LIST_PAGE_SIZE + LIST_PAGE_SIZE // 2


def test_a_claim_entering_or_leaving_a_long_list_changes_one_page_or_two() -> None:
    """Page breaks follow the items next to them: one item more or less changes the page it is
    on (seldom the next), never the pages before it, nor the rest of the list. Only when the
    item makes or unmakes a break (a few edits in a hundred) does the number of pages change."""
    import random

    rng = random.Random(7)
    items = [f"article-{n // 20:04d}/claim-{n % 20:02d}" for n in range(20_000)]
    before = _pages(items)
    changed_counts, recounted = [], 0
    for _ in range(500):
        at = rng.randrange(len(items))
        edited = items[:at] + items[at + 1:] if rng.random() < 0.5 else [*items[:at], "x/new", *items[at:]]
        after = _pages(edited)
        changed = [n for n, (old, new) in enumerate(zip(before, after, strict=False)) if old != new]
        page_of_edit = next(n for n, page in enumerate(before) if items[at] in page)
        assert changed and min(changed) == page_of_edit
        if len(after) != len(before):
            recounted += 1
            continue
        changed_counts.append(len(changed))
    assert recounted < 25, recounted
    assert max(changed_counts) <= 3, sorted(changed_counts)[-10:]
    assert sum(changed_counts) / len(changed_counts) < 1.3, sum(changed_counts) / len(changed_counts)


def test_the_build_cache_keeps_edits_in_a_delta_until_a_full_save(tmp_path, monkeypatch) -> None:
    """A full build writes the base file; an edit build writes only what changed since it
    (cumulatively, removals too); loading gives back exactly the entries saved last. Without
    its delta a base may be stale: nothing is trusted. A delta of an older base is ignored."""
    from dossier.render.cache import BuildCache, Entry, kept_delta_path

    monkeypatch.setattr(BuildCache, "DELTA_MOST", 10)  # past 10 changed entries, a new base
    root, output = tmp_path, tmp_path / "site"
    cache = BuildCache.load(root, output, "code")
    cache.entries = {f"p{n}.html": Entry(f"f{n}", f"d{n}", b"", "") for n in range(50)}
    cache.save()
    base_file = cache.path.read_bytes()
    for step in range(3):
        cache = BuildCache.load(root, output, "code")
        entries = dict(cache.entries)
        entries[f"p{step}.html"] = Entry("new", f"d{step}", b"x", "s")
        entries.pop(f"p{10 + step}.html")
        entries[f"q{step}.html"] = Entry("added", "d", b"", "")
        cache.entries, cache.search = entries, f"search {step}"
        cache.save()
        assert cache.path.read_bytes() == base_file  # the base is left alone
        again = BuildCache.load(root, output, "code")
        assert again.entries == entries and again.search == f"search {step}"
        assert {type(entry) for entry in again.entries.values()} == {Entry}  # not plain tuples
    delta = kept_delta_path(cache.path).read_bytes()
    kept_delta_path(cache.path).unlink()
    lost = BuildCache.load(root, output, "code")
    assert lost.entries == {}
    lost.entries = {"p1.html": Entry("f", "d", b"", "")}  # what the full build then makes
    lost.save()
    assert cache.path.read_bytes() != base_file  # a new base, nothing of the old one
    assert BuildCache.load(root, output, "code").entries == lost.entries
    kept_delta_path(cache.path).write_bytes(delta)  # the old base's delta, left behind by a crash
    assert BuildCache.load(root, output, "code").entries == lost.entries


def test_a_build_cache_entry_of_the_wrong_shape_means_a_full_build(tmp_path) -> None:
    """Entries are made from the kept tuples without `Entry`'s own argument checks: a tuple of
    another length (a damaged file, another format) must leave the cache empty, not half-read."""
    import marshal

    from dossier.render.cache import BuildCache, Entry, kept_delta_path

    root, output = tmp_path, tmp_path / "site"
    cache = BuildCache.load(root, output, "code")
    cache.entries = {f"p{n}.html": Entry(f"f{n}", f"d{n}", b"", "") for n in range(5)}
    cache.save()
    assert len(BuildCache.load(root, output, "code").entries) == 5
    for where in ("base", "delta"):
        cache.save()  # a fresh base and an empty delta
        path = cache.path if where == "base" else kept_delta_path(cache.path)
        data = marshal.loads(path.read_bytes())
        data["entries"]["p9.html"] = ("f", "d", b"")  # one field short
        path.write_bytes(marshal.dumps(data))
        assert BuildCache.load(root, output, "code").entries == {}, where
        cache = BuildCache.load(root, output, "code")
        cache.entries = {f"p{n}.html": Entry(f"f{n}", f"d{n}", b"", "") for n in range(5)}
        cache.token = ""  # the next save writes a new base


def test_claim_entries_come_back_from_their_plain_form_and_a_wrong_shape_is_refused() -> None:
    from dossier.render.pages import ClaimEntry, SourceRef

    source = SourceRef("https://example.org/a", "Example", None, "2025-01-02", "supports")
    entries = [ClaimEntry("a/x", "x", "a", "Texte.", "true", "event", 3, 0, ("e1",), topics=("t",),
                          related=("a/y",), updated=None, latest="2025-01-02",
                          **ClaimEntry.source_fields([source, source])),
               ClaimEntry("a/y", "y", "a", "Autre.", "false", "event", 4, 7, (), topics=(), related=(),
                          updated="2025-02-01", latest=None, **ClaimEntry.source_fields([]))]
    back = ClaimEntry.from_plain([entry.plain() for entry in entries])
    assert back == entries
    assert type(back[0]) is ClaimEntry and type(back[0].sources[1]) is SourceRef
    assert back[0].sources == (source, source) and back[1].sources == ()
    assert type(back[0].source_rows[1]) is tuple  # kept plain: `sources` makes the SourceRefs
    assert back[0].source_publishers == ("Example", "Example") and back[0].publishers() == {"Example"}
    # Packed the same whatever objects hold the same values: entries compare by value.
    copied = SourceRef(*("".join(field) if field else field for field in source))
    assert ClaimEntry.source_fields([copied, source]) == ClaimEntry.source_fields([source, source])
    assert back[0].sources[0].publisher == "Example" and back[1].updated == "2025-02-01"
    with pytest.raises(ValueError):
        ClaimEntry.from_plain([entries[0].plain()[:-1]])
    with pytest.raises(ValueError):
        ClaimEntry.from_plain([(*entries[0].plain()[:9], (tuple(source)[:4],), *entries[0].plain()[10:])])


def test_page_specs_come_back_from_their_plain_form_and_a_wrong_shape_is_refused() -> None:
    from dossier.render.pages import PageSpec

    specs = [PageSpec("index.html", "home"), PageSpec("entities/x/2.html", "entity", "x", 2)]
    back = PageSpec.from_plain([tuple(spec) for spec in specs])
    assert back == specs and {type(spec) for spec in back} == {PageSpec}
    assert back[1].subject == "x" and back[1].number == 2 and back[0].number == 1
    with pytest.raises(ValueError):
        PageSpec.from_plain([("index.html", "home", "")])


def test_the_feed_lists_the_most_recently_reviewed_claims_newest_first(tmp_path, monkeypatch) -> None:
    """The feed holds the `FEED_ENTRIES` claims with the latest `claim_updated` (a correction,
    else the article's date), ties in site order: the same as sorting every claim by hand."""
    import sys
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from dossier.load import load_dossier
    from dossier.render.pages import claim_path, claim_updated, make_index

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    generate.generate(300, tmp_path, seed=8, search=False)
    ix = make_index(load_dossier(tmp_path), ())
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 40)
    ranked = sorted(enumerate(ix.entries), key=lambda pair: (
        claim_updated(pair[1], ix.articles.get(pair[1].article), ix.built), -pair[0]), reverse=True)
    expected = [(claim_updated(e, ix.articles.get(e.article), ix.built), ix.config.base_url + claim_path(e))
                for _, e in ranked[:40]]
    # Both kinds of date are in the running: corrected claims and plain ones, and ties.
    assert {bool(e.updated) for _, e in ranked[:40]} == {True, False}
    assert len({day for day, _ in expected}) < len(expected)
    atom = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feeds.atom_feed(ix))
    shown = [(e.findtext("a:updated", namespaces=atom).removesuffix("T00:00:00Z"),
              e.find("a:link", atom).get("href")) for e in root.findall("a:entry", atom)]
    assert shown == expected
    assert root.findtext("a:updated", namespaces=atom) == f"{expected[0][0]}T00:00:00Z"


def test_a_page_fingerprint_follows_values_not_objects_or_sharing() -> None:
    """`build._fingerprint` hashes page data by value: equal data made of other (or shared)
    objects hashes alike, any changed field or class hashes apart, and the classes it keeps
    in the pickler's memo never grow it."""
    from dossier.claims import Source
    from dossier.render.build import _FINGERPRINT_MEMO, _fingerprint
    from dossier.render.record import Record

    def source(title: str) -> Source:
        return Source("https://example.org/" + "a", "supports", "".join(title), None, date(2025, 1, 2))

    shared = source("Titre")
    memo = dict(_FINGERPRINT_MEMO)
    same = _fingerprint("p.html", Record(sources=[shared, shared], day=date(2025, 1, 2)))
    assert _fingerprint("p.html", Record(sources=[source("Titre"), source("Titre")],
                                         day=date(2025, 1, 2))) == same
    assert memo == _FINGERPRINT_MEMO
    assert _fingerprint("p.html", Record(sources=[shared, source("Titres")], day=date(2025, 1, 2))) != same
    assert _fingerprint("p.html", Record(sources=[shared, shared], day=date(2025, 1, 3))) != same
    assert _fingerprint("p.html", {"sources": [shared, shared], "day": date(2025, 1, 2)}) != same
    # A class outside the memo is written in full: still by value.
    from fractions import Fraction

    assert _fingerprint(Fraction(1, 3)) == _fingerprint(Fraction(2, 6)) != _fingerprint(Fraction(1, 2))
