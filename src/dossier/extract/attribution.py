"""Who says it, and with what verb: speakers, reporting verbs, direct quotes.

Patterns, all read from spaCy's parse and a general French lexicon:
"X a déclaré : « … »", "« … », a-t-il déclaré", "X, déclarant : « … »",
"selon X", "d'après X", "X estiment que …", "des images diffusées par X".
Inside the speaker's noun phrase a person's name wins over the title
("le président ukrainien <name>"), and a short capitalised name in
quotation marks next to it is a call sign or nickname, so a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from .lexicon import words
from .sentences import quote_regions, span_text

REPORTING_VERBS = frozenset(words("""
déclarer affirmer ajouter estimer confirmer indiquer promettre prévenir dire annoncer expliquer
souligner assurer préciser rapporter avertir signaler reconnaître admettre démentir nier accuser
dénoncer révéler écrire raconter répondre conclure insister marteler confier témoigner rappeler
réjouir féliciter déplorer regretter indigner exclamer
commenter prédire jurer certifier clamer proclamer répéter réitérer alerter évaluer chiffrer
prétendre lâcher tweeter recenser dénombrer comptabiliser
"""))
# Verbs that report words only as an incise after a quote: « … », soupire X.
INCISE_VERBS = frozenset(words("""
soupirer lancer glisser souffler ironiser résumer poursuivre agacer emporter tempêter étonner
tempérer relativiser détailler observer noter analyser corriger répliquer riposter juger avancer
nuancer trancher sourire plaisanter amuser inquiéter interroger demander reprendre protester
s'exclamer exclamer rétorquer objecter renchérir admettre conclure
"""))
SPEECH_VERBS = REPORTING_VERBS | INCISE_VERBS
PROMISE_VERBS = frozenset({"promettre", "jurer", "engager"})
# Participles whose agent ("diffusées par X") is the origin of what is shown.
DISSEMINATION_VERBS = frozenset({"diffuser", "publier", "relayer", "communiquer", "rapporter",
                                 "révéler", "transmettre", "montrer", "filmer"})
AI_CUES = ("intelligence artificielle", " ia ", "chatbot", "moteur", "agent conversationnel",
           "modèle de langage", "algorithme", "assistant virtuel", "robot conversationnel")
ANONYMOUS_HEADS = frozenset({"source", "responsable", "fonctionnaire", "diplomate", "officiel",
                             "proche", "membre", "expert", "observateur", "témoin", "analyste",
                             "spécialiste", "interlocuteur", "informateur", "scientifique",
                             "chercheur", "médecin", "militant", "étude", "rapport", "document",
                             "enquête", "personne", "habitant", "internaute", "utilisateur"})
INDEFINITE = frozenset({"un", "une", "des", "certains", "certaines", "plusieurs", "quelques", "d'",
                        "de", "divers", "diverses", "nombreux", "nombreuses"})
ORGANISATION_HEADS = frozenset({
    "service", "ministère", "gouvernement", "armée", "agence", "parti", "commission", "office",
    "état-major", "administration", "autorité", "police", "gendarmerie", "tribunal", "cour",
    "parquet", "conseil", "comité", "organisation", "institut", "entreprise", "société", "groupe",
    "présidence", "ambassade", "mairie", "préfecture", "renseignement", "force", "banque", "fondation",
    "association", "syndicat", "ong", "onu", "union", "direction", "département", "cabinet",
})
MEDIA_HEADS = frozenset({"journal", "quotidien", "hebdomadaire", "chaîne", "radio", "média", "magazine",
                         "télévision", "site", "agence de presse"})
PRONOUNS = ({"il", "elle", "-il", "-elle", "ils", "elles", "-ils", "-elles", "t-il", "t-elle",
             "-t-il", "-t-elle"})
# "a-t-on appris": nobody in particular
INDEFINITE_PRONOUNS = frozenset({"on", "-on", "t-on", "-t-on"})
TIME_WORDS = frozenset(words("""
lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd'hui matin soir midi dimanche
"""))
DETERMINERS = frozenset({"le", "la", "les", "l'", "l’", "un", "une", "des", "du", "de", "d'", "son", "sa",
                         "ses", "leur", "leurs", "ce", "cet", "cette", "ces"})


@dataclass(frozen=True)
class Attribution:
    name: str
    kind: str  # person | organisation | anonymous | ai | media | unknown
    verb: str | None  # lemma of the reporting verb; None for "selon X"
    how: str  # "verb" | "selon" | "agent" | "quote" | "pronoun"
    start: int  # token span of the name in the doc (end exclusive)
    end: int


def quotes_in(sent: Span) -> list[tuple[int, int]]:
    """Character spans (in the doc) of the quotations of a sentence."""
    return [(sent.start_char + a, sent.start_char + b) for a, b in quote_regions(span_text(sent))]


def is_name_quote(sent: Span, start_char: int, end_char: int) -> bool:
    """« Name »: one to three capitalised words and no full stop: a name, not a statement."""
    offset = sent.start_char
    inner = span_text(sent)[start_char - offset + 1:end_char - offset - 1].strip()
    words = inner.split()
    return 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and not inner.endswith((".", "!", "?"))


def statement_quotes(sent: Span) -> list[tuple[int, int]]:
    """Quoted words (two or more): a single quoted word is a scare quote, « irresponsable »."""
    offset = sent.start_char
    return [(a, b) for a, b in quotes_in(sent) if not is_name_quote(sent, a, b)
            and len(span_text(sent)[a - offset + 1:b - offset - 1].split()) >= 2]


def call_signs(sent: Span) -> list[tuple[int, int]]:
    """Token spans of quoted names in the sentence (call signs, nicknames)."""
    doc = sent.doc
    spans = []
    for a, b in quotes_in(sent):
        if is_name_quote(sent, a, b):
            span = doc.char_span(a + 1, b - 1, alignment_mode="contract")
            if span is not None and len(span):
                inner = [t for t in span if not t.is_space]
                if inner:
                    spans.append((inner[0].i, inner[-1].i + 1))
    return spans


def _clean(tokens: list[Token]) -> list[Token]:
    while tokens and (tokens[0].lower_ in DETERMINERS or tokens[0].is_punct or tokens[0].is_space
                      or tokens[0].pos_ == "ADP"):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space or tokens[-1].pos_ in ("ADP", "CCONJ")):
        tokens = tokens[:-1]
    return tokens


def _text(tokens: list[Token]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i:tokens[-1].i + 1].text


def _noun_phrase(head: Token, limit: int | None = None) -> list[Token]:
    """The head's subtree, cut at clauses, commas after the head, and `limit`."""
    tokens = []
    for token in head.subtree:
        if limit is not None and token.i >= limit:
            break
        clause = token.dep_ in ("acl", "acl:relcl", "advcl", "ccomp") or token.text in ",;:("
        if token.i > head.i and clause:
            break
        tokens.append(token)
    # keep a contiguous run containing the head
    run = [t for t in tokens if t.i >= tokens[0].i]
    contiguous = []
    for token in run:
        if contiguous and token.i != contiguous[-1].i + 1:
            if token.i > head.i:
                break
            contiguous = []
        contiguous.append(token)
    return contiguous


