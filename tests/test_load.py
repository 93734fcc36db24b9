"""load.py: every problem of a dossier, each at the line and column of what is wrong.

The corpus in tests/data/bad-claims/ holds one broken claim file per mistake;
each file says in its first lines which problem it must produce (`# expect:`),
and what text the reported position must point at (`# at:`).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from minidossier import ARTICLE_SLUG, GOOD_CLAIM, SECOND_CLAIM, make_dossier

from dossier.errors import DossierError, Problem
from dossier.load import load_dossier

CORPUS = Path(__file__).parent / "data" / "bad-claims"
BAD_FILES = sorted(CORPUS.glob("*.yaml"))


def corpus_header(path: Path) -> dict[str, str]:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        match = re.match(r"^# (expect|schema|at): (.*)$", line)
        if match:
            header[match.group(1)] = match.group(2).replace("\\t", "\t")
    return header


def problems_of(root: Path) -> list[Problem]:
    try:
        return list(load_dossier(root).problems)
    except DossierError as error:
        return error.problems


def test_the_corpus_is_there():
    assert len(BAD_FILES) >= 50
    for path in BAD_FILES:
        assert set(corpus_header(path)) == {"expect", "schema", "at"}, path.name


def test_a_good_dossier_loads_without_problems(tmp_path):
    dossier = load_dossier(make_dossier(tmp_path))
    assert dossier.problems == ()
    assert [c.id for c in dossier.claims] == ["marins-1200", "visiteurs"]
    claim = dossier.claims[0]
    assert claim.verdict == "mostly-true"
    assert claim.sources[0].date.isoformat() == "2025-06-04"
    assert claim.related == (f"{ARTICLE_SLUG}/visiteurs",)
    assert claim.quantities[0].value == 1200
    assert claim.speaker.entity == "prefecture-du-finistere"
    assert claim.path == "claims/brest/marins-1200.yaml"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_each_bad_file_gets_its_problem_at_the_right_place(tmp_path, path):
    root = make_dossier(tmp_path)
    shutil.copy(path, root / "claims" / ARTICLE_SLUG / path.name)
    header = corpus_header(path)
    problems = problems_of(root)
    mine = [p for p in problems if p.path == f"claims/{ARTICLE_SLUG}/{path.name}"]
    assert [p for p in problems if p not in mine and p.severity == "error"] == [], \
        "a broken file must not cause errors elsewhere"
    shown = [f"{p.line}:{p.column}: {p.message}" + (f"; {p.hint}" if p.hint else "") for p in mine]
    position = re.match(r"^(\d+):(\d+): (.*)$", header["expect"])
    if position:
        assert any(s.startswith(header["expect"]) for s in shown), shown
        problem = next(p for p, s in zip(mine, shown, strict=True) if s.startswith(header["expect"]))
        assert problem.severity == "error"
        line = path.read_text(encoding="utf-8").split("\n")[problem.line - 1]
        assert line[problem.column - 1:].startswith(header["at"]), \
            f"column {problem.column} of {line!r} does not point at {header['at']!r}"
    else:
        assert any(header["expect"] in s for s in shown), shown
    # Every problem names its file and says what is wrong in a sentence, not a traceback.
    for problem in mine:
        assert "Traceback" not in problem.message and len(problem.message) < 400


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    broken = (GOOD_CLAIM.replace("verdict: mostly-true", "verdict: mostly true")
              .replace("confidence: medium", "confidance: medium")
              .replace("  stance: supports", "  stance: suports"))
    root = make_dossier(tmp_path, {"marins-1200.yaml": broken, "visiteurs.yaml": "id: [\n",
                                   "third.yaml": "id: third\n"})
    problems = problems_of(root)
    messages = " | ".join(p.format() for p in problems)
    assert "verdict 'mostly true'" in messages
    assert "unknown claim key 'confidance'" in messages
    assert "stance 'suports'" in messages
    assert "visiteurs.yaml" in messages and "YAML syntax error" in messages
    assert "third.yaml" in messages and "'article' is missing" in messages
    assert problems == sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))


def test_the_example_of_the_issue_word_for_word(tmp_path):
    lines = GOOD_CLAIM.replace("verdict: mostly-true", "verdict: mostly true")
    root = make_dossier(tmp_path, {"marins-1200.yaml": lines, "visiteurs.yaml": SECOND_CLAIM})
    line = lines.split("\n").index("verdict: mostly true") + 1
    (problem,) = problems_of(root)
    assert problem.format() == (
        f"claims/brest/marins-1200.yaml:{line}:10: error: verdict 'mostly true' is not in the scale"
        " (true, mostly-true, mixed, mostly-false, false, unverifiable, unverified);"
        " did you mean 'mostly-true'?")


def test_a_rated_verdict_without_sources_is_a_warning(tmp_path):
    no_sources = re.sub(r"sources:\n(  .*\n|- .*\n)*", "sources: []\n", GOOD_CLAIM)
    assert "capitainerie" not in no_sources
    root = make_dossier(tmp_path, {"marins-1200.yaml": no_sources, "visiteurs.yaml": SECOND_CLAIM})
    dossier = load_dossier(root)  # a warning does not stop the load
    (warning,) = dossier.problems
    assert warning.severity == "warning"
    assert warning.message == "verdict 'mostly-true' has no source"
    assert warning.line == no_sources.split("\n").index("verdict: mostly-true") + 1


def test_raw_html_in_markdown_is_a_warning(tmp_path):
    text = GOOD_CLAIM.replace("notes: ''", "notes: 'See <script>alert(1)</script>'")
    root = make_dossier(tmp_path, {"marins-1200.yaml": text, "visiteurs.yaml": SECOND_CLAIM})
    (warning,) = load_dossier(root).problems
    assert warning.severity == "warning" and "raw HTML" in warning.message
    assert load_dossier(root).claims[0].notes == "See <script>alert(1)</script>"  # kept; rendered inert


def test_a_quoted_date_is_still_a_date(tmp_path):
    text = GOOD_CLAIM.replace("date: 2025-06-04", "date: '2025-06-04'")
    root = make_dossier(tmp_path, {"marins-1200.yaml": text, "visiteurs.yaml": SECOND_CLAIM})
    assert load_dossier(root).claims[0].sources[0].date.isoformat() == "2025-06-04"


def test_a_related_claim_of_another_article_by_article_and_id(tmp_path):
    text = GOOD_CLAIM.replace("related: [visiteurs]", "related: [brest/visiteurs, autre/inconnu]")
    root = make_dossier(tmp_path, {"marins-1200.yaml": text, "visiteurs.yaml": SECOND_CLAIM})
    (problem,) = problems_of(root)
    assert problem.message == "related claim 'autre/inconnu' does not exist"
    assert problem.column == text.split("\n")[problem.line - 1].index("autre/inconnu") + 1


def test_a_broken_config_still_lets_claims_be_checked(tmp_path):
    root = make_dossier(tmp_path, {"marins-1200.yaml": GOOD_CLAIM.replace("kind: quantity", "kind: x"),
                                   "visiteurs.yaml": SECOND_CLAIM},
                        config="title: T\nbase_url: ftp://x\ntitel: y\n")
    problems = problems_of(root)
    assert {p.path for p in problems} == {"dossier.yaml", "claims/brest/marins-1200.yaml"}
    assert any("base_url" in p.message for p in problems)
    assert any(p.message == "unknown setting 'titel'" and p.hint == "did you mean 'title'?" for p in problems)


def test_no_seeds_is_one_clear_problem(tmp_path):
    root = make_dossier(tmp_path)
    shutil.rmtree(root / "seeds")
    problems = problems_of(root)
    assert any(p.path == "seeds" and p.message == "no seeds folder" for p in problems)
    # The claims then point at an article that is missing: said once per file, never a crash.
    assert any("is not in seeds/" in p.message for p in problems)


def test_a_claim_of_a_missing_article(tmp_path):
    root = make_dossier(tmp_path)
    other = root / "claims" / "autre"
    other.mkdir()
    (other / "x.yaml").write_text(SECOND_CLAIM.replace("id: visiteurs", "id: x")
                                  .replace("article: brest", "article: autre"))
    (problem,) = [p for p in problems_of(root) if p.path == "claims/autre/x.yaml"]
    assert problem.message == "article 'autre' is not in seeds/"


def test_entities_file_problems(tmp_path):
    entities = ("brest: {name: Brest, type: lieu}\n"
                "Bad Id: {name: X, type: place}\n"
                "prefecture-du-finistere: {name: P, type: organisation, alias: [x]}\n")
    root = make_dossier(tmp_path, entities=entities)
    problems = [p for p in problems_of(root) if p.path == "entities.yaml"]
    shown = [f"{p.line}:{p.column}: {p.message}" for p in problems]
    lines = entities.split("\n")
    assert f"1:{lines[0].index('lieu') + 1}: entity type 'lieu' is not one of (person, place, organisation)" \
        in shown
    assert "2:1: entity id 'Bad Id' must be lower-case letters, digits and hyphens" in shown
    assert f"3:{lines[2].index('alias') + 1}: unknown entity key 'alias'" in shown


def test_claims_are_ordered_by_position_in_the_article(tmp_path):
    root = make_dossier(tmp_path, {"a-last.yaml": SECOND_CLAIM.replace("id: visiteurs", "id: a-last"),
                                   "z-first.yaml": GOOD_CLAIM.replace("id: marins-1200", "id: z-first")
                                   .replace("related: [visiteurs]", "related: [a-last]")})
    assert [c.id for c in load_dossier(root).claims] == ["z-first", "a-last"]


def test_parallel_loading_gives_the_same_dossier_and_problems(tmp_path, monkeypatch):
    """Large dossiers are read by several processes: same claims, same problems, same order."""
    import dossier.load

    claims = {p.name: p.read_bytes() for p in BAD_FILES[:20]}
    claims.update({"marins-1200.yaml": GOOD_CLAIM.encode(), "visiteurs.yaml": SECOND_CLAIM.encode()})
    root = make_dossier(tmp_path, claims)
    monkeypatch.setattr(dossier.load.os, "cpu_count", lambda: 2)
    good = make_dossier(tmp_path / "good")
    serial, serial_claims = problems_of(root), load_dossier(good).claims
    monkeypatch.setattr(dossier.load, "PARALLEL_MIN_FILES", 1)
    parallel, parallel_claims = problems_of(root), load_dossier(good).claims
    assert parallel == serial and len(serial) >= 20
    assert parallel_claims == serial_claims and len(serial_claims) == 2


def test_batches_read_ahead_in_workers_give_the_same_claims(tmp_path, monkeypatch):
    """Batches of folders parsed by worker processes while the previous batch is taken in (and
    the parse cache filled, then used, across batches): the same claims, in the same order, as
    one serial read of every file, before and after an edit."""
    import sys

    import dossier.load

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import generate

    root = tmp_path / "d"
    generate.generate(80, root, seed=5)  # 4 articles of 20 claims

    def serial() -> tuple:
        with monkeypatch.context() as patch:
            patch.setattr(dossier.load, "PARALLEL_MIN_FILES", 10**9)
            found = load_dossier(root)
        return found.claims, found.problems

    def batched(cache: str | None) -> tuple:
        with monkeypatch.context() as patch:
            patch.setattr(dossier.load.os, "cpu_count", lambda: 2)
            patch.setattr(dossier.load, "PARALLEL_MIN_FILES", 1)
            patch.setattr(dossier.load, "READ_BATCH_FILES", 30)  # batches of two folders
            visited: list = []
            found = load_dossier(root, cache=cache, visit=lambda claims, *rest: visited.extend(claims))
        return tuple(visited), found.problems

    expected = serial()
    assert len(expected[0]) == 80 and len({c.article for c in expected[0]}) == 4
    assert batched(None) == expected
    assert batched("refresh") == expected
    assert batched("use") == expected  # every file from the cache now
    third = sorted((root / "claims").iterdir())[2]
    edited = sorted(third.glob("*.yaml"))[5]
    edited.write_text(re.sub(r"(?m)^verdict: .*$", "verdict: false", edited.read_text()))
    expected = serial()
    assert expected[0][45].verdict == "false"
    assert batched("use") == expected


def test_a_claim_file_outside_an_article_folder_is_a_warning(tmp_path):
    root = make_dossier(tmp_path)
    (root / "claims" / "lost.yaml").write_text(SECOND_CLAIM)
    (warning,) = load_dossier(root).problems
    assert (warning.path, warning.severity) == ("claims/lost.yaml", "warning")
    assert warning.message == "a claim file outside an article folder is ignored"


def test_an_unquoted_true_or_false_verdict_is_the_scale_id(tmp_path):
    """`verdict: false` is what people type; YAML reads it as a boolean."""
    text = GOOD_CLAIM.replace("verdict: mostly-true", "verdict: false")
    root = make_dossier(tmp_path, {"marins-1200.yaml": text, "visiteurs.yaml": SECOND_CLAIM})
    dossier = load_dossier(root)
    assert dossier.claims[0].verdict == "false"
    assert not [p for p in dossier.problems if p.severity == "error"]


def test_claims_of_an_article_in_article_order(tmp_path):
    dossier = load_dossier(make_dossier(tmp_path))
    assert [c.id for c in dossier.claims_of(ARTICLE_SLUG)] == ["marins-1200", "visiteurs"]
    assert dossier.claims_of("no-such-article") == []


def test_prefetch_advises_every_input_and_leaves_no_process_behind(tmp_path: Path) -> None:
    """`prefetch` (a full build's first step) only advises the kernel, from a process of its
    own: nothing is raised, whatever the dossier holds (a stray file among the claim folders,
    an unreadable file, no claims folder at all), and no child is left to reap."""
    import os

    from dossier.load import prefetch

    def children() -> set[int]:
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.add(int(stat.parent.name))
        return found

    root = make_dossier(tmp_path / "d")
    (root / "claims" / "stray.txt").write_text("pas un dossier d'article")
    locked = next((root / "claims").glob("*/*.yaml"))
    locked.chmod(0)
    bare = tmp_path / "bare"
    (bare / "seeds").mkdir(parents=True)
    before = children()
    try:
        for folder in (root, bare, tmp_path / "missing"):
            prefetch(folder)
    finally:
        locked.chmod(0o644)
    assert children() <= before
