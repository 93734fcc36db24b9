"""French figures in a parsed sentence, normalised into `Quantity` values.

No library reads French claim numbers whole: text2num converts spelled-out
numbers ("quatre-vingt-dix", "deux mille") and is used here per span, while
digits with French grouping ("6 000" and "6\\u00a0000" are two spaCy tokens,
"4.700" is four thousand seven hundred, "4,8" is a decimal), scale nouns
("12 millions", which is not `like_num`), qualifiers ("plus de", "près de",
"jusqu'à"), ranges ("entre X et Y"), ratios ("37 des 64") and fractions
("les deux tiers") are read from the tokens and their parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token
from text_to_num import text2num

from ..claims import Quantity
from ..topics import topic_for
from .lexicon import words

_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
_GROUP = re.compile(r"^\d{3}$")
_ELIDED_DIGITS = re.compile(r"^[dD]['’](\d+(?:[.,]\d+)*)$")
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_SPACE_NUMBER = re.compile(r"^[\s\u00a0\u202f]$")

SCALES = {"million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "mille": 1e3,
          "billion": 1e12, "billions": 1e12}
RANGE_SCALES = {**SCALES, "millier": 1e3, "milliers": 1e3}
# "une dizaine" is about 10; "des dizaines" is somewhere between 20 and 99.
APPROX_NOUNS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
}
FRACTIONS = {"demi": 2, "moitié": 2, "tiers": 3, "quart": 4, "quarts": 4, "cinquième": 5,
             "cinquièmes": 5, "sixième": 6, "sixièmes": 6, "dixième": 10, "dixièmes": 10}
NUMBER_WORDS = frozenset(words(
    "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze"
    " seize vingt trente quarante cinquante soixante cent cents mille"
))
UNITS = {"%": "%", "pour": "%", "euro": "€", "euros": "€", "€": "€", "dollar": "$", "dollars": "$",
         "$": "$", "km": "km", "kilomètre": "km", "kilomètres": "km", "tonne": "t", "tonnes": "t",
         "kg": "kg", "hectare": "ha", "hectares": "ha"}
# Left context -> qualifier; the longest match wins ("un peu plus de" before "plus de").
QUALIFIER_BEFORE = [
    ("pas moins de", "at_least"), ("pas moins d'", "at_least"), ("un peu plus de", "at_least"),
    ("plus de", "at_least"), ("plus d'", "at_least"), ("au moins", "at_least"),
    ("au minimum", "at_least"), ("au-delà de", "at_least"), ("supérieur à", "at_least"),
    ("supérieure à", "at_least"), ("dépassant", "at_least"), ("dépasse", "at_least"),
    ("un peu moins de", "at_most"), ("pas plus de", "at_most"), ("moins de", "at_most"),
    ("moins d'", "at_most"), ("jusqu'à", "at_most"), ("jusqu'a", "at_most"), ("au plus", "at_most"),
    ("au maximum", "at_most"), ("inférieur à", "at_most"), ("inférieure à", "at_most"),
    ("près de", "approx"), ("près d'", "approx"), ("environ", "approx"), ("quelque", "approx"),
    ("autour de", "approx"), ("approximativement", "approx"), ("à peu près", "approx"),
    ("presque", "approx"), ("aux alentours de", "approx"), ("de l'ordre de", "approx"),
    ("pratiquement", "approx"), ("quasiment", "approx"), ("grosso modo", "approx"),
]
QUALIFIER_AFTER = [("environ", "approx"), ("au moins", "at_least"), ("au plus", "at_most"),
                   ("et plus", "at_least")]
COUNT_NOUNS = frozenset({"nombre", "total", "bilan", "chiffre", "effectif", "effectifs"})
OPINION_VERBS = frozenset({"penser", "croire", "supposer", "imaginer", "sentir", "craindre"})
REPORTED_PARTICIPLES = frozenset({"estimer", "évaluer", "chiffrer", "recenser", "rapporter", "annoncer"})
# Prepositions that start a circumstance ("en douze heures", "d'ici 2027"), not part of what is counted.
_NOT_IN_COUNTED = frozenset({"pour", "que", "en", "dans", "sur", "à", "par", "avec", "depuis", "pendant",
                             "vers", "contre", "entre", "selon", "après", "avant"})
_STOP_COUNT = frozenset({"acl", "acl:relcl", "advcl", "punct", "obl", "obl:mod", "obl:arg", "mark",
                         "ccomp", "xcomp", "parataxis", "appos", "nsubj", "obj", "dep"})


@dataclass
class Found:
    """A quantity while it is being read: tokens, numbers, and what it counts."""

    start: int  # token indices in the doc, end exclusive
    end: int
    value: float
    qualifier: str = "exact"
    low: float | None = None
    high: float | None = None
    of: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    unit: str | None = None
    spelled: bool = False
    counted: Token | None = None
    anchor: Token | None = None
    modality: str | None = None
    extra: dict = field(default_factory=dict)


def _digit_value(text: str) -> float | None:
    if _DOT_THOUSANDS.match(text):
        return float(text.replace(".", ""))
    if text.count(",") == 1 and "." not in text:
        return float(text.replace(",", "."))
    if text.count(".") == 1 and "," not in text:
        return float(text)
    if text.isdigit():
        return float(text)
    return None


def _word_value(words: list[str]) -> float | None:
    try:
        return float(text2num(" ".join(words).lower(), "fr"))
    except ValueError:
        return None


def _is_number_word(token: Token) -> bool:
    lower = token.lower_
    return lower in NUMBER_WORDS or (
        "-" in lower and all(part in NUMBER_WORDS or part in ("et",) for part in lower.split("-"))
    )


def _numbers(sent: Span) -> list[Found]:
    """Raw figures: digit groups ("10", "000"), spelled-out runs, scale and approx nouns."""
    doc = sent.doc
    found: list[Found] = []
    i = sent.start
    while i < sent.end:
        token = doc[i]
        text = token.text
        elided = _ELIDED_DIGITS.match(text)  # "d’1 million": spaCy keeps "d’1" as one token
        if elided:
            text = elided.group(1)
        if _DIGITS.match(text) and not _in_date(token):
            value = _digit_value(text)
            end = i + 1
            # "10 000", "6\u00a0000", "1 200 000": groups of three after a short head.
            if value is not None and text.isdigit() and len(text) <= 3:
                j = i + 1
                digits = text
                while True:
                    k = j
                    if k < sent.end and _SPACE_NUMBER.match(doc[k].text):
                        k += 1
                    adjacent = k < sent.end and doc[k - 1].idx + len(doc[k - 1].text) >= doc[k].idx - 1
                    if adjacent and _GROUP.match(doc[k].text):
                        digits += doc[k].text
                        j = k + 1
                        continue
                    break
                if j > i + 1:
                    value, end = float(digits), j
            if value is None:
                i += 1
                continue
            if _looks_like_year(doc, i, end, text, value):
                i = end
                continue
            found.append(Found(i, end, value, extra={"elided": True} if elided else {}))
            i = end
            continue
        per_cent = token.lower_ == "cent" and i > sent.start and doc[i - 1].lower_ == "pour"
        if _is_number_word(token) and token.ent_type_ not in ("PER", "ORG") and not per_cent:
            j = i
            words = []
            while j < sent.end and (_is_number_word(doc[j]) or (doc[j].lower_ == "et" and words
                                                                 and j + 1 < sent.end
                                                                 and _is_number_word(doc[j + 1]))):
                words.append(doc[j].lower_)
                j += 1
            value = _word_value(words)
            if value is not None:
                found.append(Found(i, j, value, spelled=True))
            i = max(j, i + 1)
            continue
        if token.lower_ in ("un", "une") and i + 1 < sent.end and (
            doc[i + 1].lower_ in SCALES or doc[i + 1].lower_ in FRACTIONS
        ):
            found.append(Found(i, i + 1, 1.0, spelled=True))
            i += 1
            continue
        if token.lower_ == "moitié" and i > sent.start and doc[i - 1].lower_ in ("la", "une", "de"):
            found.append(Found(i - 1, i + 1, 0.5, qualifier="fraction", numerator=1, denominator=2))
            i += 1
            continue
        lemma = token.lower_.rstrip("s")
        if lemma in APPROX_NOUNS and token.pos_ == "NOUN":
            base = float(APPROX_NOUNS[lemma])
            previous = doc[i - 1].lower_ if i > sent.start else ""
            if token.lower_.endswith("s") and previous in ("des", "plusieurs", "quelques", "de"):
                first = i if previous == "de" else i - 1  # "de centaines": the "de" is not the figure's
                found.append(Found(first, i + 1, base * 2, qualifier="range", low=base * 2,
                                   high=base * 10 - 1))
            elif previous in ("une", "un"):
                found.append(Found(i - 1, i + 1, base, qualifier="approx"))
        i += 1
    return found


MONTHS = frozenset(words("janvier février mars avril mai juin juillet août septembre octobre novembre"
                         " décembre"))
# Numbers that name rather than count: "n° 12", "12 rue ...", "2023-1250".
NAMING_BEFORE = frozenset({"n°", "no", "numéro", "article", "art.", "chapitre", "page", "p.", "tome", "vol."})
NAMING_AFTER = frozenset(words("rue avenue boulevard bd place chemin allée quai impasse route"))


def _in_date(token: Token) -> bool:
    """Dates, times, addresses and identifiers: numbers, but not figures a claim states."""
    doc = token.doc
    before = doc[token.i - 1] if token.i > 0 else None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    # "12/03", "14:30", "14 h": glued to a date or time separator (a colon after a space is not)
    if before is not None and before.idx + len(before.text) == token.idx and (
            before.text in ("/", ":") or before.text.endswith("/")):
        return True
    if after is not None and (after.text in ("/", ":") or after.text.startswith("/")) \
            and token.idx + len(token.text) == after.idx:
        return True
    if after is not None and after.lower_ in ("h", "heures", "heure") and after.i + 1 < len(doc) \
            and doc[after.i + 1].like_num:
        return True
    if before is not None and before.lower_ == "h" and token.i >= 2 and doc[token.i - 2].like_num:
        return True  # the "30" of "14 h 30"
    list_marker = after is not None and after.text in (".", ")") and token.idx + len(token.text) == after.idx
    if token.i == 0 and list_marker:
        return True  # "1. ..." / "2) ...": a list number
    if before is not None and before.lower_ in NAMING_BEFORE:
        return True
    if after is not None and (after.lower_ in MONTHS or after.lower_ in NAMING_AFTER):
        return True
    # "2023-1250": digits glued to a hyphen
    glued_before = before is not None and before.text == "-" and before.idx + 1 == token.idx
    glued_after = after is not None and after.text == "-" and token.idx + len(token.text) == after.idx
    if glued_before or glued_after:
        return True
    # "Nadia, 34 ans, ...": an age in apposition describes a person, it is not a figure of the claim
    return (after is not None and after.lower_ == "ans" and before is not None and before.text == ","
            and token.i > 1 and doc[token.i - 2].pos_ == "PROPN")


def _looks_like_year(doc, start: int, end: int, text: str, value: float) -> bool:
    if end != start + 1 or not text.isdigit() or len(text) != 4 or not 1800 <= value <= 2100:
        return False
    following = doc[end] if end < len(doc) else None
    return following is None or following.pos_ not in ("NOUN", "PROPN") or following.lower_ in UNITS


def _words_apart(text: str) -> str:
    """'jusqu'à', "qu'environ", "d’" -> words split after each apostrophe, one space apart."""
    return " ".join(text.replace("’", "'").replace("'", "' ").split())


