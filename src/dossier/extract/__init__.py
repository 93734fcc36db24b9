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
    """Find the checkable claims of each article. Loads the model once for all.

    One `nlp.pipe` over every paragraph of every article; each article is read
    as soon as its last paragraph is parsed, so Docs do not pile up in memory.
    """
    from .entities import EntityIndex
    from .reader import ArticleReader

    nlp = prepare(nlp if nlp is not None else load_pipeline())
    index = EntityIndex()
    work = [
        (text, (article_no, block_no, offset))
        for article_no, article in enumerate(articles)
        for block_no, block in enumerate(article.claim_blocks())
        for offset, text in chunks(block.text)
    ]
    readers: dict[int, ArticleReader] = {}
    results: list[ExtractionResult] = []

    def finish_until(article_no: int) -> None:
        while len(results) < article_no:
            number = len(results)
            if number not in readers:
                index.new_article()
                readers[number] = ArticleReader(articles[number], index)
            results.append(readers.pop(number).result(ExtractionResult))

    for doc, (article_no, block_no, offset) in nlp.pipe(work, as_tuples=True, batch_size=64):
        finish_until(article_no)
        if article_no not in readers:
            index.new_article()
            readers[article_no] = ArticleReader(articles[article_no], index)
        reader = readers[article_no]
        reader.read_block(articles[article_no].claim_blocks()[block_no], doc, offset)
    finish_until(len(articles))
    return results


MAX_CHUNK = 50_000  # characters per Doc: spaCy needs ~1 GB per 100,000 characters of one text


def chunks(text: str) -> list[tuple[int, str]]:
    """A paragraph cut, at sentence boundaries, into pieces spaCy can parse: (offset, text)."""
    if len(text) <= MAX_CHUNK:
        return [(0, text)]
    from .sentences import unit_spans

    pieces: list[tuple[int, str]] = []
    start = end = 0
    for _, unit_end in unit_spans(text):
        if unit_end - start > MAX_CHUNK and end > start:
            pieces.append((start, text[start:end]))
            start = end
        end = unit_end
    pieces.append((start, text[start:]))
    # A single unit longer than MAX_CHUNK (no punctuation at all) is cut blindly.
    return [(offset + i, piece[i:i + MAX_CHUNK]) for offset, piece in pieces
            for i in range(0, len(piece), MAX_CHUNK)]
