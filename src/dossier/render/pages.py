"""Which pages the site has, where they live, and the data each one shows.

`plan_site` turns a `Dossier` and its findings into a list of `Page`s. A page's
`context` is plain data and is everything its template may show besides the
site-wide settings: the build fingerprints it to decide whether the page must
be rendered again. So a page's context holds only what that page shows (a
claim page carries its neighbours' titles, not the whole dossier).

URLs are files (`claims/<article>/<id>.html`), and every link is relative
(`root` is "../" repeated), so the site reads from a folder, from `file://`, or
from any static host under any path.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlparse

from ..analyse import Finding
from ..article import Article, Block
from ..claims import Claim
from ..config import Config, Verdict
from ..load import Dossier
from ..slugs import slugify
from .record import Record
from .text import shorten

HOME_CLAIMS_LIMIT = 500  # above this, the home page lists articles, each with its own claim list
RELATED_LIMIT = 8
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)]?\s+")


@dataclass
class Page:
    path: str  # output file, relative to the site root
    template: str
    title: str
    context: dict
    description: str = ""
    indexed: bool = True  # listed in sitemap.xml
    fingerprint: str = field(default="", compare=False)

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


@dataclass
class SitePlan:
    pages: list[Page]
    claim_urls: dict[str, str]  # claim key -> page path
    built: str  # ISO date the site's data runs up to ("built at", deterministic)
    search_shards: list[list[str]] = field(default_factory=list)  # pages per Pagefind index


# ---------------------------------------------------------------- URLs

def claim_path(claim: Claim) -> str:
    return f"claims/{claim.article}/{claim.id}.html"


def article_path(slug: str) -> str:
    return f"articles/{slug}.html"


def _not_index(slug: str) -> str:
    """`index` names each folder's list page: an entity, verdict or publisher so named moves aside."""
    return "index-1" if slug == "index" else slug


def entity_path(entity_id: str) -> str:
    return f"entities/{_not_index(entity_id)}.html"


def verdict_path(verdict_id: str) -> str:
    return f"verdicts/{_not_index(verdict_id)}.html"


def publisher_name(source_url: str, publisher: str | None) -> str:
    if publisher and publisher.strip():
        return publisher.strip()
    host = urlparse(source_url).hostname or source_url
    return host.removeprefix("www.")


@lru_cache(maxsize=65536)
def publisher_path(name: str) -> str:
    return f"sources/{_not_index(slugify(name, max_length=60))}.html"


def finding_anchor(finding: Finding) -> str:
    return f"finding-{finding.id}"


# ---------------------------------------------------------------- data helpers

def claim_summary(claim: Claim, number: int) -> dict:
    """What a list shows of a claim; shared by every list that shows it."""
    return Record({
        "key": claim.key, "id": claim.id, "article": claim.article, "number": number,
        "url": claim_path(claim), "text": claim.text, "verdict": claim.verdict,
        "kind": claim.kind, "line": claim.location.line,
    })


def article_summary(article: Article) -> dict:
    return Record({
        "slug": article.slug, "title": article.title, "url": article.url,
        "publisher": article.publisher, "author": article.author, "published": article.published,
        "page": article_path(article.slug), "sources_list_empty": article.sources_list_empty,
    })


def _block_of(article: Article, claim: Claim) -> tuple[Block, int, int] | None:
    """The block holding a claim, and the claim's start and end offsets in the block's text."""
    loc = claim.location
    end_line = loc.end_line or loc.line
    for block in article.blocks:
        if not block.line <= loc.line <= block.end_line:
            continue
        start = end = None
        for offset, line, column in block.segments:
            if line == loc.line:
                start = offset + loc.start - column
            if line == end_line:
                end = offset + loc.end - column
        if start is not None and end is not None and 0 <= start <= end <= len(block.text):
            return block, start, end
    return None


def _last_sentence(text: str) -> str:
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    return parts[-1].strip() if parts else ""


def _first_sentence(text: str) -> str:
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    return parts[0].strip() if parts else ""


def sentence_context(article: Article, claim: Claim,
                     found: tuple[Block, int, int] | None = None) -> tuple[str, str]:
    """The sentence before and the sentence after a claim, in its paragraph or the neighbours'."""
    found = found or _block_of(article, claim)
    if found is None:
        return "", ""
    block, start, end = found
    before = _last_sentence(block.text[:start])
    after = _first_sentence(block.text[end:])
    readable = [b for b in article.blocks if b.kind in ("title", "paragraph", "bullet")]
    index = readable.index(block) if block in readable else -1
    if not before and index > 0:
        before = _last_sentence(readable[index - 1].text)
    if not after and 0 <= index < len(readable) - 1:
        after = _first_sentence(readable[index + 1].text)
    return before, after


