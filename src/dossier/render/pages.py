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

import marshal
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache, partial
from typing import NamedTuple
from urllib.parse import urlparse

from ..analyse import Finding
from ..article import Article, Block
from ..claims import Claim
from ..config import Config
from ..load import Dossier
from ..slugs import slugify
from .cache import kept_rows
from .record import Record
from .text import shorten

HOME_CLAIMS_LIMIT = 500  # above this, the home page lists articles, each with its own claim list
HOME_FINDINGS_LIMIT = 20  # the home page shows the first ones and links to the findings page
# Above this many articles, the home page shows the latest ones and links to the paged list of
# them all (`articles/index.html`): at 500 articles, the cards alone made it ~0.5 MB.
HOME_ARTICLES_LIMIT = 20
ARTICLES_INDEX = "articles/index.html"
# The paged lists' page kinds (see `list_slices`): the articles' list has one, subject "".
LIST_KINDS = ("entity", "publisher", "verdict", "articles")
LIST_PAGE_SIZE = 100  # items a page of a paged list (entity, verdict, publisher, articles) holds, on average
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

def claim_summary(claim: ClaimEntry, number: int) -> dict:
    """What a list shows of a claim; shared by every list that shows it."""
    return Record({
        "key": claim.key, "id": claim.id, "article": claim.article, "number": number,
        "url": claim_path(claim), "text": claim.text, "verdict": claim.verdict,
        "kind": claim.kind, "line": claim.line,
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
             in_findings: set[str], at_lines: dict[int, list[dict]] | None = None) -> list[dict]:
    """The article as blocks of text runs; a run is plain text or a claim span."""
    spans: dict[int, list[tuple[int, int, Claim]]] = defaultdict(list)
    for claim in claims:
        found = _block_of(article, claim)
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


# ---------------------------------------------------------------- the site index

class SourceRef(NamedTuple):
    url: str
    publisher: str  # the name the publisher page is made for
    title: str | None
    date: str | None  # ISO date
    stance: str


class ClaimEntry(NamedTuple):
    """What every page but its own shows of a claim (a few hundred bytes).

    The build keeps these between builds: after an edit, the lists, counts and
    related claims of the whole site are planned from them, and only the edited
    claims are read in full. Plain values only (dates as ISO strings), so that
    they are stored and read back fast (`marshal`).
    """

    key: str
    id: str
    article: str
    text: str
    verdict: str
    kind: str
    line: int
    start: int
    entities: tuple[str, ...]  # named, then the speaker's entity if it is another one
    # Its sources' (url, publisher, title, date, stance) rows, packed: `source_rows` unpacks
    # them, `sources` makes `SourceRef`s of them, for the few claims a page shows the sources
    # of. An edit build reads back every claim's entry: as 3 tuples of 5 strings a claim, the
    # sources were half of what it unmarshalled (~10 ms of ~22 at 10,000 claims). The
    # publishers they name, which lists group claims by, are kept apart: `source_publishers`.
    packed_sources: bytes
    topics: tuple[str, ...]  # sorted, distinct
    related: tuple[str, ...]  # explicit `related` keys
    updated: str | None  # ISO date of its last correction
    latest: str | None  # the latest date it carries (corrections, sources), ISO
    source_publishers: tuple[str, ...]  # each source's publisher, as spelled, in source order

    @staticmethod
    def source_fields(rows: Iterable[tuple]) -> dict[str, object]:
        """The fields (`packed_sources`, `source_publishers`) that hold these source rows. Packed
        by marshal's version 2, which shares no objects: the same rows always give the same
        bytes, so that entries compare by value."""
        rows = tuple(map(tuple, rows))
        return {"packed_sources": marshal.dumps(rows, 2),
                "source_publishers": tuple(row[_PUBLISHER] for row in rows)}

    @property
    def source_rows(self) -> tuple[tuple, ...]:
        return marshal.loads(self.packed_sources)

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        return tuple(map(_new_source_ref, self.source_rows))

    def sources_on(self, page: str) -> list[SourceRef]:
        """Its sources listed on the publisher page `page` (a `publisher_path`)."""
        return [_new_source_ref(row) for row in self.source_rows if publisher_path(row[_PUBLISHER]) == page]

    def publishers(self) -> set[str]:
        """The publishers its sources name, as spelled."""
        return set(self.source_publishers)

    def publisher_pages(self) -> dict[str, None]:
        """The publisher pages its sources cite, once each, in source order."""
        return {publisher_path(name): None for name in self.source_publishers}

    def plain(self) -> tuple:
        return tuple(self)

    @staticmethod
    def from_plain(rows: list[tuple]) -> list[ClaimEntry]:
        """The entries `plain` gave, back (see `cache.kept_rows`)."""
        if any(type(row[9]) is not bytes for row in rows):
            raise ValueError("not the plain form of ClaimEntry")
        return kept_rows(ClaimEntry, rows)


_tuple_new = tuple.__new__
_new_source_ref = partial(_tuple_new, SourceRef)
_PUBLISHER = SourceRef._fields.index("publisher")  # in a source row (`ClaimEntry.source_rows`)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def claim_entry(claim: Claim) -> ClaimEntry:
    ids = list(claim.entities)
    if claim.speaker and claim.speaker.entity and claim.speaker.entity not in ids:
        ids.append(claim.speaker.entity)
    dates = [c.date for c in claim.corrections] + [s.date for s in claim.sources if s.date]
    return ClaimEntry(
        key=claim.key, id=claim.id, article=claim.article, text=claim.text, verdict=claim.verdict,
        kind=claim.kind, line=claim.location.line, start=claim.location.start, entities=tuple(ids),
        **ClaimEntry.source_fields((s.url, publisher_name(s.url, s.publisher), s.title, _iso(s.date),
                                    s.stance) for s in claim.sources),
        topics=tuple(sorted({q.topic for q in claim.quantities if q.topic})),
        related=tuple(claim.related),
        updated=_iso(max((c.date for c in claim.corrections), default=None)),
        latest=_iso(max(dates)) if dates else None,
    )


class _Summaries(dict):
    """Claim key -> `claim_summary`, made when first asked for with `[]` (a KeyError for no
    claim); `in` asks the claims. Iterating, `len` and `.get` see only the summaries made."""

    def __init__(self, by_key: dict[str, ClaimEntry], position: dict[str, int]):
        super().__init__()
        self.by_key, self.position = by_key, position

    def __contains__(self, key: object) -> bool:
        return key in self.by_key

    def __missing__(self, key: str) -> dict:
        made = self[key] = claim_summary(self.by_key[key], self.position[key])
        return made


Labels = Callable[[ClaimEntry], Iterable[str]]  # an entry's labels: its verdict, its entities...

# The maps of claim keys grouped by a label, in site order: map name -> an entry's labels.
_GROUPS: dict[str, Labels] = {
    "by_verdict": lambda entry: (entry.verdict,),
    "naming": lambda entry: entry.entities,
    "by_topic": lambda entry: entry.topics,
    # Publisher page path -> the claims citing it (once each, however many of its sources).
    "citers": ClaimEntry.publisher_pages,
}


def _keys_by(entries: Iterable[ClaimEntry], labels: Labels) -> dict[str, list[str]]:
    """Label -> the keys of the claims it labels, in the order of `entries`."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        for label in labels(entry):
            grouped[label].append(entry.key)
    return grouped


class _ByPublisher(Mapping):
    """Publisher page path -> `make(path)`, each worked out when first asked for: an edit
    build asks for the few publishers its claims cite (going through all ~30,000 sources of
    10,000 claims cost it ~25 ms), a full build for every one (see `SiteIndex.prepare`).
    Iterating and `in` see every publisher of `paths`."""

    def __init__(self, paths: dict[str, list[str]], make: Callable[[str], object]):
        self._paths, self._make, self._made = paths, make, {}

    def __getitem__(self, path: str):
        made = self._made.get(path)
        if made is None:
            if path not in self._paths:
                raise KeyError(path)
            made = self._made[path] = self._make(path)
        return made

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _replaced(groups: dict, labels: set[str], again: dict) -> dict:
    """`groups` with the groups `labels` taken from `again` (or dropped, if it has none)."""
    for label in labels:
        if label in again:
            groups[label] = again[label]
        else:
            groups.pop(label, None)
    return groups


class SiteIndex:
    """The whole site's cross-claim structure (lists, counts, neighbours), from `ClaimEntry`s.

    Every map is computed on first use: a full build uses them all, an
    incremental build only those the edited claims touch.
    """

    def __init__(self, config: Config, articles: dict[str, dict], entities: dict,
                 entries: list[ClaimEntry], findings: tuple[Finding, ...], built: str):
        self.config = config
        self.articles = articles  # slug -> article summary, in seed order
        self.entities = entities
        self.entries = entries
        self.findings = findings
        self.built = built
        self.by_key = {e.key: e for e in entries}

    def prepare(self) -> SiteIndex:
        """Compute every map now (before worker processes fork: each would compute its own)."""
        for name, value in vars(SiteIndex).items():
            if isinstance(value, cached_property):
                getattr(self, name)
        summaries = self.summaries
        for entry in self.entries:
            summaries[entry.key]
        for path in self.citers:
            self.publisher_urls[path]  # and its `citing`
        return self

    def before_edit(self, edited: dict[str, ClaimEntry]) -> SiteIndex:
        """The index as it was before the claims `edited` (key -> entry before) changed into
        this one's, on the edit path (the same claims, in the same order: only their fields
        changed). Its maps are this index's with the groups those claims were or are in
        worked out again, not the whole dossier's: each equals, as a mapping, what a fresh
        index of the old entries computes (tested), at a fraction of the cost."""
        entries = [edited.get(e.key, e) for e in self.entries]
        old = SiteIndex(self.config, self.articles, self.entities, entries, (), "")
        now = {key: self.by_key[key] for key in edited}
        seed = old.__dict__  # cached_property reads an instance's own value first
        seed["position"] = self.position  # the same keys in the same order
        seed["claims_of"] = claims_of = defaultdict(list, self.claims_of)
        for slug in {e.article for e in edited.values()}:
            claims_of[slug] = [edited.get(e.key, e) for e in self.claims_of[slug]]
        for name, labels in _GROUPS.items():
            seed[name] = self._regrouped(getattr(self, name), labels, edited, old.by_key)
        # `citing` and `publisher_urls` follow from `citers`, each publisher's when asked for,
        # and are shared when no source changed (the everyday edit: a verdict, a note).
        if all(edited[k].source_rows == now[k].source_rows for k in edited):
            seed["citing"], seed["publisher_urls"] = self.citing, self.publisher_urls
        # Shared when the edit cannot change them, else computed afresh (rare: a new spelling
        # of a publisher, a new `related` link).
        if all(edited[k].publishers() == now[k].publishers() for k in edited):
            seed["publisher_names"] = self.publisher_names
        if all(edited[k].related == now[k].related for k in edited):
            seed["explicit"] = self.explicit
        return old

    def _regrouped(self, groups: dict[str, list[str]], labels: Labels, edited: dict[str, ClaimEntry],
                   old: dict[str, ClaimEntry]) -> dict[str, list[str]]:
        """`groups` (`_keys_by(..., labels)` of this index) with the groups the `edited` claims
        were or are in made again from the `old` entries of their members."""
        # A label a claim has as often before as after keeps its group: the same keys, in order.
        touched = set()
        for key, entry in edited.items():
            was, now = tuple(labels(entry)), tuple(labels(self.by_key[key]))
            touched.update(label for label in {*was, *now} if was.count(label) != now.count(label))
        members = {k for label in touched for k in groups.get(label, ())} | edited.keys()
        again = _keys_by((old[k] for k in sorted(members, key=self.position.__getitem__)), labels)
        return _replaced(defaultdict(list, groups), touched, again)

    @cached_property
    def summaries(self) -> dict[str, dict]:
        """Claim key -> `claim_summary`, each made on first use: an edit build shows a few
        hundred of them (`prepare` makes them all, for the workers of a full build to share)."""
        return _Summaries(self.by_key, self.position)

    @cached_property
    def position(self) -> dict[str, int]:
        """Claim key -> its number in site order, from 1."""
        return {e.key: i + 1 for i, e in enumerate(self.entries)}

    # --- groups of claims
    @cached_property
    def claims_of(self) -> dict[str, list[ClaimEntry]]:
        grouped: dict[str, list[ClaimEntry]] = defaultdict(list)
        for entry in self.entries:
            grouped[entry.article].append(entry)
        return grouped

    @cached_property
    def by_verdict(self) -> dict[str, list[str]]:
        return _keys_by(self.entries, _GROUPS["by_verdict"])

    @cached_property
    def naming(self) -> dict[str, list[str]]:
        """Entity id -> the claims naming it (or said by it)."""
        return _keys_by(self.entries, _GROUPS["naming"])

    @cached_property
    def citers(self) -> dict[str, list[str]]:
        """Publisher page path -> the claims citing it, in site order."""
        return _keys_by(self.entries, _GROUPS["citers"])

    @cached_property
    def citing(self) -> Mapping[str, dict[str, list[tuple[SourceRef, str]]]]:
        """Publisher page path -> source URL -> (source, claim key), in claim order.

        Two spellings of a publisher folding to one page path share it (the first
        spelling, in name order, names the page)."""
        return _ByPublisher(self.citers, self._cited_by)

    def _cited_by(self, path: str) -> dict[str, list[tuple[SourceRef, str]]]:
        by_url: dict[str, list] = defaultdict(list)
        for key in self.citers[path]:
            for source in self.by_key[key].sources_on(path):
                by_url[source.url].append((source, key))
        return by_url

    @cached_property
    def publisher_urls(self) -> Mapping[str, list[str]]:
        """Publisher page path -> its source URLs, sorted (once, not once per page of the list)."""
        return _ByPublisher(self.citers, lambda path: sorted(self.citing[path]))

    def list_slices(self, kind: str, subject: str) -> list[tuple[int, int]]:
        """The pages of a list (see `list_slices`), worked out once per list."""
        found = self._slices.get((kind, subject))
        if found is None:
            found = self._slices[(kind, subject)] = list_slices(list_items(self, kind, subject))
        return found

    @cached_property
    def _slices(self) -> dict[tuple[str, str], list[tuple[int, int]]]:
        return {}

    @cached_property
    def publisher_names(self) -> dict[str, str]:
        """Publisher page path -> the name it shows."""
        names: dict[str, str] = {}
        every = {name for e in self.entries for name in e.source_publishers}
        for name in sorted(every, key=lambda n: (n.casefold(), n)):
            names.setdefault(publisher_path(name), name)
        return names

    @cached_property
    def by_topic(self) -> dict[str, list[str]]:
        return _keys_by(self.entries, _GROUPS["by_topic"])

    @cached_property
    def topic_position(self) -> dict[str, dict[str, int]]:
        return {topic: {key: i for i, key in enumerate(keys)} for topic, keys in self.by_topic.items()}

    @cached_property
    def explicit(self) -> dict[str, set[str]]:
        """Explicit `related` links, both ways."""
        links: dict[str, set[str]] = defaultdict(set)
        for entry in self.entries:
            for ref in entry.related:
                if ref in self.by_key and ref != entry.key:
                    links[entry.key].add(ref)
                    links[ref].add(entry.key)
        return links

    @cached_property
    def counts(self) -> list[dict]:
        return verdict_counts(self.config, self.entries)

    # --- findings
    @cached_property
    def finding_rows(self) -> list[dict]:
        rows = []
        for finding in self.findings:
            details = dict(getattr(finding, "details", ()) or ())
            location = getattr(finding, "location", None)
            rows.append(Record(
                id=finding.id, anchor=finding_anchor(finding), kind=finding.kind,
                article=finding.article, topic=finding.topic, message=finding.message,
                status=finding.status, note=finding.note,
                line=location.line if location is not None else None,
                article_page=article_path(finding.article) if finding.article in self.articles else None,
                claims=[Record(self.summaries[k], detail=details.get(k, ""))
                        for k in finding.claims if k in self.by_key]))
        return rows

    @cached_property
    def findings_of(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = defaultdict(list)
        for finding, row in zip(self.findings, self.finding_rows, strict=True):
            for key in finding.claims:
                found[key].append(Record({k: row[k] for k in ("id", "anchor", "kind", "message",
                                                              "status")}))
        return found

    @cached_property
    def in_findings(self) -> set[str]:
        return {k for f in self.findings if f.status != "dismissed" for k in f.claims}

    @cached_property
    def at_lines(self) -> dict[str, dict[int, list[dict]]]:
        """Findings about the article itself (an empty source list) mark the line they point at."""
        marks: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for finding, row in zip(self.findings, self.finding_rows, strict=True):
            if row["line"] is not None and finding.status != "dismissed":
                marks[finding.article][row["line"]].append(Record(anchor=row["anchor"], kind=finding.kind))
        return marks

    # --- related claims
    def related(self, key: str) -> list[dict]:
        """Explicit `related` (both ways), then the nearest claims on the same measured topic,
        then claims of the same article sharing two entities or more."""
        entry = self.by_key[key]
        summaries = self.summaries
        chosen: dict[str, str] = {}
        for other in sorted(self.explicit.get(key, ()), key=lambda k: summaries[k]["number"]):
            chosen.setdefault(other, "explicit")
        for topic in entry.topics:
            # The nearest claims about the same thing: same article first, by position.
            same = self.by_topic[topic]
            here = self.topic_position[topic][key]
            left, right = here - 1, here + 1
            while len(chosen) < RELATED_LIMIT and (left >= 0 or right < len(same)):
                if left >= 0:
                    chosen.setdefault(same[left], "topic")
                    left -= 1
                if right < len(same) and len(chosen) < RELATED_LIMIT:
                    chosen.setdefault(same[right], "topic")
                    right += 1
        mine = set(entry.entities)
        if len(chosen) < RELATED_LIMIT and len(mine) >= 2:
            scored = []
            for other in self.claims_of[entry.article]:
                shared = len(mine & set(other.entities))
                if other.key != key and shared >= 2:
                    scored.append((-shared, summaries[other.key]["number"], other.key))
            for _, _, other_key in sorted(scored)[: RELATED_LIMIT - len(chosen)]:
                chosen.setdefault(other_key, "entities")
        # The shared summaries themselves, not copies: at 100,000 claims copies cost memory.
        return [summaries[k] for k in chosen]

    def near(self, key: str) -> set[str]:
        """Claims whose page may show `key` as a related or neighbouring claim."""
        entry = self.by_key.get(key)
        if entry is None:
            return set()
        found = {e.key for e in self.claims_of[entry.article]} | self.explicit.get(key, set())
        for topic in entry.topics:
            same = self.by_topic[topic]
            here = self.topic_position[topic][key]
            found.update(same[max(0, here - RELATED_LIMIT): here + RELATED_LIMIT + 1])
        number = self.position[key]
        for index in (number - 2, number):
            if 0 <= index < len(self.entries):
                found.add(self.entries[index].key)
        return found


def built_date(published: Iterable[date | None], entries: list[ClaimEntry]) -> str:
    """The latest date in the data (articles' publication dates, the claims' latest dates):
    the deterministic "built at" (SOURCE_DATE_EPOCH wins)."""
    import os
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    dates = [day.isoformat() for day in published if day]
    dates += [e.latest for e in entries if e.latest]
    return max(dates) if dates else "1970-01-01"


def claim_updated(entry: ClaimEntry, article: dict | None, built: str) -> str:
    """When a claim's review last changed, from the data: its last correction, else the
    article's publication (`article`: its summary)."""
    return entry.updated or article_day(article, built)