_QUALIFIERS_SPACED = [(phrase, qualifier, " " + _words_apart(phrase))
                      for phrase, qualifier in QUALIFIER_BEFORE]


def _left_text(doc, start: int, sent: Span, words: int = 5) -> str:
    return _words_apart(" ".join(t.lower_ for t in doc[max(sent.start, start - words): start]))


def _match_before(left: str) -> tuple[str, str] | None:
    padded = " " + left
    best = None
    for phrase, qualifier, spaced in _QUALIFIERS_SPACED:
        matches = padded.endswith(spaced)
        if matches and (best is None or len(phrase) > len(best[0])):
            best = (phrase, qualifier)
    return best


def read_quantities(sent: Span) -> list[Found]:
    """Every figure of a sentence, with qualifier, scale, unit, ranges and ratios merged."""
    doc = sent.doc
    raw = _numbers(sent)
    # Scale nouns: "12 millions", "4,8 milliards", "3 mille".
    for item in raw:
        if item.end < sent.end and doc[item.end].lower_ in SCALES and item.qualifier != "range":
            item.value *= SCALES[doc[item.end].lower_]
            item.end += 1
        elif item.qualifier == "range" and item.end < sent.end and doc[item.end].lower_ in ("de", "d'") \
                and item.end + 1 < sent.end and doc[item.end + 1].lower_ in RANGE_SCALES:
            # "des dizaines de milliers"
            scale = RANGE_SCALES[doc[item.end + 1].lower_]
            item.value *= scale
            item.low = (item.low or 0) * scale
            item.high = ((item.high or 0) + 1) * scale - 1
            item.end += 2
    # "un TGV sur trois": one in three
    for item in raw:
        k = item.start
        if k - 3 >= sent.start and doc[k - 1].lower_ == "sur" and doc[k - 3].lower_ in ("un", "une") \
                and doc[k - 2].pos_ in ("NOUN", "PROPN") and item.qualifier == "exact":
            item.extra["one_in"] = doc[k - 2]
            item.of, item.value, item.qualifier, item.start = item.value, 1.0, "ratio", k - 3
            item.spelled = False
    # An item inside a longer one is part of it: "de milliers" in "des dizaines de milliers",
    # "un" in "un TGV sur trois".
    raw = [item for item in raw if not any(
        other is not item and other.start <= item.start and item.end <= other.end
        and (other.end - other.start) > (item.end - item.start) for other in raw)]
    merged: list[Found] = []
    index = 0
    while index < len(raw):
        item = raw[index]
        nxt = raw[index + 1] if index + 1 < len(raw) else None
        between = [t.lower_ for t in doc[item.end: nxt.start]] if nxt else []
        before = doc[item.start - 1].lower_ if item.start > sent.start else ""
        # Fractions: "les deux tiers", "un quart", "trois cinquièmes".
        if item.qualifier == "fraction":
            merged.append(item)
            index += 1
            continue
        if item.end < sent.end and doc[item.end].lower_ in FRACTIONS and item.value < 20 and item.value >= 1:
            item.numerator = int(item.value)
            item.denominator = FRACTIONS[doc[item.end].lower_]
            item.qualifier = "fraction"
            item.end += 1
            if item.start > sent.start and doc[item.start - 1].lower_ in ("les", "la", "l'", "des"):
                item.start -= 1  # "les deux tiers"
            merged.append(item)
            index += 1
            continue
        if nxt and item.qualifier == "exact" and nxt.qualifier == "exact":
            if (before == "entre" and between == ["et"]) or (before == "de" and between in (["à"], ["a"])):
                scale_left = item.value
                if nxt.value >= 1000 and item.value < 1000 and doc[nxt.end - 1].lower_ in SCALES:
                    scale_left = item.value * SCALES[doc[nxt.end - 1].lower_]
                item = Found(item.start - 1, nxt.end, nxt.value, qualifier="range", low=scale_left,
                             high=nxt.value)
                merged.append(item)
                index += 2
                continue
            if between in (["des"], ["sur"], ["sur", "les"], ["parmi", "les"], ["de", "ses"]) \
                    and nxt.value > item.value:
                merged.append(Found(item.start, nxt.end, item.value, qualifier="ratio", of=nxt.value))
                index += 2
                continue
            # "1 oiseau sur 10 000": one in ten thousand
            if len(between) == 2 and between[1] == "sur" and doc[item.end].pos_ in ("NOUN", "PROPN") \
                    and nxt.value > item.value:
                ratio = Found(item.start, nxt.end, item.value, qualifier="ratio", of=nxt.value)
                ratio.extra["one_in"] = doc[item.end]
                merged.append(ratio)
                index += 2
                continue
        merged.append(item)
        index += 1
    for item in merged:
        if item.spelled and item.qualifier == "exact" and item.value < 10 and item.start > sent.start \
                and doc[item.start - 1].pos_ == "DET" \
                and doc[item.start - 1].lower_ not in ("des", "un", "une") \
                and not (item.end < sent.end and doc[item.end].lower_ in SCALES):
            item.extra["anaphoric"] = True  # "les deux nations": a reference back, not a figure
        if item.spelled and item.value == 1 and item.qualifier == "exact":
            item.extra["anaphoric"] = True
        if item.qualifier in ("exact",):
            left = _left_text(doc, item.start, sent)
            if item.extra.get("elided"):
                left = _words_apart(left + " d'")
            match = _match_before(left)
            if match:
                phrase, qualifier = match
                item.qualifier = qualifier
                if item.extra.get("elided") and phrase.endswith("d'"):
                    phrase = phrase[:-2].strip()  # the "d’" is inside the number's token
                item.start -= _token_count(doc, item.start, sent, phrase)
            else:
                right = " ".join(t.lower_ for t in doc[item.end: min(item.end + 2, sent.end)])
                for phrase, qualifier in QUALIFIER_AFTER:
                    if right.startswith(phrase):
                        item.qualifier = qualifier
                        item.end += len(phrase.split())
                        break
        # Units: "40 %", "40 pour cent", "5 millions d'euros".
        # "5\u202f%": a narrow no-break space between the figure and its unit
        spaced_unit = item.end + 1 < sent.end and doc[item.end].is_space \
            and doc[item.end + 1].lower_ in UNITS and doc[item.end + 1].lower_ != "pour"
        if spaced_unit:
            item.unit = UNITS[doc[item.end + 1].lower_]
            item.end += 2
        if item.end < sent.end and item.unit is None:
            word = doc[item.end].lower_
            per_cent = word == "pour" and item.end + 1 < sent.end and doc[item.end + 1].lower_ == "cent"
            if word == "%" or per_cent:
                item.unit = "%"
                item.end += 1 if word == "%" else 2
            elif word in UNITS and word != "pour":
                item.unit = UNITS[word]
                item.end += 1
            elif word in ("d'", "de") and item.end + 1 < sent.end and doc[item.end + 1].lower_ in UNITS \
                    and doc[item.end + 1].lower_ not in ("%", "pour"):
                item.unit = UNITS[doc[item.end + 1].lower_]
                item.end += 2
    return [item for item in merged if not item.extra.get("anaphoric")]


