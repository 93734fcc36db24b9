"""topics.py: the same thing counted in different words gets the same topic."""

from __future__ import annotations

import pytest

from dossier.topics import singular, split_topic, topic_for, topic_from_text, topic_label


@pytest.mark.parametrize("counted, predicate", [
    (["soldat", "nord-coréen"], ["combattre"]),
    (["nord-coréen"], ["envoyer", "renfort"]),
    (["nord-coréen", "envoyer", "en", "renfort", "à", "Russie"], []),
    (["militaire", "nord-coréen"], []),
    (["troupe", "nord-coréen"], ["déployer"]),
])
def test_troops_of_a_people(counted, predicate):
    assert topic_for(counted, predicate) == "troupes/nord-coreen"


@pytest.mark.parametrize("counted, predicate", [
    (["mort"], []),
    ([], ["perdre", "vie"]),
    ([], ["être", "mort"]),
    (["tiers"], ["mourir"]),
    (["personne"], ["décéder"]),
    (["personne"], ["tuer"]),
    (["décès"], []),
    ([], ["succomber"]),
    ([], ["trouver", "mort"]),
])
def test_deaths_however_worded(counted, predicate):
    assert topic_for(counted, predicate) == "morts"


def test_deaths_of_a_group_keep_the_group():
    assert topic_for(["nord-coréen"], ["perdre", "vie"]) == "morts/nord-coreen"
    assert topic_for(["soldat", "nord-coréen"], ["tuer"]) == "morts/nord-coreen"
    assert topic_from_text("Nord-Coréens morts") == "morts/nord-coreen"
    assert topic_from_text("morts nord-coréens") == "morts/nord-coreen"
    assert topic_for(["ouvrier"], ["tuer"]) == "morts/ouvrier"


def test_displaced_people_however_worded():
    assert topic_for(["personne"], ["déplacer"]) == topic_for(["personne"], ["fuir"]) == "deplaces"
    assert topic_for(["déplacé"]) == "deplaces"
    assert topic_for(["réfugié"]) == "deplaces"
    assert topic_for(["personne"], ["évacuer"]) == "evacues"


def test_a_crowd_is_told_apart_by_what_it_does():
    assert topic_for(["personne"], ["manifester"]) == "personnes/manifester"
    assert topic_for(["personne"], ["interpeller"]) == "personnes/interpeller"
    assert topic_for(["nord-coréen"], ["capturer"]) == "personnes/capturer/nord-coreen"
    assert topic_for(["personne"], ["affirmer"]) == "personnes"  # a reporting verb says nothing


@pytest.mark.parametrize("counted", [["victime"], ["perte"], ["nombre", "de", "victime"]])
def test_casualties_are_their_own_measure(counted):
    assert topic_for(counted) == "victimes"
    assert topic_for(counted) != topic_for(["mort"])


def test_injured_are_neither_deaths_nor_casualties():
    assert topic_for(["blessé"]) == "blesses"
    assert topic_from_text("blessées graves") == "blesses/grave"


def test_a_people_noun_or_adjective_in_any_form():
    assert topic_from_text("victimes nord-coréennes") == "victimes/nord-coreen"
    assert topic_from_text("Nord-Coréens envoyés") == "personnes/nord-coreen"
    assert topic_for(["américaine"]) == topic_for(["Américains"]) == "personnes/americain"


def test_other_things_by_their_noun():
    assert topic_for(["obu", "de", "artillerie"]) == "obus/artillerie"  # spaCy's lemma of "obus"
    assert topic_from_text("obus d'artillerie") == "obus/artillerie"
    assert topic_for(["localité"], ["être", "inhabitable"]) == "localite"
    assert topic_from_text("localités de Koursk inhabitables") == "localite/inhabitable"
    assert topic_for(["ingénieur", "nord-coréen"]) == "ingenieur/nord-coreen"


def test_places_are_not_part_of_what_is_counted():
    assert topic_from_text("soldats nord-coréens en Ukraine") == "troupes/nord-coreen"
    assert topic_from_text("morts à Valmont") == "morts"


def test_units_and_ages_are_never_tolls():
    assert topic_for(["an"], ["mort"]) == "an"
    assert topic_for(["kilomètre"]) == "kilometre"


def test_nothing_counted_falls_back_on_what_is_done():
    assert topic_for([], ["verser"]) == "verser"
    assert topic_for([], ["être"]) == "x"
    assert topic_for([]) == "x"
    assert topic_from_text("") is None and topic_from_text(None) is None


@pytest.mark.parametrize("plural, singular_form", [
    ("soldats", "soldat"), ("chevaux", "cheval"), ("obus", "obus"), ("pays", "pays"),
    ("ukrainiennes", "ukrainien"), ("francaises", "francais"), ("americaines", "americain"),
    ("bateaux", "bateaux"[:-1]), ("mois", "mois"),
])
def test_singular(plural, singular_form):
    assert singular(plural) == singular_form


def test_split_and_label():
    assert split_topic("morts/nord-coreen") == ("morts", frozenset({"nord-coreen"}))
    assert split_topic("adherent") == ("adherent", frozenset())
    assert topic_label("victimes/nord-coreen") == "victimes (morts et blessés) (nord-coreen)"
    assert topic_label("morts", "en") == "deaths"
    assert topic_label("localite") == "localite"


def test_no_word_of_the_seed_in_the_lexicon():
    # The word lists are general French: nothing specific to the seed article.
    import dossier.topics as module

    words = set()
    for value in vars(module).values():
        if isinstance(value, frozenset):
            words |= {w for w in value if isinstance(w, str)}
    assert len(words) > 100
    for word in words:
        for seed_word in ("koursk", "coree", "coreen", "pyongyang", "kim", "zelensky", "russie",
                          "ukrain", "enoch", "ingenieur", "localite", "artillerie"):
            assert seed_word not in word