def article_day(article: dict | None, built: str) -> str:
    """When the claims of an article (`article`: its summary, None for none) were reviewed,
    unless a correction says later: its publication, else "built at"."""
    if article is not None and article["published"]:
        return article["published"].isoformat()
    return built


def make_index(dossier: Dossier, findings: tuple[Finding, ...],
               entries: list[ClaimEntry] | None = None) -> SiteIndex:
    entries = entries if entries is not None else [claim_entry(c) for c in dossier.claims]
    articles = {slug: article_summary(a) for slug, a in dossier.articles.items()}
    return SiteIndex(dossier.config, articles, dossier.entities, entries, findings,
                     built_date((a.published for a in dossier.articles.values()), entries))


# ---------------------------------------------------------------- the pages

class ClaimSource:
    """Full claims and articles, for the pages that show them (claim and article pages)."""

    def claim(self, key: str) -> Claim:
        raise NotImplementedError

    def article(self, slug: str) -> Article | None:
        raise NotImplementedError


class PageSpec(NamedTuple):
    """A page before its data is gathered: where it goes, what kind it is, what it is about."""

    path: str
    kind: str
    subject: str = ""
    number: int = 1  # page of a list

    @staticmethod
    def from_plain(rows: Iterable[tuple]) -> list[PageSpec]:
        """The specs of a kept plan (plain tuples), back (see `cache.kept_rows`)."""
        return kept_rows(PageSpec, rows)


