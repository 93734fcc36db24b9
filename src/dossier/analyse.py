"""Cross-claim analysis: where the article contradicts itself, from the claim files alone.

FIRST DRAFT (interface only): the analysis work fills `analyse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .load import Dossier

FindingKind = Literal["conflicting-figures", "framing", "stale-date", "weak-sourcing"]
FindingStatus = Literal["open", "confirmed", "dismissed"]


@dataclass(frozen=True)
class Finding:
    id: str  # stable across builds: [a-z0-9-]
    kind: FindingKind
    article: str  # article slug
    topic: str
    claims: tuple[str, ...]  # claim keys "article/id", in article order
    message: str  # readable, in the dossier's language
    status: FindingStatus = "open"
    note: str = ""  # from a person's confirm/dismiss, Markdown


def analyse(dossier: Dossier) -> tuple[Finding, ...]:
    """Every finding of a dossier, in a stable order."""
    return ()
