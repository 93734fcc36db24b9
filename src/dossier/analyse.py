"""Cross-claim analysis: where the article contradicts itself, from the claim files alone.

No outside source, no spaCy: everything here reads the `Dossier` the loader
built (claims, their quantities and topics, speakers, the article's metadata).
Four kinds of finding:

* `conflicting-figures`: quantities about the same topic (see `topics.py`)
  whose values or ranges do not agree, derived values included ("les deux
  tiers" of the "12 000" stated in the same claim is 8 000); two different
  figures for one count ("plus de 10 000" here, "12 000" there) are shown too.
  Casualties are not deaths: a casualty figure is shown next to a death toll,
  said to be a different count, never matched with it.
* `framing`: the same figure told two ways: promised here, done there
  (claim modalities), or given two different causes ("en raison de ...").
* `stale-date`: relative dates that no longer fit the publication date
  (`relative_dates.py`).
* `weak-sourcing`: anonymous sources, an AI system quoted as an authority, an
  announced source list that is empty.

People confirm or dismiss a finding in `findings.yaml` at the dossier root:

    <finding id>:
      status: dismissed        # or confirmed
      note: |
        Markdown: why.

Finding ids are built from the article, the kind and the topic or claim id,
so a decision survives rebuilds and re-extraction.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from . import topics
from .article import Location
from .claims import MODALITIES, Claim, Quantity
from .errors import DossierError, Problem, did_you_mean
from .load import Dossier
from .relative_dates import MONTHS, WEEKDAYS, DateIssue, date_issues
from .slugs import is_slug, slugify
from .store import read_yaml

FindingKind = Literal["conflicting-figures", "framing", "stale-date", "weak-sourcing"]
FindingStatus = Literal["open", "confirmed", "dismissed"]
KIND_ORDER: tuple[str, ...] = ("conflicting-figures", "framing", "stale-date", "weak-sourcing")
DECISIONS_FILE = "findings.yaml"
DECISION_STATUSES: tuple[str, ...] = ("confirmed", "dismissed", "open")

# How far apart two figures may be and still be "the same": an exact figure in a news text
# is rounded; "environ", "près de" and a fraction spoken aloud are looser.
EXACT_TOLERANCE = 0.01
APPROX_TOLERANCE = 0.10
FRACTION_TOLERANCE = 0.05
ROUNDING_CAP = 0.05  # "3 000" may stand for 2 947, not for 2 500
# "plus de 10 000" next to "12 000": compatible, but two different figures for one count.
FLOOR_GAP = 1.15


@dataclass(frozen=True)
class Finding:
    id: str  # stable across builds: [a-z0-9-]
    kind: FindingKind
    article: str  # article slug
    topic: str
    claims: tuple[str, ...]  # claim keys "article/id", in article order
    message: str  # readable, in the dossier's language
    status: FindingStatus = "open"
    note: str = ""  # from a person's confirm/dismiss, Markdown
    # What each claim contributes, for showing them side by side: (claim key, words).
    details: tuple[tuple[str, str], ...] = ()
    # For a finding about the article itself rather than a claim (an empty source list).
    location: Location | None = None


@dataclass(frozen=True)
class Decision:
    """A person's word on a finding, from findings.yaml."""

    status: str
    note: str
    line: int | None = None


# ---- entry points ---------------------------------------------------------------------------


def analyse(dossier: Dossier) -> tuple[Finding, ...]:
    """Every finding of a dossier, in a stable order, with people's decisions applied.

    Raises `DossierError` (file:line:col) if findings.yaml is broken.
    """
    findings, problems = analyse_with_problems(dossier)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DossierError(errors)
    return findings


def analyse_with_problems(dossier: Dossier) -> tuple[tuple[Finding, ...], list[Problem]]:
    """`analyse`, plus the problems of findings.yaml (errors and warnings) instead of raising."""
    places = place_ids(dossier.entities)
    found = {slug: article_findings(article, dossier.claims_of(slug), places, dossier.config.language)
             for slug, article in dossier.articles.items()}
    positions = {c.key: (c.location.line, c.location.start) for c in dossier.claims}
    return settle(dossier.root, found, positions, dossier.config.language)


def place_ids(entities: dict) -> set[str]:
    return {e.id for e in entities.values() if e.type == "place"}


def article_findings(article, claims: list[Claim], places: set[str], language: str) -> list[Finding]:
    """The findings of one article, from its claims alone (claims in article order).

    Findings never span articles, so a build can keep each article's findings
    and analyse again only the articles whose claims changed."""
    language = "en" if language == "en" else "fr"
    slug = article.slug
    return (_figures(slug, claims, places, article.published, language)
            + _dates(slug, claims, article.published, language)
            + _sourcing(slug, claims, article, language))


def settle(root: Path, found: dict[str, list[Finding]], positions: dict[str, tuple[int, int]],
           language: str) -> tuple[tuple[Finding, ...], list[Problem]]:
    """Every article's findings (article slug -> findings, in article order) as the dossier's:
    unique ids, readable messages, a stable order, and people's decisions applied.
    `positions`: claim key -> (line, start)."""
    decisions, problems = load_decisions(root)
    language = "en" if language == "en" else "fr"
    every = [f for findings in found.values() for f in findings]
    settled = [_typeset(f, language) for f in _unique_ids(every)]
    order = {slug: i for i, slug in enumerate(found)}
    settled.sort(key=lambda f: (order.get(f.article, len(order)), _anchor(f, positions),
                                KIND_ORDER.index(f.kind), f.id))
    known = {f.id for f in settled}
    for finding_id, decision in decisions.items():
        if finding_id not in known:
            problems.append(Problem(
                DECISIONS_FILE, decision.line, 1, f"no finding '{finding_id}' in this dossier",
                did_you_mean(finding_id, sorted(known)) or "the claims changed; remove the entry",
                "warning"))
    decided = []
    for finding in settled:
        decision = decisions.get(finding.id)
        if decision is not None:
            finding = replace(finding, status=decision.status, note=decision.note)
        decided.append(finding)
    return tuple(decided), problems


