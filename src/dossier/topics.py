"""What a figure counts, normalised, so claims about the same thing can be compared.

Shared by `extract` (which writes a `topic` into each quantity of a claim
file) and `analyse` (which compares quantities by topic). No spaCy here: the
extractor passes lemmas in; `topic_from_text` does the same from the plain
words of a `counts` field, for files written or edited by hand.

A topic is `measure` or `measure/qualifier/qualifier...`:

* the *measure* is what a figure counts. Human tolls get a fixed name, because
  French words them in many ways: `morts` ("morts", "tués", "décès", "ont perdu
  la vie", "sont morts", "ont succombé"), `blesses` ("blessés"), `victimes`
  ("victimes", "pertes": casualties, dead and wounded together: *not* deaths),
  `troupes` ("soldats", "militaires", "combattants", people "envoyés en
  renfort"), `personnes` (a people or a crowd: "12 000 Nord-Coréens"). Any
  other figure is measured by its noun ("obus", "localite", "ingenieur").
* the *qualifiers* say whose or which: "nord-coreen" for "soldats
  nord-coréens" and "Nord-Coréens envoyés" alike, "artillerie" for "obus
  d'artillerie". Places are left out on purpose ("soldats en Ukraine" and
  "soldats envoyés à la Russie" are the same soldiers); the analysis compares
  claims' places separately.

People may correct a topic by hand in a claim file: any string works, and two
quantities with the same topic are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .slugs import slugify

# ---- the measures a toll can have ------------------------------------------------------------

DEATHS, INJURED, CASUALTIES, TROOPS, PEOPLE = "morts", "blesses", "victimes", "troupes", "personnes"
DISPLACED, EVACUATED = "deplaces", "evacues"
PERSON_MEASURES: frozenset[str] = frozenset({DEATHS, INJURED, CASUALTIES, TROOPS, PEOPLE, DISPLACED,
                                             EVACUATED})

# Words (accents folded, singular) that name a death toll, as a noun or as what is said of people.
_DEATH_WORDS = frozenset({
    "mort", "morte", "mourir", "deces", "decede", "decedee", "deceder", "tue", "tuee", "tuer", "perir",
    "succomber", "succombe",
    "defunt", "mortellement", "abattu", "abattre", "execute", "executer", "assassine",
    "assassiner", "noye", "noyer",
})
# Two-word predicates: "perdre la vie", "trouver la mort", "laisser la vie", "tomber au combat".
_DEATH_PAIRS = (("perdre", "vie"), ("trouver", "mort"), ("laisser", "vie"), ("tomber", "combat"),
                ("tomber", "front"))
_INJURED_WORDS = frozenset({"blesse", "blessee", "blesser", "blessure"})
# "Victimes" and "pertes" count the dead and the wounded (sometimes the missing) together.
_CASUALTY_WORDS = frozenset({"victime", "perte"})
_TROOP_WORDS = frozenset({
    "soldat", "militaire", "troupe", "combattant", "fantassin", "mercenaire", "conscrit", "recrue",
    "renfort", "commando", "parachutiste", "reserviste", "effectif", "combattre", "combat", "front",
    "mobiliser", "mobilise", "enroler", "enrole", "guerroyer",
})
# People forced from their homes ("déplacés", "ont fui", "réfugiés"); evacuated is another count.
_DISPLACED_WORDS = frozenset({"deplace", "deplacer", "fuir", "exile", "exiler", "refugie", "refugier",
                              "deracine", "deraciner"})
_EVACUATED_WORDS = frozenset({"evacue", "evacuer"})
# What is done to a people or a crowd that makes them troops: "Nord-Coréens envoyés", "déployés".
_SENT_WORDS = frozenset({"envoyer", "envoye", "deployer", "deploye", "depecher", "engager", "engage"})
# Reporting verbs say who counted, not what: "ont été recensés", "a affirmé que".
_REPORTING = frozenset({
    "affirmer", "declarer", "dire", "annoncer", "indiquer", "preciser", "ajouter", "expliquer",
    "rapporter", "signaler", "recenser", "denombrer", "compter", "estimer", "evaluer", "chiffrer",
    "evoquer", "assurer", "confirmer", "selon", "elever", "totaliser", "representer", "penser",
    "croire", "rester", "devenir", "sembler", "paraitre",
})
# Heads that say "people" and nothing more: the qualifiers or the predicate say who.
_GENERIC_PEOPLE = frozenset({"personne", "individu", "gens", "homme", "femme", "ressortissant", "ame"})
# Heads that are a way of counting, not the thing counted: "le nombre de victimes", "les deux tiers".
_COUNTING_WORDS = frozenset({
    "nombre", "total", "bilan", "chiffre", "quantite", "ensemble", "majorite", "minorite", "moitie",
    "tiers", "quart", "cinquieme", "dixieme", "part", "partie", "pourcentage", "proportion", "taux",
    "millier", "centaine", "dizaine", "douzaine", "vingtaine", "trentaine", "quarantaine",
    "cinquantaine", "soixantaine", "million", "milliard", "lot", "serie", "estimation", "somme",
    "moins", "plus", "environ", "pres", "quelque", "au-moins", "cent", "mille", "pour-cent",
})
# Units of time and measure: "un homme de 74 ans est mort" does not count deaths in years.
_UNITS = frozenset({
    "an", "annee", "mois", "semaine", "jour", "journee", "heure", "minute", "seconde", "siecle",
    "decennie", "metre", "kilometre", "km", "centimetre", "hectare", "kilo", "kilogramme", "kg",
    "gramme", "tonne", "litre", "degre", "euro", "dollar", "livre", "franc", "yen", "yuan", "rouble",
    "pourcent", "point", "habitant-an", "mile", "pied", "baril", "watt", "megawatt", "kilowatt",
})
# Function words and evaluative adjectives that say nothing about what is counted.
_STOP = frozenset({
    "le", "la", "les", "l", "un", "une", "de", "du", "des", "d", "et", "ou", "ce", "cet", "cette",
    "ces", "son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos", "mon", "ma", "mes",
    "qui", "que", "dont", "y", "en", "ne", "pas", "se", "s", "il", "ils", "elle", "elles", "on",
    "etre", "avoir", "faire", "a", "au", "aux", "sur", "par", "pour", "avec", "nouveau", "autre",
    "recent", "lourd", "premier", "dernier", "seul", "meme", "tel", "certain", "divers", "plusieurs",
    "nombreux", "grand", "petit", "important", "considerable", "supplementaire", "officiel", "estime",
    "exact", "global", "environ", "deja", "encore", "tout", "tous", "toute", "toutes", "quelque",
    "aucun", "chaque", "different", "rien", "plus", "moins", "pres", "entre", "jusque", "jusqu",
    "selon", "apres", "avant", "ici", "la-bas", "estimer", "compter", "recenser", "atteindre",
    "envoye", "deploye", "signale", "annonce", "cumule",
    # number words: the figure is in the quantity, not in what it counts
    "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize",
    "quatorze", "quinze", "seize", "vingt", "trente", "quarante", "cinquante", "soixante", "septante",
    "octante", "nonante",
})
# A qualifier after one of these is where or when, not what: "soldats en Ukraine", "morts à Lyon".
_PLACE_PREPOSITIONS = frozenset({
    "a", "au", "aux", "en", "dans", "vers", "chez", "pour", "par", "avec", "contre", "depuis",
    "pendant", "sur", "sous", "selon", "durant", "lors", "outre", "parmi",
})
# Nouns whose singular ends in s or x ("les obus" is one "obus"); spaCy sometimes cuts them ("obu").
_INVARIABLE = frozenset({
    "obus", "corps", "pays", "mois", "fois", "temps", "poids", "prix", "choix", "voix", "croix",
    "paix", "bras", "repas", "cas", "avis", "colis", "virus", "processus", "campus", "bus", "tas",
    "dos", "os", "heros", "proces", "progres", "succes", "acces", "deces", "exces", "abus", "refus",
    "recours", "discours", "concours", "parcours", "secours", "cours", "bois", "souris", "tapis",
    "fils", "puits", "jus", "gaz", "nez", "riz", "taux", "noix", "flux", "tiers", "univers",
    "mas", "relais", "palais", "marais", "rebus", "pus", "anglais", "francais", "chinois",
    "japonais", "libanais", "senegalais", "congolais", "suedois", "danois", "finnois", "hongrois",
    "quebecois", "ecossais", "irlandais", "portugais", "neerlandais", "polonais", "taiwanais",
    "soudanais", "pakistanais", "vietnamien",
})
_DEMONYM_RE = re.compile(r"^((nord|sud|est|ouest)-)|(een|ien|ain|ais|ois)$")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
SEPARATOR = "/"


def fold(word: str) -> str:
    """Lower case, accents off, ligatures spelled out: "Nord-Coréennes" -> "nord-coreennes"."""
    text = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("œ", "oe").replace("æ", "ae").strip(" '-")


def singular(word: str) -> str:
    """A folded French word in the masculine singular, by general spelling rules.

    spaCy's lemmas are mostly singular already, but not always for nouns of
    peoples ("Américaines" -> "americaine") nor for words read from plain text.
    """
    if word in _INVARIABLE:
        return word
    if word + "s" in _INVARIABLE:  # spaCy's "obu" for "obus"
        return word + "s"
    if len(word) > 3 and word.endswith("aux") and not word.endswith("eaux"):
        word = word[:-3] + "al"
    elif len(word) > 3 and word.endswith(("s", "x")) and not word.endswith(("ss", "us")):
        word = word[:-1]
    if word in _INVARIABLE:
        return word
    # Feminine forms of adjectives and nouns of peoples: -ienne, -éenne, -aine, -aise, -oise, -ée.
    for feminine, masculine in (("enne", "en"), ("aine", "ain"), ("aise", "ais"), ("oise", "ois"),
                                ("ande", "and")):
        if word.endswith(feminine) and len(word) > len(feminine) + 2:
            return word[: -len(feminine)] + masculine
    return word


def _words(items: Sequence[str]) -> list[tuple[str, bool]]:
    """(normalised word, written with a capital) for each word of the lemmas or text given."""
    words = []
    for item in items:
        for match in _WORD_RE.finditer(item or ""):
            raw = match.group(0)
            # "d'artillerie" -> "artillerie": elided articles and prepositions are not words here.
            if "'" in raw.replace("’", "'"):
                head, _, tail = raw.replace("’", "'").partition("'")
                if fold(head) in ("d", "l", "qu", "j", "n", "s", "c", "jusqu", "lorsqu", "puisqu"):
                    if fold(head) in ("qu", "jusqu"):
                        words.append((fold(head), False))
                    raw = tail
            folded = fold(raw)
            if folded:
                words.append((singular(folded), raw[:1].isupper()))
    return words


def _is_verb_lemma(word: str) -> bool:
    # Infinitives ("envoyer", "choisir") are what is done to the counted, not what is counted.
    return (word.endswith("er") and not word.endswith("ier")) or word.endswith("ir")


def _measure_of(words: Sequence[str]) -> str | None:
    present = set(words)
    if present & _DEATH_WORDS or any(a in present and b in present for a, b in _DEATH_PAIRS):
        return DEATHS
    if present & _INJURED_WORDS:
        return INJURED
    if present & _CASUALTY_WORDS:
        return CASUALTIES
    if present & _DISPLACED_WORDS:
        return DISPLACED
    if present & _EVACUATED_WORDS:
        return EVACUATED
    if present & _TROOP_WORDS:
        return TROOPS
    return None


def is_people(word: str) -> bool:
    """A noun of a people ("nord-coreen", "ukrainien", "francais"), judged by its form."""
    return bool(_DEMONYM_RE.search(word)) and len(word) >= 5


def topic_for(counted: Sequence[str], predicate: Sequence[str] = ()) -> str:
    """A topic for a quantity (see the module docstring for its form).

    `counted`: lemmas (or words) of the counted noun phrase, head first, e.g.
    ["soldat", "nord-coréen"]; `predicate`: lemmas of what is said of them,
    e.g. ["perdre", "vie"] or ["mort"]. Returns e.g. "troupes/nord-coreen" for
    "soldats nord-coréens" and for "Nord-Coréens envoyés en renfort", and
    "morts" for "ont perdu la vie". An empty phrase gives "x".
    """
    counted_words = _words(counted)
    predicate_words = [w for w, _ in _words(predicate)]
    # The phrase stops where a place or a time starts: "soldats nord-coréens | en Ukraine".
    kept: list[tuple[str, bool]] = []
    after: list[str] = []  # past the place: still tells the measure ("envoyés en renfort")
    for index, (word, capital) in enumerate(counted_words):
        if word in _PLACE_PREPOSITIONS and kept:
            after = [w for w, _ in counted_words[index:]]
            break
        kept.append((word, capital))
    predicate_words = predicate_words + after
    content = [(w, c) for w, c in kept if w not in _STOP and w not in _PLACE_PREPOSITIONS]
    # "le nombre de victimes", "les deux tiers": skip the counting word to reach what is counted.
    while content and content[0][0] in _COUNTING_WORDS:
        content = content[1:]
    predicate_words = [w for w in predicate_words if w not in _STOP and w not in _REPORTING]
    if not content and not predicate_words:
        return "x"
    all_words = [w for w, _ in content] + predicate_words
    head = content[0][0] if content else None
    if head is None and _measure_of(predicate_words) not in (DEATHS, INJURED, CASUALTIES):
        # Nothing counted is named ("a promis de verser 2 millions d'euros"): what is done
        # with the figure is all there is to compare it by.
        return slugify(predicate_words[0])
    if head in _UNITS:
        return slugify(head)
    measure = _measure_of([head] if head else []) or None
    qualifiers: list[str] = []
    rest = content[1:] if content else []
    if measure is None:
        if head is None or head in _GENERIC_PEOPLE or is_people(head):
            # A people or a crowd: what is said of them tells what the figure counts
            # ("personnes déplacées", "Nord-Coréens envoyés"), or at least which crowd it is
            # ("personnes/manifester" is not "personnes/interpeller").
            measure = _measure_of(all_words) or (TROOPS if set(all_words) & _SENT_WORDS else None)
            if measure is None:
                measure = PEOPLE
                verbs = [w for w in predicate_words if not _measure_of([w])]
                if verbs:
                    qualifiers.append(verbs[0])
            if head is not None and head not in _GENERIC_PEOPLE:
                qualifiers.append(head)
        elif (toll := _measure_of([w for w, _ in rest] + predicate_words)) in (DEATHS, INJURED):
            # "trois ouvriers tués": a death toll, of workers.
            measure = toll
            qualifiers.append(head)
        else:
            measure = slugify(head)
    elif measure == TROOPS:
        # "soldats tués" is a death toll; "soldats blessés" an injury toll.
        measure = _measure_of(all_words) or TROOPS
    elif measure == CASUALTIES and _measure_of(all_words) == DEATHS and head not in _CASUALTY_WORDS:
        measure = DEATHS
    for word, capital in rest:
        if (word in _COUNTING_WORDS or word in _GENERIC_PEOPLE or _measure_of([word])
                or _is_verb_lemma(word) or word == head):
            continue
        if capital and not is_people(word):
            continue  # a place, a person, an organisation: compared through the claim's entities
        qualifiers.append(word)
    qualifiers = sorted({slugify(q) for q in qualifiers if q})
    return SEPARATOR.join([measure, *qualifiers])


def topic_from_text(counts: str | None) -> str | None:
    """The topic of a `counts` text written in plain words ("soldats nord-coréens en Ukraine")."""
    if not counts or not counts.strip():
        return None
    topic = topic_for([counts])
    return None if topic == "x" else topic


def split_topic(topic: str) -> tuple[str, frozenset[str]]:
    """"morts/nord-coreen" -> ("morts", {"nord-coreen"})."""
    measure, *qualifiers = [part.strip() for part in topic.split(SEPARATOR)]
    return measure, frozenset(q for q in qualifiers if q)


_MEASURE_LABELS = {
    "fr": {DEATHS: "morts", INJURED: "blessés", CASUALTIES: "victimes (morts et blessés)",
           TROOPS: "soldats", PEOPLE: "personnes"},
    "en": {DEATHS: "deaths", INJURED: "injured", CASUALTIES: "casualties (dead and wounded)",
           TROOPS: "troops", PEOPLE: "people"},
}


def topic_label(topic: str, language: str = "fr") -> str:
    """A readable name for a topic: "morts/nord-coreen" -> "morts (nord-coreen)"."""
    measure, qualifiers = split_topic(topic)
    label = _MEASURE_LABELS.get(language, _MEASURE_LABELS["fr"]).get(measure, measure.replace("-", " "))
    if qualifiers:
        label += f" ({', '.join(sorted(qualifiers))})"
    return label
