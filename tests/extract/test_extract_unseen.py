"""Articles the extractor was not written against: other outlets, formats and styles."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

VAR = DATA / "articles" / "inondations-var.txt"
BATTERIES = DATA / "articles" / "usine-batteries.md"


def by_anchor(result, anchor: str):
    found = [c for c in result.claims if anchor in c.text]
    assert len(found) == 1, (anchor, [c.text for c in result.claims])
    return found[0]


def figures(claim):
    return [(q.qualifier, q.value, q.low, q.high, q.of, q.numerator, q.denominator) for q in claim.quantities]


def test_plain_text_article_figures_and_speakers(extract_file):
    result = extract_file(VAR)
    assert not any("Partager" in c.text for c in result.claims)  # page furniture
    damage = by_anchor(result, "Les pluies torrentielles")
    assert figures(damage) == [("approx", 5e6, None, None, None, None, None)]
    assert damage.quantities[0].unit == "€"
    assert damage.speaker.name == "préfecture du Var"
    assert (damage.kind, damage.modality) == ("reported", "reported")
    homes = by_anchor(result, "foyers ont été privés")
    assert figures(homes) == [("approx", 10_000, None, None, None, None, None),
                              ("exact", 4_700, None, None, None, None, None)]
    assert homes.checkworthy and homes.kind == "quantity"
    mayor = by_anchor(result, "crue aussi rapide")
    assert (mayor.speaker.name, mayor.verb, mayor.kind) == ("Pierre Lambert", "déclarer", "quote")
    rain = by_anchor(result, "Météo-France")
    assert rain.speaker.name == "Météo-France" and rain.quantities[0].qualifier == "at_most"
    roads = by_anchor(result, "Des dizaines de routes")
    assert figures(roads)[0][:4] == ("range", None, 20, 99)
    assert (roads.speaker.kind, roads.modality) == ("anonymous", "reported")
    minister = by_anchor(result, "a promis une aide")
    assert (minister.speaker.name, minister.verb) == ("Anne Dubois", "promettre")
    assert minister.modality == "promised"
    assert figures(minister) == [("exact", 20e6, None, None, None, None, None)]
    insurers = by_anchor(result, "Les assureurs devront")
    assert (insurers.speaker.name, insurers.verb, insurers.kind) == ("Anne Dubois", "ajouter", "quote")
    assert figures(insurers) == [("at_most", 4.8e6, None, None, None, None, None)]
    share = by_anchor(result, "des habitants de la commune")
    assert share.quantities[0].unit == "%" and figures(share)[0][:2] == ("approx", 40)
    assert by_anchor(result, "Les autorités doivent").kind == "normative"
    assert not by_anchor(result, "semble annoncer").checkworthy


def test_markdown_article_figures_and_speakers(extract_file):
    result = extract_file(BATTERIES)
    assert not any(c.text == "L'usine en chiffres" for c in result.claims)  # a heading
    title = by_anchor(result, "l'usine de Douai pourrait créer")
    assert title.location.line == 2 and title.modality == "possible"  # the front-matter title line
    investment = by_anchor(result, "Le groupe Voltaris a annoncé")
    assert figures(investment) == [("range", None, 1.5e9, 2e9, None, None, None)]
    ceo = by_anchor(result, "Jean-Paul Moreau")
    assert (ceo.speaker.name, ceo.verb, ceo.kind) == ("Jean-Paul Moreau", "affirmer", "quote")
    assert figures(ceo) == [("at_least", 1200, None, None, None, None, None)]
    state = by_anchor(result, "la moitié du financement")
    assert state.speaker.kind == "anonymous" and figures(state)[0][0] == "fraction"
    jobs = by_anchor(result, "d'après le cabinet")
    assert jobs.modality == "possible" and jobs.speaker.name == "cabinet d'études Indicia"
    mayor = by_anchor(result, "bassin minier")
    assert mayor.speaker.name == "Sophie Lenoir" and mayor.kind == "quote"
    towns = by_anchor(result, "des 40 communes")
    assert figures(towns) == [("ratio", 12, None, None, 40, None, None)]
    bot = by_anchor(result, "chatbot")
    assert bot.speaker.kind == "ai" and bot.kind == "reported"
    assert by_anchor(result, "Il faut absolument").checkworthy is False
    # Every claim's text is at its location in the file.
    lines = BATTERIES.read_text(encoding="utf-8").split("\n")
    for claim in result.claims:
        assert lines[claim.location.line - 1][claim.location.start:claim.location.end] == claim.text


def test_wire_story_with_incises_and_scare_quotes(extract_file):
    result = extract_file(DATA / "articles" / "greve-sncf.txt")
    title = by_anchor(result, "Grève à la SNCF")
    assert title.kind == "reported"  # « irresponsable » alone is a scare quote, not a quotation
    trains = by_anchor(result, "un TGV sur trois")
    assert figures(trains) == [("ratio", 1, None, None, 3, None, None)]
    unions = by_anchor(result, "Selon les syndicats")
    assert figures(unions) == [("approx", 60, None, None, None, None, None),
                               ("exact", 35, None, None, None, None, None)]
    assert [q.unit for q in unions.quantities] == ["%", "%"]
    worker = by_anchor(result, "Les salaires n'ont pas suivi")
    assert (worker.speaker.name, worker.verb, worker.kind) == ("Laurent Brun", "expliquer", "quote")
    boss = by_anchor(result, "Jean-Pierre Farandou")
    assert (boss.speaker.name, boss.verb) == ("Jean-Pierre Farandou", "estimer")
    assert figures(boss) == [("approx", 20e6, None, None, None, None, None)]
    minister = by_anchor(result, "reprendre le dialogue")
    assert minister.speaker.name == "ministre des Transports" and minister.kind == "quote"
    traveller = by_anchor(result, "troisième fois")
    assert (traveller.speaker.name, traveller.verb) == ("Nadia", "soupirer")
    assert traveller.quantities == ()  # her age is not a figure of the claim
    assert by_anchor(result, "Le gouvernement a promis").modality == "promised"
    audit = by_anchor(result, "Cour des comptes")
    assert figures(audit) == [("exact", 12_000, None, None, None, None, None)] and audit.kind == "reported"
    assert by_anchor(result, "Il est urgent").kind == "normative"


def test_a_paragraph_longer_than_a_parse_chunk_keeps_exact_offsets(nlp, monkeypatch, tmp_path):
    import dossier.extract as extraction
    from dossier.article import read_article

    monkeypatch.setattr(extraction, "MAX_CHUNK", 200)  # the real limit is 50,000 characters
    sentence = "Selon la mairie, 1 200 habitants de Lille ont été évacués mardi. "
    path = tmp_path / "long.txt"
    path.write_text("Titre de test\n" + sentence * 12 + "\n", encoding="utf-8")
    article = read_article(path)
    claims = extraction.extract([article], nlp=nlp)[0].claims
    assert len(claims) == 12
    line = path.read_text(encoding="utf-8").split("\n")[1]
    for claim in claims:
        assert line[claim.location.start:claim.location.end] == claim.text == sentence.strip()
        assert claim.quantities[0].value == 1200


def test_many_articles_in_one_run_keep_their_order_and_own_claims(nlp):
    from dossier.article import parse_article
    from dossier.extract import extract

    first = parse_article("Titre A\nLa ville de Nantes compte 320 000 habitants.\n", Path("a.txt"), "a.txt")
    only_heading = parse_article("# Un titre seul\n", Path("b.md"), "b.md")
    last = parse_article("Titre C\nLe club de Lens a recruté 4 joueurs cet été.\n", Path("c.txt"), "c.txt")
    results = extract([first, only_heading, last], nlp=nlp)
    assert [r.article.slug for r in results] == ["a", "b", "c"]
    assert [c.quantities[0].value for c in results[0].claims if c.quantities] == [320_000]
    assert results[1].claims == ()
    assert [c.quantities[0].value for c in results[2].claims if c.quantities] == [4]


def test_health_story_incises_after_a_clause_and_acronyms(extract_file):
    result = extract_file(DATA / "articles" / "covid-vague.txt")
    cases = by_anchor(result, "Le nombre de cas a augmenté")
    assert (cases.speaker.name, cases.verb, cases.kind) == ("Santé publique France", "indiquer", "reported")
    assert figures(cases) == [("exact", 40, None, None, None, None, None)] and cases.quantities[0].unit == "%"
    who = by_anchor(result, "a recensé plus de")
    assert figures(who) == [("at_least", 2.3e6, None, None, None, None, None)]
    assert who.quantities[0].counts.endswith("infections")
    assert who.speaker.entity == "organisation-mondiale-de-la-sante"
    entities = {e.id: e for e in result.entities}
    assert "OMS" in entities["organisation-mondiale-de-la-sante"].aliases and "oms" not in entities
    title = by_anchor(result, "l'OMS appelle")  # the acronym used before it is spelled out
    assert "organisation-mondiale-de-la-sante" in title.entities
    expert = by_anchor(result, "comparable à 2020")
    assert (expert.speaker.name, expert.verb) == ("Antoine Flahault", "tempérer")
    official = by_anchor(result, "qui a requis l'anonymat")
    assert official.speaker.kind == "anonymous" and official.verb == "affirmer"
    patients = by_anchor(result, "Quelque 150 patients")
    assert figures(patients) == [("approx", 150, None, None, None, None, None)]
    assert (patients.speaker.kind, patients.modality) == ("anonymous", "reported")
    variant = by_anchor(result, "deux tiers des séquençages")
    assert figures(variant)[0][0] == "fraction" and variant.modality == "reported"
    doctor = by_anchor(result, "baisser la garde")
    assert doctor.speaker.name == "Karine Lacombe" and doctor.kind == "quote"


def test_low_credibility_story_of_another_topic(extract_file):
    """Same genre as the seed (summary bullets, anonymous and AI sources), other subject and outlet."""
    result = extract_file(DATA / "articles" / "eoliennes-oiseaux.txt")
    assert not any(c.location.line >= 13 for c in result.claims)  # video blurb, empty source list
    title = by_anchor(result, "Des scientifiques révèlent")
    assert (title.speaker.kind, title.verb) == ("anonymous", "révéler")
    study = by_anchor(result, "passée sous silence")
    assert (study.speaker.name, study.speaker.kind, study.modality) == ("étude", "anonymous", "reported")
    assert figures(study) == [("at_most", 500_000, None, None, None, None, None)]
    hidden = by_anchor(result, "Le gouvernement aurait caché")
    assert hidden.modality == "reported" and figures(hidden)[0][:2] == ("approx", 1e10)
    assert not by_anchor(result, "Les citoyens doivent").checkworthy
    report = by_anchor(result, "centaines de milliers")
    assert figures(report) == [("range", None, 200_000, 999_999, None, None, None)]
    assert report.quantities[0].surface == "centaines de milliers"
    biologist = by_anchor(result, "Jacques Moreau")
    assert (biologist.speaker.name, biologist.verb, biologist.kind) == ("Jacques Moreau", "déclarer", "quote")
    office = by_anchor(result, "1 oiseau sur 10 000")
    assert figures(office) == [("ratio", 1, None, None, 10_000, None, None)]
    activists = by_anchor(result, "militants écologistes")
    assert (activists.speaker.kind, activists.modality) == ("anonymous", "possible")
    assert not by_anchor(result, "semble plus puissante").checkworthy
    bot = by_anchor(result, "chatbot Grok")
    assert (bot.speaker.name, bot.speaker.kind) == ("Grok", "ai")


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "articles").iterdir()))
def test_every_extracted_claim_matches_the_published_schema(extract_file, name):
    import json

    import jsonschema
    import yaml

    from dossier.claims import claim_to_data
    from dossier.store import dump_yaml

    schema = json.loads((ROOT / "schema" / "claim.schema.json").read_text(encoding="utf-8"))
    result = extract_file(DATA / "articles" / name)
    assert result.claims
    for claim in result.claims:  # through YAML and back, as a claim file is read
        data = yaml.safe_load(dump_yaml(claim_to_data(claim)))
        jsonschema.validate(data, schema)