def finding_problems(dossier: Dossier, findings: Iterable[Finding]) -> list[Problem]:
    """Open findings as warnings, pointing at the first claim file involved (for `dossier check`)."""
    claims = {c.key: c for c in dossier.claims}
    problems = []
    for finding in findings:
        if finding.status != "open":
            continue
        hint = f"confirm or dismiss it in {DECISIONS_FILE} under '{finding.id}'"
        first = next((claims[k] for k in finding.claims if k in claims), None)
        if first is not None:
            line, column = _claim_text_mark(dossier.root, first)
            problems.append(Problem(first.path, line, column, f"{finding.kind}: {finding.message}", hint,
                                    "warning"))
        else:
            article = dossier.articles.get(finding.article)
            where = finding.location
            problems.append(Problem(article.path if article else DECISIONS_FILE,
                                    where.line if where else None,
                                    where.start + 1 if where else None,
                                    f"{finding.kind}: {finding.message}", hint, "warning"))
    return problems


def _claim_text_mark(root: Path, claim: Claim) -> tuple[int | None, int | None]:
    try:
        doc = read_yaml(root / claim.path, claim.path)
    except DossierError:
        return None, None
    return doc.mark(("text",))


# ---- findings.yaml --------------------------------------------------------------------------


def load_decisions(root: Path) -> tuple[dict[str, Decision], list[Problem]]:
    """People's decisions, `finding id -> Decision`, and every problem of the file."""
    path = root / DECISIONS_FILE
    if not path.is_file():
        return {}, []
    try:
        doc = read_yaml(path, DECISIONS_FILE)
    except DossierError as error:
        return {}, list(error.problems)
    if doc.data is None:
        return {}, []
    if not isinstance(doc.data, dict):
        return {}, [doc.problem((), f"{DECISIONS_FILE} maps finding ids to {{status, note}}",
                                "e.g. `my-finding-id: {status: dismissed, note: \"why\"}`")]
    problems: list[Problem] = []
    decisions: dict[str, Decision] = {}
    for finding_id, item in doc.data.items():
        key_where = (finding_id, "<key>")
        if not isinstance(finding_id, str) or not is_slug(finding_id):
            problems.append(doc.problem(key_where, f"'{finding_id}' is not a finding id",
                                        "copy the id from `dossier check` or site/findings.json"))
            continue
        if not isinstance(item, dict):
            problems.append(doc.problem((finding_id,), "a decision is a mapping {status, note}",
                                        "e.g. `status: dismissed` and `note: ...` under the id"))
            continue
        failed = False
        for key in item:
            if key not in ("status", "note"):
                problems.append(doc.problem((finding_id, key, "<key>"), f"unknown key '{key}'",
                                            did_you_mean(str(key), ("status", "note"))
                                            or "allowed: status, note"))
                failed = True
        status = item.get("status")
        if status is None:
            problems.append(doc.problem((finding_id,), "'status' is missing",
                                        f"use one of {', '.join(DECISION_STATUSES)}"))
            failed = True
        elif status not in DECISION_STATUSES:
            problems.append(doc.problem((finding_id, "status"), f"status '{status}' is not one of"
                                        f" ({', '.join(DECISION_STATUSES)})",
                                        did_you_mean(str(status), DECISION_STATUSES)))
            failed = True
        note = item.get("note", "")
        if note is None:
            note = ""
        if not isinstance(note, str):
            problems.append(doc.problem((finding_id, "note"), "'note' must be text (Markdown)",
                                        "put quotes around it, or use `note: |` and indent the text"))
            failed = True
        if not failed:
            decisions[finding_id] = Decision(status, note, doc.mark(key_where)[0])
    return decisions, problems


# ---- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    claim: Claim
    index: int  # of the quantity in the claim
    quantity: Quantity
    topic: str
    measure: str
    qualifiers: frozenset[str]
    low: float
    high: float
    point: float | None  # the figure as stated (the floor of "plus de"), None for a range
    base: float | None = None  # for a fraction: what it is a fraction of
    part: bool = False  # "300 lits, dont 40 en soins intensifs": 40 is a part, not the count

    @property
    def key(self) -> str:
        return self.claim.key

    @property
    def modality(self) -> str:
        own = self.quantity.modality
        return own if own in MODALITIES else self.claim.modality


def _interval(q: Quantity, base: float | None) -> tuple[float, float, float | None] | None:
    if q.qualifier == "range" and q.low is not None and q.high is not None:
        return min(q.low, q.high), max(q.low, q.high), None
    if q.qualifier == "fraction":
        if base is None or not q.denominator:
            return None
        value = base * (q.numerator or 0) / q.denominator
        return value * (1 - FRACTION_TOLERANCE), value * (1 + FRACTION_TOLERANCE), value
    if q.value is None:
        return None
    v = float(q.value)
    if q.qualifier == "at_least":
        return v, math.inf, v
    if q.qualifier == "at_most":
        return -math.inf, v, v
    if q.qualifier == "approx":
        margin = abs(v) * APPROX_TOLERANCE
    else:  # exact, ratio: a round figure is a rounded one ("3 000" for 2 947), within reason
        margin = min(max(abs(v) * EXACT_TOLERANCE, _rounding(v)), abs(v) * ROUNDING_CAP)
    return v - margin, v + margin, v