def _list_paths(first: str, count: int) -> list[str]:
    """`entities/x.html`, then `entities/x/2.html`, ... for a list of `count` pages."""
    base = first.removesuffix(".html")
    return [first] + [f"{base}/{n}.html" for n in range(2, count + 1)]


def list_slices(items: list[str]) -> list[tuple[int, int]]:
    """Where each page of a list starts and ends (at least one page, maybe empty).

    A page ends after an item whose hash says so, once it holds half of `LIST_PAGE_SIZE`
    items (and at twice that, whatever the hash): a page break depends on the items next to
    it, not on its position. So a claim entering or leaving a list changes the page it is on
    (seldom the next one), not every page after it, and an edit re-renders a page or two of
    a long verdict list, not all of them. A last page shorter than the half joins the one before.
    """
    least = max(1, LIST_PAGE_SIZE // 2)
    most, odds = 2 * LIST_PAGE_SIZE, max(1, LIST_PAGE_SIZE - least)
    slices: list[tuple[int, int]] = []
    start, crc32 = 0, zlib.crc32
    for end, item in enumerate(items, 1):
        size = end - start
        if size >= most or (size >= least and crc32(item.encode()) % odds == 0):
            slices.append((start, end))
            start = end
    if start < len(items) or not slices:
        if slices and len(items) - start < least:
            slices[-1] = (slices[-1][0], len(items))
        else:
            slices.append((start, len(items)))
    return slices


def list_items(ix: SiteIndex, kind: str, subject: str) -> list[str]:
    """What the list (`entity`, `publisher`, `verdict` or `articles`) `subject` pages through:
    claim keys, a publisher's source URLs, or (the articles' list, subject "") article slugs."""
    if kind == "publisher":
        return ix.publisher_urls.get(subject, [])
    if kind == "articles":
        return list(ix.articles)
    return (ix.naming if kind == "entity" else ix.by_verdict).get(subject, [])


def page_count(ix: SiteIndex, kind: str, subject: str) -> int:
    """How many pages the list (`entity`, `publisher`, `verdict` or `articles`) `subject` has."""
    return len(ix.list_slices(kind, subject))


def page_specs(ix: SiteIndex) -> list[PageSpec]:
    """Every page of the site, in a stable order (cheap: no page data is gathered)."""
    specs = [PageSpec("index.html", "home")]
    # Each article page next to its claims' pages: a worker reads each article's claims once.
    for slug in ix.articles:
        specs.append(PageSpec(article_path(slug), "article", slug))
        specs += [PageSpec(claim_path(e), "claim", e.key) for e in ix.claims_of.get(slug, ())]
    specs += [PageSpec(claim_path(e), "claim", e.key) for e in ix.entries if e.article not in ix.articles]
    paths = _list_paths(ARTICLES_INDEX, page_count(ix, "articles", ""))
    specs += [PageSpec(p, "articles", "", n) for n, p in enumerate(paths, 1)]
    for entity_id in sorted(ix.entities):
        paths = _list_paths(entity_path(entity_id), page_count(ix, "entity", entity_id))
        specs += [PageSpec(p, "entity", entity_id, n) for n, p in enumerate(paths, 1)]
    specs.append(PageSpec("entities/index.html", "entities"))
    for path, _name in sorted(ix.publisher_names.items(), key=lambda i: (i[1].casefold(), i[1])):
        paths = _list_paths(path, page_count(ix, "publisher", path))
        specs += [PageSpec(p, "publisher", path, n) for n, p in enumerate(paths, 1)]
    specs.append(PageSpec("sources/index.html", "publishers"))
    for verdict in ix.config.verdicts:
        paths = _list_paths(verdict_path(verdict.id), page_count(ix, "verdict", verdict.id))
        specs += [PageSpec(p, "verdict", verdict.id, n) for n, p in enumerate(paths, 1)]
    specs.append(PageSpec("verdicts/index.html", "verdicts"))
    specs.append(PageSpec("findings.html", "findings"))
    specs += [PageSpec(f"{name}.html", name) for name in ("methodology", "corrections", "contact")]
    if ix.config.search:
        specs.append(PageSpec("search.html", "search"))
    specs.append(PageSpec("404.html", "404"))
    return specs


def list_pages(specs: list[PageSpec]) -> dict[tuple[str, str], list[str]]:
    """(kind, subject) -> the paths of a paginated list's pages."""
    pages: dict[tuple[str, str], list[str]] = defaultdict(list)
    for spec in specs:
        if spec.kind in LIST_KINDS:
            pages[(spec.kind, spec.subject)].append(spec.path)
    return pages


def _pager(paths: list[str], number: int, total: int) -> dict:
    # The list's length is on its first page only: on every page, it would change them all.
    return Record(number=number, count=len(paths), pages=paths, total=total if number == 1 else None)


def _page_items(ix: SiteIndex, kind: str, subject: str, number: int) -> list[str]:
    start, end = ix.list_slices(kind, subject)[number - 1]
    return list_items(ix, kind, subject)[start:end]


def _article_row(ix: SiteIndex, slug: str, with_claims: bool = False) -> Record:
    """An article as lists show it: its summary, its number of claims, maybe their summaries."""
    mine = ix.claims_of.get(slug, [])
    return Record(article=ix.articles[slug], total=len(mine),
                  claims=[ix.summaries[e.key] for e in mine] if with_claims else [])


def make_page(ix: SiteIndex, spec: PageSpec, source: ClaimSource, shards: list[list[str]],
              lists: dict[tuple[str, str], list[str]]) -> Page:
    """A page with everything its template shows (see the module docstring)."""
    config = ix.config
    summaries = ix.summaries
    kind = spec.kind
    if kind == "home":
        list_all = len(ix.entries) <= HOME_CLAIMS_LIMIT
        slugs = list(ix.articles)
        latest = slugs
        if len(slugs) > HOME_ARTICLES_LIMIT:  # the latest published, then in site order
            order = {slug: n for n, slug in enumerate(slugs)}
            day = {slug: ix.articles[slug]["published"] for slug in slugs}
            latest = sorted(slugs, key=lambda slug: (day[slug] is None, -(day[slug] or date.min).toordinal(),
                                                     order[slug]))[:HOME_ARTICLES_LIMIT]
        # Every claim, article by article; with many articles and claims, their list's link.
        listed = slugs if list_all or len(slugs) <= HOME_ARTICLES_LIMIT else []
        open_findings = [row for row in ix.finding_rows if row["status"] != "dismissed"]
        return Page("index.html", "home.html", config.title, {
            "latest": [_article_row(ix, slug) for slug in latest], "articles_total": len(slugs),
            "articles": [_article_row(ix, slug, list_all) for slug in listed],
            "counts": ix.counts, "total": len(ix.entries),
            "findings": open_findings[:HOME_FINDINGS_LIMIT], "findings_total": len(open_findings),
            "list_all": list_all,
        }, description=config.description)
    if kind == "articles":
        return Page(spec.path, "articles.html", "articles", {
            "articles": [_article_row(ix, slug) for slug in _page_items(ix, kind, "", spec.number)],
            "pager": _pager(lists[(kind, "")], spec.number, len(ix.articles))})
    if kind == "article":
        article = source.article(spec.subject)
        mine = [source.claim(e.key) for e in ix.claims_of.get(spec.subject, [])]
        return Page(spec.path, "article.html", article.title, {
            "article": ix.articles[spec.subject],
            "blocks": annotate(article, mine, summaries, ix.in_findings, ix.at_lines.get(spec.subject)),
            "claims": [summaries[c.key] for c in mine],
            "counts": verdict_counts(config, ix.claims_of.get(spec.subject, [])),
        }, description=shorten(article.title, 150))
    if kind == "claim":
        claim = source.claim(spec.subject)
        article = source.article(claim.article)
        found = _block_of(article, claim) if article is not None else None
        before, after = sentence_context(article, claim, found) if found else ("", "")
        entity_refs = [Record(id=e, name=ix.entities[e].name, type=ix.entities[e].type, page=entity_path(e))
                       for e in claim.entities if e in ix.entities]
        sources = [Record(source=s, publisher=ix.publisher_names[publisher_path(name)],
                          page=publisher_path(name))
                   for s in claim.sources for name in (publisher_name(s.url, s.publisher),)]
        number = summaries[claim.key]["number"]
        entries = ix.entries
        return Page(spec.path, "claim.html", shorten(claim.text, 70), {
            "claim": claim, "summary": summaries[claim.key],
            "article": ix.articles.get(claim.article),
            "before": before, "after": after, "entities": entity_refs, "sources": sources,
            "speaker_page": entity_path(claim.speaker.entity) if claim.speaker and claim.speaker.entity
            else None,
            "related": ix.related(claim.key), "findings": ix.findings_of.get(claim.key, []),
            "previous": summaries[entries[number - 2].key] if number > 1 else None,
            "next": summaries[entries[number].key] if number < len(entries) else None,
            "page_url": config.base_url + spec.path,  # the JSON-LD is made from the context at render time
            "updated": claim_updated(ix.by_key[claim.key], ix.articles.get(claim.article), ix.built),
            "placed": found is not None,
        }, description=shorten(claim.text, 160))
    if kind == "entity":
        entity = ix.entities[spec.subject]
        keys = ix.naming.get(spec.subject, [])
        paths = lists[(kind, spec.subject)]
        shown = _page_items(ix, kind, spec.subject, spec.number)
        return Page(spec.path, "entity.html", entity.name, {
            "entity": entity, "claims": [summaries[k] for k in shown],
            "pager": _pager(paths, spec.number, len(keys)),
        })
    if kind == "entities":
        rows = [Record(id=e, name=ix.entities[e].name, type=ix.entities[e].type, page=entity_path(e),
                       count=len(ix.naming.get(e, ()))) for e in sorted(ix.entities)]
        return Page(spec.path, "entities.html", "entities", {"entities": rows})
    if kind == "publisher":
        name = ix.publisher_names[spec.subject]
        by_url = ix.citing[spec.subject]
        urls = ix.publisher_urls[spec.subject]
        sources = []
        for url in _page_items(ix, kind, spec.subject, spec.number):
            first = by_url[url][0][0]
            citing = [Record(claim=summaries[k], stance=s.stance) for s, k in by_url[url]]
            day = date.fromisoformat(first.date) if first.date else None
            sources.append(Record(url=url, title=first.title, date=day, claims=citing))
        paths = lists[(kind, spec.subject)]
        return Page(spec.path, "publisher.html", name, {
            "publisher": name, "sources": sources, "pager": _pager(paths, spec.number, len(urls))})
    if kind == "publishers":
        rows = [Record(name=name, page=path, count=len(ix.citing[path]),
                       claims=sum(len(v) for v in ix.citing[path].values()))
                for path, name in sorted(ix.publisher_names.items(), key=lambda i: (i[1].casefold(), i[1]))]
        return Page(spec.path, "publishers.html", "sources", {"publishers": rows})
    if kind == "verdict":
        keys = ix.by_verdict.get(spec.subject, [])
        paths = lists[(kind, spec.subject)]
        return Page(spec.path, "verdict.html", spec.subject, {
            "verdict": spec.subject,
            "claims": [summaries[k] for k in _page_items(ix, kind, spec.subject, spec.number)],
            "pager": _pager(paths, spec.number, len(keys))})
    if kind == "verdicts":
        return Page(spec.path, "verdicts.html", "verdicts", {"counts": ix.counts})
    if kind == "findings":
        return Page(spec.path, "findings.html", "findings", {"findings": ix.finding_rows})
    if kind in ("methodology", "corrections", "contact"):
        text = {"methodology": config.methodology, "corrections": config.corrections_policy,
                "contact": config.contact}[kind]
        extra = {"counts": ix.counts} if kind == "methodology" else {}
        return Page(spec.path, f"{kind}.html", kind, {"text": text or "", **extra})
    if kind == "search":
        from .search import shard_name

        # Pagefind resolves a merged bundle against its own folder (pagefind/).
        bundles = [f"../{shard_name(i)}/" for i in range(1, len(shards))]
        return Page(spec.path, "search.html", "search", {"bundles": bundles}, indexed=False)
    if kind == "404":
        return Page(spec.path, "404.html", "page_not_found", {}, indexed=False)
    raise ValueError(f"unknown page kind {kind}")


def search_shards(ix: SiteIndex, specs: list[PageSpec]) -> list[list[str]]:
    if not ix.config.search:
        return []
    from .search import plan_shards

    return plan_shards([s.path for s in specs])
