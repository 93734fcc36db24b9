"""`dossier.yaml`: the site's settings, typed. Unknown keys are errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import DossierError, Problem, did_you_mean
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
LANGUAGES = ("fr", "en")


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `dossier.yaml` from a dossier root. Raises `DossierError` on errors."""
    path = root / CONFIG_FILE
    shown = CONFIG_FILE
    if not path.is_file():
        raise DossierError(Problem(shown, None, None, "no dossier.yaml here",
                                   "run `dossier init DIR` to start a dossier, or use -C DIR"))
    doc = read_yaml(path, shown)
    return parse_config(doc)


def parse_config(doc: YamlDocument) -> tuple[Config, list[Problem]]:
    data = doc.data if doc.data is not None else {}
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise DossierError(doc.problem((), "dossier.yaml must be a mapping of settings"))
    for key, value in data.items():
        if key not in _KEYS:
            problems.append(doc.problem((key, "<key>"), f"unknown setting '{key}'",
                                        did_you_mean(str(key), _KEYS)))
        elif value is not None and not isinstance(value, _KEYS[key]):
            problems.append(doc.problem((key,), f"'{key}' must be {_KEYS[key].__name__}"))
    for required in ("title", "base_url"):
        if not data.get(required):
            problems.append(doc.problem((), f"'{required}' is missing",
                                        f"add `{required}: ...` to dossier.yaml"))
    language = data.get("language", "fr")
    if language not in LANGUAGES:
        problems.append(doc.problem(("language",), f"language '{language}' is not supported",
                                    f"use one of {', '.join(LANGUAGES)}"))
    base_url = str(data.get("base_url") or "")
    if base_url and not base_url.startswith(("http://", "https://")):
        problems.append(doc.problem(("base_url",), "base_url must start with http:// or https://"))
    publisher = Publisher("dossier")
    if isinstance(data.get("publisher"), dict):
        pub = data["publisher"]
        unknown = set(pub) - {"name", "url", "type"}
        for key in sorted(unknown, key=str):
            problems.append(doc.problem(("publisher", key, "<key>"), f"unknown publisher key '{key}'",
                                        did_you_mean(str(key), ("name", "url", "type"))))
        if not pub.get("name"):
            problems.append(doc.problem(("publisher",), "publisher needs a name"))
        url = pub.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            problems.append(doc.problem(("publisher", "url"), "publisher url must be http(s)"))
        publisher = Publisher(str(pub.get("name") or "dossier"), url,
                              str(pub.get("type") or "Organization"))
    verdicts = DEFAULT_SCALE
    if isinstance(data.get("verdicts"), list):
        verdicts, scale_problems = _parse_scale(doc, data["verdicts"])
        problems += scale_problems
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DossierError(problems)
    config = Config(
        title=str(data["title"]), base_url=base_url.rstrip("/") + "/", language=language,
        description=str(data.get("description") or ""), publisher=publisher, verdicts=verdicts,
        methodology=data.get("methodology"), corrections_policy=data.get("corrections_policy"),
        contact=data.get("contact"), search=bool(data.get("search", True)),
    )
    return config, problems


def _parse_scale(doc: YamlDocument, items: list) -> tuple[tuple[Verdict, ...], list[Problem]]:
    problems: list[Problem] = []
    verdicts: list[Verdict] = []
    allowed = {"id", "label", "color", "rating", "description"}
    for index, item in enumerate(items):
        where = ("verdicts", index)
        if not isinstance(item, dict) or not item.get("id"):
            problems.append(doc.problem(where, "each verdict needs at least an id and a label"))
            continue
        for key in item:
            if key not in allowed:
                problems.append(doc.problem((*where, key, "<key>"), f"unknown verdict key '{key}'",
                                            did_you_mean(str(key), allowed)))
        label = item.get("label") or {}
        if isinstance(label, str):
            label = {"fr": label, "en": label}
        rating = item.get("rating")
        if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
            problems.append(doc.problem((*where, "rating"), "rating must be a whole number 1-5"))
            rating = None
        verdicts.append(Verdict(str(item["id"]), dict(label), str(item.get("color") or "#57606a"),
                                rating, dict(item.get("description") or {})))
    if not any(v.id == "unverified" for v in verdicts):
        problems.append(doc.problem(("verdicts",), "the scale needs an 'unverified' step",
                                    "new claims start as unverified"))
    return tuple(verdicts), problems
