"""What kind of statement a unit is, and whether a fact-checker can check it.

Opinions ("risque de", "semble", value judgements) and normative sentences
("doivent", "il faut") are kept with `checkworthy: false`: they are shown in
the dossier but not presented as checkable facts. A sentence attributed to
someone is checkable (did they say it? is it true?) whatever its wording.
"""

from __future__ import annotations

from spacy.tokens import Span

from .lexicon import words
from .modality import conditionals

# General French evaluative vocabulary: judgements, not facts.
EVALUATIVE = frozenset(words("""
dangereux crucial alarmant inquiétant préoccupant catastrophique terrible dramatique scandaleux
honteux inacceptable irresponsable irréversible irréversiblement considérable formidable
magnifique excellent désastreux tragique inadmissible intolérable absurde ridicule regrettable
lamentable odieux épouvantable effrayant choquant révoltant admirable
"""))
# Not here: words that also describe facts ("centre historique", "état grave", "axe majeur").
OPINION_VERBS = frozenset({"sembler", "paraître", "risquer"})
NORMATIVE_ADJECTIVES = frozenset({"nécessaire", "essentiel", "indispensable", "impératif", "urgent",
                                  "primordial", "vital", "souhaitable"})
LEGAL_VERBS = frozenset({"violer", "enfreindre", "condamner", "inculper", "interdire", "juger",
                         "poursuivre", "sanctionner", "contrevenir", "mettre_en_examen", "légaliser",
                         "ratifier", "abroger", "promulguer", "voter", "légiférer"})
LEGAL_NOUNS = frozenset({"illégal", "illicite", "loi", "violation", "tribunal", "jugement",
                         "infraction", "crime", "traité", "constitution", "décret"})
PREDICTION_LEMMAS = frozenset({"prévoir", "programmer", "planifier", "envisager"})


def _is_obligation(token, sent: Span) -> bool:
    """'doivent faire', 'devra revoir': an obligation now or ahead; not 'ont dû' nor 'devrait'."""
    if token.pos_ not in ("VERB", "AUX") or "Fin" not in token.morph.get("VerbForm"):
        return False
    if "Cnd" in token.morph.get("Mood") or not set(token.morph.get("Tense")) & {"Pres", "Fut"}:
        return False
    following = sent.doc[token.i + 1: min(token.i + 4, sent.end)]
    return any(t.pos_ in ("VERB", "AUX") and "Inf" in t.morph.get("VerbForm") for t in following)


def opinion_or_norm(sent: Span) -> str | None:
    """'normative', 'opinion', 'evaluative' (a value judgement), or None for a statement of fact."""
    doc = sent.doc
    opinion = evaluative = False
    for token in sent:  # one pass; morphology is only read for the few candidate words
        lemma = token.lemma_.lower()
        if lemma == "falloir" or (lemma == "devoir" and _is_obligation(token, sent)):
            return "normative"
        if lemma in NORMATIVE_ADJECTIVES and token.i >= 2 and doc[token.i - 1].lemma_ == "être" \
                and doc[token.i - 2].lower_ == "il":
            return "normative"
        if opinion:
            continue
        if lemma in OPINION_VERBS and token.pos_ in ("VERB", "AUX"):
            opinion = True
        elif token.lower_.startswith("risqu") and token.i + 2 < sent.end \
                and doc[token.i + 1].lower_ in ("de", "d'") \
                and "Inf" in doc[token.i + 2].morph.get("VerbForm"):
            opinion = True  # "risque de prolonger": spaCy often reads "risque" as the noun
        elif token.dep_ in ("nsubj", "csubj") and token.pos_ == "VERB" \
                and "Inf" in token.morph.get("VerbForm"):
            opinion = True  # "Ne pas contrer cette alliance pourrait ...": speculation
        elif token.pos_ in ("ADJ", "ADV") and (lemma in EVALUATIVE or token.lower_ in EVALUATIVE):
            evaluative = True
    if opinion:
        return "opinion"
    return "evaluative" if evaluative else None


def kind_of(sent: Span, has_quote: bool, attributed: bool, reported_by_verb: bool, has_quantities: bool,
            judgement: str | None) -> str:
    if has_quote and attributed:
        return "quote"
    if reported_by_verb:
        return "reported"
    if judgement in ("normative", "opinion"):
        return judgement
    if has_quantities:
        return "quantity"
    root = next((t for t in sent if t.dep_ == "ROOT"), sent[0])
    heads = {root.lemma_.lower(), *(c.lemma_.lower() for c in root.children if c.dep_ in ("xcomp",))}
    if heads & LEGAL_VERBS or root.lemma_.lower() in LEGAL_NOUNS:
        return "legal"
    if judgement == "evaluative":
        return "opinion"
    if any("Fut" in t.morph.get("Tense") and t.pos_ in ("VERB", "AUX") for t in sent) \
            or any(t.lemma_ in ("pouvoir", "devoir") for t in conditionals(sent)) \
            or any(t.lemma_ in PREDICTION_LEMMAS and "Part" in t.morph.get("VerbForm") for t in sent):
        return "prediction"
    return "event"


BASE_SCORE = {"quantity": 0.9, "quote": 0.8, "reported": 0.8, "legal": 0.75, "prediction": 0.6,
              "event": 0.55, "opinion": 0.2, "normative": 0.15}


def score(kind: str, n_entities: int, n_quantities: int, speaker_kind: str | None) -> float:
    value = BASE_SCORE[kind]
    if kind in ("opinion", "normative"):
        return value
    value += min(n_entities, 2) * 0.03 + min(n_quantities, 2) * 0.02
    if speaker_kind in ("anonymous", "ai"):
        value += 0.04  # unnamed or machine sources are worth a look
    return round(min(value, 0.99), 2)
