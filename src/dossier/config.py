"""`dossier.yaml`: the site's settings, typed. Unknown keys are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DossierError, Problem, did_you_mean
from .slugs import is_slug, slugify
from .store import YamlDocument, read_yaml

CONFIG_FILE = "dossier.yaml"


@dataclass(frozen=True)
class Verdict:
    """One step of the verdict scale.

    `rating` is the number published in ClaimReview (1 = worst, 5 = best);
    None for the steps that are not a rating (unverified, unverifiable).
    """

    id: str
    label: dict[str, str]  # language -> label, e.g. {"fr": "Plutôt vrai", "en": "Mostly true"}
    color: str
    rating: int | None = None
    description: dict[str, str] = field(default_factory=dict)


DEFAULT_SCALE: tuple[Verdict, ...] = (
    Verdict("true", {"fr": "Vrai", "en": "True"}, "#1a7f37", 5,
            {"fr": "Exact, et étayé par des sources fiables.",
             "en": "Accurate, and supported by reliable sources."}),
    Verdict("mostly-true", {"fr": "Plutôt vrai", "en": "Mostly true"}, "#4d8c2a", 4,
            {"fr": "Exact pour l'essentiel, avec des imprécisions mineures.",
             "en": "Accurate in substance, with minor inaccuracies."}),
    Verdict("mixed", {"fr": "Mitigé", "en": "Mixed"}, "#9a6700", 3,
            {"fr": "En partie exact, en partie faux ou trompeur.",
             "en": "Partly accurate, partly false or misleading."}),
    Verdict("mostly-false", {"fr": "Plutôt faux", "en": "Mostly false"}, "#bc4c00", 2,
            {"fr": "Un élément exact, mais l'ensemble est trompeur.",
             "en": "Contains an element of truth but is misleading overall."}),
    Verdict("false", {"fr": "Faux", "en": "False"}, "#cf222e", 1,
            {"fr": "Contredit par des sources fiables.",
             "en": "Contradicted by reliable sources."}),
    Verdict("unverifiable", {"fr": "Invérifiable", "en": "Unverifiable"}, "#6e7781", None,
            {"fr": "Aucune source accessible ne permet de trancher.",
             "en": "No accessible source can settle it."}),
    Verdict("unverified", {"fr": "Non vérifié", "en": "Unverified"}, "#57606a", None,
            {"fr": "Pas encore examiné.", "en": "Not reviewed yet."}),
)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the dossier: the `author` of every ClaimReview."""

    name: str
    url: str | None = None
    type: str = "Organization"  # schema.org type: Organization or Person


@dataclass(frozen=True)
class Config:
    title: str
    base_url: str
    language: str = "fr"
    description: str = ""
    publisher: Publisher = Publisher("dossier")
    verdicts: tuple[Verdict, ...] = DEFAULT_SCALE
    # Transparency pages, Markdown; a missing one is a warning (error with --strict).
    methodology: str | None = None
    corrections_policy: str | None = None
    contact: str | None = None
    search: bool = True

    @property
    def verdict_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.verdicts)

    def verdict(self, verdict_id: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.id == verdict_id), None)


