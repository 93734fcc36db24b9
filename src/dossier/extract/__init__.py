"""The spaCy side: an `Article` in, claims and entities out. Nothing here writes files.

Only `dossier extract` imports this package; `build`, `check` and `--help`
never do, so they stay fast.

How a claim is found: the article's claim blocks (never headings or page
furniture) go through one `nlp.pipe` run, with sentence and clause
boundaries imposed before the parser (`sentences`). Each unit is then read
for figures (`quantities`), speaker and verb (`attribution`), hedging
(`modality`), people/places/organisations (`entities`), and its kind and
check-worthiness (`checkworthiness`); `ids` names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..article import Article
from ..claims import Claim, Entity

MODEL = "fr_core_news_md"
UNITS_PIPE = "dossier_units"


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


def prepare(nlp):
    """Add the sentence/clause segmenter before the parser (once)."""
    from . import sentences  # noqa: F401  (registers the component)

    if UNITS_PIPE not in nlp.pipe_names:
        nlp.add_pipe(UNITS_PIPE, before="parser" if "parser" in nlp.pipe_names else None)
    return nlp


def extract(articles: list[Article], nlp=None) -> list[ExtractionResult]:
    """Find the checkable claims of each article. Loads the model once for all."""
    from .entities import EntityIndex
    from .reader import ArticleReader

    nlp = prepare(nlp if nlp is not None else load_pipeline())

    index = EntityIndex()
    work = [
        (block.text, (article_no, block_no))
        for article_no, article in enumerate(articles)
        for block_no, block in enumerate(article.claim_blocks())
    ]
    docs: dict[int, list] = {i: [] for i in range(len(articles))}
    for doc, (article_no, block_no) in nlp.pipe(work, as_tuples=True, batch_size=64):
        docs[article_no].append((block_no, doc))
    results = []
    for article_no, article in enumerate(articles):
        index.new_article()
        reader = ArticleReader(article, index)
        blocks = article.claim_blocks()
        for block_no, doc in docs[article_no]:
            reader.read_block(blocks[block_no], doc)
        results.append(reader.result(ExtractionResult))
    return results
