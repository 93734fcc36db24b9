"""Throughput of `dossier extract`'s pipeline against raw spaCy on the same French text.

    .venv/bin/python benchmarks/extraction.py [--words 40000]

The large text is built from French text the project has: the seed article's
claim paragraphs and the test articles in tests/data/articles, repeated until
it holds about `--words` words, cut into articles of ~20 paragraphs. Both
sides see exactly the same paragraphs:

* raw: `nlp.pipe(paragraphs)` with the stock fr_core_news_md pipeline, every
  Doc consumed;
* dossier: `extract(articles, nlp)` (sentence/clause units before the parser,
  then quantities, attribution, modality, entities, kinds and ids); claim
  files are not written, to measure the extraction and not the disk.

The two are run alternately, `--rounds` times each, and the best time of
each is kept: on a shared machine the load of other processes changes from
one run to the next, and the best run is the one least disturbed.

Prints words/s for both and the ratio (target: >= 80%).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dossier.article import parse_article, read_article  # noqa: E402
from dossier.extract import UNITS_PIPE, extract, load_pipeline, prepare  # noqa: E402

PARAGRAPHS_PER_ARTICLE = 20


def french_paragraphs() -> list[str]:
    sources = [ROOT / "seeds" / "000_0192ca2fc7805c9c.txt", *sorted((ROOT / "tests/data/articles").glob("*"))]
    paragraphs = []
    for path in sources:
        if path.suffix in (".txt", ".md"):
            paragraphs += [block.text for block in read_article(path).claim_blocks() if len(block.text) > 40]
    return paragraphs


def build_articles(words: int) -> tuple[list, list[str], int]:
    base = french_paragraphs()
    paragraphs: list[str] = []
    count = 0
    while count < words:
        for paragraph in base:
            paragraphs.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    articles = []
    for number, start in enumerate(range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE)):
        body = paragraphs[start:start + PARAGRAPHS_PER_ARTICLE]
        text = f"Article de banc d'essai numéro {number}.\n" + "\n".join(body) + "\n"
        articles.append(parse_article(text, Path(f"bench-{number:04d}.txt"), f"bench-{number:04d}.txt"))
    # Exactly the paragraphs extraction reads (title included), for the raw side.
    texts = [block.text for article in articles for block in article.claim_blocks()]
    return articles, texts, sum(len(t.split()) for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    articles, texts, words = build_articles(args.words)
    print(f"text: {words} words in {len(texts)} paragraphs, {len(articles)} articles")

    nlp = prepare(load_pipeline())
    extract(articles[:1], nlp=nlp)  # warm-up
    raw_times, our_times = [], []
    claims = 0
    for _ in range(args.rounds):
        with nlp.select_pipes(disable=[UNITS_PIPE]):  # the stock pipeline
            start = time.perf_counter()
            for _ in nlp.pipe(texts):
                pass
            raw_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        results = extract(articles, nlp=nlp)
        our_times.append(time.perf_counter() - start)
        claims = sum(len(r.claims) for r in results)
    raw, ours = min(raw_times), min(our_times)
    print(f"raw nlp.pipe:    {words / raw:8.0f} words/s  (best of {args.rounds}: {raw:.1f} s)")
    print(f"dossier extract: {words / ours:8.0f} words/s  (best of {args.rounds}: {ours:.1f} s,"
          f" {claims} claims)")
    print(f"ratio: {raw / ours:.0%} of raw spaCy throughput (target >= 80%)")


if __name__ == "__main__":
    main()