def _best_name(tokens: list[Token], sent: Span) -> tuple[list[Token], str | None]:
    """Inside a speaker phrase: a person entity or a call sign wins over the title."""
    if not tokens:
        return tokens, None
    lo, hi = tokens[0].i, tokens[-1].i + 1
    doc = sent.doc
    for start, end in reversed(call_signs(sent)):
        if lo - 1 <= start and end <= hi + 1:
            return list(doc[start:end]), "person"
    persons = [e for e in doc.ents if e.label_ == "PER" and e.start >= lo and e.end <= hi]
    if persons:
        ent = persons[-1]
        return list(ent), "person"
    # "Nadia, 34 ans, rencontrée ...": without a recognised name, the phrase ends at its first comma.
    comma = next((i for i, t in enumerate(tokens) if t.text == "," and i > 0), None)
    if comma is not None:
        return tokens[:comma], None
    return tokens, None


def speaker_kind(tokens: list[Token], known: str | None = None) -> str:
    if known:
        return known
    text = " " + " ".join(t.lower_ for t in tokens) + " "
    if any(cue in text for cue in AI_CUES) or any(t.text in ("IA", "AI") for t in tokens):
        return "ai"
    if any(t.ent_type_ == "PER" for t in tokens):
        return "person"
    head = next((t for t in tokens if t.pos_ in ("NOUN", "PROPN")), None)
    if head is None:
        return "unknown"
    first = tokens[0].doc[tokens[0].i - 1].lower_ if tokens[0].i > 0 else ""
    has_name = any(t.pos_ == "PROPN" or t.ent_type_ in ("ORG", "PER") for t in tokens)
    if head.lemma_.lower() in MEDIA_HEADS:
        return "media"
    if not has_name and (head.lemma_.lower() == "source" or (
            first in INDEFINITE and head.lemma_.lower() in ANONYMOUS_HEADS)):
        return "anonymous"
    if any(t.ent_type_ == "ORG" for t in tokens) or head.lemma_.lower() in ORGANISATION_HEADS:
        return "organisation"
    if has_name:
        named = [t for t in tokens if t.ent_type_]
        if named and all(t.ent_type_ in ("LOC", "ORG") for t in named):
            return "organisation"  # "le Pentagone", "le Kremlin": an institution speaking
        return "person" if head.pos_ == "PROPN" else "organisation"
    return "unknown"