_KEYS = {
    "title": str, "base_url": str, "language": str, "description": str, "publisher": dict,
    "verdicts": list, "methodology": str, "corrections_policy": str, "contact": str,
    "search": bool,
}
_TYPE_NAMES = {str: "text", dict: "a mapping", list: "a list", bool: "true or false", int: "a whole number"}
LANGUAGES = ("fr", "en")
PUBLISHER_TYPES = ("Organization", "Person")
_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_URL_RE = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)
FALLBACK = Config(title="dossier", base_url="http://127.0.0.1:8000/")


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `dossier.yaml` from a dossier root. Raises `DossierError` on errors."""
    config, problems = read_config(root)
    if any(p.severity == "error" for p in problems):
        raise DossierError(problems)
    return config, problems


def read_config(root: Path) -> tuple[Config, list[Problem]]:
    """Like `load_config`, but never raises: on errors, a best-effort config and the problems.

    `dossier check` uses it to go on checking claim files when `dossier.yaml`
    itself is broken (against the default verdict scale, or as much of the
    dossier's own scale as could be read).
    """
    path = root / CONFIG_FILE
    shown = CONFIG_FILE
    if not path.is_file():
        return FALLBACK, [Problem(shown, None, None, "no dossier.yaml here",
                                  "run `dossier init DIR` to start a dossier, or use -C DIR")]
    try:
        doc = read_yaml(path, shown)
    except DossierError as error:
        return FALLBACK, error.problems
    return _parse(doc)


def parse_config(doc: YamlDocument) -> tuple[Config, list[Problem]]:
    """`dossier.yaml` as a `Config`. Raises `DossierError` on errors."""
    config, problems = _parse(doc)
    if any(p.severity == "error" for p in problems):
        raise DossierError(problems)
    return config, problems


def _is_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL_RE.match(value))


def _parse(doc: YamlDocument) -> tuple[Config, list[Problem]]:
    data = doc.data if doc.data is not None else {}
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return FALLBACK, [doc.problem((), "dossier.yaml must be a mapping of settings",
                                      "start with `title: ...` on the first line")]
    for key in list(data):
        value = data[key]
        if key not in _KEYS:
            problems.append(doc.problem((key, "<key>"), f"unknown setting '{key}'",
                                        did_you_mean(str(key), _KEYS) or f"settings: {', '.join(_KEYS)}"))
            continue
        wanted = _KEYS[key]
        if value is not None and (not isinstance(value, wanted) or (wanted is not bool
                                  and isinstance(value, bool))):
            hint = "put quotes around it" if wanted is str and not isinstance(value, (dict, list)) else None
            problems.append(doc.problem((key,), f"'{key}' must be {_TYPE_NAMES[wanted]}", hint))
            data = {k: v for k, v in data.items() if k != key}
    for required in ("title", "base_url"):
        if not data.get(required):
            problems.append(doc.problem((required,) if required in data else (),
                                        f"'{required}' is missing",
                                        f"add `{required}: ...` to dossier.yaml"))
    language = data.get("language") or "fr"
    if language not in LANGUAGES:
        problems.append(doc.problem(("language",), f"language '{language}' is not supported",
                                    f"use one of {', '.join(LANGUAGES)}"))
        language = "fr"
    base_url = str(data.get("base_url") or "")
    if base_url and not _is_url(base_url):
        problems.append(doc.problem(("base_url",), f"base_url '{base_url}' is not an http(s) URL",
                                    "e.g. base_url: https://example.org/dossier/"))
        base_url = ""
    publisher = Publisher("dossier")
    if isinstance(data.get("publisher"), dict):
        pub = data["publisher"]
        for key in pub:
            if key not in ("name", "url", "type"):
                problems.append(doc.problem(("publisher", key, "<key>"), f"unknown publisher key '{key}'",
                                            did_you_mean(str(key), ("name", "url", "type"))))
        if not isinstance(pub.get("name"), str) or not pub["name"].strip():
            problems.append(doc.problem(("publisher", "name") if "name" in pub else ("publisher",),
                                        "publisher needs a name (text)", "e.g. name: My newsroom"))
        url = pub.get("url")
        if url is not None and not _is_url(url):
            problems.append(doc.problem(("publisher", "url"), f"publisher url '{url}' is not an http(s) URL"))
            url = None
        pub_type = pub.get("type", "Organization")
        if pub_type not in PUBLISHER_TYPES:
            problems.append(doc.problem(("publisher", "type"), f"publisher type '{pub_type}' is not one of"
                                        f" ({', '.join(PUBLISHER_TYPES)})",
                                        did_you_mean(str(pub_type), PUBLISHER_TYPES)))
            pub_type = "Organization"
        publisher = Publisher(str(pub.get("name") or "dossier"), url, str(pub_type))
    verdicts = DEFAULT_SCALE
    if isinstance(data.get("verdicts"), list):
        verdicts, scale_problems = _parse_scale(doc, data["verdicts"])
        problems += scale_problems
    config = Config(
        title=str(data.get("title") or FALLBACK.title), base_url=(base_url or FALLBACK.base_url).rstrip("/")
        + "/", language=language, description=str(data.get("description") or ""), publisher=publisher,
        verdicts=verdicts, methodology=data.get("methodology"),
        corrections_policy=data.get("corrections_policy"), contact=data.get("contact"),
        search=data.get("search") is not False,
    )
    return config, problems


def _parse_scale(doc: YamlDocument, items: list) -> tuple[tuple[Verdict, ...], list[Problem]]:
    problems: list[Problem] = []
    verdicts: list[Verdict] = []
    allowed = ("id", "label", "color", "rating", "description")
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = ("verdicts", index)
        if not isinstance(item, dict) or not item.get("id"):
            problems.append(doc.problem(
                where, "each verdict needs at least an id and a label",
                "e.g. - {id: mostly-true, label: {fr: Plutôt vrai, en: Mostly true}}"))
            continue
        for key in item:
            if key not in allowed:
                problems.append(doc.problem(
                    (*where, key, "<key>"), f"unknown verdict key '{key}'",
                    did_you_mean(str(key), allowed) or f"allowed: {', '.join(allowed)}"))
        verdict_id = item["id"]
        if isinstance(verdict_id, bool):
            word = str(verdict_id).lower()
            problems.append(doc.problem((*where, "id"), f"verdict id {word} is read by YAML as true/false,"
                                        " not as text", f"put quotes around it: id: '{word}'"))
            continue
        # Verdict ids become page URLs and CSS classes: keep them plain.
        if not isinstance(verdict_id, str) or not is_slug(verdict_id):
            problems.append(doc.problem(
                (*where, "id"), f"verdict id '{verdict_id}' must be lower-case letters, digits and hyphens",
                f"e.g. id: {slugify(str(verdict_id))}"))
            continue
        if verdict_id in seen:
            problems.append(doc.problem((*where, "id"), f"verdict '{verdict_id}' is in the scale twice"))
            continue
        seen.add(verdict_id)
        label = item.get("label") or {}
        if isinstance(label, str):
            label = {"fr": label, "en": label}
        if not isinstance(label, dict) or not label or not all(
                k in LANGUAGES and isinstance(v, str) for k, v in label.items()):
            problems.append(doc.problem((*where, "label"), "label must be text, or a mapping of language"
                                        " to text", "e.g. label: {fr: Plutôt vrai, en: Mostly true}"))
            label = {"fr": verdict_id, "en": verdict_id}
        description = item.get("description") or {}
        if isinstance(description, str):
            description = {"fr": description, "en": description}
        if not isinstance(description, dict) or not all(
                k in LANGUAGES and isinstance(v, str) for k, v in description.items()):
            problems.append(doc.problem((*where, "description"), "description must be text, or a mapping"
                                        " of language to text"))
            description = {}
        color = item.get("color", "#57606a")
        # The colour goes into the page's CSS: only a plain hex colour can be trusted there.
        if not isinstance(color, str) or not _COLOR_RE.match(color):
            problems.append(doc.problem((*where, "color"), f"color '{color}' is not a hex colour",
                                        "e.g. color: '#1a7f37' (with the quotes: # starts a comment)"
                                        if color is None else "e.g. color: '#1a7f37'"))
            color = "#57606a"
        rating = item.get("rating")
        if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool)
                                   or not 1 <= rating <= 5):
            problems.append(doc.problem((*where, "rating"), "rating must be a whole number 1-5",
                                        "1 is the worst (false), 5 the best (true); leave it out for"
                                        " steps that are not a rating, like unverified"))
            rating = None
        verdicts.append(Verdict(verdict_id, dict(label), color, rating, dict(description)))
    if not any(v.id == "unverified" for v in verdicts):
        problems.append(doc.problem(("verdicts",), "the scale needs an 'unverified' step",
                                    "new claims start as unverified"))
        verdicts.append(next(v for v in DEFAULT_SCALE if v.id == "unverified"))
    return tuple(verdicts), problems
