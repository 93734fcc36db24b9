"""dossier: turn a news article into a public, cross-linked fact-check dossier.

The pipeline, one module per stage:

    article.py   seeds/<file>       -> Article        (no spaCy)
    extract/     Article            -> claim dicts    (spaCy, only in `dossier extract`)
    store.py     claim files        <-> dicts + marks (YAML with line/column positions)
    claims.py    dicts + marks      -> Claim          (typed model, validation)
    analyse.py   Claims             -> Findings       (contradictions, weak sourcing)
    render/      everything above   -> site/          (Jinja2, incremental, parallel)
"""

__version__ = "0.1.0"
