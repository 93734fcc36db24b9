"""Whatever the paragraph, extraction never crashes and every claim is verbatim at its location."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.article import parse_article

pytestmark = pytest.mark.slow

PIECES = [
    "Selon", "la", "police", "plus de", "10 000", "6\u00a0000", "4.700", "4,8", "millions", "d'",
    "euros", "«", "»", "“", "”", '"', ",", ".", ";", ":", "...", "…", "a-t-il", "déclaré", "Kim", "Jong-un",
    "les deux tiers", "des", "dizaines", "de", "entre", "et", "37", "64", "%", "pourrait", "seraient",
    "morts", "M.", "Dupont", "https://exemple.fr/a.b", "(", ")", "!", "?", "2024", "12/03/2024", "n°",
    "Paris", "un", "sur", "trois", "doivent", "risque", "\t", "😀", "l'", "Union", "européenne", "-",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40), min_size=1, max_size=4))
def test_any_paragraphs(nlp, paragraphs):
    from dossier.extract import extract

    body = "\n".join(" ".join(words) for words in paragraphs)
    text = f"Titre de l'article\n{body}\n"
    article = parse_article(text, Path("fuzz.txt"), "fuzz.txt")
    result = extract([article], nlp=nlp)[0]
    ids = [c.id for c in result.claims]
    assert len(ids) == len(set(ids))
    known = {e.id for e in result.entities}
    for claim in result.claims:
        assert article.text_at(claim.location) == claim.text and claim.text.strip() == claim.text
        assert set(claim.entities) <= known
        assert claim.speaker is None or claim.speaker.entity is None or claim.speaker.entity in known
        for quantity in claim.quantities:
            assert quantity.surface and quantity.surface in claim.text