def _rounding(value: float) -> float:
    """Half the unit a figure is rounded to: 3 000 -> 500, 12 500 -> 50, 2 947 -> 0.5."""
    if not value or not float(value).is_integer():
        return 0.0
    number, unit = abs(int(value)), 1
    while number % 10 == 0:
        number //= 10
        unit *= 10
    return unit / 2


_Raw = tuple[int, Quantity, str, str, frozenset]  # index, quantity, topic, measure, qualifiers


def _raw_figures(claim: Claim) -> list[_Raw]:
    raw = []
    for index, q in enumerate(claim.quantities):
        topic = q.topic or topics.topic_from_text(q.counts)
        if topic and topic != "x":
            raw.append((index, q, topic, *topics.split_topic(topic)))
    return raw


def _claim_figures(claim: Claim, earlier: list[_Raw] = ()) -> list[_Figure]:  # type: ignore[assignment]
    """The comparable figures of one claim, topics completed from the claim itself, or else from
    the claims before it in the same paragraph (`earlier`, nearest last)."""
    raw = _raw_figures(claim)
    figures = []
    for index, q, topic, measure, qualifiers in raw:
        before_it = [r for r in raw if r[0] < index]
        others = [r for r in raw if r[0] != index] + list(reversed(earlier))
        if measure in topics.PERSON_MEASURES and not qualifiers:
            # "sur les 12 000 Nord-Coréens, plus de 4 000 ont perdu la vie": the dead are of the
            # people the same claim (or the sentence before) counts.
            for _, _, _, o_measure, o_qualifiers in others:
                if o_measure in topics.PERSON_MEASURES and o_qualifiers:
                    qualifiers = o_qualifiers
                    topic = topics.SEPARATOR.join([measure, *sorted(qualifiers)])
                    break
        base = None
        if q.qualifier == "fraction":
            # The whole a fraction is taken of: the nearest figure before it that counts
            # something else ("les deux tiers" of "les 12 000 Nord-Coréens").
            for _, oq, _, o_measure, _ in [*reversed(before_it), *reversed(earlier)]:
                if (o_measure != measure and oq.value is not None
                        and oq.qualifier in ("exact", "approx", "at_least")):
                    base = float(oq.value)
                    break
        bounds = _interval(q, base)
        if bounds is None:
            continue
        figures.append(_Figure(claim, index, q, topic, measure, qualifiers, *bounds, base=base,
                               part=_is_part(claim.text, q.surface)))
    return figures


_PART_RE = re.compile(
    r"\b(?:dont|parmi\s+(?:eux|elles|lesquel(?:le)?s)|y\s+compris|notamment)\s*$", re.IGNORECASE)


def _is_part(text: str, surface: str) -> bool:
    """Whether the figure follows "dont", "parmi eux", "y compris": a subset of another figure."""
    if not surface:
        return False
    at = text.find(surface)
    return at > 0 and bool(_PART_RE.search(text[max(0, at - 30):at]))


def _clusters(figures: list[_Figure]) -> list[list[_Figure]]:
    """Figures grouped by what they count: same measure, and qualifiers that fit together."""
    keys = sorted({(f.measure, f.qualifiers) for f in figures}, key=lambda k: (k[0], sorted(k[1])))
    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            k = parent[k]
        return k

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb, key=_key_order)] = min(ra, rb, key=_key_order)

    for key in keys:
        measure, qualifiers = key
        if measure == topics.PEOPLE and (topics.TROOPS, qualifiers) in parent and qualifiers:
            union(key, (topics.TROOPS, qualifiers))  # "12 000 Nord-Coréens envoyés" are troops
            continue
        # "obus" and "obus/artillerie" are the same shells, as long as no other "obus/..."
        # competes: with "morts/a" and "morts/b" about, a bare "morts" could be either.
        wider = sorted((k for k in keys if k[0] == measure and k[1] > qualifiers), key=_key_order)
        if wider and all(a[1] <= b[1] for a, b in itertools.pairwise(wider)):
            union(key, wider[0])
    groups: dict[tuple, list[_Figure]] = {}
    for figure in figures:
        groups.setdefault(find((figure.measure, figure.qualifiers)), []).append(figure)
    return [groups[k] for k in sorted(groups, key=_key_order)]


def _key_order(key: tuple[str, frozenset[str]]) -> tuple:
    return (key[0], len(key[1]), sorted(key[1]))


_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


_NEXT_YEAR_RE = re.compile(r"\b(?:l['’]\s*an|l['’]\s*année)\s+prochaine?\b", re.IGNORECASE)
_LAST_YEAR_RE = re.compile(r"\b(?:l['’]\s*an|l['’]\s*année)\s+(?:dernière|dernier|passée|passé)\b",
                           re.IGNORECASE)
_MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


def _periods(claim: Claim, published: date | None) -> tuple[set[int], set[str]]:
    """The years and months a claim's figures are about; no year named means the year of publication."""
    years = {int(y) for y in _YEAR_RE.findall(claim.text)}
    if published is not None:
        if _NEXT_YEAR_RE.search(claim.text):
            years.add(published.year + 1)
        if _LAST_YEAR_RE.search(claim.text):
            years.add(published.year - 1)
        if not years:
            years.add(published.year)
    return years, {m.lower() for m in _MONTH_RE.findall(claim.text)}


