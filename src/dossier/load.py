"""Load and validate a whole dossier: config, articles, entities, claim files.

The result is a `Dossier` of typed data plus every `Problem` found (all of
them, not just the first). Later stages (analyse, render) only ever see a
`Dossier`, never YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import claims as model
from .article import Article, Location, find_seeds, read_article
from .claims import Claim, Correction, Entity, Quantity, Source, Speaker
from .config import Config, load_config
from .errors import DossierError, Problem, did_you_mean
from .slugs import is_slug
from .store import YamlDocument, iter_claim_files, read_yaml

ENTITIES_FILE = "entities.yaml"


@dataclass(frozen=True)
class Dossier:
    root: Path
    config: Config
    articles: dict[str, Article]  # slug -> article, in seed order
    claims: tuple[Claim, ...]  # article order, then position in the article
    entities: dict[str, Entity]
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def claims_of(self, article_slug: str) -> list[Claim]:
        return [c for c in self.claims if c.article == article_slug]


def load_dossier(root: Path) -> Dossier:
    """Everything a build needs. Raises `DossierError` if any error was found."""
    problems: list[Problem] = []
    config, config_problems = load_config(root)
    problems += config_problems

    articles: dict[str, Article] = {}
    seeds_dir = root / "seeds"
    for seed in find_seeds(seeds_dir):
        try:
            article = read_article(seed, f"seeds/{seed.name}", language=config.language)
        except DossierError as error:
            problems += error.problems
            continue
        problems += article.warnings
        articles[article.slug] = article

    entities = load_entities(root, problems)
    claims = load_claims(root, config, articles, entities, problems)
    if any(p.severity == "error" for p in problems):
        raise DossierError(sorted(problems, key=_problem_order))
    return Dossier(root, config, articles, claims, entities, tuple(problems))


def _problem_order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.column or 0, problem.message)


def load_entities(root: Path, problems: list[Problem]) -> dict[str, Entity]:
    path = root / ENTITIES_FILE
    if not path.is_file():
        return {}
    try:
        doc = read_yaml(path, ENTITIES_FILE)
    except DossierError as error:
        problems += error.problems
        return {}
    data = doc.data or {}
    if not isinstance(data, dict):
        problems.append(doc.problem((), "entities.yaml must map entity ids to {name, type}"))
        return {}
    entities: dict[str, Entity] = {}
    for entity_id, item in data.items():
        where = (entity_id,)
        if not isinstance(entity_id, str) or not is_slug(entity_id):
            problems.append(doc.problem((entity_id, "<key>"), f"entity id '{entity_id}' must be"
                                        " lower-case letters, digits and hyphens"))
            continue
        if not isinstance(item, dict):
            problems.append(doc.problem(where, "an entity is a mapping {name, type, aliases}"))
            continue
        for key in item:
            if key not in ("name", "type", "aliases"):
                problems.append(doc.problem((*where, key, "<key>"), f"unknown entity key '{key}'",
                                            did_you_mean(str(key), ("name", "type", "aliases"))))
        entity_type = item.get("type")
        if entity_type not in model.ENTITY_TYPES:
            problems.append(doc.problem((*where, "type"), f"entity type '{entity_type}' is unknown",
                                        f"use one of {', '.join(model.ENTITY_TYPES)}"))
            continue
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list):
            problems.append(doc.problem((*where, "aliases"), "aliases must be a list of names"))
            aliases = []
        entities[entity_id] = Entity(entity_id, str(item.get("name") or entity_id), entity_type,
                                     tuple(str(a) for a in aliases))
    return entities


def load_claims(root: Path, config: Config, articles: dict[str, Article],
                entities: dict[str, Entity], problems: list[Problem]) -> tuple[Claim, ...]:
    loaded: list[Claim] = []
    seen: dict[str, str] = {}
    for path in iter_claim_files(root):
        shown = path.relative_to(root).as_posix()
        try:
            doc = read_yaml(path, shown)
        except DossierError as error:
            problems += error.problems
            continue
        claim = parse_claim(doc, config, articles, entities, problems, expected_id=path.stem,
                            expected_article=path.parent.name)
        if claim is None:
            continue
        if claim.key in seen:
            problems.append(doc.problem(("id",), f"duplicate claim id '{claim.id}'",
                                        f"also used by {seen[claim.key]}; ids must be unique"))
            continue
        seen[claim.key] = shown
        loaded.append(claim)
    order = {slug: i for i, slug in enumerate(articles)}
    loaded.sort(key=lambda c: (order.get(c.article, len(order)), c.article, c.location.line,
                               c.location.start, c.id))
    _check_related(loaded, problems)
    return tuple(loaded)


class _Reader:
    """Typed access to a claim document that records problems instead of raising."""

    def __init__(self, doc: YamlDocument, problems: list[Problem]):
        self.doc, self.problems, self.failed = doc, problems, False

    def error(self, where: tuple, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.problems.append(self.doc.problem(where, message, hint))

    def warn(self, where: tuple, message: str, hint: str | None = None) -> None:
        self.problems.append(self.doc.problem(where, message, hint, severity="warning"))

    def get(self, data: dict, where: tuple, key: str, types: type | tuple, default: Any = None,
            required: bool = False) -> Any:
        if key not in data or data[key] is None:
            if required:
                self.error(where, f"'{key}' is missing")
            return default
        value = data[key]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.error((*where, key), f"'{key}' must be {_type_name(types)}, not true/false")
            return default
        if not isinstance(value, types):
            self.error((*where, key), f"'{key}' must be {_type_name(types)}, not {_describe(value)}",
                       "put quotes around text" if types is str else None)
            return default
        return value

    def choice(self, data: dict, where: tuple, key: str, choices: tuple[str, ...], default: str,
               what: str | None = None) -> str:
        value = self.get(data, where, key, str, default)
        if value not in choices:
            self.error((*where, key), f"{what or key} '{value}' is not one of"
                       f" ({', '.join(choices)})", did_you_mean(value, choices))
            return default
        return value

    def keys(self, data: dict, where: tuple, allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error((*where, key, "<key>"), f"unknown {what} key '{key}'",
                           did_you_mean(str(key), allowed) or f"allowed: {', '.join(allowed)}")


def _type_name(types: type | tuple) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping", date: "a date (YYYY-MM-DD)"}
    if isinstance(types, tuple):
        return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))
    return names.get(types, types.__name__)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text '{value[:40]}'"
    return f"{type(value).__name__} {value!r}"


def parse_claim(doc: YamlDocument, config: Config, articles: dict[str, Article],
                entities: dict[str, Entity], problems: list[Problem],
                expected_id: str | None = None, expected_article: str | None = None) -> Claim | None:
    data = doc.data
    if data is None:
        problems.append(doc.problem((), "empty claim file", "delete it or fill in the claim"))
        return None
    if not isinstance(data, dict):
        problems.append(doc.problem((), "a claim file must be a mapping of fields"))
        return None
    r = _Reader(doc, problems)
    r.keys(data, (), model.ALL_FIELDS, "claim")

    claim_id = r.get(data, (), "id", str, "", required=True)
    if claim_id and not is_slug(claim_id):
        r.error(("id",), f"id '{claim_id}' must be lower-case letters, digits and hyphens")
    elif claim_id and expected_id and claim_id != expected_id:
        r.error(("id",), f"id '{claim_id}' differs from the file name '{expected_id}.yaml'",
                f"rename the file to {claim_id}.yaml or set id: {expected_id}")
    article_id = r.get(data, (), "article", str, "", required=True)
    article = articles.get(article_id)
    if article_id and article is None:
        r.error(("article",), f"article '{article_id}' is not in seeds/",
                did_you_mean(article_id, articles) or "the seed it came from is missing")
    elif article_id and expected_article and article_id != expected_article:
        r.error(("article",), f"article '{article_id}' differs from the folder '{expected_article}'")

    text = r.get(data, (), "text", str, "", required=True)
    location = _location(r, data, article, text)
    kind = r.choice(data, (), "kind", model.KINDS, "event")
    checkworthy = r.get(data, (), "checkworthy", bool, True)
    score = r.get(data, (), "checkworthiness", (int, float), 0.0)
    if not 0 <= score <= 1:
        r.error(("checkworthiness",), "checkworthiness must be between 0 and 1")
    quantities = _quantities(r, data)
    speaker = _speaker(r, data, entities)
    verb = r.get(data, (), "verb", str)
    modality = r.choice(data, (), "modality", model.MODALITIES, "asserted")
    entity_ids = []
    for index, entity_id in enumerate(r.get(data, (), "entities", list, [])):
        if not isinstance(entity_id, str):
            r.error(("entities", index), "an entity reference is an id (text)")
        elif entity_id not in entities:
            r.error(("entities", index), f"entity '{entity_id}' is not in entities.yaml",
                    did_you_mean(entity_id, entities) or "add it to entities.yaml")
        else:
            entity_ids.append(entity_id)

    verdict = r.choice(data, (), "verdict", config.verdict_ids, model.DEFAULT_VERDICT)
    confidence = r.choice(data, (), "confidence", model.CONFIDENCES, "low")
    confidence_note = r.get(data, (), "confidence_note", str, "")
    sources = _sources(r, data)
    notes = r.get(data, (), "notes", str, "")
    corrections = _corrections(r, data)
    related = []
    for index, ref in enumerate(r.get(data, (), "related", list, [])):
        if not isinstance(ref, str):
            r.error(("related", index), "a related claim is an id (text)")
        else:
            related.append(ref if "/" in ref else f"{article_id}/{ref}")
    rated = config.verdict(verdict)
    if rated is not None and rated.rating is not None and not sources:
        r.warn(("verdict",), f"verdict '{verdict}' has no source",
               "add the evidence under `sources:`, or keep the claim unverified")
    if r.failed:
        return None
    return Claim(
        id=claim_id, article=article_id, text=text, location=location, kind=kind,
        checkworthy=checkworthy, checkworthiness=float(score), quantities=tuple(quantities),
        speaker=speaker, verb=verb, modality=modality, entities=tuple(entity_ids),
        verdict=verdict, confidence=confidence, confidence_note=confidence_note,
        sources=tuple(sources), notes=notes, corrections=tuple(corrections),
        related=tuple(related), path=doc.path,
    )


def _location(r: _Reader, data: dict, article: Article | None, text: str) -> Location:
    raw = r.get(data, (), "location", dict, {}, required=True)
    where = ("location",)
    r.keys(raw, where, ("line", "start", "end", "end_line"), "location")
    numbers = {}
    for key in ("line", "start", "end", "end_line"):
        value = r.get(raw, where, key, int, None, required=key != "end_line")
        if value is not None and value < (1 if "line" in key else 0):
            r.error((*where, key), f"location {key} must be {'1' if 'line' in key else '0'} or more")
        numbers[key] = value
    if None in (numbers["line"], numbers["start"], numbers["end"]):
        return Location(1, 0, 0)
    location = Location(numbers["line"], numbers["start"], numbers["end"], numbers["end_line"])
    if article is not None and text:
        if location.line > len(article.lines):
            r.error((*where, "line"), f"line {location.line} is past the end of the article"
                    f" ({len(article.lines)} lines)")
        elif article.text_at(location) != text:
            found = _find(article, text)
            if found is None:
                r.error(("text",), "this text is no longer found in the article",
                        "restore the article's exact words, or delete this claim file")
            else:
                r.error(where, "location does not point at the claim's text",
                        f"it is at line {found.line}, start {found.start}, end {found.end}")
    return location


def _find(article: Article, text: str) -> Location | None:
    for block in article.blocks:
        index = block.text.find(text)
        if index >= 0:
            return block.location(index, index + len(text))
    return None


def _quantities(r: _Reader, data: dict) -> list[Quantity]:
    result = []
    allowed = ("surface", "qualifier", "value", "low", "high", "of", "numerator", "denominator",
               "unit", "counts", "topic", "modality")
    needs = {"exact": ("value",), "at_least": ("value",), "at_most": ("value",),
             "approx": ("value",), "range": ("low", "high"), "ratio": ("value", "of"),
             "fraction": ("numerator", "denominator")}
    for index, item in enumerate(r.get(data, (), "quantities", list, [])):
        where = ("quantities", index)
        if not isinstance(item, dict):
            r.error(where, "a quantity is a mapping {surface, qualifier, value, ...}")
            continue
        r.keys(item, where, allowed, "quantity")
        qualifier = r.choice(item, where, "qualifier", model.QUALIFIERS, "exact")
        numbers = {k: r.get(item, where, k, (int, float)) for k in ("value", "low", "high", "of")}
        fraction = {k: r.get(item, where, k, int) for k in ("numerator", "denominator")}
        for key in needs[qualifier]:
            if {**numbers, **fraction}.get(key) is None:
                r.error(where, f"a '{qualifier}' quantity needs '{key}'")
        if fraction["denominator"] == 0:
            r.error((*where, "denominator"), "denominator cannot be 0")
        modality = item.get("modality")
        if modality is not None and modality not in model.QUANTITY_MODALITIES:
            r.error((*where, "modality"), f"modality '{modality}' is not one of"
                    f" ({', '.join(model.QUANTITY_MODALITIES)})",
                    did_you_mean(str(modality), model.QUANTITY_MODALITIES))
        result.append(Quantity(
            surface=r.get(item, where, "surface", str, ""), qualifier=qualifier,
            **numbers, **fraction, unit=r.get(item, where, "unit", str),
            counts=r.get(item, where, "counts", str), topic=r.get(item, where, "topic", str),
            modality=modality,
        ))
    return result


def _speaker(r: _Reader, data: dict, entities: dict[str, Entity]) -> Speaker | None:
    raw = data.get("speaker")
    if raw is None:
        return None
    if isinstance(raw, str):
        return Speaker(raw)
    if not isinstance(raw, dict):
        r.error(("speaker",), "speaker must be a name or a mapping {name, kind, entity}")
        return None
    where = ("speaker",)
    r.keys(raw, where, ("name", "kind", "entity"), "speaker")
    name = r.get(raw, where, "name", str, "", required=True)
    kind = r.choice(raw, where, "kind", model.SPEAKER_KINDS, "unknown", "speaker kind")
    entity = r.get(raw, where, "entity", str)
    if entity is not None and entity not in entities:
        r.error((*where, "entity"), f"entity '{entity}' is not in entities.yaml",
                did_you_mean(entity, entities))
    return Speaker(name, kind, entity)  # type: ignore[arg-type]


def check_url(r: _Reader, where: tuple, url: Any) -> str | None:
    from urllib.parse import urlparse

    if not isinstance(url, str) or not url.strip():
        r.error(where, "a URL must be text")
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url.strip():
        r.error(where, f"'{url[:80]}' is not an http(s) URL",
                "only http:// and https:// links are published")
        return None
    return url.strip()


def _sources(r: _Reader, data: dict) -> list[Source]:
    result = []
    allowed = ("url", "title", "publisher", "date", "stance", "archived", "quote")
    for index, item in enumerate(r.get(data, (), "sources", list, [])):
        where = ("sources", index)
        if not isinstance(item, dict):
            r.error(where, "a source is a mapping {url, title, publisher, date, stance, ...}")
            continue
        r.keys(item, where, allowed, "source")
        url = check_url(r, (*where, "url"), item.get("url"))
        archived = item.get("archived")
        if archived is not None:
            archived = check_url(r, (*where, "archived"), archived)
        stance = r.choice(item, where, "stance", model.STANCES, "context", "stance")
        if "stance" not in item:
            r.error(where, "a source needs a stance", "supports, contradicts or context")
        when = r.get(item, where, "date", date)
        result.append(Source(url or "", stance, r.get(item, where, "title", str),  # type: ignore[arg-type]
                             r.get(item, where, "publisher", str), when, archived,
                             r.get(item, where, "quote", str)))
    return result


def _corrections(r: _Reader, data: dict) -> list[Correction]:
    result = []
    for index, item in enumerate(r.get(data, (), "corrections", list, [])):
        where = ("corrections", index)
        if not isinstance(item, dict):
            r.error(where, "a correction is a mapping {date, text}")
            continue
        r.keys(item, where, ("date", "text"), "correction")
        when = r.get(item, where, "date", date, required=True)
        text = r.get(item, where, "text", str, "", required=True)
        if when is not None:
            result.append(Correction(when, text))
    return result


def _check_related(claims: list[Claim], problems: list[Problem]) -> None:
    keys = {c.key for c in claims}
    for claim in claims:
        for ref in claim.related:
            if ref not in keys:
                problems.append(Problem(claim.path, None, None,
                                        f"related claim '{ref}' does not exist",
                                        did_you_mean(ref, keys)))
