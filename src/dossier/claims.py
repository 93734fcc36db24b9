"""The claim model: plain data classes, shared by every stage.

A claim file has two halves. The first is written by `dossier extract`
(`EXTRACTED_FIELDS`); the second belongs to people (`PEOPLE_FIELDS`):
extraction writes their defaults when it creates a file and never touches an
existing file afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .article import Location

Kind = Literal[
    "quantity", "quote", "reported", "event", "prediction", "legal", "opinion", "normative"
]
KINDS: tuple[str, ...] = (
    "quantity", "quote", "reported", "event", "prediction", "legal", "opinion", "normative"
)
Qualifier = Literal["exact", "at_least", "at_most", "approx", "range", "ratio", "fraction"]
QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "at_most", "approx", "range", "ratio", "fraction")
Modality = Literal["asserted", "reported", "possible", "promised"]
MODALITIES: tuple[str, ...] = ("asserted", "reported", "possible", "promised")
# A quantity may carry its own modality when it differs from its sentence's
# ("je pense que les deux tiers sont morts" is an opinion inside a quote).
QUANTITY_MODALITIES: tuple[str, ...] = (*MODALITIES, "opinion")
SpeakerKind = Literal["person", "organisation", "anonymous", "ai", "media", "unknown"]
SPEAKER_KINDS: tuple[str, ...] = ("person", "organisation", "anonymous", "ai", "media", "unknown")
EntityType = Literal["person", "place", "organisation"]
ENTITY_TYPES: tuple[str, ...] = ("person", "place", "organisation")
Stance = Literal["supports", "contradicts", "context"]
STANCES: tuple[str, ...] = ("supports", "contradicts", "context")
Confidence = Literal["low", "medium", "high"]
CONFIDENCES: tuple[str, ...] = ("low", "medium", "high")
DEFAULT_VERDICT = "unverified"

EXTRACTED_FIELDS: tuple[str, ...] = (
    "id", "article", "text", "location", "kind", "checkworthy", "checkworthiness",
    "quantities", "speaker", "verb", "modality", "entities",
)
PEOPLE_FIELDS: tuple[str, ...] = (
    "verdict", "confidence", "confidence_note", "sources", "notes", "corrections", "related",
)
ALL_FIELDS: tuple[str, ...] = EXTRACTED_FIELDS + PEOPLE_FIELDS


@dataclass(frozen=True)
class Quantity:
    """A figure a claim states, normalised.

    The numbers used depend on `qualifier`: `value` (exact, at_least, at_most,
    approx); `low` and `high` (range); `value` and `of` (ratio, "37 des 64");
    `numerator` and `denominator` (fraction, "les deux tiers").
    """

    surface: str  # the words of the article, e.g. "plus de 10 000"
    qualifier: Qualifier
    value: float | None = None
    low: float | None = None
    high: float | None = None
    of: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    unit: str | None = None  # "%", "km", "€"... None for a plain count
    counts: str | None = None  # what is counted, in the article's words
    topic: str | None = None  # normalised `counts`, shared by claims about the same thing
    modality: str | None = None  # only where it differs from the claim's


@dataclass(frozen=True)
class Speaker:
    """Who a statement is attributed to."""

    name: str
    kind: SpeakerKind = "unknown"
    entity: str | None = None  # id in entities.yaml, when the speaker is a named entity


@dataclass(frozen=True)
class Source:
    url: str
    stance: Stance
    title: str | None = None
    publisher: str | None = None
    date: date | None = None
    archived: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class Correction:
    date: date
    text: str


@dataclass(frozen=True)
class Entity:
    """A person, place or organisation, from `entities.yaml`."""

    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    id: str
    article: str
    text: str
    location: Location
    kind: Kind
    checkworthy: bool = True
    checkworthiness: float = 0.0
    quantities: tuple[Quantity, ...] = ()
    speaker: Speaker | None = None
    verb: str | None = None
    modality: Modality = "asserted"
    entities: tuple[str, ...] = ()
    # ---- fields people own ----
    verdict: str = DEFAULT_VERDICT
    confidence: Confidence = "low"
    confidence_note: str = ""
    sources: tuple[Source, ...] = ()
    notes: str = ""
    corrections: tuple[Correction, ...] = ()
    related: tuple[str, ...] = ()  # claim ids, "id" in the same article or "article/id"
    # Where the claim file is, relative to the dossier root (not written to YAML).
    path: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """Unique across a dossier: `article/id`."""
        return f"{self.article}/{self.id}"


def location_to_data(location: Location) -> dict:
    data = {"line": location.line, "start": location.start, "end": location.end}
    if location.end_line is not None:
        data["end_line"] = location.end_line
    return data


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def quantity_to_data(quantity: Quantity) -> dict:
    data = {
        "surface": quantity.surface,
        "qualifier": quantity.qualifier,
        "value": _number(quantity.value),
        "low": _number(quantity.low),
        "high": _number(quantity.high),
        "of": _number(quantity.of),
        "numerator": quantity.numerator,
        "denominator": quantity.denominator,
        "unit": quantity.unit,
        "counts": quantity.counts,
        "topic": quantity.topic,
        "modality": quantity.modality,
    }
    return _drop_none(data)


def _number(value: float | None) -> float | int | None:
    """12000000.0 -> 12000000, so files read naturally; 4.8 stays 4.8."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def speaker_to_data(speaker: Speaker | None) -> dict | None:
    if speaker is None:
        return None
    return {"name": speaker.name, "kind": speaker.kind, "entity": speaker.entity}


def source_to_data(source: Source) -> dict:
    return _drop_none({
        "url": source.url, "title": source.title, "publisher": source.publisher,
        "date": source.date, "stance": source.stance, "archived": source.archived,
        "quote": source.quote,
    })


def claim_to_data(claim: Claim) -> dict:
    """The claim as plain data, keys in file order (extracted fields first)."""
    return {
        "id": claim.id,
        "article": claim.article,
        "text": claim.text,
        "location": location_to_data(claim.location),
        "kind": claim.kind,
        "checkworthy": claim.checkworthy,
        "checkworthiness": round(claim.checkworthiness, 2),
        "quantities": [quantity_to_data(q) for q in claim.quantities],
        "speaker": speaker_to_data(claim.speaker),
        "verb": claim.verb,
        "modality": claim.modality,
        "entities": list(claim.entities),
        "verdict": claim.verdict,
        "confidence": claim.confidence,
        "confidence_note": claim.confidence_note,
        "sources": [source_to_data(s) for s in claim.sources],
        "notes": claim.notes,
        "corrections": [{"date": c.date, "text": c.text} for c in claim.corrections],
        "related": list(claim.related),
    }
