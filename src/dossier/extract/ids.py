"""Readable claim ids from a claim's key words: `coree-du-nord-6000-ingenieurs`."""

from __future__ import annotations

from spacy.tokens import Span

from ..slugs import slugify

MAX_WORDS = 6
SKIP_LEMMAS = frozenset({"être", "avoir", "faire", "pouvoir", "devoir", "aller", "ce", "cela", "tout"})


def _number_word(value: float) -> str:
    if value >= 1e9 and value % 1e8 == 0:
        return f"{value / 1e9:g}-milliards".replace(".", "-")
    if value >= 1e6 and value % 1e5 == 0:
        return f"{value / 1e6:g}-millions".replace(".", "-")
    return f"{value:g}".replace(".", "-")


def claim_id(sent: Span, entity_names: list[str], quantities, speaker: str | None) -> str:
    words: list[str] = []
    if speaker:
        words.append(speaker)
    elif entity_names:
        words.append(entity_names[0])
    if quantities:
        q = quantities[0]
        number = q.value if q.value is not None else q.low if q.low is not None else q.numerator
        if q.qualifier == "fraction":
            words.append(f"{q.numerator}-{q.denominator}")
        elif number is not None:
            words.append(_number_word(number))
        if q.counts:
            words.append(q.counts.split()[0])
    content = [t for t in sent if t.pos_ in ("NOUN", "VERB", "PROPN", "ADJ") and t.lemma_ not in SKIP_LEMMAS
               and t.is_alpha and len(t.text) > 2]
    seen = set(slugify(" ".join(words)).split("-")) if words else set()
    count = len(" ".join(words).split())
    for token in content:
        if count >= MAX_WORDS - (1 if quantities else 0):
            break
        word = token.lemma_ if token.pos_ in ("VERB",) else token.text
        slug = slugify(word)
        if slug not in seen:
            words.append(word)
            seen.update(slug.split("-"))
            count += 1
    return slugify(" ".join(words), max_length=50)