def _comparable(a: _Figure, b: _Figure, places: set[str], published: date | None = None,
                speakers: bool = True) -> bool:
    if a.claim.key == b.claim.key:
        return False  # "passé de 12 à 30" in one sentence is a change, not a contradiction
    if a.part or b.part:
        return False
    if (a.quantity.unit or None) != (b.quantity.unit or None):
        return False
    if (a.quantity.qualifier == "ratio") != (b.quantity.qualifier == "ratio"):
        return False
    speaker_a, speaker_b = _speaker_name(a.claim), _speaker_name(b.claim)
    if speakers and speaker_a and speaker_b and speaker_a != speaker_b:
        return False  # "10 000 selon la police, 25 000 selon les organisateurs": sources differ, openly
    (years_a, months_a), (years_b, months_b) = _periods(a.claim, published), _periods(b.claim, published)
    if years_a and years_b and not years_a & years_b:
        return False  # figures of different years ("en 2022", "l'an prochain")
    if months_a and months_b and not months_a & months_b:
        return False  # of different months ("en septembre", "en octobre")
    if not a.qualifiers and not b.qualifiers:
        # "12 morts" and "3 morts" say nothing of whose: only claims about the same place compare.
        places_a, places_b = _places(a, places), _places(b, places)
        if places_a and places_b and not places_a & places_b:
            return False
    return True


def _places(figure: _Figure, places: set[str]) -> set[str]:
    return {e for e in figure.claim.entities if e in places}


def _whole_and_part(a: _Figure, b: _Figure, places: set[str]) -> tuple[_Figure, _Figure] | None:
    """"Deux morts à Valmont" against "trois morts" in all: the local figure is part of the other."""
    if a.qualifiers or b.qualifiers:
        return None
    places_a, places_b = _places(a, places), _places(b, places)
    if places_a and not places_b:
        return b, a
    if places_b and not places_a:
        return a, b
    return None


def _conflict(a: _Figure, b: _Figure, places: set[str]) -> bool:
    split = _whole_and_part(a, b, places)
    if split is not None:
        whole, part = split
        return part.low > whole.high  # a part larger than its whole
    return _disagree(a, b)


def _tension(a: _Figure, b: _Figure, places: set[str]) -> bool:
    return _whole_and_part(a, b, places) is None and not _disagree(a, b) and _two_figures(a, b)


def _speaker_name(claim: Claim) -> str | None:
    if claim.speaker is None:
        return None
    return claim.speaker.entity or slugify(claim.speaker.name)


def _disagree(a: _Figure, b: _Figure) -> bool:
    if a.quantity.qualifier == "ratio":
        return (a.quantity.value, a.quantity.of) != (b.quantity.value, b.quantity.of)
    return a.high < b.low or b.high < a.low


def _two_figures(a: _Figure, b: _Figure) -> bool:
    """A floor well under a figure given elsewhere: "plus de 10 000" against "12 000"."""
    for bound, other in ((a, b), (b, a)):
        kind = bound.quantity.qualifier
        if kind not in ("at_least", "at_most") or other.quantity.qualifier in (kind, "range"):
            continue
        if other.point is None or not bound.point:
            continue
        if kind == "at_least" and other.point >= bound.point * FLOOR_GAP:
            return True
        if kind == "at_most" and other.point * FLOOR_GAP <= bound.point:
            return True
    return False


def _same_figure(a: _Figure, b: _Figure) -> bool:
    """The same number told twice: "12 millions" and "12 millions", "37 des 64" and "37 des 64"."""
    if a.quantity.qualifier == "ratio" or b.quantity.qualifier == "ratio":
        return (a.quantity.qualifier == b.quantity.qualifier
                and (a.quantity.value, a.quantity.of) == (b.quantity.value, b.quantity.of))
    if a.point is None or b.point is None:
        return a.point is None and b.point is None and (a.low, a.high) == (b.low, b.high)
    return abs(a.point - b.point) <= EXACT_TOLERANCE * max(abs(a.point), abs(b.point))


def _factual(modality: str) -> bool:
    return modality in ("asserted", "reported")


def _named(figure: _Figure) -> bool:
    """Whether the article names what the figure counts (a noun, or a toll: "ont perdu la vie").

    A figure known only by its verb ("les prix ont augmenté de 2,3 %") is too vague to be
    said to contradict another: it is still compared for framing."""
    return bool(figure.quantity.counts) or figure.measure in topics.PERSON_MEASURES


def _figures(slug: str, claims: list[Claim], places: set[str], published: date | None,
             language: str) -> list[Finding]:
    figures: list[_Figure] = []
    paragraph: dict[int, list[_Raw]] = {}  # line -> figures of the claims read so far on it
    for claim in claims:
        earlier = paragraph.setdefault(claim.location.line, [])
        figures += _claim_figures(claim, earlier)
        earlier += _raw_figures(claim)
    clusters = _clusters(figures)
    casualties = [f for f in figures if f.measure == topics.CASUALTIES]
    findings = []
    for cluster in clusters:
        pairs = [(a, b) for i, a in enumerate(cluster) for b in cluster[i + 1:]
                 if _comparable(a, b, places, published)]
        named = [(a, b) for a, b in pairs if _named(a) and _named(b)]
        conflicts = [(a, b) for a, b in named if _conflict(a, b, places)]
        two = [(a, b) for a, b in named if _tension(a, b, places)]
        topic = cluster[0].topic if len({f.topic for f in cluster}) == 1 else _cluster_topic(cluster)
        measure = cluster[0].measure
        related: list[_Figure] = []
        if measure == topics.DEATHS:
            quals = {f.qualifiers for f in cluster}
            close = [(death, casualty) for death in cluster for casualty in casualties
                     if (casualty.qualifiers in quals or not casualty.qualifiers)
                     and _comparable(death, casualty, places, published)]
            related = _ordered({id(c): c for _, c in close}.values())
            # More deaths than casualties cannot be: casualties count the dead too.
            conflicts += [(death, casualty) for death, casualty in close if casualty.high < death.low]
        if conflicts or two:
            findings.append(_figures_finding(slug, topic, cluster, related, conflicts, two, language))
        # A figure promised by one and told as done by another is framing all the same.
        told = [(a, b) for i, a in enumerate(cluster) for b in cluster[i + 1:]
                if _comparable(a, b, places, published, speakers=False)]
        framing = _framing_finding(slug, topic, cluster, told, language)
        if framing:
            findings.append(framing)
        causes = _causes_finding(slug, topic, cluster, pairs, language)
        if causes:
            findings.append(causes)
    findings += _distinctive_framing(slug, clusters, places, language)
    return findings


