"""The spaCy side: an `Article` in, claims and entities out. Nothing here writes files.

Only `dossier extract` imports this package; `build`, `check` and `--help`
never do, so they stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..article import Article
from ..claims import Claim, Entity

MODEL = "fr_core_news_md"


@dataclass(frozen=True)
class ExtractionResult:
    article: Article
    claims: tuple[Claim, ...]  # in article order; ids unique within the article
    entities: tuple[Entity, ...] = field(default=())  # every entity the claims refer to


def load_pipeline(model: str = MODEL):
    """The French pipeline, installed as a package (never downloaded at run time)."""
    import spacy

    from ..errors import DossierError

    try:
        return spacy.load(model)
    except OSError:
        raise DossierError(
            f"the spaCy model '{model}' is not installed; install it with"
            f" `pip install {model.replace('_', '-')}` (it is on PyPI)"
        ) from None


def extract(articles: list[Article], nlp=None) -> list[ExtractionResult]:
    """Find the checkable claims of each article. Loads the model once for all."""
    raise NotImplementedError("the extractor is being written")