def _token_count(doc, start: int, sent: Span, phrase: str) -> int:
    """How many tokens before `start` spell `phrase` (tokenisation of "d'", "jusqu'" varies)."""
    target = phrase.replace(" ", "").replace("'", "")
    text = ""
    for count, k in enumerate(range(start - 1, sent.start - 1, -1), start=1):
        text = doc[k].lower_.replace("'", "").replace("’", "") + text
        if text.endswith(target) and len(text) >= len(target):
            return count
    return 0


# ---- what is counted, and what is said of it ----

def _compact_phrase_end(head: Token) -> int:
    """End of the noun phrase headed by `head`: adjectives, "et ouvriers", "du bâtiment"."""
    end = head.i + 1
    doc = head.doc
    while end < len(doc):
        token = doc[end]
        if token.is_punct or token.is_space:
            break
        ancestor = token
        inside = False
        depth = 0
        while ancestor.head.i != ancestor.i and depth < 4:
            if ancestor.head.i == head.i or (ancestor.head.i >= head.i and ancestor.head.i < end):
                inside = ancestor.dep_ not in _STOP_COUNT
                break
            ancestor = ancestor.head
            depth += 1
        if not inside or token.like_num or token.pos_ in ("VERB", "AUX", "SCONJ", "PRON", "NUM", "ADV") \
                or token.lower_ in _NOT_IN_COUNTED:
            break
        end += 1
        if end - head.i > 6:
            break
    # Do not end on a conjunction or a preposition.
    while end - 1 > head.i and doc[end - 1].pos_ in ("CCONJ", "ADP", "DET"):
        end -= 1
    return end


