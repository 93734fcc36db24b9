"""French figures on sentences written for these tests (no seed wording)."""

from __future__ import annotations

import pytest

from dossier.extract.quantities import to_quantities

pytestmark = pytest.mark.slow


def quantities(parse, text: str):
    return [q for sent in parse(text) for q, _ in to_quantities(sent)]


def only(parse, text: str):
    found = quantities(parse, text)
    assert len(found) == 1, [q.surface for q in found]
    return found[0]


@pytest.mark.parametrize(("text", "value", "qualifier", "counts"), [
    ("Près de 5 millions de personnes ont voté dimanche.", 5_000_000, "approx", "personnes"),
    ("Environ 10 000 manifestants ont défilé à Lyon.", 10_000, "approx", "manifestants"),
    ("Environ 10\u00a0000 manifestants ont défilé à Lyon.", 10_000, "approx", "manifestants"),
    ("Le séisme a fait 4.700 morts selon le dernier bilan.", 4_700, "exact", "morts"),
    ("La banque a perdu 1 200 000 clients en un an.", 1_200_000, "exact", "clients"),
    ("Plus de 300 écoles sont restées fermées.", 300, "at_least", "écoles"),
    ("Au moins 12 soldats ont été blessés.", 12, "at_least", "soldats"),
    ("Moins de 50 électeurs se sont déplacés.", 50, "at_most", "électeurs"),
    ("Le projet coûtera quelque 800 millions d'euros.", 800_000_000, "approx", None),
    ("Vingt-trois familles ont été relogées.", 23, "exact", "familles"),
    ("Deux mille policiers seront mobilisés samedi.", 2000, "exact", "policiers"),
])
def test_figures_and_qualifiers(parse, text, value, qualifier, counts):
    quantity = only(parse, text)
    assert (quantity.value, quantity.qualifier) == (value, qualifier)
    if counts:
        assert quantity.counts.split()[0] == counts


def test_up_to_with_decimal_comma_and_scale(parse):
    quantity = only(parse, "Les pluies pourraient toucher jusqu'à 4,8 millions d'habitants.")
    assert (quantity.value, quantity.qualifier, quantity.counts) == (4_800_000, "at_most", "habitants")


def test_percent_with_approx(parse):
    quantity = only(parse, "Environ 40 % des électeurs ont voté pour la réforme.")
    assert (quantity.value, quantity.qualifier, quantity.unit) == (40, "approx", "%")
    assert quantity.counts == "électeurs"


def test_tens_of(parse):
    quantity = only(parse, "Des dizaines de civils ont fui la ville.")
    assert (quantity.qualifier, quantity.low, quantity.high, quantity.counts) == ("range", 20, 99, "civils")
    thousands = only(parse, "Des dizaines de milliers de réfugiés attendent à la frontière.")
    assert (thousands.low, thousands.high) == (20_000, 99_999)


def test_range_between(parse):
    quantity = only(parse, "Le coût est estimé entre 3 et 5 millions de dollars.")
    assert (quantity.qualifier, quantity.low, quantity.high, quantity.unit) == ("range", 3e6, 5e6, "$")
    spaced = only(parse, "Les pertes sont évaluées entre 2 000 et 3 500 hommes.")
    assert (spaced.low, spaced.high) == (2000, 3500)


def test_ratio_and_fraction(parse):
    ratio = only(parse, "Douze des 40 communes ont voté contre le projet.")
    assert (ratio.qualifier, ratio.value, ratio.of) == ("ratio", 12, 40)
    fraction = only(parse, "Les trois quarts des salariés sont en grève.")
    assert (fraction.qualifier, fraction.numerator, fraction.denominator) == ("fraction", 3, 4)
    half = only(parse, "La moitié des maisons a été détruite.")
    assert (half.numerator, half.denominator) == (1, 2)


def test_an_elided_noun_is_borrowed_from_the_previous_figure(parse):
    found = quantities(parse, "Sur les 900 passagers du navire, plus de 200 ont été secourus.")
    assert [(q.value, q.qualifier) for q in found] == [(900, "exact"), (200, "at_least")]
    assert found[1].counts.startswith("passagers")


