"""The glue behind `dossier extract` and `dossier check`: stages called in order.

Each function here reads the dossier, calls the stages, and reports; the
stages themselves never call each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .article import Article, find_seeds, read_article
from .errors import DossierError, Problem

CLAIM_SCHEMA_URL = "../../schema/claim.schema.json"


def read_seeds(root: Path, paths: list[Path], language: str = "fr") -> list[Article]:
    """The articles named by `paths` (default: every seed), all read before any is extracted."""
    seeds = [p if p.is_absolute() else Path.cwd() / p for p in paths] if paths else \
        find_seeds(root / "seeds")
    problems: list[Problem] = []
    articles = []
    for seed in seeds:
        if seed.is_dir():
            try:
                seeds_in_dir = find_seeds(seed)
            except DossierError as error:
                problems += error.problems
                continue
        else:
            seeds_in_dir = [seed]
        for path in seeds_in_dir:
            try:
                articles.append(read_article(path, _shown(root, path), language=language))
            except DossierError as error:
                problems += error.problems
    if problems:
        raise DossierError(problems)
    return articles


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def extract_to_files(root: Path, paths: list[Path], echo: Callable[[str], None]) -> None:
    from .extract import extract
    from .store import save_entities, save_extraction

    # The extractor reads French (fr_core_news_md): seeds are French articles.
    articles = read_seeds(root, paths, language="fr")
    for article in articles:
        for warning in article.warnings:
            echo(warning.format())
    articles = [a for a in articles if a.blocks]
    if not articles:
        return
    results = extract(articles)
    added = save_entities(root, [e for r in results for e in r.entities])
    for result in results:
        report = save_extraction(root, result, CLAIM_SCHEMA_URL)
        echo(f"{result.article.path}: {len(result.claims)} claims found, "
             f"{len(report.created)} new files, {len(report.kept)} kept as they were")
        for path in report.vanished:
            echo(f"{path}: warning: its text is no longer in the article; the file is kept,"
                 " delete it if the claim is gone")
    if added:
        echo(f"entities.yaml: {len(added)} new entities")


def check_dossier(root: Path) -> list[Problem]:
    """Every problem of a dossier, errors and warnings, without writing anything."""
    from .load import load_dossier

    try:
        dossier = load_dossier(root)
    except DossierError as error:
        return error.problems
    from .analyse import analyse_with_problems, finding_problems

    # Where the article contradicts itself: open findings are warnings (findings.yaml decides).
    findings, decision_problems = analyse_with_problems(dossier)
    return [*dossier.problems, *decision_problems, *finding_problems(dossier, findings)]