def _counted_noun(item: Found, sent: Span) -> Token | None:
    doc = sent.doc
    end = item.end
    if end < sent.end and doc[end].lower_ in ("de", "d'", "des", "du", "d’") and end + 1 < sent.end:
        k = end + 1
        # "les deux tiers des 3 500 salariés": skip a determiner and the figure that follows
        while k + 1 < sent.end and (doc[k].pos_ in ("DET", "ADJ") or doc[k].like_num or doc[k].is_space):
            k += 1
        nxt = doc[k]
        if nxt.pos_ in ("NOUN", "PROPN"):
            return nxt
    if end < sent.end and doc[end].pos_ in ("NOUN", "PROPN") and doc[end].lower_ not in ("de",):
        return doc[end]
    if end < sent.end and doc[end].pos_ == "ADJ" and end + 1 < sent.end and doc[end + 1].pos_ == "NOUN":
        return doc[end + 1]
    last = doc[end - 1]
    governor = last.head
    if last.dep_ in ("nummod", "det", "amod") and governor.pos_ in ("NOUN", "PROPN") \
            and end <= governor.i < sent.end and governor.i - end <= 2:
        return last.head
    return None


def _count_noun_of_sentence(sent: Span) -> Token | None:
    """'le nombre de victimes ... à 6 000': the counted noun is named by "nombre de"."""
    for token in sent:
        if token.lemma_ in COUNT_NOUNS:
            for child in token.children:
                if child.pos_ in ("NOUN", "PROPN") and child.i > token.i:
                    return child
            nxt = token.i + 2
            if nxt < sent.end and token.doc[token.i + 1].lower_ in ("de", "d'", "des"):
                candidate = token.doc[nxt]
                if candidate.pos_ in ("NOUN", "PROPN"):
                    return candidate
    return None