def _distinctive(figure: _Figure) -> bool:
    """A figure precise and large enough to be recognised anywhere: "500 millions d'euros"."""
    q = figure.quantity
    if q.qualifier not in ("exact", "approx") or q.value is None or abs(q.value) < 1000:
        return False
    return q.unit is not None or not 1800 <= q.value <= 2100  # not a year


def _distinctive_framing(slug: str, clusters: list[list[_Figure]], places: set[str],
                         language: str) -> list[Finding]:
    """The same distinctive figure promised in one claim, told as done in another, even when
    one of them names nothing counted ("une aide de 500 millions d'euros" / "aurait versé
    500 millions d'euros")."""
    by_figure: dict[tuple, list[tuple[int, _Figure]]] = {}
    for number, cluster in enumerate(clusters):
        for figure in cluster:
            if _distinctive(figure):
                key = (figure.quantity.value, figure.quantity.unit)
                by_figure.setdefault(key, []).append((number, figure))
    findings = []
    for group in by_figure.values():
        # Only when one of them names nothing counted: "7 800 touristes" and "7 800 réfugiés"
        # are two things that happen to share a number.
        pairs = [(a, b) for i, (na, a) in enumerate(group) for nb, b in group[i + 1:]
                 if na != nb and _comparable_claims(a, b)
                 and not (a.quantity.counts and b.quantity.counts)]
        promised = [f for pair in pairs for f in pair if not _factual(f.modality)]
        if not promised:
            continue
        topic = _ordered(promised)[0].topic
        finding = _framing_finding(slug, topic, [f for pair in pairs for f in pair], pairs, language)
        if finding is not None:
            findings.append(finding)
    return findings


def _comparable_claims(a: _Figure, b: _Figure) -> bool:
    return a.claim.key != b.claim.key and not a.part and not b.part


def _cluster_topic(cluster: list[_Figure]) -> str:
    """The most specific topic of a cluster, as the name of the whole."""
    return max((f.topic for f in cluster), key=lambda t: (len(topics.split_topic(t)[1]), t))


def _ordered(figures: Iterable[_Figure]) -> list[_Figure]:
    return sorted(figures, key=lambda f: (f.claim.location.line, f.claim.location.start, f.claim.id, f.index))


def _keys(figures: Iterable[_Figure]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.key for f in _ordered(figures)))


# ---- messages -------------------------------------------------------------------------------

_TEXT = {
    "fr": {
        "figures": "Les chiffres ne concordent pas sur « {topic} ».",
        "listed": "L'article donne {figures}",
        "lines": "l. {lines}",
        "conflict": "{a} et {b} ne peuvent pas être vrais ensemble",
        "two": "{a} et {b} : deux chiffres différents pour le même décompte ; lequel est sourcé ?",
        "casualty": "{figure} compte des victimes (morts et blessés confondus), pas des morts : "
                    "ce chiffre n'est ni une confirmation ni une contradiction",
        "line": "l. {line}",
        "not-deaths": "(victimes, pas des morts)",
        "of": "« {surface} » de {base} (≈ {value})",
        "framing": "Le même chiffre sur « {topic} » est présenté de deux façons : {figures}.",
        "causes": "Le même chiffre sur « {topic} » reçoit deux causes différentes : {figures}.",
        "cause": "{figure}, cause donnée : « {cause} »",
        "stale": "« {surface} » désigne le {meant}, déjà passé à la publication ({published}) ; "
                 "lu comme le {alternative}, ce serait dans plus de six mois : le texte semble "
                 "antérieur à sa date de publication",
        "past": "« {surface} » annonce comme à venir le {meant}, déjà passé à la publication "
                "({published}) : le texte semble antérieur à sa date de publication",
        "weekday": "« {surface} » : le {date} était un {actual}, pas un {stated}",
        "anonymous": "Attribué à une source anonyme (« {name} ») : impossible à vérifier ou à recouper.",
        "ai": "Un système d'intelligence artificielle (« {name} ») est cité comme une autorité : "
              "ce n'est pas une source.",
        "sources": "L'article annonce ses sources (« {header} ») mais la liste est vide.",
        "modality": {"promised": "promis", "possible": "présenté comme possible",
                     "reported": "présenté comme fait, au conditionnel ou selon une source",
                     "asserted": "présenté comme fait", "opinion": "donné comme une opinion"},
    },
    "en": {
        "figures": "The figures about \u201c{topic}\u201d do not agree.",
        "listed": "The article gives {figures}",
        "lines": "lines {lines}",
        "conflict": "{a} and {b} cannot both be true",
        "two": "{a} and {b}: two different figures for the same count; which one is sourced?",
        "casualty": "{figure} counts casualties (dead and wounded together), not deaths: "
                    "it neither confirms nor contradicts",
        "line": "line {line}",
        "not-deaths": "(casualties, not deaths)",
        "of": "\u201c{surface}\u201d of {base} (≈ {value})",
        "framing": "The same figure about \u201c{topic}\u201d is told two ways: {figures}.",
        "causes": "The same figure about \u201c{topic}\u201d is given two different causes: {figures}.",
        "cause": "{figure}, cause given: \u201c{cause}\u201d",
        "stale": "\u201c{surface}\u201d means {meant}, already past at publication ({published}); "
                 "read as {alternative}, it would be more than six months away: the text seems "
                 "older than its publication date",
        "past": "\u201c{surface}\u201d announces {meant} as still to come, though it had passed at "
                "publication ({published}): the text seems older than its publication date",
        "weekday": "\u201c{surface}\u201d: {date} was a {actual}, not a {stated}",
        "anonymous": "Attributed to an anonymous source (\u201c{name}\u201d): it cannot be checked "
                     "or cross-checked.",
        "ai": "An artificial intelligence system (\u201c{name}\u201d) is quoted as an authority: "
              "it is not a source.",
        "sources": "The article announces its sources (\u201c{header}\u201d) but the list is empty.",
        "modality": {"promised": "promised", "possible": "presented as possible",
                     "reported": "presented as done, in the conditional or on someone's word",
                     "asserted": "presented as done", "opinion": "given as an opinion"},
    },
}
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre")


