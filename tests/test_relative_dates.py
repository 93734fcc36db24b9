"""relative_dates.py: French relative dates against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.relative_dates import date_issues, period_bounds

NOVEMBER = date(2025, 11, 17)


@pytest.mark.parametrize("text, surface", [
    ("d'autres déploiements sont prévus d'ici la fin de l'été", "d'ici la fin de l'été"),
    ("Les travaux seront achevés d’ici la fin de l’été.", "d’ici la fin de l’été"),
    ("Le chantier sera terminé cet été.", "cet été"),
    ("Les renforts arriveront d'ici juillet.", "d'ici juillet"),
])
def test_past_deadlines_in_november(text, surface):
    (issue,) = date_issues(text, NOVEMBER)
    assert issue.surface == surface and issue.reason == "past-deadline"
    assert issue.meant < NOVEMBER < issue.alternative
    assert text[issue.start:issue.end] == surface


@pytest.mark.parametrize("text", [
    "Le chantier sera terminé d'ici mars.",  # next March, four months away: natural
    "Les travaux reprendront d'ici l'été prochain.",  # explicit
    "Cet été, la ville a connu une sécheresse.",  # past tense: a past summer is fine
    "L'été dernier, il a plu.",
    "Les travaux seront finis avant l'hiver.",  # winter starts 21 December
    "d'ici la fin de l'année",
    "Les livraisons sont prévues d'ici la fin de l'été 2026.",
])
def test_fine_in_november(text):
    assert date_issues(text, NOVEMBER) == []


def test_the_same_words_in_july_are_fine():
    assert date_issues("d'autres déploiements sont prévus d'ici la fin de l'été", date(2025, 7, 3)) == []


def test_a_prediction_claim_makes_the_words_look_ahead():
    assert date_issues("les usines ouvriront cet été", NOVEMBER)
    assert date_issues("l'usine cet été", NOVEMBER) == []
    assert date_issues("l'usine cet été", NOVEMBER, forward=True)


def test_weekday_that_does_not_fall_on_the_date():
    (issue,) = date_issues("Une réunion se tiendra lundi 20 novembre.", NOVEMBER)
    assert issue.reason == "wrong-weekday" and issue.meant == date(2025, 11, 20)
    assert issue.meant.weekday() == 3 and issue.stated_weekday == 0
    assert date_issues("Une réunion se tiendra jeudi 20 novembre.", NOVEMBER) == []
    assert date_issues("le mardi 1er avril 2025", NOVEMBER) == []  # 1 April 2025 was a Tuesday
    (issue,) = date_issues("le lundi 1er avril 2025", NOVEMBER)
    assert issue.meant == date(2025, 4, 1)


def test_weekday_check_uses_the_nearest_year():
    # "vendredi 2 janvier" written on 20 December 2025 means 2 January 2026, a Friday.
    assert date_issues("vendredi 2 janvier", date(2025, 12, 20)) == []


def test_winter_runs_over_the_new_year():
    first, last = period_bounds("hiver", 2025)
    assert first == date(2025, 12, 21) and last == date(2026, 3, 19)


def test_a_dated_plan_already_past():
    (issue,) = date_issues("La conférence se tiendra le 3 octobre 2025.", NOVEMBER)
    assert issue.reason == "past-date" and issue.meant == date(2025, 10, 3) and issue.alternative is None
    (issue,) = date_issues("La conférence se tiendra le 3 octobre.", NOVEMBER)
    assert issue.alternative == date(2026, 10, 3)  # read as next year, it would be far off


@pytest.mark.parametrize("text", [
    "La conférence se tiendra le 3 mars.",  # next March
    "Après l'attaque du 3 octobre, la ville renforcera sa sécurité.",  # a past event, not a plan
    "Le chantier débutera le lundi 1er décembre.",
    "La réunion aura lieu le 20 novembre 2025.",
])
def test_dated_plans_that_fit(text):
    assert date_issues(text, NOVEMBER) == []
