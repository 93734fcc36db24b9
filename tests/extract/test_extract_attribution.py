"""Speakers, reporting verbs, hedging and kinds on sentences written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.article import parse_article

pytestmark = pytest.mark.slow


def claims_of(nlp, *paragraphs: str):
    from dossier.extract import extract

    text = "Titre de test sans importance\n" + "\n".join(paragraphs) + "\n"
    article = parse_article(text, Path("test.txt"), "test.txt")
    return [c for c in extract([article], nlp=nlp)[0].claims if c.location.line > 1]


def one(nlp, paragraph: str):
    found = claims_of(nlp, paragraph)
    assert len(found) == 1, [c.text for c in found]
    return found[0]


@pytest.mark.parametrize(("text", "speaker", "verb"), [
    ("La ministre de la Santé, Agnès Durand, a déclaré : « Nous avons besoin de 2 000 lits. »",
     "Agnès Durand", "déclarer"),
    ("« Nous avons besoin de 2 000 lits », a déclaré la ministre de la Santé, Agnès Durand.",
     "Agnès Durand", "déclarer"),
    ('"La situation est sous contrôle", a affirmé le préfet Jean Morel.', "Jean Morel", "affirmer"),
    ("“Rien n’est décidé”, a ajouté Paul Girard, porte-parole du syndicat.", "Paul Girard", "ajouter"),
    ("Le capitaine, surnommé « Faucon », déclarant : « Nous tiendrons la position. »", "Faucon",
     "déclarer"),
    ("Les experts de l'institut estiment que la croissance ralentira.", "experts de l'institut", "estimer"),
])
def test_speaker_and_verb(nlp, text, speaker, verb):
    claim = one(nlp, text)
    assert claim.speaker is not None and claim.speaker.name == speaker
    assert claim.verb == verb


def test_quoted_call_sign_is_a_person(nlp):
    claim = one(nlp, "Un sergent, « Faucon », a ajouté : « Ils ont tenu trois jours. »")
    assert (claim.speaker.name, claim.speaker.kind) == ("Faucon", "person")
    assert claim.speaker.entity == "faucon" and "faucon" in claim.entities
    assert claim.kind == "quote"


def test_pronoun_after_the_quote_is_the_last_speaker(nlp):
    claims = claims_of(nlp,
                       "Le maire de Lille, Martine Roche, a annoncé la fermeture de trois écoles.",
                       "« Nous n'avons pas le choix », a-t-elle déclaré.")
    assert claims[1].speaker.name == "Martine Roche" and claims[1].verb == "déclarer"
    assert claims[1].kind == "quote"


@pytest.mark.parametrize(("text", "speaker", "kind"), [
    ("Selon la police, 3 000 personnes ont manifesté samedi à Nantes.", "police", "organisation"),
    ("D'après certaines sources, le contrat serait signé la semaine prochaine.", "certaines sources",
     "anonymous"),
    ("Selon une source proche de l'enquête, le suspect a avoué.", "source proche de l'enquête", "anonymous"),
    ("D'après un chatbot d'intelligence artificielle, la ville compte 50 000 habitants.",
     "chatbot d'intelligence artificielle", "ai"),
])
def test_selon_and_dapres(nlp, text, speaker, kind):
    claim = one(nlp, text)
    assert (claim.speaker.name, claim.speaker.kind) == (speaker, kind)
    assert claim.kind == "reported" and claim.modality == "reported"


@pytest.mark.parametrize(("text", "modality"), [
    ("Trois personnes seraient mortes dans l'incendie de Rouen.", "reported"),
    ("L'armée aurait abattu deux drones au-dessus de Kharkiv.", "reported"),
    ("La Chine pourrait annoncer de nouvelles mesures commerciales.", "possible"),
    ("Le président a promis 500 millions d'euros aux agriculteurs bretons.", "promised"),
    ("Le Parlement a adopté la loi mardi à Paris.", "asserted"),
    # conditionals spaCy tags Mood=Ind, read from the form
    ("Les rebelles contrôleraient désormais la moitié du Soudan.", "reported"),
    ("Le ministre Paul Girard démissionnerait dans les prochains jours.", "reported"),
    ("Le navire livrait des armes à la Libye chaque mois.", "asserted"),  # an imperfect, not a conditional
])
def test_modality(nlp, text, modality):
    assert one(nlp, text).modality == modality


@pytest.mark.parametrize(("text", "kind", "checkworthy"), [
    ("Le gouvernement doit agir sans attendre pour protéger les Parisiens.", "normative", False),
    ("Il faut que l'Europe réagisse face à la Chine.", "normative", False),
    ("Cette réforme risque de diviser profondément les Français.", "opinion", False),
    ("La situation en Syrie semble désormais hors de contrôle.", "opinion", False),
    ("Cette décision est une erreur dramatique pour la France.", "opinion", False),
    ("Le tribunal de Lyon a condamné l'entreprise Véolux pour fraude fiscale.", "legal", True),
    ("L'usine de Douai ouvrira ses portes en septembre.", "prediction", True),
    ("Des pompiers ont été déployés à Marseille dans la nuit de mardi.", "event", True),
    ("Plus de 200 pompiers ont été déployés à Marseille.", "quantity", True),
    ("Les habitants ont dû être évacués vers Toulon.", "event", True),  # past "dû" is a fact
    ("Le séisme a détruit le centre historique de Katmandou.", "event", True),  # descriptive adjective
])
def test_kind_and_checkworthiness(nlp, text, kind, checkworthy):
    claim = one(nlp, text)
    assert (claim.kind, claim.checkworthy) == (kind, checkworthy)
    assert (claim.checkworthiness >= 0.5) == checkworthy


def test_entities_are_normalised(nlp):
    claims = claims_of(nlp,
                       "Kim Jong-un a inspecté une usine de missiles à Pyongyang.",
                       "Kim Jong Un a ensuite rencontré des officiers russes dans la région de Vladivostok.")
    assert "kim-jong-un" in claims[0].entities and "kim-jong-un" in claims[1].entities
    assert "vladivostok" in claims[1].entities  # "région de" is not part of the place
    assert "russie" in claims[1].entities  # a demonym names its country


def test_surname_alone_joins_the_full_name(nlp):
    claims = claims_of(nlp, "Le ministre Bruno Lemoine a démissionné lundi à Paris.",
                       "Lemoine a expliqué son départ par des raisons de santé.")
    assert "bruno-lemoine" in claims[1].entities


def test_ids_are_readable_unique_and_slugs(nlp):
    sentence = "La France envoie 300 gendarmes en Corse."
    claims = claims_of(nlp, sentence, sentence)
    ids = [c.id for c in claims]
    assert ids[0] == "france-300-gendarmes" or ids[0].startswith("france-300-gendarmes")
    assert len(set(ids)) == 2
    assert all(c.isalnum() or c == "-" for i in ids for c in i)


def test_an_ai_system_named_in_the_phrase_is_an_ai_speaker(nlp):
    claim = one(nlp, "D'après le moteur d'intelligence artificielle Zéphyr de NovaTech, la ville compte"
                     " 50 000 habitants.")
    assert (claim.speaker.name, claim.speaker.kind) == ("Zéphyr (NovaTech)", "ai")
    assert claim.speaker.entity is None  # a machine is not a person entity


def test_an_institution_named_by_a_place_speaks_as_an_organisation(nlp):
    claim = one(nlp, "Le Pentagone affirme : « Aucune frappe n'a visé des civils. »")
    assert (claim.speaker.name, claim.speaker.kind, claim.kind) == ("Pentagone", "organisation", "quote")
    source = one(nlp, "Interrogé par Le Monde, le ministre Paul Henry a estimé que la croissance"
                      " atteindrait 1,5 %.")
    assert "le-monde" in source.entities  # the article is part of a newspaper's name
    assert (source.speaker.name, source.verb) == ("Paul Henry", "estimer")


def test_elided_article_is_not_part_of_an_organisation(nlp):
    claim = one(nlp, "Le Mali a quitté l'OTAN et critique les sanctions de l'ONU depuis 2022.")
    assert {"otan", "onu", "mali"} <= set(claim.entities)