def _number(value: float, language: str) -> str:
    if value == math.inf:
        return "∞"
    rounded = round(value) if abs(value - round(value)) < 1e-6 or abs(value) >= 100 else round(value, 2)
    if language == "en":
        return f"{rounded:,}"
    text = f"{rounded:,}".replace(",", "\u00a0").replace(".", ",")
    return text


def _date(day: date, language: str) -> str:
    if language == "en":
        return day.strftime("%-d %B %Y")
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]} {day.year}"


def _quote(text: str, language: str) -> str:
    return f"« {text} »" if language == "fr" else f"\u201c{text}\u201d"


def _surface(figure: _Figure, language: str) -> str:
    q = figure.quantity
    if q.surface:
        return q.surface
    if q.qualifier == "range":
        return f"{_number(q.low or 0, language)}–{_number(q.high or 0, language)}"
    if q.qualifier == "fraction":
        return f"{q.numerator}/{q.denominator}"
    if q.qualifier == "ratio":
        return f"{_number(q.value or 0, language)}/{_number(q.of or 0, language)}"
    return _number(q.value or 0, language)


def _describe(figure: _Figure, language: str, with_line: bool = True) -> str:
    text = _TEXT[language]
    if figure.quantity.qualifier == "fraction" and figure.base is not None and figure.point is not None:
        words = text["of"].format(surface=_surface(figure, language), base=_number(figure.base, language),
                                  value=_number(figure.point, language))
    else:
        words = _quote(_surface(figure, language), language)
    if with_line:
        words += f" ({text['line'].format(line=figure.claim.location.line)})"
    return words


def _figures_finding(slug: str, topic: str, cluster: list[_Figure], related: list[_Figure],
                     conflicts: list, two: list, language: str) -> Finding:
    text = _TEXT[language]
    label = _label(topic, cluster, language)
    parts = [text["listed"].format(figures=", ".join(_grouped(cluster, language)))]
    seen = set()
    for template, pairs in (("conflict", conflicts), ("two", two)):
        for a, b in pairs:
            a, b = _ordered([a, b])
            sentence = text[template].format(a=_describe(a, language, with_line=False),
                                             b=_describe(b, language, with_line=False))
            if sentence.lower() not in seen:
                seen.add(sentence.lower())
                parts.append(sentence)
    if related:
        parts.append(text["casualty"].format(figure=", ".join(_grouped(related, language))))
    involved = _ordered([*cluster, *related])
    message = text["figures"].format(topic=label) + " " + " ".join(_sentence(p) for p in parts)
    return Finding(
        id=f"{slug}-figures-{slugify(topic)}", kind="conflicting-figures", article=slug, topic=topic,
        claims=_keys(involved), message=message,
        details=_details(involved, language, not_the_same={id(f) for f in related}),
    )


_JOIN = {"fr": " ; ", "en": "; "}


def _label(topic: str, cluster: list[_Figure], language: str) -> str:
    """A topic in the article's own words where they can be found: "obus d'artillerie"."""
    measure, qualifiers = topics.split_topic(topic)
    if measure not in topics.PERSON_MEASURES:
        for figure in _ordered(cluster):
            if figure.topic == topic and figure.quantity.counts:
                return figure.quantity.counts
        return topics.topic_label(topic, language)
    # "morts (nord-coréens)": the qualifiers as the article spells them, accents and all.
    written = {}
    for figure in _ordered(cluster):
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", figure.quantity.counts or ""):
            written.setdefault(slugify(topics.singular(topics.fold(word))), word.lower())
    base = topics.topic_label(measure, language)
    if not qualifiers:
        return base
    return f"{base} ({', '.join(written.get(q, q) for q in sorted(qualifiers))})"


def _sentence(part: str) -> str:
    return part[0].upper() + part[1:] + ("" if part.endswith((".", "?", "!")) else ".")


def _grouped(figures: Iterable[_Figure], language: str) -> list[str]:
    """Each distinct figure once, with every line it is on: « plus de 10 000 » (l. 4, 9)."""
    lines: dict[str, list[int]] = {}
    for figure in _ordered(figures):
        words = _describe(figure, language, with_line=False)
        lines.setdefault(words.lower(), [])
        if figure.claim.location.line not in lines[words.lower()]:
            lines[words.lower()].append(figure.claim.location.line)
    shown = {}
    for figure in _ordered(figures):
        shown.setdefault(_describe(figure, language, with_line=False).lower(),
                         _describe(figure, language, with_line=False))
    label = _TEXT[language]["lines"]
    return [f"{shown[k]} ({label.format(lines=', '.join(map(str, v)))})" for k, v in lines.items()]


