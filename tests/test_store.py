"""store.py: YAML with positions, atomic writes, and extraction that never touches a person's file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from minidossier import GOOD_CLAIM, SECOND_CLAIM, make_dossier

from dossier.errors import DossierError
from dossier.extract import ExtractionResult
from dossier.load import load_dossier, parse_claim
from dossier.store import (
    MAX_YAML_BYTES,
    claim_file_text,
    iter_claim_files,
    parse_yaml,
    read_yaml,
    save_entities,
    save_extraction,
    write_atomic,
)
from dossier.workflow import CLAIM_SCHEMA_URL


def snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


# ---------------------------------------------------------------- reading


def test_positions_of_keys_and_values():
    doc = parse_yaml("a: 1\nlist:\n  - x\n  - {k: v}\n", "f.yaml")
    assert doc.data == {"a": 1, "list": ["x", {"k": "v"}]}
    assert doc.mark(("a",)) == (1, 4)
    assert doc.mark(("a", "<key>")) == (1, 1)
    assert doc.mark(("list", 1, "k")) == (4, 9)
    assert doc.mark(("list", 1, "missing")) == (4, 5)  # the closest parent that exists


def test_bom_and_crlf_keep_positions(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: \xc3\xa9t\xc3\xa9\r\nc: [1, x]\r\n")
    doc = read_yaml(path, "f.yaml")
    assert doc.data == {"a": 1, "b": "été", "c": [1, "x"]}
    assert doc.mark(("c", 1)) == (3, 8)


def test_invalid_utf8_says_where(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: ok\nb: caf\xe9\n")
    with pytest.raises(DossierError) as caught:
        read_yaml(path, "f.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 7)
    assert problem.message == "not UTF-8 text (byte 0xe9)" and "UTF-8" in problem.hint


def test_too_big_and_missing_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * MAX_YAML_BYTES + b"\n")
    with pytest.raises(DossierError, match="over the 1 MB limit"):
        read_yaml(big)
    with pytest.raises(DossierError, match="no such file"):
        read_yaml(tmp_path / "nope.yaml")


def test_dates_numbers_and_text_are_typed_as_yaml_says():
    doc = parse_yaml("d: 2025-06-04\nq: '2025-06-04'\nn: 1_000\nf: 0.5\nb: true\nz: ~\n", "f")
    types = [type(v).__name__ for v in doc.data.values()]
    assert types == ["date", "str", "int", "float", "bool", "NoneType"]


# ---------------------------------------------------------------- writing


def test_write_atomic_writes_and_skips_identical_content(tmp_path):
    path = tmp_path / "sub" / "f.yaml"
    assert write_atomic(path, "a: 1\n") is True
    mtime = path.stat().st_mtime_ns
    assert write_atomic(path, "a: 1\n") is False
    assert path.stat().st_mtime_ns == mtime
    assert write_atomic(path, "a: 2\n") is True
    assert path.read_text() == "a: 2\n"


def test_write_atomic_never_leaves_half_a_file(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "a: \ud800\n")  # cannot be encoded: fails before anything is replaced
    assert path.read_text() == "a: 1\n"

    class Disk(Exception):
        pass

    real_replace = os.replace

    def failing_replace(src, dst):
        raise Disk("disk full")

    os.replace = failing_replace
    try:
        with pytest.raises(Disk):
            write_atomic(path, "a: 3\n")
    finally:
        os.replace = real_replace
    assert path.read_text() == "a: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]  # no temporary file left behind


def test_iter_claim_files_sorted_and_skips_hidden(tmp_path):
    root = make_dossier(tmp_path, {"b.yaml": "", "a.yml": "", ".a.yaml.tmp": "", ".hidden.yaml": "",
                                   "notes.txt": ""})
    assert [p.name for p in iter_claim_files(root)] == ["a.yml", "b.yaml"]


# ---------------------------------------------------------------- extraction output


def first_article(root: Path):
    from dossier.article import read_article

    return read_article(root / "seeds" / "brest.txt")


def _result(root: Path, claims=None) -> ExtractionResult:
    dossier = load_dossier(root)
    article = dossier.articles["brest"]
    return ExtractionResult(article, tuple(claims if claims is not None else dossier.claims),
                            tuple(dossier.entities.values()))


def test_a_new_claim_file_reads_back_as_the_same_claim(tmp_path):
    root = make_dossier(tmp_path)
    dossier = load_dossier(root)
    from dossier.claims import claim_to_data

    for claim in dossier.claims:
        text = claim_file_text(claim_to_data(claim), CLAIM_SCHEMA_URL)
        assert text.startswith(f"# yaml-language-server: $schema={CLAIM_SCHEMA_URL}\n")
        assert text.index("verdict:") > text.index("# ---- fields people own")
        problems = []
        again = parse_claim(parse_yaml(text, claim.path), dossier.config, dossier.articles, dossier.entities,
                            problems, related_refs=[])
        assert again == claim and [p for p in problems if p.severity == "error"] == []


def test_rerun_keeps_hand_edited_files_byte_for_byte(tmp_path):
    root = make_dossier(tmp_path)
    result = _result(root)
    folder = root / "claims" / "brest"
    for path in folder.iterdir():
        path.unlink()
    report = save_extraction(root, result, CLAIM_SCHEMA_URL)
    assert sorted(report.created) == ["claims/brest/marins-1200.yaml", "claims/brest/visiteurs.yaml"]

    # A person edits both files: comments, reordered keys, CRLF line endings, a new verdict.
    edited = {
        "marins-1200.yaml": ("# checked with the harbour master on 5 June\r\n"
                             + (folder / "marins-1200.yaml").read_text().replace("\n", "\r\n")
                             .replace("verdict: unverified", "verdict: mostly-true  # see sources")).encode(),
        "visiteurs.yaml": SECOND_CLAIM.replace("verdict: unverified", "notes: |\n  À suivre.\nverdict: mixed")
        .encode(),
    }
    for name, data in edited.items():
        (folder / name).write_bytes(data)
    before = snapshot(root)
    report = save_extraction(root, result, CLAIM_SCHEMA_URL)
    assert report.created == () and sorted(report.kept) == sorted(f"claims/brest/{n}" for n in edited)
    assert snapshot(root) == before


def test_new_claims_get_new_files_and_vanished_ones_are_reported(tmp_path):
    root = make_dossier(tmp_path)
    first, second = load_dossier(root).claims
    folder = root / "claims" / "brest"
    (folder / "visiteurs.yaml").unlink()
    # A file whose text the article no longer has, and one a person broke: both stay as they are.
    (folder / "ghost.yaml").write_text(SECOND_CLAIM.replace("id: visiteurs", "id: ghost")
                                       .replace("Les autorités", "Les fantômes"))
    (folder / "broken.yaml").write_bytes(b"id: [broken\n")
    before = snapshot(root)
    result = ExtractionResult(first_article(root), (first, second))
    report = save_extraction(root, result, CLAIM_SCHEMA_URL)
    assert report.created == ("claims/brest/visiteurs.yaml",)
    assert report.kept == ("claims/brest/marins-1200.yaml",)
    assert report.vanished == ("claims/brest/ghost.yaml",)
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k in before} == before


def test_an_id_in_use_is_never_reused(tmp_path):
    root = make_dossier(tmp_path)
    first, second = load_dossier(root).claims
    folder = root / "claims" / "brest"
    (folder / "visiteurs.yaml").write_bytes(b"a file a person broke: [\n")
    report = save_extraction(root, ExtractionResult(first_article(root), (first, second)), CLAIM_SCHEMA_URL)
    assert report.created == ("claims/brest/visiteurs-2.yaml",)
    assert (folder / "visiteurs.yaml").read_bytes() == b"a file a person broke: [\n"


def test_extraction_output_is_deterministic(tmp_path):
    outputs = []
    for name in ("one", "two"):
        root = make_dossier(tmp_path / name)
        result = _result(root)
        for path in (root / "claims" / "brest").iterdir():
            path.unlink()
        save_extraction(root, result, CLAIM_SCHEMA_URL)
        outputs.append(snapshot(root / "claims"))
    assert outputs[0] == outputs[1]


def test_save_entities_appends_and_keeps_hand_edits(tmp_path):
    from dossier.claims import Entity

    root = make_dossier(tmp_path, entities="# Our entities\nbrest: {name: Brest, type: place}  # the city\n")
    before = (root / "entities.yaml").read_bytes()
    added = save_entities(root, [Entity("brest", "BREST", "place"), Entity("quimper", "Quimper", "place",
                                                                           ("Kemper",))])
    assert added == ["quimper"]
    after = (root / "entities.yaml").read_bytes()
    assert after.startswith(before)
    assert read_yaml(root / "entities.yaml").data["quimper"] == {"name": "Quimper", "type": "place",
                                                                 "aliases": ["Kemper"]}
    assert save_entities(root, [Entity("quimper", "Q", "place")]) == []
    assert (root / "entities.yaml").read_bytes() == after
    _ = GOOD_CLAIM


def test_extraction_never_writes_outside_claims(tmp_path):
    """A Markdown seed may set its own slug: one like a path is refused before anything is written."""
    import dataclasses

    root = make_dossier(tmp_path / "d")
    first, _ = load_dossier(root).claims
    article = dataclasses.replace(first_article(root), slug="../../evil")
    before = snapshot(tmp_path)
    with pytest.raises(DossierError, match=r"article slug '\.\./\.\./evil' must be"):
        save_extraction(root, ExtractionResult(article, (first,)), CLAIM_SCHEMA_URL)
    assert snapshot(tmp_path) == before


def test_the_claim_ids_of_a_folder_are_its_claim_files_only(tmp_path):
    from dossier.store import claim_files_in, claim_ids_in

    folder = tmp_path / "claims" / "article"
    folder.mkdir(parents=True)
    for name in ("b.yml", "a.yaml", ".draft.yaml", "notes.txt", "c.yaml~"):
        (folder / name).write_text("id: x\n")
    assert [p.name for p in claim_files_in(folder)] == ["a.yaml", "b.yml"]
    assert claim_ids_in(folder) == {"a", "b"}
    assert claim_ids_in(tmp_path / "claims" / "missing") == set()
