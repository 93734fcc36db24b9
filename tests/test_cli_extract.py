"""`dossier extract` from the command line: bad input, re-runs, determinism.

Runs the real installed command in a subprocess, as a user would. Bad input
is refused before spaCy loads; the runs that extract load the model.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_0192ca2fc7805c9c.txt"
DOSSIER = [sys.executable, "-m", "dossier.cli"] if not (Path(sys.executable).parent / "dossier").exists() \
    else [str(Path(sys.executable).parent / "dossier")]


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*DOSSIER, "-C", str(root), "extract", *args], capture_output=True, text=True,
                          timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def make_root(tmp_path: Path, name: str = "dossier") -> Path:
    root = tmp_path / name
    (root / "seeds").mkdir(parents=True)
    shutil.copy(SEED, root / "seeds" / SEED.name)
    return root


def assert_one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    problem_lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(problem_lines) == 1, result.stderr
    for word in words:
        assert word in problem_lines[0], problem_lines[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A dossier after one extraction of the seed (loads spaCy once)."""
    root = make_root(tmp_path_factory.mktemp("extracted"))
    result = run(root)
    assert result.returncode == 0, result.stderr
    assert "claims found" in result.stderr
    return root


def test_missing_file(tmp_path):
    root = make_root(tmp_path)
    assert_one_clear_error(run(root, str(root / "seeds" / "absent.txt")), "absent.txt", "no such file")


def test_folder_without_seeds(tmp_path):
    root = make_root(tmp_path)
    (root / "empty").mkdir()
    assert_one_clear_error(run(root, str(root / "empty")), "empty", "no articles")
    bare = tmp_path / "bare"
    bare.mkdir()
    assert_one_clear_error(run(bare), "seeds", "no seeds folder")


def test_empty_article_is_a_warning(tmp_path):
    root = tmp_path / "d"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "vide.txt").write_text("\n\n", encoding="utf-8")
    result = run(root)
    assert "Traceback" not in result.stderr
    assert "vide.txt" in result.stderr and "warning" in result.stderr and "empty" in result.stderr
    assert not (root / "claims").exists() or not any((root / "claims").rglob("*.yaml"))


def test_non_utf8_file(tmp_path):
    root = make_root(tmp_path)
    (root / "seeds" / "latin1.txt").write_bytes("Titre\nLe café coûte 3 euros.\n".encode("latin-1"))
    assert_one_clear_error(run(root), "latin1.txt:2:", "not UTF-8", "iconv")


def test_ten_megabyte_article(tmp_path):
    root = make_root(tmp_path)
    paragraph = SEED.read_text(encoding="utf-8").split("\n")[8] + "\n"
    big = root / "seeds" / "enorme.txt"
    copies = 10 * 1024 * 1024 // len(paragraph.encode()) + 1
    big.write_text("Titre\n" + paragraph * copies, encoding="utf-8")
    assert big.stat().st_size >= 10 * 1024 * 1024
    assert_one_clear_error(run(root, str(big)), "enorme.txt", "MB")


def test_bad_input_leaves_existing_claims_untouched(extracted, tmp_path):
    before = snapshot(extracted / "claims")
    assert before
    (extracted / "seeds" / "bad.txt").write_bytes(b"Titre\n\xff\xfe\n")
    try:
        assert run(extracted).returncode != 0
        assert run(extracted, "missing.txt").returncode != 0
    finally:
        (extracted / "seeds" / "bad.txt").unlink()
    assert snapshot(extracted / "claims") == before


def test_rerun_keeps_every_file_and_hand_edit_byte_for_byte(extracted, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(extracted, root)
    files = sorted((root / "claims").rglob("*.yaml"))
    edited = files[0]
    text = edited.read_text(encoding="utf-8")
    text = text.replace("confidence: low", "confidence: high").replace("notes: ''", "notes: |\n  Vu par A.\n")
    edited.write_text(text, encoding="utf-8")
    before = snapshot(root)
    # One sentence of the article changes: its claim file stays and is reported, a new one appears.
    seed = root / "seeds" / SEED.name
    original = seed.read_text(encoding="utf-8")
    changed = original.replace("récent déploiement de 6 000", "récent déploiement de 7 000")
    assert changed != original
    seed.write_text(changed, encoding="utf-8")
    result = run(root)
    assert result.returncode == 0, result.stderr
    after = snapshot(root)
    for name, content in before.items():
        if name.startswith("claims/"):
            assert after[name] == content, name
    assert edited.read_text(encoding="utf-8") == text
    vanished = [line for line in result.stderr.splitlines() if "no longer in the article" in line]
    assert len(vanished) == 1 and "6000" in vanished[0]
    new = set(after) - set(before)
    assert any("7000" in name for name in new)


def test_output_is_deterministic(extracted, tmp_path):
    other = make_root(tmp_path, "again")
    result = run(other)
    assert result.returncode == 0, result.stderr
    assert snapshot(other / "claims") == snapshot(extracted / "claims")
    assert (other / "entities.yaml").read_bytes() == (extracted / "entities.yaml").read_bytes()
