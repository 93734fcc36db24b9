"""What a figure counts, normalised, so claims about the same thing can be compared.

Shared by `extract` (which writes a `topic` into each quantity of a claim
file) and `analyse` (which compares quantities by topic). No spaCy here: the
extractor passes lemmas in.

FIRST DRAFT (interface only): the analysis work replaces the body.
"""

from __future__ import annotations

from collections.abc import Sequence

from .slugs import slugify


def topic_for(counted: Sequence[str], predicate: Sequence[str] = ()) -> str:
    """A topic id for a quantity.

    `counted`: lemmas of the counted noun phrase, head first, e.g.
    ["soldat", "nord-coréen"]; `predicate`: lemmas of what is said of them,
    e.g. ["perdre", "vie"] or ["mort"]. Returns a slug such as
    "nord-coreen-soldat" (the same for every wording of the same thing).
    """
    return slugify(" ".join([*counted, *predicate])) if counted or predicate else "x"
