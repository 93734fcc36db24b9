"""`dossier build` end to end on the fixture dossier: pages, markup, exports, failure modes."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import extruct
import feedparser
import pytest
from render_helpers import fixed_findings, tree

from dossier.analyse import analyse
from dossier.errors import DossierError
from dossier.render.build import build_site

CLAIMS = "claims/crue-de-valmont"


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def json_ld(path: Path) -> list[dict]:
    data = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=True)
    return data["json-ld"]


def test_builds_every_page_kind(dossier_dir: Path) -> None:
    report = build_site(dossier_dir)
    site = dossier_dir / "site"
    claim_files = sorted((dossier_dir / CLAIMS).glob("*.yaml"))
    for claim_file in claim_files:
        assert (site / CLAIMS / f"{claim_file.stem}.html").is_file()
    for path in ("index.html", "articles/crue-de-valmont.html", "entities/index.html",
                 "entities/jeanne-martin.html", "sources/index.html", "sources/prefecture-exemple.html",
                 "verdicts/index.html", "verdicts/unverified.html", "findings.html", "methodology.html",
                 "corrections.html", "contact.html", "search.html", "feed.xml", "sitemap.xml",
                 "claims.json", "claims.csv", "findings.json", "pagefind/pagefind-ui.js"):
        assert (site / path).is_file(), path
    assert report.pages == len(html_pages(site))
    assert "pages" in report.summary()


def test_claim_page_shows_quantities_speaker_sources_corrections_context(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site"
    page = (site / CLAIMS / "logements-3200.html").read_text()
    assert "plus de 3\u00a0200" in page
    assert "annoncer" in page and "la préfecture" in page
    assert "Plutôt vrai" in page  # verdict label from the scale
    assert "copie archivée" in page and "https://archive.example/2025/communique-2025-03-11" in page
    assert "20 mars 2025" in page  # corrections log
    assert "<strong>3 200</strong>" in page  # confidence note as Markdown
    # the sentences before and after, from the article
    assert "Entre 400 et 600 habitants ont été évacués pendant la nuit." in page
    assert 'href="../../articles/crue-de-valmont.html#c-logements-3200"' in page
    readable = {
        "evacues-400-600.html": "entre 400 et 600",
        "ecoles-12-sur-18.html": "12 sur 18",
        "commerces-deux-tiers.html": "les deux tiers",
        "aide-5-millions.html": "5 millions\u00a0€",
    }
    for name, text in readable.items():
        assert text in (site / CLAIMS / name).read_text(), name


def test_related_claims_link_both_ways(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site" / CLAIMS
    # titre-3200-logements lists logements-2500 in `related`; the reverse link appears too.
    assert 'href="../../claims/crue-de-valmont/logements-2500.html"' in \
        (site / "titre-3200-logements.html").read_text()
    assert 'href="../../claims/crue-de-valmont/titre-3200-logements.html"' in \
        (site / "logements-2500.html").read_text()


def test_annotated_article_highlights_every_claim_and_notes_empty_source_list(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    page = (dossier_dir / "site" / "articles" / "crue-de-valmont.html").read_text()
    for claim_file in (dossier_dir / CLAIMS).glob("*.yaml"):
        assert f'id="c-{claim_file.stem}"' in page
        assert f'href="../claims/crue-de-valmont/{claim_file.stem}.html"' in page
    assert "mais n&#39;en donne aucune" in page
    assert 'class="b-boilerplate"' in page  # "Commentaires" shown muted


def test_claimreview_only_for_rated_verdicts(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site"
    rated = {"titre-3200-logements": (2, "Plutôt faux"), "logements-3200": (4, "Plutôt vrai"),
             "commerces-deux-tiers": (1, "Faux"), "ecoles-12-sur-18": (3, "Mitigé"),
             "logements-2500": (5, "Vrai")}
    for page in sorted((site / CLAIMS).glob("*.html")):
        items = json_ld(page)
        assert len(items) == 1, page.name
        item = items[0]
        if page.stem in rated:
            value, label = rated[page.stem]
            assert item["@type"] == "ClaimReview"
            assert 0 < len(item["claimReviewed"]) < 75
            assert item["reviewRating"] == {"@type": "Rating", "ratingValue": value, "bestRating": 5,
                                            "worstRating": 1, "alternateName": label}
            assert item["url"] == f"https://dossier.example.org/valmont/{CLAIMS}/{page.name}"
            assert item["author"]["name"] == "Atelier de vérification (exemple)"
            claim = item["itemReviewed"]
            assert claim["@type"] == "Claim"
            assert claim["datePublished"] == "2025-03-12"
            assert claim["appearance"]["url"] == "https://journal.example.org/2025/03/12/crue-valmont"
            assert claim["author"]["name"]
        else:
            # unverified / unverifiable: a Claim, never a rating
            assert item["@type"] == "Claim", page.name
            assert "reviewRating" not in json.dumps(item)
    # list pages carry no ClaimReview
    for page in html_pages(site):
        if CLAIMS not in page.as_posix():
            assert all(i.get("@type") != "ClaimReview" for i in json_ld(page)), page


def test_claim_author_is_speaker_or_outlet(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site" / CLAIMS
    quote = json_ld(site / "commerces-deux-tiers.html")[0]
    assert quote["itemReviewed"]["author"] == {"@type": "Person", "name": "Jeanne Martin"}
    anonymous = json_ld(site / "digue-entretien.html")[0]  # "certaines sources": the outlet
    assert anonymous["author"]["name"] == "journal.example.org"


def test_pages_carry_lang_canonical_and_opengraph(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site"
    for page in html_pages(site):
        text = page.read_text()
        rel = page.relative_to(site).as_posix()
        assert '<html lang="fr">' in text
        canonical = "https://dossier.example.org/valmont/" + ("" if rel == "index.html" else rel)
        assert f'<link rel="canonical" href="{canonical}">' in text, rel
        assert '<meta property="og:title" content="' in text
        assert '<meta property="og:description" content="' in text
        assert text.count("<h1") == 1, rel
        assert re.search(r"\son[a-z]+=", text) is None, f"inline event handler in {rel}"


def test_english_interface(dossier_dir: Path) -> None:
    config = dossier_dir / "dossier.yaml"
    config.write_text(config.read_text().replace("language: fr", "language: en"))
    build_site(dossier_dir)
    page = (dossier_dir / "site" / CLAIMS / "logements-3200.html").read_text()
    assert '<html lang="en">' in page
    assert "more than 3,200" in page and "Mostly true" in page and "Sources" in page
    assert "Skip to content" in page


def test_exports(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    site = dossier_dir / "site"
    claims = json.loads((site / "claims.json").read_text())
    assert len(claims) == 9
    assert {c["id"] for c in claims} == {p.stem for p in (dossier_dir / CLAIMS).glob("*.yaml")}
    assert all(c["url"].startswith("https://dossier.example.org/valmont/claims/") for c in claims)
    rows = list(csv.DictReader(io.StringIO((site / "claims.csv").read_text())))
    assert len(rows) == 9 and rows[0]["verdict"] == "mostly-false"
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 9
    sitemap = (site / "sitemap.xml").read_text()
    listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    for page in html_pages(site):
        rel = page.relative_to(site).as_posix()
        if rel not in ("404.html", "search.html"):
            url = "https://dossier.example.org/valmont/" + ("" if rel == "index.html" else rel)
            assert url in listed, rel
    from dossier.load import load_dossier

    expected = [f.id for f in analyse(load_dossier(dossier_dir))]
    assert [f["id"] for f in json.loads((site / "findings.json").read_text())] == expected


def test_findings_are_shown_everywhere(dossier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = fixed_findings()
    monkeypatch.setattr("dossier.analyse.settle", lambda *args: (findings, []))
    build_site(dossier_dir)
    site = dossier_dir / "site"
    data = json.loads((site / "findings.json").read_text())
    assert [f["kind"] for f in data] == ["conflicting-figures", "weak-sourcing"]
    assert set(data[0]) >= {"kind", "topic", "claims", "message", "status"}
    assert data[1]["status"] == "dismissed"
    listing = (site / "findings.html").read_text()
    assert 'id="finding-logement-inonder-1"' in listing
    assert listing.count('class="card"') == 3  # the claims side by side
    assert "<em>voir</em>" in listing
    home = (site / "index.html").read_text()
    assert "findings.html#finding-logement-inonder-1" in home
    assert "finding-oracle-source" not in home  # dismissed: not on the home page
    claim = (site / CLAIMS / "logements-2500.html").read_text()
    assert "../../findings.html#finding-logement-inonder-1" in claim
    article = (site / "articles" / "crue-de-valmont.html").read_text()
    assert re.search(r'id="c-logements-3200" class="span v-mostly-true in-finding"', article)


def test_template_override_can_extend_the_theme(dossier_dir: Path) -> None:
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "claim.html").write_text(
        '{% extends "theme/claim.html" %}{% block title %}OVERRIDE {{ super() }}{% endblock %}')
    build_site(dossier_dir)
    page = (dossier_dir / "site" / CLAIMS / "logements-3200.html").read_text()
    assert "<title>OVERRIDE La crue" in page
    assert "ClaimReview" in page  # the rest of the original is kept


def test_broken_internal_link_fails_and_keeps_the_site(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    before = tree(dossier_dir / "site")
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "entity.html").write_text(
        '{% extends "theme/entity.html" %}'
        '{% block title %}{{ super() }}{% endblock %}'
        '{% block content %}<a href="{{ root }}nowhere.html">x</a>'
        '<a href="{{ root }}index.html#no-such-anchor">y</a>{{ super() }}{% endblock %}')
    with pytest.raises(DossierError) as failure:
        build_site(dossier_dir)
    messages = [p.format() for p in failure.value.problems]
    assert any(m.startswith("entities/valmont.html") and "broken internal link '../nowhere.html'" in m
               for m in messages), messages
    assert any("no-such-anchor" in m for m in messages)
    assert tree(dossier_dir / "site") == before


def test_bad_yaml_fails_and_keeps_the_site(dossier_dir: Path) -> None:
    build_site(dossier_dir)
    before = tree(dossier_dir / "site")
    claim = dossier_dir / CLAIMS / "logements-2500.yaml"
    claim.write_text(claim.read_text().replace("confidence: high", "confidence: [high"))
    with pytest.raises(DossierError) as failure:
        build_site(dossier_dir)
    assert any(p.path == f"{CLAIMS}/logements-2500.yaml" and p.line for p in failure.value.problems)
    assert tree(dossier_dir / "site") == before


def test_template_error_points_at_the_template(dossier_dir: Path) -> None:
    (dossier_dir / "templates").mkdir()
    (dossier_dir / "templates" / "verdict.html").write_text(
        '{% extends "theme/verdict.html" %}\n{% block content %}\n{{ no_such_variable }}\n{% endblock %}')
    with pytest.raises(DossierError) as failure:
        build_site(dossier_dir)
    problem = failure.value.problems[0]
    assert problem.path == "templates/verdict.html" and problem.line == 3
    assert "no_such_variable" in problem.message
    assert not (dossier_dir / "site").exists()


def test_missing_contact_is_a_warning_and_fails_under_strict(dossier_dir: Path) -> None:
    config = dossier_dir / "dossier.yaml"
    text = config.read_text()
    config.write_text(text[: text.index("contact: |")])
    report = build_site(dossier_dir)
    assert [p.message for p in report.problems] == ["no contact page: 'contact' is missing"]
    assert "n&#39;est pas encore rédigée" in (dossier_dir / "site" / "contact.html").read_text()
    with pytest.raises(DossierError) as failure:
        build_site(dossier_dir, strict=True)
    assert any("--strict" in p.message for p in failure.value.problems)


def test_output_folder_that_is_not_a_site_is_refused(dossier_dir: Path, tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(DossierError):
        build_site(dossier_dir, output=precious)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_cli_build_never_imports_spacy(dossier_dir: Path) -> None:
    code = (
        "import sys\n"
        "from dossier.cli import main\n"
        "try:\n"
        f"    main(['-C', {str(dossier_dir)!r}, 'build'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('spacy' in sys.modules, 'thinc' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"
    assert (dossier_dir / "site" / "index.html").is_file()


def test_ids_named_index_do_not_overwrite_list_pages(dossier_dir: Path) -> None:
    entities = dossier_dir / "entities.yaml"
    entities.write_text(entities.read_text() + "index:\n  name: Index (une revue)\n  type: organisation\n")
    claim = dossier_dir / CLAIMS / "digue-entretien.yaml"
    claim.write_text(claim.read_text().replace("entities: []", "entities: [index]"))
    build_site(dossier_dir)
    site = dossier_dir / "site"
    assert "Index (une revue)" in (site / "entities" / "index-1.html").read_text()
    assert 'href="../../entities/index-1.html"' in (site / CLAIMS / "digue-entretien.html").read_text()
    assert "<h1>Personnes, lieux, organisations</h1>" in (site / "entities" / "index.html").read_text()


def test_a_dossier_of_many_articles_shows_the_latest_and_pages_them_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past HOME_ARTICLES_LIMIT articles the home page shows the latest published ones and links
    to the paged list of every article; an edit build leaves that list alone and still equals
    a clean build."""
    from dossier.render import pages

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    root = tmp_path / "dossier"
    generate.generate(400, root, seed=4, search=False)  # 20 articles
    monkeypatch.setattr(pages, "HOME_ARTICLES_LIMIT", 5)
    monkeypatch.setattr(pages, "HOME_CLAIMS_LIMIT", 100)  # the home page lists no claim
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 4)
    site = root / "site"
    build_site(root)

    card = re.compile(r'<h2 id="article-([^"]+)"><a href="[^"]*">.*?<time datetime="([0-9-]+)">', re.S)
    listed: list[tuple[str, str]] = []
    more = [p.relative_to(site).as_posix() for p in (site / "articles" / "index").glob("*.html")]
    list_pages = ["articles/index.html", *sorted(more, key=lambda p: int(p.rsplit("/", 1)[1][:-5]))]
    assert len(list_pages) >= 3
    for path in list_pages:
        html = (site / path).read_text(encoding="utf-8")
        listed += card.findall(html)
        for other in list_pages:  # every page of the list links to every other
            assert f'href="../{other}"' in html or f'href="../../{other}"' in html
    slugs = [slug for slug, _ in listed]
    seeds = sorted(p.stem for p in (root / "seeds").iterdir())
    assert sorted(slugs) == seeds and len(set(slugs)) == 20  # each article once
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    in_sitemap = re.findall(r"<loc>[^<]*?/articles/((?!index)[^<]+)\.html</loc>", sitemap)
    assert slugs == in_sitemap  # in site order

    home = (site / "index.html").read_text(encoding="utf-8")
    published = dict(listed)
    latest = sorted(slugs, key=lambda s: (-int(published[s].replace("-", "")), slugs.index(s)))[:5]
    assert [slug for slug, _ in card.findall(home)] == latest
    assert home.count('href="articles/index.html"') >= 3  # the menu, after the cards, instead of the claims
    assert 'class="claim-list"' not in home

    before = {p: (site / p).stat().st_mtime_ns for p in list_pages}
    claim = sorted((root / "claims").rglob("*.yaml"))[7]
    text = claim.read_text(encoding="utf-8")
    assert "notes: |\n" in text
    claim.write_text(text.replace("notes: |\n", "notes: |\n  Relu.\n", 1), encoding="utf-8")
    assert build_site(root).mode == "edit"  # which renders the home page again (it counts claims)
    assert {p: (site / p).stat().st_mtime_ns for p in list_pages} == before
    build_site(root, output=tmp_path / "clean", clean=True)
    assert tree(site) == tree(tmp_path / "clean")
