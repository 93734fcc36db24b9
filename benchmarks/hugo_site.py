"""The Hugo side of the benchmark: the same dossier as a Hugo site.

    python benchmarks/hugo_site.py --dossier DIR --out HUGO_DIR

One page per claim (its text, verdict, confidence note, sources, quantities,
entities, related claims, previous/next, a ClaimReview JSON-LD block, and its
Markdown notes as the page body), one section page per article (its full text
and its claims), taxonomy pages for entities, verdicts and publishers (a list
page per term), the home page with every claim and the verdict counts, an RSS
feed, `claims.json` and the sitemap. That is the work `dossier build` does,
expressed the way a Hugo user would, so the two build times can be compared.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from dossier.load import load_dossier  # noqa: E402

CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "fr"
title = "Dossier synthétique (banc d'essai)"
disableKinds = []
enableRobotsTXT = false

[taxonomies]
entity = "entities"
verdict = "verdicts"
publisher = "publishers"

[outputs]
home = ["html", "rss", "json"]
section = ["html"]
page = ["html"]
taxonomy = ["html"]
term = ["html"]

[markup.goldmark.renderer]
unsafe = false

[related]
includeNewer = true
threshold = 80
toLower = false
[[related.indices]]
name = "entities"
weight = 100
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Summary | plainify | truncate 160 }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ block "head" . }}{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/entities/" | relURL }}">Entités</a> <a href="{{ "/verdicts/" | relURL }}">Verdicts</a>
<a href="{{ "/publishers/" | relURL }}">Sources</a></nav></header>
<main data-pagefind-body>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "head" }}
<script type="application/ld+json">{{ dict "@context" "https://schema.org" "@type" "ClaimReview"
  "url" .Permalink "claimReviewed" (.Params.text | truncate 74) "datePublished" (.Date.Format "2006-01-02")
  "author" (dict "@type" "Organization" "name" site.Title)
  "reviewRating" (dict "@type" "Rating" "alternateName" (index .Params.verdicts 0))
  "itemReviewed" (dict "@type" "Claim" "appearance" .Params.article_url) | jsonify | safeJS }}</script>
{{ end }}
{{ define "main" }}
<article>
<p><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
<blockquote><p>{{ .Params.before }} <mark>{{ .Params.text }}</mark> {{ .Params.after }}</p></blockquote>
<p>Type : {{ .Params.kind }} · Modalité : {{ .Params.modality }}
{{ with .Params.speaker }}· {{ .name }} ({{ .kind }}){{ end }}</p>
{{ range .Params.quantities }}<p>{{ .surface }} {{ .counts }} ({{ .qualifier }})</p>{{ end }}
{{ range .GetTerms "verdicts" }}<p class="verdict"><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>
{{ end }}
<p>Confiance : {{ .Params.confidence }}</p>
<div>{{ .Params.confidence_note | markdownify }}</div>
<h2>Sources</h2>
<ul>{{ range .Params.sources }}<li><a href="{{ .url }}">{{ .title }}</a> — {{ .publisher }},
{{ .date }} ({{ .stance }}){{ with .archived }} <a href="{{ . }}">archive</a>{{ end }}
{{ with .quote }}<q>{{ . }}</q>{{ end }}</li>{{ end }}</ul>
<h2>Entités</h2>
<ul>{{ range .GetTerms "entities" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<h2>Notes</h2>
{{ .Content }}
{{ with .Params.corrections }}<h2>Corrections</h2>
<ul>{{ range . }}<li>{{ .date }} : {{ .text }}</li>{{ end }}</ul>{{ end }}
{{ $related := site.RegularPages.Related . | first 5 }}
{{ with $related }}<h2>Affirmations liées</h2>
<ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">précédente</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">suivante</a>{{ end }}</nav>
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ range .GetTerms "verdicts" }}<span>{{ .LinkTitle }}</span>{{ end }}</li>{{ end }}</ol>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a>
({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ul>{{ range site.Taxonomies.verdicts.ByCount }}<li>{{ .Page.Title }} : {{ .Count }}</li>{{ end }}</ul>
<ol>{{ range site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ range .GetTerms "verdicts" }}<span>{{ .LinkTitle }}</span>{{ end }}</li>{{ end }}</ol>
{{ end }}
""",
    "index.json": """\
[{{ range $i, $p := site.RegularPages }}{{ if $i }},{{ end }}{{ dict "url" $p.Permalink "text" $p.Params.text
"verdict" $p.Params.verdicts "entities" $p.Params.entities "sources" $p.Params.sources
"quantities" $p.Params.quantities | jsonify }}{{ end }}]
""",
}

