"""A fresh copy of the fixture dossier per test, built with a fixed SOURCE_DATE_EPOCH."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from render_helpers import EPOCH, FIXTURE


@pytest.fixture
def dossier_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "dossier"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("site", ".dossier-cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return root
