"""Sentence and clause units: no spaCy needed for the character rules."""

from __future__ import annotations

import pytest

from dossier.extract.sentences import clause_spans, quote_regions, sentence_spans, unit_spans


def texts(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_a_quote_spanning_sentences_stays_one_sentence():
    text = ("Le ministre a déclaré : « Nous avons perdu beaucoup. Je pense que c'est fini. » "
            "Les chiffres restent à confirmer.")
    assert texts(text, sentence_spans(text)) == [
        "Le ministre a déclaré : « Nous avons perdu beaucoup. Je pense que c'est fini. »",
        "Les chiffres restent à confirmer.",
    ]


@pytest.mark.parametrize("quote", ['"{}"', "“{}”", "« {} »"])
def test_straight_and_curly_quotes(quote):
    inner = quote.format("Ils arrivent. Ils repartent.")
    text = f"Elle a dit : {inner} Puis elle est partie."
    assert texts(text, sentence_spans(text)) == [f"Elle a dit : {inner}", "Puis elle est partie."]


def test_abbreviations_numbers_and_domains_do_not_end_sentences():
    text = "M. Dupont a vu 4.700 personnes sur Exemple.fr hier. Le Dr Martin confirme."
    assert texts(text, sentence_spans(text)) == [
        "M. Dupont a vu 4.700 personnes sur Exemple.fr hier.", "Le Dr Martin confirme."]


def test_incise_after_a_quote_stays_with_it():
    text = "« Nous n'oublierons pas », a-t-il déclaré. Il est parti."
    assert texts(text, sentence_spans(text))[0] == "« Nous n'oublierons pas », a-t-il déclaré."


def test_semicolon_splits_two_full_clauses_only():
    text = "La mesure violerait le traité signé en mars ; toutefois, le gouvernement semble décidé."
    assert texts(text, clause_spans(text, 0, len(text))) == [
        "La mesure violerait le traité signé en mars ;", "toutefois, le gouvernement semble décidé."]
    short = "Trois morts ; dix blessés."
    assert texts(short, unit_spans(short)) == [short]


def test_unbalanced_quote_is_ignored():
    text = "Il a dit « bonjour. Puis il est parti."
    assert len(sentence_spans(text)) == 2
    assert quote_regions("« a » et “b” et \"c\"") == ((0, 5), (9, 12), (16, 19))


def test_a_list_number_does_not_end_a_sentence():
    text = "1. Le gouvernement a présenté son budget. Il sera voté en mars."
    assert texts(text, sentence_spans(text)) == [
        "1. Le gouvernement a présenté son budget.", "Il sera voté en mars."]
