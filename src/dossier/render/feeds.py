"""Machine-readable outputs: Atom feed, sitemap.xml, claims.json, claims.csv, findings.json.

Each returns bytes, deterministic for the same dossier (sorted, dates from data).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from ..analyse import Finding
from ..claims import claim_to_data
from ..load import Dossier
from .pages import Page, SitePlan, claim_updated
from .text import quantity, shorten

FEED_ENTRIES = 100
SITEMAP_MAX_URLS = 50_000


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def atom_feed(dossier: Dossier, plan: SitePlan) -> bytes:
    """The most recently reviewed claims (by last correction, then article date), newest first."""
    config = dossier.config
    base = config.base_url
    rows = []
    for number, claim in enumerate(dossier.claims):
        updated = claim_updated(claim, dossier.articles.get(claim.article), plan.built)
        rows.append((updated, -number, claim))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    rows = rows[:FEED_ENTRIES]
    feed_updated = max((r[0] for r in rows), default=plan.built)
    verdicts = {v.id: v for v in config.verdicts}
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(config.title)}</title>",
        f"  <id>{escape(base)}</id>",
        f'  <link rel="alternate" type="text/html" href={quoteattr(base)}/>',
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + "feed.xml")}/>',
        f"  <updated>{feed_updated}T00:00:00Z</updated>",
        f"  <author><name>{escape(config.publisher.name)}</name></author>",
    ]
    for updated, _, claim in rows:
        url = base + plan.claim_urls[claim.key]
        verdict = verdicts.get(claim.verdict)
        label = verdict.label.get(config.language, claim.verdict) if verdict else claim.verdict
        out += [
            "  <entry>",
            f"    <title>{escape(shorten(claim.text, 100))}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{updated}T00:00:00Z</updated>",
            f"    <category term={quoteattr(claim.verdict)} label={quoteattr(label)}/>",
            f"    <summary>{escape(label)} — {escape(claim.text)}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode()


def sitemaps(base_url: str, pages: list[Page]) -> dict[str, bytes]:
    """sitemap.xml, or a sitemap index with parts when there are more than 50,000 pages."""
    urls = sorted(base_url + ("" if p.path == "index.html" else p.path) for p in pages if p.indexed)
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def urlset(chunk: list[str]) -> bytes:
        body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in chunk)
        return f"{head}<urlset {ns}>\n{body}</urlset>\n".encode()

    if len(urls) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": urlset(urls)}
    files: dict[str, bytes] = {}
    parts = []
    for index in range(0, len(urls), SITEMAP_MAX_URLS):
        name = f"sitemap-{index // SITEMAP_MAX_URLS + 1}.xml"
        files[name] = urlset(urls[index : index + SITEMAP_MAX_URLS])
        parts.append(name)
    body = "".join(f"  <sitemap><loc>{escape(base_url + n)}</loc></sitemap>\n" for n in parts)
    files["sitemap.xml"] = f"{head}<sitemapindex {ns}>\n{body}</sitemapindex>\n".encode()
    return files


def claims_json(dossier: Dossier, plan: SitePlan) -> Iterator[bytes]:
    """Every claim as in its file, plus its page URL; one claim per line inside a JSON list.

    Streamed, claim by claim: at 100,000 claims the file is hundreds of MB.
    """
    base = dossier.config.base_url
    yield b"["
    for index, claim in enumerate(dossier.claims):
        data = {"key": claim.key, "url": base + plan.claim_urls[claim.key], **claim_to_data(claim)}
        text = json.dumps(data, ensure_ascii=False, sort_keys=False, default=_json_default)
        yield (",\n" if index else "\n").encode() + text.encode()
    yield b"\n]\n"


CSV_COLUMNS = ("article", "id", "url", "text", "kind", "verdict", "confidence", "speaker", "verb",
               "modality", "quantities", "entities", "sources", "line")


def claims_csv(dossier: Dossier, plan: SitePlan) -> Iterator[bytes]:
    """One row per claim, streamed in blocks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    language = dossier.config.language
    for index, claim in enumerate(dossier.claims):
        if index and index % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        writer.writerow([
            claim.article, claim.id, dossier.config.base_url + plan.claim_urls[claim.key],
            claim.text, claim.kind, claim.verdict, claim.confidence,
            claim.speaker.name if claim.speaker else "", claim.verb or "", claim.modality,
            "; ".join(f"{quantity(q, language)} {q.counts or ''}".strip() for q in claim.quantities),
            " ".join(claim.entities), " ".join(s.url for s in claim.sources), claim.location.line,
        ])
    yield buffer.getvalue().encode()


def findings_json(findings: tuple[Finding, ...]) -> bytes:
    rows = [
        {"id": f.id, "kind": f.kind, "article": f.article, "topic": f.topic,
         "claims": list(f.claims), "message": f.message, "status": f.status, "note": f.note}
        for f in findings
    ]
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()