def _with_determiner_for_anonymous(tokens: list[Token]) -> list[Token]:
    """Keep "certaines" in "certaines sources": for unnamed sources the quantifier is the point."""
    if not tokens:
        return tokens
    doc = tokens[0].doc
    i = tokens[0].i - 1
    if i >= 0 and doc[i].lower_ in ("certaines", "certains", "plusieurs", "quelques"):
        return [doc[i], *tokens]
    return tokens


def _ai_name(tokens: list[Token]) -> str | None:
    """'le moteur d'intelligence artificielle <Name> de <Owner>' -> '<Name> (<Owner>)'."""
    capitalised = [t for t in tokens[1:] if t.text[:1].isupper() and t.text not in ("IA", "AI")]
    if not capitalised:
        return None
    name = capitalised[0]
    following = tokens[tokens.index(name) + 1:]
    if len(following) >= 2 and following[0].lower_ in ("de", "d'", "d’") and following[1].text[:1].isupper():
        return f"{name.text} ({_text(following[1:])})"
    return _text([t for t in tokens[tokens.index(name):] if not t.is_punct] or [name])


def _make(tokens: list[Token], sent: Span, verb: str | None, how: str) -> Attribution | None:
    tokens = _clean(tokens)
    if not tokens:
        return None
    if speaker_kind(tokens) == "ai":
        # An AI system named inside the phrase is still a machine, whatever NER says.
        chosen, known = tokens, "ai"
    else:
        chosen, known = _best_name(tokens, sent)
    kind = speaker_kind(tokens if known is None else chosen, known)
    if kind == "anonymous":
        chosen = _with_determiner_for_anonymous(chosen)
    name = _ai_name(chosen) if kind == "ai" else None
    name = name or _text(chosen)
    if not name or not any(c.isalpha() for c in name):
        return None
    return Attribution(name, kind, verb, how, chosen[0].i, chosen[-1].i + 1)


