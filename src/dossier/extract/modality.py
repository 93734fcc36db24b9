"""How hedged a statement is: asserted, reported, possible or promised.

French journalism reports unconfirmed facts with the conditional ("aurait
livré", "seraient morts"), with "selon"/"d'après", or with a reporting verb;
"pourrait" marks a possibility; "promettre" a promise. spaCy's morphologizer
misses `Mood=Cnd` on some verbs, so -rait/-raient endings back it up.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .attribution import PROMISE_VERBS, Attribution

CONDITIONAL_ENDINGS = ("rait", "raient")
MODAL_POSSIBLE = frozenset({"pouvoir"})
# "Une telle initiative violerait...", "si ..., cela ...": a hypothesis, not a report.
HYPOTHESIS_MARKERS = frozenset({"tel", "telle", "tels", "telles", "si", "s'"})


def is_conditional(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if "Cnd" in token.morph.get("Mood"):
        return True
    lower = token.lower_
    return (len(lower) > 5 and lower.endswith(CONDITIONAL_ENDINGS) and "Ind" not in token.morph.get("Mood")) \
        or (len(lower) > 5 and lower.endswith(CONDITIONAL_ENDINGS) and token.pos_ == "AUX")


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