STYLE = "body{font-family:sans-serif;max-width:42rem;margin:auto}mark{background:#ffe08a}\n"


def front_matter(data: dict) -> str:
    return "---\n" + json.dumps(data, ensure_ascii=False, default=str, indent=None) + "\n---\n"


def claim_page(claim, article) -> str:
    line = article.lines[claim.location.line - 1]
    data = {
        "title": claim.text[:90],
        "date": (article.published.isoformat() if article.published else "2024-01-01"),
        "text": claim.text,
        "before": line[: claim.location.start][-200:],
        "after": line[claim.location.end:][:200],
        "article_url": article.url,
        "kind": claim.kind,
        "modality": claim.modality,
        "speaker": ({"name": claim.speaker.name, "kind": claim.speaker.kind} if claim.speaker else None),
        "quantities": [{"surface": q.surface, "counts": q.counts, "qualifier": q.qualifier}
                       for q in claim.quantities],
        "verdicts": [claim.verdict],
        "entities": list(claim.entities),
        "publishers": sorted({s.publisher for s in claim.sources if s.publisher}),
        "confidence": claim.confidence,
        "confidence_note": claim.confidence_note,
        "sources": [{"url": s.url, "title": s.title, "publisher": s.publisher, "date": s.date,
                     "stance": s.stance, "archived": s.archived, "quote": s.quote} for s in claim.sources],
        "corrections": [{"date": c.date, "text": c.text} for c in claim.corrections],
    }
    return front_matter(data) + claim.notes


def article_page(article) -> str:
    data = {"title": article.title, "date": article.published.isoformat() if article.published else None,
            "params": {"url": article.url, "author": article.author}}
    body = "\n\n".join(block.text for block in article.blocks if block.kind not in ("title", "meta"))
    return front_matter(data) + body + "\n"


def write_site(dossier_dir: Path, out: Path) -> int:
    """Write the Hugo site for the dossier in `dossier_dir`; returns the number of claim pages."""
    dossier = load_dossier(dossier_dir)
    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "articles").mkdir(parents=True)
    (out / "static").mkdir()
    (out / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (out / "static" / "style.css").write_text(STYLE, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = out / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out / "content" / "_index.md").write_text(front_matter({"title": "Accueil"}), encoding="utf-8")
    for slug, article in dossier.articles.items():
        folder = out / "content" / "articles" / slug
        folder.mkdir()
        (folder / "_index.md").write_text(article_page(article), encoding="utf-8")
    for claim in dossier.claims:
        page = claim_page(claim, dossier.articles[claim.article])
        (out / "content" / "articles" / claim.article / f"{claim.id}.md").write_text(page, encoding="utf-8")
    for entity in dossier.entities.values():
        folder = out / "content" / "entities" / entity.id
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(front_matter({"title": entity.name}), encoding="utf-8")
    return len(dossier.claims)


def claim_page_path(out: Path, article: str, claim_id: str) -> Path:
    return out / "content" / "articles" / article / f"{claim_id}.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossier", type=Path, required=True, help="a dossier (e.g. from generate.py)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the Hugo site (replaced)")
    args = parser.parse_args(argv)
    count = write_site(args.dossier, args.out)
    print(f"{args.out}: Hugo site with {count} claim pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
