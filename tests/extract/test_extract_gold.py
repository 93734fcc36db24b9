"""The extractor against a fact-checker's reading of the seed article.

The expectations are in tests/data/gold/seed-claims.yaml (a copy of the
project's acceptance target). Claims are matched by line and an anchor
substring. Precision/recall per field are printed: run with `-s`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SEED = ROOT / "seeds" / "000_0192ca2fc7805c9c.txt"

GOLD = yaml.safe_load((DATA / "gold" / "seed-claims.yaml").read_text(encoding="utf-8"))
QUANTITY_KEYS = ("value", "low", "high", "of", "numerator", "denominator")
STOP = {"le", "la", "les", "l", "de", "du", "des", "d"}


def normalise_name(name: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", name.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in re.split(r"[^a-z0-9]+", folded) if w and w not in STOP}


def same_name(gold: str, found: str | None) -> bool:
    if not found:
        return False
    a, b = normalise_name(gold), normalise_name(found)
    return bool(a) and (a <= b or b <= a)


def same_quantity(gold: dict, found) -> bool:
    if gold["qualifier"] != found.qualifier:
        return False
    return all(gold.get(k) is None or getattr(found, k) == gold[k] for k in QUANTITY_KEYS)


def head_word(phrase: str) -> str:
    return phrase.split()[0].lower()


def match(claims, gold_claim):
    return next((c for c in claims if c.location.line == gold_claim["line"]
                 and gold_claim["anchor"] in c.text), None)


class Score:
    def __init__(self) -> None:
        self.true_pos = self.predicted = self.expected = 0

    def add(self, correct: int, predicted: int, expected: int) -> None:
        self.true_pos += correct
        self.predicted += predicted
        self.expected += expected

    @property
    def precision(self) -> float:
        return self.true_pos / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_pos / self.expected if self.expected else 1.0


@pytest.fixture(scope="module")
def result(extract_file):
    return extract_file(SEED)


@pytest.fixture(scope="module")
def scores(result):
    claims = result.claims
    fields = {name: Score() for name in ("claims", "kind", "quantities", "counts", "speaker", "verb",
                                         "modality")}
    checkworthy_gold = [g for g in GOLD["claims"] if g["checkworthy"]]
    matched_claims = set()
    for gold in GOLD["claims"]:
        found = match(claims, gold)
        if found is not None:
            matched_claims.add(found.id)
        if gold["checkworthy"]:
            fields["claims"].add(int(found is not None and found.checkworthy), 0, 1)
        if gold["kind"] in ("heading", "boilerplate", "metadata"):
            continue
        fields["kind"].add(int(found is not None and found.kind == gold["kind"]), int(found is not None), 1)
        if not gold["checkworthy"] or found is None:
            if gold.get("quantities"):
                fields["quantities"].add(0, 0, len(gold["quantities"]))
            continue
        gold_quantities = gold.get("quantities", [])
        hits = sum(any(same_quantity(g, q) for q in found.quantities) for g in gold_quantities)
        fields["quantities"].add(hits, len(found.quantities), len(gold_quantities))
        if "speaker" in gold:
            fields["speaker"].add(int(same_name(gold["speaker"], found.speaker and found.speaker.name)),
                                  int(found.speaker is not None), 1)
        else:
            fields["speaker"].add(0, int(found.speaker is not None), 0)
        if "verb" in gold:
            fields["verb"].add(int(found.verb == gold["verb"]), int(found.verb is not None), 1)
        if "modality" in gold:
            fields["modality"].add(int(found.modality == gold["modality"]), 1, 1)
        for g in gold_quantities:
            q = next((q for q in found.quantities if same_quantity(g, q)), None)
            if q is not None:  # what is counted: the head word of the counted phrase
                fields["counts"].add(int(bool(q.counts) and head_word(q.counts) == head_word(g["counts"])),
                                     int(bool(q.counts)), 1)
            else:
                fields["counts"].add(0, 0, 1)
            if "modality" in g:
                q = next((q for q in found.quantities if same_quantity(g, q)), None)
                effective = (q.modality or found.modality) if q else None
                fields["modality"].add(int(effective == g["modality"]), int(q is not None), 1)
    checkworthy_found = [c for c in claims if c.checkworthy]
    fields["claims"].predicted = len(checkworthy_found)
    fields["claims"].true_pos = sum(
        1 for c in checkworthy_found
        if any(c.location.line == g["line"] and g["anchor"] in c.text for g in checkworthy_gold)
    )
    # recall counted per gold claim, precision per extracted claim
    fields["claims"].expected = len(checkworthy_gold)
    recall_hits = sum(1 for g in checkworthy_gold if (f := match(claims, g)) is not None and f.checkworthy)
    print("\nextraction on the seed article (gold: tests/data/gold/seed-claims.yaml)")
    print(f"  claims extracted: {len(claims)} ({len(checkworthy_found)} check-worthy)")
    print(f"  {'field':<11} {'precision':>9} {'recall':>7}   (true positives / predicted / expected)")
    for name, score in fields.items():
        recall = recall_hits / score.expected if name == "claims" else score.recall
        print(f"  {name:<11} {score.precision:9.2f} {recall:7.2f}   "
              f"({score.true_pos}/{score.predicted}/{score.expected})")
    fields["claims_recall_hits"] = recall_hits
    return fields


def test_every_checkworthy_gold_claim_is_found_checkworthy(result):
    missing = [g["anchor"] for g in GOLD["claims"] if g["checkworthy"]
               and ((f := match(result.claims, g)) is None or not f.checkworthy)]
    assert len([g for g in GOLD["claims"] if g["checkworthy"]]) == 24
    assert missing == []


def test_no_claim_from_heading_boilerplate_or_metadata(result):
    excluded = set(GOLD["article"]["boilerplate_lines"]) | set(GOLD["article"]["headings"]) | {2, 3}
    assert [c.text for c in result.claims if c.location.line in excluded] == []


def test_opinions_and_norms_are_not_checkworthy(result):
    offenders = []
    for gold in GOLD["claims"]:
        if gold["kind"] in ("opinion", "normative"):
            found = match(result.claims, gold)
            if found is not None and found.checkworthy:
                offenders.append(gold["anchor"])
    assert offenders == []


def test_quantity_values_and_qualifiers(result):
    wrong = []
    for gold in GOLD["claims"]:
        found = match(result.claims, gold)
        for quantity in gold.get("quantities", []):
            if found is None or not any(same_quantity(quantity, q) for q in found.quantities):
                wrong.append((gold["anchor"], quantity))
    assert wrong == []


def test_speakers(result):
    wrong = []
    for gold in GOLD["claims"]:
        if "speaker" in gold:
            found = match(result.claims, gold)
            name = found.speaker.name if found is not None and found.speaker else None
            if not same_name(gold["speaker"], name):
                wrong.append((gold["anchor"], gold["speaker"], name))
    assert wrong == []


def test_one_entity_for_both_spellings_of_a_name(result):
    spelled = {g["anchor"]: match(result.claims, g) for g in GOLD["claims"]
               if g.get("speaker") == "Kim Jong-un"}
    entities = {f.speaker.entity for f in spelled.values() if f is not None and f.speaker}
    assert len(spelled) >= 2 and len(entities) == 1 and None not in entities


def test_figures(scores):
    """The figures the extractor reaches on the seed today (all 1.00); a regression fails here."""
    assert scores["claims_recall_hits"] == 24
    for field in ("claims", "kind", "quantities", "counts", "speaker", "verb", "modality"):
        assert scores[field].precision == 1.0, field
        assert scores[field].recall == 1.0 or field == "claims", field