def _reporting_verbs(sent: Span) -> list[tuple[Token, str]]:
    found = []
    for token in sent:
        if token.pos_ not in ("VERB", "NOUN"):
            continue
        lemma = token.lemma_
        if token.pos_ == "NOUN" or lemma not in SPEECH_VERBS:
            # spaCy reads some incises as nouns ("soupire"): try the verb's infinitive
            lemma = token.lower_[:-1] + "er" if token.lower_.endswith("e") else lemma
        if lemma not in SPEECH_VERBS:
            continue
        if (token.pos_ == "NOUN" or lemma not in REPORTING_VERBS) and _incise(token, sent, lemma) is None:
            continue  # "soupirer", "lancer": reporting only right after a quote
        forms = token.morph.get("VerbForm")
        if "Inf" in forms:
            continue
        found.append((token, lemma))
    return found


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj",):
            return child
    if verb.dep_ == "conj" and verb.head.pos_ == "VERB":
        return _subject(verb.head)
    return None


def _left_window(verb: Token, sent: Span) -> list[Token]:
    """'un officier, indicatif d'appel « Veles », déclarant': the phrase just before a participle."""
    doc = sent.doc
    tokens = []
    i = verb.i - 1
    while i >= sent.start and doc[i].pos_ in ("PUNCT", "AUX", "SPACE") and doc[i].text not in (".",):
        i -= 1
    while i >= sent.start and len(tokens) < 12:
        token = doc[i]
        if (token.pos_ == "VERB" and not token.text[:1].isupper()) or token.text in (".", ";", ":") or (
            token.text == "," and tokens and tokens[0].pos_ not in ("NOUN", "PROPN", "PUNCT", "ADJ", "ADP")
            and not tokens[0].ent_type_
        ):
            break
        tokens.insert(0, token)
        i -= 1
    # Stop at the last comma-separated phrase that holds a noun, keeping quoted names.
    return tokens


CLOSING_QUOTES = ("»", "”", '"', "›")


def _incise(verb: Token, sent: Span, lemma: str) -> Attribution | None:
    """« … », a déclaré le maire, <name>  /  « … », a-t-elle ajouté: the speaker follows the verb."""
    doc = sent.doc
    i = verb.i - 1
    pronoun = None
    skippable = {"-t", "t", "s'", "s’", "se"} | INDEFINITE_PRONOUNS
    while i >= sent.start and (doc[i].pos_ == "AUX" or doc[i].lower_ in PRONOUNS | skippable):
        if doc[i].lower_ in PRONOUNS:
            pronoun = doc[i]
        i -= 1
    after_quote = i >= sent.start + 1 and doc[i].text == "," and doc[i - 1].text in CLOSING_QUOTES
    after_quote = after_quote or (i >= sent.start and doc[i].text in CLOSING_QUOTES)
    # "..., a indiqué vendredi Santé publique France": an incise after a clause, subject after the verb
    after_clause = i > sent.start + 2 and doc[i].text == "," and _subject(verb) is None
    if not (after_quote or after_clause):
        return None
    after = list(doc[verb.i + 1: min(verb.i + 14, sent.end)])
    if after and after[0].lower_ in ("que", "qu'", "qu’", ":"):
        return None
    if pronoun is None and after and after[0].lower_ in PRONOUNS:
        pronoun = after[0]
    if pronoun is not None:
        return Attribution(pronoun.text, "pronoun", lemma, "pronoun", pronoun.i, pronoun.i + 1)
    tokens: list[Token] = []
    for token in after:
        verb_like = token.pos_ == "VERB" and not token.text[:1].isupper()
        if token.text in (".", ";", "!", "?", "«", "“") or verb_like:
            break
        if not tokens and (token.pos_ == "ADV" or token.lower_ in TIME_WORDS):
            continue  # "a indiqué vendredi X", "a déclaré hier X"
        if tokens and token.pos_ == "ADP" and token.lower_ not in ("de", "d'", "d’", "du", "des") \
                and any(t.pos_ in ("NOUN", "PROPN") for t in tokens):
            break  # "X dans son bulletin", "X à l'AFP"
        tokens.append(token)
    return _make(tokens, sent, lemma, "verb") if tokens else None


def _introduces_speech(verb: Token, sent: Span) -> bool:
    """'déclarant : « … »', 'a ajouté que': the verb is used to report words."""
    following = [t.lower_ for t in sent.doc[verb.i + 1: min(verb.i + 3, sent.end)]]
    return bool(following) and (following[0] in (":", "«", "“", '"', "que", "qu'", "qu’")
                                or following[:2] in ([",", "«"], [":", "«"]))


