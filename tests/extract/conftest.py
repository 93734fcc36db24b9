"""One spaCy model for the whole test session (loading it takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def nlp():
    from dossier.extract import load_pipeline, prepare

    return prepare(load_pipeline())


@pytest.fixture(scope="session")
def parse(nlp):
    """parse(text) -> the units (spaCy sentences) of one paragraph."""

    def _parse(text: str):
        return list(nlp(text).sents)

    return _parse


@pytest.fixture(scope="session")
def extract_file(nlp):
    """extract_file(path) -> ExtractionResult, cached per path."""
    from dossier.article import read_article
    from dossier.extract import extract

    cache: dict[Path, object] = {}

    def _extract(path: Path):
        if path not in cache:
            cache[path] = extract([read_article(path)], nlp=nlp)[0]
        return cache[path]

    return _extract
