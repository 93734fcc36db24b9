"""People, places and organisations named by claims, with one id per real thing.

Ids are slugs of a canonical name, so "Kim Jong-un" and "Kim Jong Un" share
`kim-jong-un`; a surname alone joins the full name met in the same article;
generic place words go ("région de X" is X); demonyms ("nord-coréens",
"Russes") point at their country. Quoted call signs are people whatever the
NER label says.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

from ..claims import Entity
from ..slugs import slugify as _slugify

slugify = lru_cache(maxsize=16384)(_slugify)

LABELS = {"PER": "person", "LOC": "place", "ORG": "organisation"}
PLACE_PREFIX = re.compile(
    r"^(?:la |le |l'|l’|les )?(?:région|province|oblast|ville|village|département|commune|territoire"
    r"|république|préfecture|comté|état|district|canton|localité|municipalité)"
    r"\s+(?:de la |du |des |de l'|de l’|de |d'|d’)", re.IGNORECASE)
LEADING_ARTICLE = re.compile(r"^(?:la|le|les|l'|l’|du|des|de la|de l'|de)\s*", re.IGNORECASE)
# General French demonyms -> country (adjective and noun, any gender or number).
DEMONYMS = {
    "russe": "Russie", "ukrainien": "Ukraine", "nord-coréen": "Corée du Nord",
    "sud-coréen": "Corée du Sud", "coréen": "Corée", "américain": "États-Unis", "français": "France",
    "allemand": "Allemagne", "britannique": "Royaume-Uni", "anglais": "Angleterre", "chinois": "Chine",
    "japonais": "Japon", "iranien": "Iran", "israélien": "Israël", "palestinien": "Palestine",
    "syrien": "Syrie", "turc": "Turquie", "italien": "Italie", "espagnol": "Espagne", "polonais": "Pologne",
    "biélorusse": "Biélorussie", "indien": "Inde", "pakistanais": "Pakistan", "afghan": "Afghanistan",
    "irakien": "Irak", "libanais": "Liban", "égyptien": "Égypte", "marocain": "Maroc", "algérien": "Algérie",
    "tunisien": "Tunisie", "malien": "Mali", "sénégalais": "Sénégal", "belge": "Belgique", "suisse": "Suisse",
    "canadien": "Canada", "mexicain": "Mexique", "brésilien": "Brésil", "argentin": "Argentine",
    "vénézuélien": "Venezuela", "cubain": "Cuba", "géorgien": "Géorgie", "arménien": "Arménie",
    "azerbaïdjanais": "Azerbaïdjan", "moldave": "Moldavie", "roumain": "Roumanie", "hongrois": "Hongrie",
    "serbe": "Serbie", "grec": "Grèce", "néerlandais": "Pays-Bas", "suédois": "Suède",
    "finlandais": "Finlande",
    "norvégien": "Norvège", "danois": "Danemark", "portugais": "Portugal", "saoudien": "Arabie saoudite",
    "qatari": "Qatar", "yéménite": "Yémen", "soudanais": "Soudan", "éthiopien": "Éthiopie",
    "nigérian": "Nigeria", "congolais": "Congo", "taïwanais": "Taïwan", "vietnamien": "Viêt Nam",
    "européen": "Union européenne", "onusien": "ONU",
}
_DEMONYM_ENDINGS = ("nes", "ne", "ns", "es", "e", "s")


def demonym_country(word: str) -> str | None:
    lower = word.lower()
    if lower in DEMONYMS:
        return DEMONYMS[lower]
    for ending in _DEMONYM_ENDINGS:
        if lower.endswith(ending) and lower[: -len(ending)] in DEMONYMS:
            return DEMONYMS[lower[: -len(ending)]]
    return None


def clean_name(text: str, label: str) -> str:
    name = " ".join(text.replace("\u00a0", " ").split()).strip(" ,;:.«»\"“”()")
    if label == "LOC":
        name = PLACE_PREFIX.sub("", name)
    # "la Russie", "l'ONU" -> Russie, ONU; but "Le Monde" (an organisation) keeps the article of its name
    if label == "LOC" or (name[:1].islower() and label != "PER"):
        name = LEADING_ARTICLE.sub("", name)
    return name.strip()


def _looks_like_name(ent: Span) -> bool:
    """NER also tags common nouns at the start of a title ("Batteries : ...") and number words."""
    if any(t.like_num or t.lower_ in ("un", "une") for t in ent) and not any(t.pos_ == "PROPN" for t in ent):
        return False
    if ent[-1].pos_ in ("ADP", "DET", "CCONJ"):
        return False
    return any(t.pos_ == "PROPN" or (t.is_upper and len(t) > 1) or (t.ent_iob_ == "B" and t.is_title
               and t.i > ent.sent.start) for t in ent)


def _extend_left(ent: Span, sent: Span) -> Span:
    """NER sometimes drops the first word of a name: "Santé publique France" read as "publique France"."""
    doc = ent.doc
    start = ent.start
    while start - 1 > sent.start and doc[start - 1].is_title and not doc[start - 1].ent_type_ \
            and doc[start - 1].pos_ in ("NOUN", "PROPN", "ADJ"):
        start -= 1
    return doc[start:ent.end] if start != ent.start else ent


def _acronym_after(span: Span, sent: Span) -> str | None:
    """'Organisation mondiale de la santé (OMS)': the acronym in brackets is another name of it."""
    doc = span.doc
    end = span.end
    if end + 2 < sent.end and doc[end].text == "(" and doc[end + 2].text == ")" \
            and doc[end + 1].is_upper and len(doc[end + 1].text) >= 2:
        return doc[end + 1].text
    return None


class EntityIndex:
    """The entities of one run: canonical ids, names, aliases."""

    def __init__(self) -> None:
        self.entities: dict[str, dict] = {}
        self.surnames: dict[str, str] = {}  # per article: "zelensky" -> "volodymyr-zelensky"
        self.acronyms: dict[str, str] = {}  # "OMS" -> "organisation-mondiale-de-la-sante"

    def new_article(self) -> None:
        self.surnames = {}

    def add(self, name: str, kind: str) -> str | None:
        if not name or not any(c.isalpha() for c in name) or (not name[:1].isupper() and kind != "place"):
            return None
        if name in self.acronyms:
            return self.acronyms[name]
        entity_id = slugify(name)
        if kind == "person":
            words = entity_id.split("-")
            if len(words) == 1 and entity_id in self.surnames:
                entity_id = self.surnames[entity_id]
            elif len(words) > 1:
                self.surnames.setdefault(words[-1], entity_id)
        entry = self.entities.get(entity_id)
        if entry is None:
            self.entities[entity_id] = {"name": name, "type": kind, "aliases": []}
        elif name != entry["name"] and name not in entry["aliases"]:
            entry["aliases"].append(name)
        return entity_id

    def _alias(self, entity_id: str, alias: str) -> None:
        entry = self.entities.get(entity_id)
        if entry is not None and alias != entry["name"] and alias not in entry["aliases"]:
            entry["aliases"].append(alias)

    def of_sentence(self, sent: Span, call_sign_spans: list[tuple[int, int]]) -> list[str]:
        ids: list[tuple[int, str]] = []
        doc = sent.doc
        taken: set[int] = set()
        for start, end in call_sign_spans:
            entity_id = self.add(doc[start:end].text, "person")
            if entity_id:
                ids.append((start, entity_id))
            taken.update(range(start, end))
        for ent in sent.ents:
            if ent.label_ not in LABELS or any(t.i in taken for t in ent):
                continue
            words = ent.text.split()
            country = demonym_country(ent.text) if len(words) == 1 else None
            if country:
                entity_id = self.add(country, "place")
            elif not _looks_like_name(ent):
                continue
            else:
                span = _extend_left(ent, sent)
                name = clean_name(span.text, ent.label_)
                if ent.label_ == "PER" and len(name.split()) == 1 and name.lower() in ("un", "une"):
                    continue
                entity_id = self.add(name, LABELS[ent.label_])
                acronym = _acronym_after(span, sent)
                if entity_id and acronym:
                    self.acronyms[acronym] = entity_id
                    self._alias(entity_id, acronym)
            if entity_id:
                ids.append((ent.start, entity_id))
            taken.update(t.i for t in ent)
        for token in sent:
            if token.i in taken or token.pos_ not in ("ADJ", "NOUN", "PROPN"):
                continue
            country = demonym_country(token.text)
            if country:
                entity_id = self.add(country, "place")
                if entity_id:
                    ids.append((token.i, entity_id))
        return list(dict.fromkeys(entity_id for _, entity_id in sorted(ids)))

    def canonical(self, entity_id: str) -> str:
        """An acronym met before its full name ("OMS" in a title) joins the full name's id."""
        for acronym, target in self.acronyms.items():
            if entity_id == slugify(acronym):
                return target
        return entity_id

    def to_entities(self, ids: set[str]) -> tuple[Entity, ...]:
        return tuple(
            Entity(i, self.entities[i]["name"], self.entities[i]["type"], tuple(self.entities[i]["aliases"]))
            for i in sorted(ids) if i in self.entities
        )
