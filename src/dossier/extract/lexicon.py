"""Helpers for the general French word lists of the extractor."""

from __future__ import annotations


def words(text: str) -> list[str]:
    """A word list written as one blank-separated string, as lexicons read best."""
    return text.split()