def test_opinion_inside_a_quote_is_marked_on_the_figure(parse):
    found = quantities(parse, "« Je pense que la moitié des bâtiments sont détruits », a-t-il dit.")
    assert found[0].modality == "opinion"
    estimated = quantities(parse, "Les dégâts, estimés à 2 millions d'euros, sont considérables.")
    assert estimated[0].modality == "reported"


@pytest.mark.parametrize("text", [
    "Kim Jong-un a reçu le ministre mardi.",          # "un" in a name is not a number
    "Le texte a été adopté en 2023 par le Parlement.",  # a year
    "La réunion du 12/03/2024 a été annulée.",          # a date
    "Les deux pays ont signé l'accord.",                # "les deux": a reference back
    "Un officier a parlé à la presse.",                 # an article, not a count
])
def test_not_figures(parse, text):
    assert quantities(parse, text) == []


def test_topic_uses_counted_and_predicate_lemmas(parse):
    quantity = only(parse, "Plus de 4 000 soldats ont perdu la vie.")
    assert quantity.topic


@pytest.mark.parametrize("text", [
    "Le 3 mars, un homme a été interpellé.",              # a date
    "Il habite au 12 rue Victor-Hugo à Lille.",           # an address
    "La loi n° 2023-1250 est entrée en vigueur.",        # an identifier
    "Entre 2019 et 2022, le club a changé de stade.",   # years
])
def test_numbers_that_name_rather_than_count(parse, text):
    assert quantities(parse, text) == []


def test_fraction_of_a_figure_counts_what_the_figure_counts(parse):
    found = quantities(parse, "Les deux tiers des 3 500 salariés sont en grève.")
    assert found[0].surface == "Les deux tiers" and found[0].counts == "salariés"
    assert (found[1].value, found[1].counts) == (3500, "salariés")


def test_coordinated_figures_are_separate(parse):
    found = quantities(parse, "Le bilan s'élève à 132 morts et 2 400 blessés.")
    assert [(q.value, q.counts) for q in found] == [(132, "morts"), (2400, "blessés")]


def test_qualifier_after_an_elided_que_and_unit_after_a_narrow_space(parse):
    quantity = only(parse, "Le ministère a indiqué qu'environ 250 000 personnes avaient manifesté.")
    assert (quantity.value, quantity.qualifier) == (250_000, "approx")
    percent = only(parse, "Les prix ont connu une hausse de 5\u202f% sur un an.")
    assert (percent.value, percent.unit) == (5, "%")
    euros = only(parse, "Au total, 20 000 € d'amendes ont été infligées.")
    assert (euros.value, euros.unit, euros.counts) == (20_000, "€", "amendes")


def test_a_figure_after_a_colon_is_a_figure_but_a_time_is_not(parse):
    quantity = only(parse, "Retraites : 1,2 million de manifestants dans les rues.")
    assert (quantity.value, quantity.counts) == (1_200_000, "manifestants")
    assert quantities(parse, "Le train part à 14:30 de Lyon.") == []
    assert quantities(parse, "Le train part à 14 h 30 de Lyon.") == []


def test_pour_cent(parse):
    quantity = only(parse, "Quelque 40 pour cent des électeurs se sont abstenus.")
    assert (quantity.value, quantity.unit, quantity.qualifier) == (40, "%", "approx")


def test_a_list_number_is_not_a_figure(parse):
    assert quantities(parse, "2. Le Sénat a adopté le texte.") == []


def test_typographic_apostrophes_and_elided_de(parse):
    quantity = only(parse, "Selon l’Insee, plus d’1 million d’enfants vivent sous le seuil de pauvreté.")
    assert (quantity.surface, quantity.qualifier, quantity.value) == ("plus d’1 million", "at_least", 1e6)
    assert quantity.counts == "enfants"
    up_to = only(parse, "Jusqu’à 4,8 millions d’habitants seraient concernés.")
    assert (up_to.qualifier, up_to.value, up_to.counts) == ("at_most", 4.8e6, "habitants")