def _predicate(anchor: Token) -> list[str]:
    """Lemmas of what the sentence says of the counted thing: ["mort"], ["perdre", "vie"]."""
    head = anchor
    # Walk up from a noun phrase to the clause it is a subject or object of.
    for _ in range(3):
        if head.dep_ in ("nsubj", "nsubj:pass", "obj", "obl", "obl:arg", "obl:mod", "nmod") \
                or head.head.i == head.i:
            break
        head = head.head
    if head.head.i == head.i and head is anchor:
        return []
    governor = head.head
    if head.dep_ == "nmod" and governor.pos_ in ("NOUN", "PROPN") and governor.dep_ not in ("ROOT",):
        governor = governor.head
    participle = next((c for c in anchor.children if c.dep_ == "acl" and c.pos_ == "VERB"), None)
    if participle is not None:
        return [participle.lemma_.lower()]
    lemmas = [governor.lemma_.lower()]
    if governor.pos_ == "VERB" and head.dep_.startswith("nsubj"):
        for child in governor.children:
            if child.dep_ == "obj" and child.pos_ == "NOUN":
                lemmas.append(child.lemma_.lower())
                break
    return lemmas


def _quantity_modality(anchor: Token) -> str | None:
    token = anchor
    for _ in range(6):
        passive = not any(c.dep_ == "aux:tense" for c in token.children)  # "estimées", not "a estimé"
        if token.pos_ in ("VERB", "ADJ", "NOUN") and token.lemma_ in REPORTED_PARTICIPLES and \
                "Part" in token.morph.get("VerbForm") and passive:
            return "reported"
        if token.lemma_ in OPINION_VERBS and any(
            c.dep_.startswith("nsubj") and c.lower_ in ("je", "j'", "nous") for c in token.children
        ):
            return "opinion"
        if token.lemma_ == "estimer" and token.pos_ == "VERB":
            return "reported"
        if token.head.i == token.i:
            break
        token = token.head
    return None