def _details(figures: list[_Figure], language: str,
             not_the_same: frozenset[int] | set[int] = frozenset()) -> tuple[tuple[str, str], ...]:
    by_claim: dict[str, list[str]] = {}
    for figure in figures:
        words = _describe(figure, language, with_line=False)
        if id(figure) in not_the_same:
            words += " " + _TEXT[language]["not-deaths"]
        by_claim.setdefault(figure.key, []).append(words)
    return tuple((key, ", ".join(words)) for key, words in by_claim.items())


def _framing_finding(slug: str, topic: str, cluster: list[_Figure], pairs: list, language: str):
    """The same figure promised (or possible) in one claim and told as done in another."""
    told = [(a, b) for a, b in pairs
            if _same_figure(a, b) and _factual(a.modality) != _factual(b.modality)
            and {a.modality, b.modality} <= {"promised", "possible", "asserted", "reported"}]
    if not told:
        return None
    text = _TEXT[language]
    involved = _ordered({id(f): f for pair in told for f in pair}.values())
    parts = [f"{_describe(f, language)} {text['modality'][f.modality]}" + _verb(f.claim, language)
             for f in involved]
    return Finding(
        id=f"{slug}-framing-{slugify(topic)}", kind="framing", article=slug, topic=topic,
        claims=_keys(involved), message=text["framing"].format(
            topic=_label(topic, cluster, language), figures=_JOIN[language].join(parts)),
        details=_details(involved, language),
    )


def _verb(claim: Claim, language: str) -> str:
    if claim.speaker is not None and claim.verb:
        return f" ({claim.speaker.name}, {_quote(claim.verb, language)})"
    if claim.speaker is not None:
        return f" ({claim.speaker.name})"
    return ""


_CAUSE_RE = re.compile(
    r"\b(?:en\s+raison|à\s+cause|du\s+fait|à\s+la\s+suite|par\s+suite|faute|en\s+conséquence)"
    r"\s+(?:de\s+la|de\s+l['’]|des|du|de|d['’])\s*(?P<a>[^,.;:!?()«»]+)"
    r"|\b(?:suite\s+(?:à|aux|au)|causée?s?\s+par|provoquée?s?\s+par|due?s?\s+(?:à|aux|au)|dûe?s?\s+(?:à|aux|au)"
    r"|imputables?\s+(?:à|aux|au)|liée?s?\s+(?:à|aux|au))\s+(?P<b>[^,.;:!?()«»]+)",
    re.IGNORECASE,
)


def _cause(figure: _Figure) -> str | None:
    text = figure.claim.text
    at = text.find(figure.quantity.surface) if figure.quantity.surface else -1
    matches = list(_CAUSE_RE.finditer(text))
    after = [m for m in matches if m.start() >= max(at, 0)]
    chosen = (after or matches or [None])[0]
    if chosen is None:
        return None
    return (chosen.group("a") or chosen.group("b") or "").strip()


def _cause_words(cause: str) -> set[str]:
    return {w for w in (slugify(x) for x in topics.topic_for([cause]).split(topics.SEPARATOR)) if w != "x"}


def _causes_finding(slug: str, topic: str, cluster: list[_Figure], pairs: list, language: str):
    """The same figure given two different causes ("en raison de ..." vs "en raison de ...")."""
    differing = []
    for a, b in pairs:
        if not _same_figure(a, b):
            continue
        cause_a, cause_b = _cause(a), _cause(b)
        if cause_a and cause_b and not _cause_words(cause_a) & _cause_words(cause_b):
            differing.append((a, b))
    if not differing:
        return None
    text = _TEXT[language]
    involved = _ordered({id(f): f for pair in differing for f in pair}.values())
    parts = [text["cause"].format(figure=_describe(f, language), cause=_cause(f)) for f in involved]
    return Finding(
        id=f"{slug}-causes-{slugify(topic)}", kind="framing", article=slug, topic=topic,
        claims=_keys(involved), message=text["causes"].format(
            topic=_label(topic, cluster, language), figures=_JOIN[language].join(parts)),
        details=tuple((f.key, _cause(f) or "") for f in involved),
    )


# ---- dates ----------------------------------------------------------------------------------


def _dates(slug: str, claims: list[Claim], published: date | None, language: str) -> list[Finding]:
    if published is None:
        return []
    grouped: dict[str, list[tuple[Claim, DateIssue]]] = {}
    for claim in claims:
        forward = claim.kind == "prediction" or claim.modality in ("promised", "possible")
        for issue in date_issues(claim.text, published, forward=forward):
            grouped.setdefault(f"{issue.reason}-{slugify(issue.surface)}", []).append((claim, issue))
    text = _TEXT[language]
    findings = []
    for local, items in grouped.items():
        claim, issue = items[0]
        if issue.reason == "wrong-weekday":
            names = WEEKDAYS if language == "fr" else _WEEKDAYS_EN
            message = text["weekday"].format(surface=issue.surface, date=_date(issue.meant, language),
                                             actual=names[issue.meant.weekday()],
                                             stated=names[issue.stated_weekday or 0])
        elif issue.alternative is None:
            message = text["past"].format(surface=issue.surface, meant=_date(issue.meant, language),
                                          published=_date(published, language))
        else:
            message = text["stale"].format(surface=issue.surface, meant=_date(issue.meant, language),
                                           published=_date(published, language),
                                           alternative=_date(issue.alternative or issue.meant, language))
        if language == "en":
            message = message[0].upper() + message[1:]
        lines = sorted({c.location.line for c, _ in items})
        message += f" ({', '.join(text['line'].format(line=n) for n in lines)})."
        findings.append(Finding(
            id=f"{slug}-date-{local}", kind="stale-date", article=slug, topic="date",
            claims=tuple(dict.fromkeys(c.key for c, _ in items)), message=message,
            details=tuple((c.key, i.surface) for c, i in items),
        ))
    return findings


