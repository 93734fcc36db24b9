"""How hedged a statement is: asserted, reported, possible or promised.

French journalism reports unconfirmed facts with the conditional ("aurait
livré", "seraient morts"), with "selon"/"d'après", or with a reporting verb;
"pourrait" marks a possibility; "promettre" a promise. spaCy's morphologizer
misses `Mood=Cnd` on some verbs, so -rait/-raient endings back it up.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .attribution import PROMISE_VERBS, Attribution
from .lexicon import words

MODAL_POSSIBLE = frozenset({"pouvoir"})
# "Une telle initiative violerait...", "si ..., cela ...": a hypothesis, not a report.
HYPOTHESIS_MARKERS = frozenset({"tel", "telle", "tels", "telles", "si", "s'"})
# Irregular future/conditional stems of French verbs ("serait", "pourrait", "viendrait").
IRREGULAR_STEMS = frozenset(words("""
ser aur pourr devr fer ir viendr tiendr faudr voudr saur verr mourr enverr vaudr courr
acquerr recevr apercevr percevr concevr pleuvr assiér s'assiér cueiller
"""))


def is_conditional(token: Token) -> bool:
    """Conditional mood. spaCy tags many conditionals `Mood=Ind` ("contrôleraient",
    "démissionnerait"), so the form is checked too: future stem (the infinitive, or an
    irregular stem) + -ait/-aient. The imperfect "mourait" does not match ("mourir" + ait)."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if "Cnd" in token.morph.get("Mood"):
        return True
    lower = token.lower_
    for ending in ("aient", "ait"):
        if lower.endswith("r" + ending) and len(lower) > len(ending) + 2:
            stem = lower[: -len(ending)]
            lemma = token.lemma_.lower()
            return stem == lemma or stem == lemma[:-1] or stem in IRREGULAR_STEMS
    return False


def conditionals(sent: Span) -> list[Token]:
    return [t for t in sent if is_conditional(t)]


def is_hypothetical(sent: Span) -> bool:
    return any(t.lower_ in HYPOTHESIS_MARKERS for t in sent[:6])


def modality_of(sent: Span, attributions: list[Attribution]) -> str:
    verbs = {a.verb for a in attributions if a.verb}
    if verbs & PROMISE_VERBS:
        return "promised"
    conditional = conditionals(sent)
    if any(t.lemma_ in MODAL_POSSIBLE and (is_conditional(t)) for t in sent):
        return "possible"
    if conditional and is_hypothetical(sent):
        return "possible"
    if conditional or attributions:
        return "reported"
    return "asserted"
