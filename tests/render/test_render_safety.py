"""Hostile input: script tags and javascript: URLs in every text field never reach a page as code."""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import extruct
import pytest
import yaml

from dossier.errors import DossierError
from dossier.render.build import build_site
from dossier.render.environment import json_for_script
from dossier.render.markdown import render_markdown

CLAIMS = "claims/crue-de-valmont"
EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
EVIL_MD = (EVIL + ' [clic](javascript:alert(1)) [data](data:text/html,hi) '
           '<a href="javascript:alert(2)">a</a> ![img](https://evil.example/i.png)')


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.handlers += [(tag, name) for name, _ in attrs if name.lower().startswith("on")]


def _event_handlers(html: str) -> list[tuple[str, str]]:
    parser = _Attributes()
    parser.feed(html)
    return parser.handlers


def _poison(root: Path) -> None:
    """EVIL in every free-text field of the fixture, and a claim whose own text carries it."""
    seed = root / "seeds" / "crue-de-valmont.txt"
    lines = seed.read_text().split("\n")
    lines.insert(8, f"La mairie a publié le message {EVIL} sur son site.")
    seed.write_text("\n".join(lines))
    config = yaml.safe_load((root / "dossier.yaml").read_text())
    for key in ("title", "description"):
        config[key] = f"{config[key]} {EVIL}"
    for key in ("methodology", "corrections_policy", "contact"):
        config[key] = EVIL_MD
    config["publisher"]["name"] = EVIL
    (root / "dossier.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    entities = yaml.safe_load((root / "entities.yaml").read_text())
    entities["valmont"]["name"] = EVIL
    entities["valmont"]["aliases"] = [EVIL]
    (root / "entities.yaml").write_text(yaml.safe_dump(entities, allow_unicode=True))
    for path in sorted((root / CLAIMS).glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if data["location"]["line"] >= 9:
            data["location"]["line"] += 1  # the inserted line moved them
        data["confidence_note"] = EVIL_MD
        data["notes"] = EVIL_MD
        data["corrections"] = [{"date": datetime.date(2025, 3, 30), "text": EVIL}]
        if data.get("speaker"):
            data["speaker"]["name"] = EVIL
        data["verb"] = EVIL
        for quantity in data["quantities"]:
            quantity["counts"] = EVIL
            quantity["surface"] = EVIL
        for source in data["sources"]:
            source.update(title=EVIL, publisher=EVIL, quote=EVIL)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    text = f"La mairie a publié le message {EVIL} sur son site."
    claim = {"id": "message-mairie", "article": "crue-de-valmont", "text": text,
             "location": {"line": 9, "start": 0, "end": len(text)}, "kind": "event",
             "verdict": "false", "sources": [{"url": "https://x.example/a", "stance": "contradicts",
                                              "title": EVIL}]}
    (root / CLAIMS / "message-mairie.yaml").write_text(yaml.safe_dump(claim, allow_unicode=True))


def test_nothing_hostile_survives(dossier_dir: Path) -> None:
    _poison(dossier_dir)
    build_site(dossier_dir)
    site = dossier_dir / "site"
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 30
    for page in pages:
        text = page.read_text()
        rel = page.relative_to(site).as_posix()
        assert "<script>alert" not in text, rel
        assert "<img" not in text, rel
        assert not re.search(r'href="\s*(javascript|data):', text, re.I), rel
        assert _event_handlers(text) == [], rel
        # every script element is JSON-LD or a file of the site
        for tag in re.findall(r"<script[^>]*>", text):
            assert tag == '<script type="application/ld+json">' or re.fullmatch(
                r'<script src="[./a-z-]+\.js" defer>', tag), (rel, tag)
        # JSON-LD parses and carries the text as text
        for item in extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]:
            assert isinstance(item, dict)
    claim = (site / CLAIMS / "message-mairie.html").read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)" in claim
    review = extruct.extract(claim, syntaxes=["json-ld"], uniform=True)["json-ld"][0]
    assert EVIL in review["claimReviewed"] or review["claimReviewed"].startswith("La mairie")
    for name in ("feed.xml", "sitemap.xml"):
        assert "<script>" not in (site / name).read_text()
    assert EVIL in json.loads((site / "claims.json").read_text())[-1]["corrections"][0]["text"]


@pytest.mark.parametrize("field", ["url", "archived"])
def test_javascript_url_in_a_source_fails_with_file_and_line(dossier_dir: Path, field: str) -> None:
    path = dossier_dir / CLAIMS / "logements-2500.yaml"
    text = path.read_text()
    old = ('  - url: "https://www.example.org/prefecture/communique-2025-03-13"' if field == "url"
           else '    archived: "https://archive.example/2025/communique-2025-03-13"')
    assert old in text
    path.write_text(text.replace(old, old.split(":")[0] + ': "javascript:alert(1)"'))
    with pytest.raises(DossierError) as failure:
        build_site(dossier_dir)
    problem = failure.value.problems[0]
    assert problem.path == f"{CLAIMS}/logements-2500.yaml" and problem.line is not None
    assert "http(s)" in problem.message
    assert not (dossier_dir / "site").exists()


def test_markdown_has_no_raw_html_and_only_http_links() -> None:
    html = str(render_markdown(EVIL_MD + "\n\n# Titre"))
    assert "<script" not in html and "<img" not in html and "<a href=\"javascript" not in html
    assert "data:text" not in html.replace("[data](data:text/html,hi)", "")
    assert "<h3>Titre</h3>" in html  # headings shifted under the page's own
    assert '<a href="https://a.example/" rel="nofollow noopener">a</a>' in str(
        render_markdown("[a](https://a.example/)"))


def test_json_for_script_cannot_close_the_script() -> None:
    text = str(json_for_script({"a": "</script><!-- x & y \u2028"}))
    assert "</" not in text and "<!--" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- x & y \u2028"}
