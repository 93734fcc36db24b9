"""article.py: seeds into typed blocks that map back to exact file positions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dossier.article import find_seeds, parse_article, read_article
from dossier.errors import DossierError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_0192ca2fc7805c9c.txt"


def parse(text: str, name: str = "a.txt"):
    return parse_article(text, path=Path(name), display_path=name)


@pytest.fixture(scope="module")
def seed():
    return read_article(SEED, "seeds/000_0192ca2fc7805c9c.txt")


def test_seed_metadata(seed):
    assert seed.slug == "000-0192ca2fc7805c9c"
    assert seed.title.startswith("La Corée du Nord envoie")
    assert seed.url.startswith("https://www.naturalnews.com/")
    assert seed.published == date(2025, 11, 17)
    assert seed.author == "Kevin Hughes"
    assert seed.publisher == "naturalnews.com"
    assert seed.language == "fr"


def test_seed_block_kinds(seed):
    kinds = {b.line: b.kind for b in seed.blocks}
    assert kinds[1] == "title"
    assert kinds[2] == kinds[3] == "meta"
    assert all(kinds[n] == "bullet" for n in range(4, 9))
    assert kinds[18] == "heading"
    assert all(kinds[n] in ("boilerplate", "sources") for n in range(24, 29))
    assert all(kinds[n] == "paragraph" for n in (9, 14, 17, 19, 23))


def test_empty_source_list_is_kept_as_evidence(seed):
    assert seed.sources_announced
    assert seed.listed_sources == ()
    assert seed.sources_list_empty


def test_bullet_offsets_point_into_the_file(seed):
    bullet = next(b for b in seed.blocks if b.line == 4)
    start = bullet.text.index("Plus de 10 000")
    location = bullet.location(start, start + len("Plus de 10 000"))
    assert (location.line, location.start) == (4, 2)  # after "- "
    assert seed.text_at(location) == "Plus de 10 000"
    assert seed.lines[3][location.start : location.end] == "Plus de 10 000"


def test_claim_blocks_exclude_furniture(seed):
    lines = {b.line for b in seed.claim_blocks()}
    assert 1 in lines and 18 not in lines and not lines & {2, 3, 24, 25, 26, 27, 28}


def test_listed_sources_are_not_empty_when_present():
    article = parse("Titre\n\nUn paragraphe qui affirme quelque chose.\nSources :\n"
                    "https://example.org/rapport\n")
    assert article.sources_announced and not article.sources_list_empty
    assert article.listed_sources == ("https://example.org/rapport",)


def test_byline_variants():
    article = parse("Titre d'article\nhttp://exemple.fr/a\n03/02/2024 - Marie Dupont\nTexte.\n")
    assert article.published == date(2024, 2, 3)
    assert article.author == "Marie Dupont"
    assert article.publisher == "exemple.fr"


def test_invalid_byline_date_is_not_metadata():
    article = parse("Titre\n31/02/2024 // Personne\nTexte.\n")
    assert article.published is None
    assert article.blocks[1].kind != "meta"


def test_markdown_front_matter_and_multiline_paragraphs():
    text = (
        "---\ntitle: Un titre\nurl: https://exemple.fr/x\npublished: 2024-05-06\nauthor: A. B.\n---\n"
        "# Intertitre\n\nPremière ligne du paragraphe\nqui continue ici.\n\n- une puce\n"
    )
    article = parse(text, "x.md")
    assert article.title == "Un titre"
    assert article.published == date(2024, 5, 6)
    paragraph = next(b for b in article.blocks if b.kind == "paragraph")
    assert paragraph.text == "Première ligne du paragraphe\nqui continue ici."
    start = paragraph.text.index("paragraphe")
    end = paragraph.text.index("ici") + 3
    location = paragraph.location(start, end)
    assert (location.line, location.end_line) == (9, 10)
    assert article.text_at(location) == paragraph.text[start:end]
    assert [b.kind for b in article.blocks] == ["title", "heading", "paragraph", "bullet"]


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(DossierError, match="never closed"):
        parse("---\ntitle: x\n", "x.md")


def test_crlf_and_bom_are_normalised(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffTitre\r\nUne phrase.\r\n".encode())
    article = read_article(path)
    assert article.lines == ("Titre", "Une phrase.")


def test_non_utf8_names_line_and_column(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Titre\nL'été dernier.\n".encode("latin-1"))
    with pytest.raises(DossierError) as caught:
        read_article(path, "seeds/latin1.txt")
    problem = caught.value.problems[0]
    assert (problem.path, problem.line, problem.column) == ("seeds/latin1.txt", 2, 3)  # the é of "L'été"
    assert "UTF-8" in problem.message


def test_oversized_article_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Titre\n" + b"Une phrase. " * 900_000)
    with pytest.raises(DossierError, match="MB"):
        read_article(path)


def test_empty_article_warns():
    article = parse("\n\n")
    assert article.blocks == ()
    assert article.warnings and article.warnings[0].severity == "warning"


def test_find_seeds_errors(tmp_path):
    with pytest.raises(DossierError, match="no seeds folder"):
        find_seeds(tmp_path / "missing")
    (tmp_path / "seeds").mkdir()
    with pytest.raises(DossierError, match="no articles"):
        find_seeds(tmp_path / "seeds")


def test_front_matter_title_is_located_in_the_front_matter():
    article = parse('---\ntitle: "Le maire promet 300 logements"\n---\nTexte.\n', "t.md")
    title = article.blocks[0]
    assert title.kind == "title"
    location = title.location(0, len(title.text))
    assert location.line == 2
    assert article.text_at(location) == "Le maire promet 300 logements"


def test_folded_front_matter_title_is_metadata_only():
    article = parse("---\ntitle: >-\n  Un titre\n  sur deux lignes\n---\nTexte.\n", "t.md")
    assert article.title == "Un titre sur deux lignes"
    assert all(b.kind != "title" for b in article.blocks)