# ---- sourcing -------------------------------------------------------------------------------

# Unnamed sources: "certaines sources", "des sources du renseignement", "un responsable".
_ANONYMOUS_NAME_RE = re.compile(
    r"^(?:de\s+|des\s+|d['’]|certaine?s\s+|plusieurs\s+|diverses\s+|de\s+nombreu(?:x|ses)\s+|une?\s+"
    r"|d['’]autres\s+|les\s+|la\s+|le\s+|l['’])?(?:sources?|responsables?|experts?|observateurs?|analystes?"
    r"|diplomates?|officiels?|témoins?|proches?|informateurs?|spécialistes?|insiders?)\b",
    re.IGNORECASE,
)
_ANONYMOUS_TEXT_RE = re.compile(
    r"\b(?:selon|d['’]après|de\s+l['’]avis\s+de)\s+(?:certaine?s|des|plusieurs|diverses|de\s+nombreuses|"
    r"une|d['’]autres)\s+sources?\b(?!\s+[A-Z])",
    re.IGNORECASE,
)
_AI_RE = re.compile(
    r"\bintelligence\s+artificielle\b|\bchatbot\b|\bagent\s+conversationnel\b|\bChatGPT\b|\bGPT-?\d"
    r"|(?-i:\b(?:IA|AI|LLM)\b)",
    re.IGNORECASE,
)
_AI_TEXT_RE = re.compile(
    r"\b(?:selon|d['’]après|a\s+(?:répondu|expliqué|indiqué))\s+(?:le|la|l['’]|un|une)?\s*"
    r"(?:moteur|modèle|outil|système|assistant|logiciel|programme|chatbot|agent)?\s*"
    r"(?:d['’]|de\s+l['’])?(?:intelligence\s+artificielle|IA)\b",
    re.IGNORECASE,
)


def _speaker_weakness(claim: Claim) -> tuple[str, str] | None:
    """("anonymous" | "ai", the words naming the source), or None."""
    speaker = claim.speaker
    if speaker is not None:
        if speaker.kind == "ai" or _AI_RE.search(speaker.name):
            return "ai", speaker.name
        if speaker.kind == "anonymous":
            return "anonymous", speaker.name
        if speaker.kind == "unknown" and _ANONYMOUS_NAME_RE.match(speaker.name.strip()) and not any(
                w[:1].isupper() for w in speaker.name.split()[1:]):
            return "anonymous", speaker.name
        return None
    if match := _AI_TEXT_RE.search(claim.text):
        return "ai", match.group(0)
    if match := _ANONYMOUS_TEXT_RE.search(claim.text):
        return "anonymous", match.group(0)
    return None


def _sourcing(slug: str, claims: list[Claim], article, language: str) -> list[Finding]:
    text = _TEXT[language]
    findings = []
    for claim in claims:
        if not claim.checkworthy:
            continue
        weakness = _speaker_weakness(claim)
        if weakness is None:
            continue
        kind, name = weakness
        findings.append(Finding(
            id=f"{slug}-{kind}-{claim.id}", kind="weak-sourcing", article=slug,
            topic="ai-source" if kind == "ai" else "anonymous-source", claims=(claim.key,),
            message=text[kind].format(name=name), details=((claim.key, name),),
        ))
    if article.sources_list_empty:
        header = next((b for b in article.blocks if b.kind == "sources"), None)
        findings.append(Finding(
            id=f"{slug}-sources-list-empty", kind="weak-sourcing", article=slug, topic="source-list",
            claims=(), message=text["sources"].format(header=header.text if header else ""),
            location=header.location(0, len(header.text)) if header else None,
        ))
    return findings


# ---- typography ------------------------------------------------------------------------------

_FRENCH_SPACES = re.compile(r"(«) | ([»:;?!])")


def _typeset(finding: Finding, language: str) -> Finding:
    """French puts a non-breaking space inside « » and before : ; ? ! (no line starts with one)."""
    if language != "fr":
        return finding

    def fix(text: str) -> str:
        return _FRENCH_SPACES.sub(lambda m: f"{m.group(1)}\u00a0" if m.group(1) else f"\u00a0{m.group(2)}",
                                  text)

    return replace(finding, message=fix(finding.message),
                   details=tuple((key, fix(words)) for key, words in finding.details))


# ---- order and ids --------------------------------------------------------------------------


def _anchor(finding: Finding, positions: dict[str, tuple[int, int]]) -> tuple[int, int]:
    spots = [positions[k] for k in finding.claims if k in positions]
    if finding.location is not None:
        spots.append((finding.location.line, finding.location.start))
    return min(spots) if spots else (0, 0)


def _unique_ids(findings: list[Finding]) -> list[Finding]:
    """Ids are unique in a dossier: a second finding with the same id gets `-2` (in a stable order)."""
    seen: dict[str, int] = {}
    result = []
    for finding in sorted(findings, key=lambda f: (f.id, f.claims)):
        count = seen.get(finding.id, 0) + 1
        seen[finding.id] = count
        result.append(finding if count == 1 else replace(finding, id=f"{finding.id}-{count}"))
    return result