def to_quantities(sent: Span) -> list[tuple[Quantity, Found]]:
    """The quantities of one sentence, each with its counted noun phrase and topic."""
    doc = sent.doc
    items = read_quantities(sent)
    results: list[tuple[Quantity, Found]] = []
    previous: Found | None = None
    fallback = None
    for item in items:
        noun = item.extra.get("one_in") or _counted_noun(item, sent)
        if noun is None and item.unit in (None, "%"):
            fallback = fallback or _count_noun_of_sentence(sent)
            noun = fallback if fallback is not None and abs(fallback.i - item.start) < 12 else None
            if noun is None and previous is not None and previous.counted is not None:
                noun = previous.counted
        item.counted = noun
        anchor = noun if noun is not None and (noun.i >= item.start and noun.i <= item.end + 2) \
            else doc[item.end - 1]
        if item.qualifier == "fraction" or noun is None or noun.i < item.start:
            anchor = doc[item.end - 1]
        item.anchor = anchor
        counted_text = None
        counted_lemmas: list[str] = []
        if noun is not None:
            end = _compact_phrase_end(noun)
            counted_text = doc[noun.i:end].text
            counted_lemmas = [noun.lemma_.lower()] + [
                t.lemma_.lower() for t in doc[noun.i + 1:end] if t.pos_ == "ADJ" and t.head.i == noun.i
            ]
        predicate = _predicate(anchor)
        item.modality = _quantity_modality(anchor)
        surface = doc[item.start:item.end].text
        quantity = Quantity(
            surface=surface, qualifier=item.qualifier,  # type: ignore[arg-type]
            value=item.value if item.qualifier not in ("range", "fraction") else None,
            low=item.low, high=item.high, of=item.of, numerator=item.numerator,
            denominator=item.denominator, unit=item.unit, counts=counted_text,
            topic=topic_for(counted_lemmas, predicate) if counted_lemmas or predicate else None,
            modality=item.modality,
        )
        results.append((quantity, item))
        previous = item
    return results