def quoting_subject(sent: Span, quote_start: int) -> Attribution | None:
    """'Le ministre a appelé les syndicats à « reprendre le dialogue »': the subject of the verb
    the quotation depends on is the one quoted."""
    doc = sent.doc
    token = next((t for t in sent if t.idx > quote_start and not t.is_punct), None)
    for _ in range(4):
        if token is None:
            return None
        if token.pos_ in ("VERB", "AUX") and token.idx < quote_start:
            subject = _subject(token)
            if subject is not None and subject.pos_ in ("NOUN", "PROPN") and subject.lower_ not in PRONOUNS:
                return _make(_noun_phrase(subject, limit=token.i), sent, None, "quote")
            return None
        if token.head.i == token.i:
            return None
        token = doc[token.head.i]
    return None


def find_attributions(sent: Span) -> list[Attribution]:
    """Every attribution of the sentence, in order of appearance."""
    doc = sent.doc
    found: list[Attribution] = []
    # "selon X", "d'après X"
    for token in sent:
        lower = token.lower_
        after = None
        if lower == "selon":
            after = token.i + 1
        elif lower in ("d'", "d’") and token.i + 1 < sent.end and doc[token.i + 1].lower_ == "après":
            after = token.i + 2
        elif lower in ("d'après", "d’après"):
            after = token.i + 1
        elif lower in ("source", "sources") and token.i > sent.start and doc[token.i - 1].lower_ == "de" \
                and (token.i < 2 or doc[token.i - 2].pos_ != "DET"):
            after = token.i  # "de source hospitalière", "de sources concordantes": unnamed
        if after is None or after >= sent.end:
            continue
        end = after
        while end < sent.end and doc[end].text not in (",", ";", ":", ".", "(") and end - after < 14:
            if doc[end].pos_ == "VERB" and any(t.pos_ in ("NOUN", "PROPN") for t in doc[after:end]):
                break  # "selon une étude publiée en 2023": the source, not what is said of it
            end += 1
        attribution = _make(list(doc[after:end]), sent, None, "selon")
        if attribution:
            found.append(attribution)
    for verb, lemma in _reporting_verbs(sent):
        incise = _incise(verb, sent, lemma)
        if incise is not None:
            found.append(incise)
            continue
        subject = _subject(verb)
        tokens: list[Token] = []
        how = "verb"
        if subject is not None and subject.lower_ in PRONOUNS:
            found.append(Attribution(subject.text, "pronoun", lemma, "pronoun", subject.i,
                                     subject.i + 1))
            continue
        if subject is not None and subject.pos_ in ("NOUN", "PROPN"):
            tokens = _noun_phrase(subject, limit=verb.i if subject.i < verb.i else None)
            # an apposition or quoted name between the subject and the verb belongs to it
            if subject.i < verb.i:
                between = list(doc[tokens[-1].i + 1 if tokens else subject.i: verb.i])
                if any(t.text in ("«", "“", '"') or t.ent_type_ == "PER" for t in between):
                    tokens = tokens + [t for t in between if t.pos_ not in ("AUX",)]
        elif subject is None and _introduces_speech(verb, sent):
            tokens = _left_window(verb, sent)
        if not tokens:
            continue
        attribution = _make(tokens, sent, lemma, how)
        if attribution:
            found.append(attribution)
    # "De nouvelles images diffusées par X montrent ..."
    for token in sent:
        if token.lemma_ in DISSEMINATION_VERBS and "Part" in token.morph.get("VerbForm"):
            for child in token.children:
                if child.dep_ in ("obl:agent", "obl", "obl:mod") and any(
                    c.lower_ == "par" for c in child.children
                ):
                    attribution = _make(_noun_phrase(child), sent, token.lemma_, "agent")
                    if attribution:
                        found.append(attribution)
    found.sort(key=lambda a: a.start)
    return found
