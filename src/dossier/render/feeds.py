"""Machine-readable outputs: Atom feed, sitemap.xml, claims.json, claims.csv, findings.json.

Each is deterministic for the same dossier (sorted, dates from data): bytes, a stream of
chunks for the big exports, or after an edit a `Spliced` recipe of the old file's ranges.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..analyse import Finding
from ..claims import Claim, claim_to_data
from ..config import Config
from .pages import SiteIndex, article_day, claim_path
from .text import quantity, shorten


# xml.sax.saxutils' escape and quoteattr, written out: importing saxutils imports urllib.request,
# http.client and ssl, 20-60 ms of every build's start-up for two one-line functions.
def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))

FEED_ENTRIES = 100
SITEMAP_MAX_URLS = 50_000


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def atom_feed(ix: SiteIndex) -> bytes:
    """The most recently reviewed claims (by last correction, then article date), newest first."""
    config = ix.config
    base = config.base_url
    entries, built = ix.entries, ix.built
    # `claim_updated` of every claim, its article's part worked out once per article (per claim,
    # it was ~8 ms of a 10,000-claim edit build); the newest first, then in site order.
    published = {slug: article_day(article, built) for slug, article in ix.articles.items()}
    days = [entry.updated or published.get(entry.article, built) for entry in entries]
    newest = heapq.nlargest(FEED_ENTRIES, zip(days, range(0, -len(days), -1), strict=True))
    rows = [(day, entries[-negated]) for day, negated in newest]
    feed_updated = max((r[0] for r in rows), default=ix.built)
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
    for updated, entry in rows:
        url = base + claim_path(entry)
        verdict = verdicts.get(entry.verdict)
        label = verdict.label.get(config.language, entry.verdict) if verdict else entry.verdict
        out += [
            "  <entry>",
            f"    <title>{escape(shorten(entry.text, 100))}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{updated}T00:00:00Z</updated>",
            f"    <category term={quoteattr(entry.verdict)} label={quoteattr(label)}/>",
            f"    <summary>{escape(label)} — {escape(entry.text)}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode()


def sitemaps(base_url: str, paths: list[str]) -> dict[str, bytes]:
    """sitemap.xml, or a sitemap index with parts when there are more than 50,000 pages (`paths`:
    the pages search engines should list)."""
    urls = sorted(base_url + ("" if path == "index.html" else path) for path in paths)
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


# claims.json and claims.csv are made of one fragment per claim, in site order, between a
# head and a tail. A build records where each fragment starts, so that after an edit the
# next build replaces the edited claims' fragments in the file instead of remaking it.

CSV_COLUMNS = ("article", "id", "url", "text", "kind", "verdict", "confidence", "speaker", "verb",
               "modality", "quantities", "entities", "sources", "line")


@dataclass(frozen=True)
class Export:
    """A file with one fragment per claim: head, fragment(claim, 0), fragment(claim, 1), ..., tail.
    A fragment is the claim's `body` after a separator that depends only on its index, so that
    bodies can be made wherever the claims are read (see `build._prepare_folder`)."""

    head: bytes
    body: Callable[[Claim, Config], bytes]
    tail: bytes
    first: bytes = b""  # before the first claim's body
    separator: bytes = b""  # before every other claim's body

    def before(self, index: int) -> bytes:
        return self.separator if index else self.first

    def fragment(self, claim: Claim, index: int, config: Config) -> bytes:
        return self.before(index) + self.body(claim, config)


def _json_body(claim: Claim, config: Config) -> bytes:
    """One claim as in its file plus its page URL, on its own line of the JSON list."""
    data = {"key": claim.key, "url": config.base_url + claim_path(claim), **claim_to_data(claim)}
    return json.dumps(data, ensure_ascii=False, sort_keys=False, default=_json_default).encode()


def _csv_body(claim: Claim, config: Config) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([
        claim.article, claim.id, config.base_url + claim_path(claim),
        claim.text, claim.kind, claim.verdict, claim.confidence,
        claim.speaker.name if claim.speaker else "", claim.verb or "", claim.modality,
        "; ".join(f"{quantity(q, config.language)} {q.counts or ''}".strip() for q in claim.quantities),
        " ".join(claim.entities), " ".join(s.url for s in claim.sources), claim.location.line,
    ])
    return buffer.getvalue().encode()


EXPORTS = {
    "claims.json": Export(b"[", _json_body, b"\n]\n", first=b"\n", separator=b",\n"),
    "claims.csv": Export((",".join(CSV_COLUMNS) + "\n").encode(), _csv_body, b""),
}


@dataclass(frozen=True)
class Spliced:
    """An export after an edit: ranges of the file on disk (`(start, end)`) and new fragments
    (bytes), written by the kernel (`os.copy_file_range`) without reading the old file into
    memory: the claim exports are ~5 KB a claim, 50 MB at 10,000 claims.

    `digest` is derived (from the old file's digest and the splice), not read from the bytes:
    nothing compares an export's digest with another file's."""

    source: Path
    parts: tuple
    digest: str

    def write(self, target: Path) -> None:
        source = os.open(self.source, os.O_RDONLY)
        try:
            new = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                for part in self.parts:
                    if isinstance(part, bytes):
                        _write_all(new, part)
                    else:
                        _copy_range(source, new, *part)
            finally:
                os.close(new)
        finally:
            os.close(source)


def splice(export: Export, path: Path, old_digest: str, offsets: list[int], changed: dict[int, Claim],
           config: Config) -> tuple[Spliced | None, list[int]]:
    """The file at `path` with the fragments of the `changed` claims (index -> claim) made again,
    and the new offsets; None if every fragment came out as it was."""
    parts: list = []
    new_offsets = offsets[:1]
    cursor, delta, previous = 0, 0, 0
    same = True
    with open(path, "rb") as handle:
        for index in sorted(changed):
            start, end = offsets[index], offsets[index + 1]
            new_offsets += [o + delta for o in offsets[previous + 1: index + 1]]
            fragment = export.fragment(changed[index], index, config)
            handle.seek(start)
            same = same and handle.read(end - start) == fragment
            parts += [(cursor, start), fragment]
            cursor = end
            delta += len(fragment) - (end - start)
            previous = index
    new_offsets += [o + delta for o in offsets[previous + 1:]]
    if same:
        return None, offsets
    parts.append((cursor, offsets[-1] + len(export.tail)))
    key = hashlib.sha256(old_digest.encode())
    for part in parts:
        key.update(part if isinstance(part, bytes) else f"{part[0]}-{part[1]};".encode())
    return Spliced(path, tuple(p for p in parts if isinstance(p, bytes) or p[1] > p[0]),
                   key.hexdigest()[:32]), new_offsets


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy_range(source: int, target: int, start: int, end: int) -> None:
    """Append bytes `start:end` of `source` to `target` (both file descriptors)."""
    position = start
    try:
        while position < end:
            copied = os.copy_file_range(source, target, end - position, position)
            if copied == 0:
                raise OSError(f"{end - position} bytes missing at {position}")
            position += copied
        return
    except (AttributeError, OSError):  # no copy_file_range (not Linux), or not between these files
        pass
    while position < end:
        block = os.pread(source, min(end - position, 1 << 20), position)
        if not block:
            raise OSError(f"{end - position} bytes missing at {position}")
        _write_all(target, block)
        position += len(block)


def findings_json(findings: tuple[Finding, ...]) -> bytes:
    rows = [
        {"id": f.id, "kind": f.kind, "article": f.article, "topic": f.topic,
         "claims": list(f.claims), "message": f.message, "status": f.status, "note": f.note}
        for f in findings
    ]
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode()
