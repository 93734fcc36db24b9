"""The built site, read as crawlers, feed readers and scripts read it (no browser, no Java)."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import sitecheck
from sitebuild import BuiltSite

from dossier.config import Verdict
from dossier.render.pages import claim_path

UNRATED = Verdict("?", {}, "", None)  # what an unknown verdict id counts as: no rating
NAMED_SPEAKERS = ("person", "organisation", "media")

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_checker_finds_broken_links_and_anchors(tmp_path):
    """The link checker itself: it must catch what it claims to catch."""
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="fr"><title>t</title><p id="here">'
        '<a href="a/">ok</a> <a href="a/#there">ok</a> <a href="#here">ok</a> '
        '<a href="https://example.org/x">external</a> <a href="a/#nowhere">bad anchor</a> '
        '<a href="missing/">bad page</a> <a href="javascript:alert(1)">script</a> '
        '<img src="../outside.png" alt="">', encoding="utf-8")
    (tmp_path / "a" / "index.html").write_text(
        '<!doctype html><html lang="fr"><title>a</title><h2 id="there">x</h2>'
        '<a href="../index.html#here">back</a> <a href="/#here">root</a>', encoding="utf-8")
    problems = sitecheck.broken_links(tmp_path, "https://dossier.example.net/")
    assert len(problems) == 4, problems
    assert any("no id 'nowhere' in a/index.html" in p for p in problems)
    assert any("no file missing/index.html" in p for p in problems)
    assert any("scheme 'javascript'" in p for p in problems)
    assert any("outside the site" in p for p in problems)


def test_every_internal_link_and_anchor_resolves(site: BuiltSite):
    assert site.pages, f"no HTML pages in {site.out}"
    problems = sitecheck.broken_links(site.out, site.base_url, dict(site.pages))
    assert not problems, f"{len(problems)} broken internal links:\n" + "\n".join(problems[:50])


def test_every_page_has_lang_canonical_url_and_opengraph(site: BuiltSite):
    language = site.dossier.config.language
    problems = []
    for page in site.pages.values():
        if page.lang != language:
            problems.append(f"{page.path}: lang={page.lang!r}, expected {language!r}")
        if page.noindex:
            continue  # e.g. a 404 page: no canonical URL of its own
        # Either form is fine, "folder/" or "folder/index.html": it must lead back to this very page.
        canonical = page.canonical or ""
        target = sitecheck.resolve(site.out, page.path, canonical, site.base_url)[0]
        if not canonical.startswith(site.base_url) or target != page.path:
            problems.append(f"{page.path}: canonical {page.canonical!r} is not this page")
        for key in ("og:title", "og:description"):
            if not page.meta.get(key, "").strip():
                problems.append(f"{page.path}: no {key}")
    assert not problems, "\n".join(problems)


# ---- ClaimReview -------------------------------------------------------------------------------------
# A claim with a rated verdict carries exactly one ClaimReview; an unverified or
# unverifiable claim carries a bare schema.org Claim and no rating (README, "The site");
# list pages carry neither.

def structured(site: BuiltSite, path: str) -> list[object]:
    return sitecheck.json_ld(site.pages[path])


def test_json_ld_parses_everywhere(site: BuiltSite):
    for page in site.pages.values():
        for block in sitecheck.json_ld(page):
            assert isinstance(block, dict | list), f"{page.path}: JSON-LD is a {type(block).__name__}"


def test_every_claim_has_its_page(site: BuiltSite):
    assert site.dossier.claims, "the dossier has no claims"
    missing = [claim_path(c) for c in site.dossier.claims if claim_path(c) not in site.pages]
    assert not missing, f"claims without a page: {missing}"


def assert_claim_item(item: dict, claim, site: BuiltSite, where: str) -> None:
    """A schema.org Claim: who made it (the speaker when named, else the outlet), when, where it appeared."""
    article = site.dossier.articles[claim.article]
    assert item.get("@type") == "Claim", f"{where}: itemReviewed {item}"
    author = item.get("author") or {}
    expected_author = (claim.speaker.name if claim.speaker and claim.speaker.kind in NAMED_SPEAKERS
                       else article.publisher)
    if expected_author:
        assert author.get("name") == expected_author, f"{where}: Claim author {author}"
    else:
        assert author.get("name"), f"{where}: the Claim has no author"
    if article.published:
        assert item.get("datePublished") == article.published.isoformat(), f"{where}: {item}"
    if article.url:
        appearances = item.get("appearance")
        appearances = appearances if isinstance(appearances, list) else [appearances]
        assert article.url in [a.get("url") if isinstance(a, dict) else a for a in appearances], (
            f"{where}: appearance {item.get('appearance')} is not the article {article.url}")


def test_rated_claims_carry_one_valid_claim_review(site: BuiltSite):
    config = site.dossier.config
    ratings = [v.rating for v in config.verdicts if v.rating is not None]
    verdict_words = {label.lower() for v in config.verdicts for label in v.label.values()}
    rated = [c for c in site.dossier.claims if (config.verdict(c.verdict) or UNRATED).rating is not None]
    for claim in rated:
        path = claim_path(claim)
        reviews = sitecheck.nodes_of_type(structured(site, path), "ClaimReview")
        assert len(reviews) == 1, f"{path}: {len(reviews)} ClaimReviews"
        review = reviews[0]
        where = f"{path} ClaimReview"
        assert review.get("@context") in ("https://schema.org", "http://schema.org", "https://schema.org/")
        page_url = sitecheck.page_url(site.base_url, path)
        assert review.get("url") == page_url == site.pages[path].canonical, where

        reviewed = review.get("claimReviewed")
        assert isinstance(reviewed, str) and 0 < len(reviewed) < 75, f"{where}: claimReviewed {reviewed!r}"
        words = reviewed.rstrip("…. ").split()
        claim_words = claim.text.split()
        assert all(any(w in cw for cw in claim_words) for w in words), (
            f"{where}: claimReviewed {reviewed!r} is not words of the claim {claim.text!r}")
        for label in verdict_words:  # a verdict word is fine only where the claim itself says it
            said = re.compile(rf"\b{re.escape(label)}\b")
            assert not said.search(reviewed.lower()) or said.search(claim.text.lower()), (
                f"{where}: claimReviewed {reviewed!r} carries the verdict wording {label!r}")

        verdict = config.verdict(claim.verdict)
        rating = review.get("reviewRating") or {}
        assert rating.get("@type") == "Rating", where
        assert rating.get("ratingValue") == verdict.rating, f"{where}: {rating}"
        assert rating.get("bestRating") == max(ratings) and rating.get("worstRating") == min(ratings), where
        assert rating.get("alternateName") == verdict.label[config.language], f"{where}: {rating}"

        assert_claim_item(review.get("itemReviewed") or {}, claim, site, where)

        review_author = review.get("author") or {}
        assert review_author.get("name") == config.publisher.name, f"{where}: author {review_author}"
        assert review_author.get("@type") in ("Organization", "Person"), where


def test_unrated_claims_carry_a_claim_and_no_rating(site: BuiltSite):
    config = site.dossier.config
    unrated = [c for c in site.dossier.claims if (config.verdict(c.verdict) or UNRATED).rating is None]
    for claim in unrated:
        path = claim_path(claim)
        data = structured(site, path)
        assert not sitecheck.nodes_of_type(data, "ClaimReview"), f"{path}: an unrated claim has a ClaimReview"
        assert not sitecheck.nodes_of_type(data, "Rating"), f"{path}: an unrated claim has a Rating"
        assert "reviewRating" not in json.dumps(data), f"{path}: an unrated claim has a reviewRating"
        found = sitecheck.nodes_of_type(data, "Claim")
        assert len(found) == 1, f"{path}: {len(found)} schema.org Claims"
        assert found[0].get("url") == site.pages[path].canonical, f"{path}: Claim url {found[0].get('url')}"
        assert found[0].get("text") == claim.text, f"{path}: Claim text {found[0].get('text')!r}"
        assert_claim_item(found[0], claim, site, f"{path} Claim")


def test_list_pages_repeat_no_claim_markup(site: BuiltSite):
    claim_pages = {claim_path(c) for c in site.dossier.claims}
    for path in site.pages.keys() - claim_pages:
        data = structured(site, path)
        assert not sitecheck.nodes_of_type(data, "ClaimReview"), f"{path}: a list page has a ClaimReview"
        assert not sitecheck.nodes_of_type(data, "Claim"), f"{path}: a list page has a schema.org Claim"


def test_extruct_sees_exactly_the_json_ld_markup(site: BuiltSite):
    """What crawlers see: the JSON-LD of our own strict parse, and no microdata/RDFa twin of it."""
    for path in sorted(site.pages):
        own = sitecheck.nodes_of_type(structured(site, path), "ClaimReview")
        html = (site.out / path).read_text(encoding="utf-8")
        found = sitecheck.extruct_data(html, site.pages[path].canonical or site.base_url)
        assert found["json-ld"] == structured(site, path), f"{path}: extruct read the JSON-LD otherwise"
        assert sitecheck.nodes_of_type(found["json-ld"], "ClaimReview") == own
        for syntax in ("microdata", "rdfa"):
            twins = sitecheck.nodes_of_type(found[syntax], "ClaimReview") + sitecheck.nodes_of_type(
                found[syntax], "Claim")
            assert not twins, f"{path}: claim markup repeated in {syntax}: {twins}"


# ---- feed, sitemap, exports ----------------------------------------------------------------------------

def test_atom_feed_reads_cleanly_and_lists_the_claims(site: BuiltSite):
    home = site.pages["index.html"]
    feeds = [url for rel, kind, url in home.alternates if kind == "application/atom+xml"]
    assert len(feeds) == 1, f"index.html should link one Atom feed, links {home.alternates}"
    target, _ = sitecheck.resolve(site.out, "index.html", feeds[0], site.base_url)
    assert target and (site.out / target).is_file(), f"the feed {feeds[0]} is not in the site"

    feed = feedparser.parse((site.out / target).read_bytes())

    assert not feed.bozo, f"feedparser: {feed.get('bozo_exception')}"
    assert feed.version == "atom10", feed.version
    assert feed.feed.get("title") and feed.feed.get("updated_parsed"), feed.feed
    entries = feed.entries
    claims = site.dossier.claims
    assert len(entries) == len(claims), f"{len(entries)} entries for {len(claims)} claims"
    assert len({e.id for e in entries}) == len(entries), "entry ids repeat"
    expected = {sitecheck.page_url(site.base_url, claim_path(c)) for c in site.dossier.claims}
    assert {e.link for e in entries} == expected
    for entry in entries:
        assert entry.get("title") and entry.get("updated_parsed"), entry


def test_sitemap_lists_every_page(site: BuiltSite):
    tree = ET.parse(site.out / "sitemap.xml")
    locs = [loc.text.strip() for loc in tree.getroot().findall("s:url/s:loc", SITEMAP_NS)]
    assert len(set(locs)) == len(locs), "the sitemap repeats a URL"
    listed = set()
    for loc in locs:
        assert loc.startswith(site.base_url), f"{loc} is not under {site.base_url}"
        target, _ = sitecheck.resolve(site.out, "index.html", loc, site.base_url)
        assert target in site.pages, f"sitemap lists {loc}, which is not a page"
        assert loc == site.pages[target].canonical, f"{loc} is not the canonical URL of {target}"
        listed.add(target)
    expected = {path for path, page in site.pages.items() if not page.noindex}
    assert not expected - listed, f"pages missing from the sitemap: {sorted(expected - listed)}"
    assert not listed - expected, f"noindex pages in the sitemap: {sorted(listed - expected)}"


def claim_keys(site: BuiltSite) -> list[str]:
    return [c.key for c in site.dossier.claims]


def test_claims_json_lists_every_claim(site: BuiltSite):
    data = json.loads((site.out / "claims.json").read_text(encoding="utf-8"))
    items = data["claims"] if isinstance(data, dict) else data
    assert isinstance(items, list)
    assert [f"{c['article']}/{c['id']}" for c in items] == claim_keys(site)
    by_key = {c.key: c for c in site.dossier.claims}
    for item in items:
        claim = by_key[f"{item['article']}/{item['id']}"]
        assert item["text"] == claim.text and item["verdict"] == claim.verdict, item


def test_claims_csv_lists_every_claim(site: BuiltSite):
    text = (site.out / "claims.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    assert [f"{r['article']}/{r['id']}" for r in rows] == claim_keys(site)
    by_key = {c.key: c for c in site.dossier.claims}
    for row in rows:
        claim = by_key[f"{row['article']}/{row['id']}"]
        assert row["text"] == claim.text and row["verdict"] == claim.verdict, row


def test_findings_json_parses(site: BuiltSite):
    data = json.loads((site.out / "findings.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict | list)
