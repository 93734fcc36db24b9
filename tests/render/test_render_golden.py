"""Golden files: the fixture dossier's pages, byte for byte.

After a deliberate change to templates or rendering, regenerate them with
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/render` and review the diff in git.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from render_helpers import EPOCH, FIXTURE, fixed_findings, tree

from dossier.render.build import build_site

GOLDEN = Path(__file__).resolve().parent / "golden"
# The search index is Pagefind's output, not ours; static CSS/JS are copied as they are.
SKIP = ("pagefind/", "static/")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("golden") / "dossier"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("site", ".dossier-cache"))
    patch = pytest.MonkeyPatch()
    patch.setattr("dossier.analyse.settle", lambda *args: (fixed_findings(), []))
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        build_site(root, clean=True)
    finally:
        patch.undo()
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    files = {k: v for k, v in tree(root / "site").items() if not k.startswith(SKIP)}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in files.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    return files


def test_the_same_files_as_the_golden_copy(built: dict[str, bytes]) -> None:
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert sorted(built) == expected


@pytest.mark.parametrize("path", sorted(
    p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()))
def test_file_matches_golden(built: dict[str, bytes], path: str) -> None:
    assert path in built, f"{path} is no longer built"
    assert built[path].decode() == (GOLDEN / path).read_text(encoding="utf-8"), (
        f"{path} differs from tests/render/golden/{path}; if the change is deliberate, "
        "run UPDATE_GOLDEN=1 .venv/bin/pytest tests/render")