def annotate(article: Article, claims: list[Claim], summaries: dict[str, dict],
             in_findings: set[str], at_lines: dict[int, list[dict]] | None = None,
             located: dict[str, tuple[Block, int, int]] | None = None) -> list[dict]:
    """The article as blocks of text runs; a run is plain text or a claim span."""
    spans: dict[int, list[tuple[int, int, Claim]]] = defaultdict(list)
    for claim in claims:
        found = located.get(claim.key) if located is not None else _block_of(article, claim)
        if found is not None:
            block, start, end = found
            spans[id(block)].append((start, end, claim))
    blocks = []
    for block in article.blocks:
        runs: list[dict] = []
        cursor = 0
        for start, end, claim in sorted(spans.get(id(block), []), key=lambda s: (s[0], -s[1])):
            mark = Record(claim=summaries[claim.key], finding=claim.key in in_findings)
            if start < cursor:
                # Overlaps the previous span: a marker where it starts, not a nested highlight.
                runs.append(Record(text="", **mark))
                continue
            if start > cursor:
                runs.append(Record(text=block.text[cursor:start], claim=None, finding=False))
            runs.append(Record(text=block.text[start:end], **mark))
            cursor = end
        if cursor < len(block.text):
            runs.append(Record(text=block.text[cursor:], claim=None, finding=False))
        marks = [m for line in range(block.line, block.end_line + 1) for m in (at_lines or {}).get(line, [])]
        blocks.append(Record(kind=block.kind, line=block.line, runs=runs, findings=marks))
    # Consecutive bullets become one list.
    grouped: list[dict] = []
    for block in blocks:
        if block["kind"] == "bullet" and grouped and grouped[-1]["kind"] == "bullets":
            grouped[-1]["items"].append(block)
        elif block["kind"] == "bullet":
            grouped.append(Record(kind="bullets", items=[block]))
        else:
            grouped.append(block)
    return grouped


def verdict_counts(config: Config, claims: list[Claim] | tuple[Claim, ...]) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for claim in claims:
        counts[claim.verdict] += 1
    top = max(counts.values(), default=0)
    return [
        Record(id=v.id, count=counts.get(v.id, 0), color=v.color, rating=v.rating,
               width=round(100 * counts.get(v.id, 0) / top, 1) if top else 0, page=verdict_path(v.id))
        for v in config.verdicts
    ]


def _related(dossier: Dossier, summaries: dict[str, dict]) -> dict[str, list[dict]]:
    """Related claims: explicit `related` (both ways), same measured topic, shared entities."""
    explicit: dict[str, set[str]] = defaultdict(set)
    for claim in dossier.claims:
        for ref in claim.related:
            if ref in summaries and ref != claim.key:
                explicit[claim.key].add(ref)
                explicit[ref].add(claim.key)
    by_topic: dict[str, list[str]] = defaultdict(list)
    for claim in dossier.claims:
        for topic in sorted({q.topic for q in claim.quantities if q.topic}):
            by_topic[topic].append(claim.key)
    topic_position = {topic: {key: i for i, key in enumerate(keys)} for topic, keys in by_topic.items()}
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for claim in dossier.claims:
        by_article[claim.article].append(claim)

    result: dict[str, list[dict]] = {}
    for claim in dossier.claims:
        chosen: dict[str, str] = {}
        for key in sorted(explicit.get(claim.key, ()), key=lambda k: summaries[k]["number"]):
            chosen.setdefault(key, "explicit")
        for topic in sorted({q.topic for q in claim.quantities if q.topic}):
            # The nearest claims about the same thing: same article first, by position.
            same = by_topic[topic]
            here = topic_position[topic][claim.key]
            left, right = here - 1, here + 1
            while len(chosen) < RELATED_LIMIT and (left >= 0 or right < len(same)):
                if left >= 0:
                    chosen.setdefault(same[left], "topic")
                    left -= 1
                if right < len(same) and len(chosen) < RELATED_LIMIT:
                    chosen.setdefault(same[right], "topic")
                    right += 1
        mine = set(claim.entities)
        if len(chosen) < RELATED_LIMIT and len(mine) >= 2:
            scored = []
            for other in by_article[claim.article]:
                shared = len(mine & set(other.entities))
                if other.key != claim.key and shared >= 2:
                    scored.append((-shared, summaries[other.key]["number"], other.key))
            for _, _, key in sorted(scored)[: RELATED_LIMIT - len(chosen)]:
                chosen.setdefault(key, "entities")
        # The shared summaries themselves, not copies: at 100,000 claims copies cost memory.
        result[claim.key] = [summaries[k] for k in chosen]
    return result


def _built_date(dossier: Dossier) -> str:
    """The latest date in the data: the deterministic "built at" (SOURCE_DATE_EPOCH wins)."""
    import os
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    dates = [a.published for a in dossier.articles.values() if a.published]
    for claim in dossier.claims:
        dates += [c.date for c in claim.corrections]
        dates += [s.date for s in claim.sources if s.date]
    return max(dates).isoformat() if dates else "1970-01-01"


def claim_updated(claim: Claim, article: Article | None, built: str) -> str:
    """When a claim's review last changed, from the data: its last correction, else the article."""
    if claim.corrections:
        return max(c.date for c in claim.corrections).isoformat()
    if article is not None and article.published:
        return article.published.isoformat()
    return built


# ---------------------------------------------------------------- the plan

def plan_site(dossier: Dossier, findings: tuple[Finding, ...]) -> SitePlan:
    config = dossier.config
    claims = dossier.claims
    summaries = {c.key: claim_summary(c, i + 1) for i, c in enumerate(claims)}
    claim_urls = {c.key: claim_path(c) for c in claims}
    articles = {slug: article_summary(a) for slug, a in dossier.articles.items()}
    built = _built_date(dossier)
    pages: list[Page] = []

    findings_of: dict[str, list[dict]] = defaultdict(list)
    finding_rows = []
    for finding in findings:
        details = dict(getattr(finding, "details", ()) or ())
        location = getattr(finding, "location", None)
        row = Record(id=finding.id, anchor=finding_anchor(finding), kind=finding.kind,
                     article=finding.article, topic=finding.topic, message=finding.message,
                     status=finding.status, note=finding.note,
                     line=location.line if location is not None else None,
                     article_page=article_path(finding.article) if finding.article in articles else None,
                     claims=[Record(summaries[k], detail=details.get(k, ""))
                             for k in finding.claims if k in summaries])
        finding_rows.append(row)
        for key in finding.claims:
            findings_of[key].append(Record({k: row[k] for k in ("id", "anchor", "kind", "message",
                                                                "status")}))
    in_findings = {k for f in findings if f.status != "dismissed" for k in f.claims}
    # Findings about the article itself (an empty source list) mark the line they point at.
    at_lines: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for finding, row in zip(findings, finding_rows, strict=True):
        if row["line"] is not None and finding.status != "dismissed":
            at_lines[finding.article][row["line"]].append(Record(anchor=row["anchor"], kind=finding.kind))
    open_findings = [row for row in finding_rows if row["status"] != "dismissed"]

    related = _related(dossier, summaries)
    counts = verdict_counts(config, claims)

    claims_of: dict[str, list[Claim]] = defaultdict(list)  # one pass, not one scan per article
    for claim in claims:
        claims_of[claim.article].append(claim)
    # Where each claim sits in its article's blocks, found once.
    spans: dict[str, tuple[Block, int, int]] = {}
    for claim in claims:
        article = dossier.articles.get(claim.article)
        found = _block_of(article, claim) if article is not None else None
        if found is not None:
            spans[claim.key] = found

    # Home
    by_article = [
        Record(article=articles[slug], counts=verdict_counts(config, claims_of[slug]),
               claims=[summaries[c.key] for c in claims_of[slug]], total=len(claims_of[slug]))
        for slug in dossier.articles
    ]
    list_all = len(claims) <= HOME_CLAIMS_LIMIT
    pages.append(Page("index.html", "home.html", config.title, {
        "articles": by_article if list_all else [Record(a, claims=[]) for a in by_article],
        "counts": counts, "total": len(claims), "findings": open_findings, "list_all": list_all,
    }, description=config.description))

    # Annotated articles
    for slug, article in dossier.articles.items():
        mine = claims_of[slug]
        pages.append(Page(article_path(slug), "article.html", article.title, {
            "article": articles[slug],
            "blocks": annotate(article, mine, summaries, in_findings, at_lines.get(slug), spans),
            "claims": [summaries[c.key] for c in mine],
            "counts": verdict_counts(config, mine),
        }, description=shorten(article.title, 150)))

    placed = {c.key for c in claims if c.article in dossier.articles and c.key in spans}

    entity_refs = {e: Record(id=e, name=entity.name, type=entity.type, page=entity_path(e))
                   for e, entity in dossier.entities.items()}

    # Claim pages
    for index, claim in enumerate(claims):
        article = dossier.articles.get(claim.article)
        found = spans.get(claim.key)
        before, after = sentence_context(article, claim, found) if article and found else ("", "")
        entities = [entity_refs[e] for e in claim.entities if e in entity_refs]
        page_path = claim_path(claim)
        page_url = config.base_url + page_path
        sources = [
            Record(source=s, publisher=publisher_name(s.url, s.publisher),
                   page=publisher_path(publisher_name(s.url, s.publisher)))
            for s in claim.sources
        ]
        pages.append(Page(page_path, "claim.html", shorten(claim.text, 70), {
            "claim": claim, "summary": summaries[claim.key],
            "article": articles.get(claim.article),
            "before": before, "after": after, "entities": entities, "sources": sources,
            "speaker_page": entity_path(claim.speaker.entity) if claim.speaker and claim.speaker.entity
            else None,
            "related": related.get(claim.key, []), "findings": findings_of.get(claim.key, []),
            "previous": summaries[claims[index - 1].key] if index > 0 else None,
            "next": summaries[claims[index + 1].key] if index + 1 < len(claims) else None,
            "page_url": page_url,  # the JSON-LD is made from the context at render time
            "updated": claim_updated(claim, article, built), "placed": claim.key in placed,
        }, description=shorten(claim.text, 160)))

    # Entities
    naming: dict[str, list[dict]] = defaultdict(list)
    for claim in claims:
        ids = list(claim.entities)
        if claim.speaker and claim.speaker.entity and claim.speaker.entity not in ids:
            ids.append(claim.speaker.entity)
        for entity_id in ids:
            naming[entity_id].append(summaries[claim.key])
    entity_rows = []
    for entity_id in sorted(dossier.entities):
        entity = dossier.entities[entity_id]
        entity_rows.append(Record(id=entity_id, name=entity.name, type=entity.type,
                                  page=entity_path(entity_id), count=len(naming[entity_id])))
        pages.append(Page(entity_path(entity_id), "entity.html", entity.name, {
            "entity": entity, "claims": naming[entity_id],
        }))
    pages.append(Page("entities/index.html", "entities.html", "entities", {"entities": entity_rows}))

    # Sources, grouped by publisher
    citing: dict[str, dict[str, dict]] = defaultdict(dict)  # publisher -> url -> row
    for claim in claims:
        for source in claim.sources:
            name = publisher_name(source.url, source.publisher)
            row = citing[name].setdefault(source.url, Record(
                url=source.url, title=source.title, date=source.date, claims=[]))
            row["claims"].append(Record(claim=summaries[claim.key], stance=source.stance))
    publisher_rows = []
    seen_paths: dict[str, str] = {}
    for name in sorted(citing, key=lambda n: (n.casefold(), n)):
        path = publisher_path(name)
        if path in seen_paths and seen_paths[path] != name:
            continue  # two spellings folding to one slug share the first one's page
        seen_paths[path] = name
        sources = sorted(citing[name].values(), key=lambda r: r["url"])
        publisher_rows.append(Record(name=name, page=path, count=len(sources),
                                     claims=sum(len(r["claims"]) for r in sources)))
        pages.append(Page(path, "publisher.html", name, {"publisher": name, "sources": sources}))
    # Sources whose name folds onto an existing page are listed there too.
    for name in citing:
        path = publisher_path(name)
        if seen_paths.get(path) not in (None, name):
            page = next(p for p in pages if p.path == path)
            page.context["sources"] = sorted(
                page.context["sources"] + list(citing[name].values()), key=lambda r: r["url"])
    pages.append(Page("sources/index.html", "publishers.html", "sources",
                      {"publishers": publisher_rows}))

    # Verdicts
    for verdict in config.verdicts:
        pages.append(Page(verdict_path(verdict.id), "verdict.html", verdict.id, {
            "verdict": verdict.id,
            "claims": [summaries[c.key] for c in claims if c.verdict == verdict.id],
        }))
    pages.append(Page("verdicts/index.html", "verdicts.html", "verdicts", {"counts": counts}))

    # Findings
    pages.append(Page("findings.html", "findings.html", "findings", {"findings": finding_rows}))

    # Transparency pages, and search
    for name, text in (("methodology", config.methodology),
                       ("corrections", config.corrections_policy), ("contact", config.contact)):
        extra = {"counts": counts} if name == "methodology" else {}
        pages.append(Page(f"{name}.html", f"{name}.html", name, {"text": text or "", **extra}))
    shards: list[list[str]] = []
    if config.search:
        from .search import plan_shards, shard_name

        shards = plan_shards([p.path for p in pages])
        # Pagefind resolves a merged bundle against its own folder (pagefind/).
        bundles = [f"../{shard_name(i)}/" for i in range(1, len(shards))]
        pages.append(Page("search.html", "search.html", "search", {"bundles": bundles}, indexed=False))
    pages.append(Page("404.html", "404.html", "page_not_found", {}, indexed=False))
    return SitePlan(pages, claim_urls, built, shards)


def verdict_map(config: Config) -> dict[str, Verdict]:
    return {v.id: v for v in config.verdicts}
