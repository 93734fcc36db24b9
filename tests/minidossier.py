"""A small dossier on disk for tests: one article of our own, entities, claim files.

The article is written for the tests (not the seed), so the tests do not move
when the seed's claims are reviewed.
"""

from __future__ import annotations

from pathlib import Path

ARTICLE_SLUG = "brest"
ARTICLE = """\
Le port de Brest reçoit 40 navires en une semaine
https://exemple.fr/2025/port-brest
03/06/2025 // Marie Durand
Selon la préfecture, plus de 1 200 marins ont débarqué à Brest entre lundi et vendredi.
Le maire a déclaré que « la ville n'a jamais connu une telle affluence ».
Les autorités prévoient entre 3 000 et 4 000 visiteurs supplémentaires d'ici la fin du mois.
"""

CONFIG = """\
title: "Le port de Brest"
base_url: "https://exemple.org/brest/"
language: fr
publisher: {name: "Test newsroom", type: Organization}
methodology: "Une méthode."
corrections_policy: "Une politique."
contact: "Un contact."
"""

ENTITIES = """\
brest: {name: Brest, type: place}
prefecture-du-finistere: {name: Préfecture du Finistère, type: organisation, aliases: [la préfecture]}
"""

# A complete, valid claim file; `{...}` fields are filled by `claim_text`.
GOOD_CLAIM = """\
# yaml-language-server: $schema=../../schema/claim.schema.json
id: marins-1200
article: brest
text: Selon la préfecture, plus de 1 200 marins ont débarqué à Brest entre lundi et vendredi.
location: {line: 4, start: 0, end: 87}
kind: quantity
checkworthy: true
checkworthiness: 0.9
quantities:
- {surface: plus de 1 200, qualifier: at_least, value: 1200, counts: marins}
speaker: {name: la préfecture, kind: organisation, entity: prefecture-du-finistere}
verb: selon
modality: reported
entities: [brest, prefecture-du-finistere]
# ---- fields people own: `dossier extract` never rewrites them ----
verdict: mostly-true
confidence: medium
confidence_note: |
  The prefecture's **own** count; the harbour master's log says 1 150.
sources:
- url: https://exemple.org/capitainerie/juin-2025
  title: Journal de la capitainerie
  publisher: Capitainerie de Brest
  date: 2025-06-04
  stance: supports
  archived: https://web.archive.org/web/2025/https://exemple.org/capitainerie/juin-2025
  quote: 1 150 marins débarqués
notes: ''
corrections:
- {date: 2025-06-05, text: Added the harbour master's log.}
related: [visiteurs]
"""

SECOND_CLAIM = """\
id: visiteurs
article: brest
text: Les autorités prévoient entre 3 000 et 4 000 visiteurs supplémentaires d'ici la fin du mois.
location: {line: 6, start: 0, end: 92}
kind: prediction
quantities:
- {surface: entre 3 000 et 4 000, qualifier: range, low: 3000, high: 4000, counts: visiteurs}
modality: possible
verdict: unverified
"""


def make_dossier(root: Path, claims: dict[str, str] | None = None, *, config: str = CONFIG,
                 entities: str | None = ENTITIES, article: str = ARTICLE) -> Path:
    """Write a dossier into `root`; `claims` maps file names (in claims/brest/) to their text."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dossier.yaml").write_text(config, encoding="utf-8")
    (root / "seeds").mkdir(exist_ok=True)
    (root / "seeds" / f"{ARTICLE_SLUG}.txt").write_text(article, encoding="utf-8")
    if entities is not None:
        (root / "entities.yaml").write_text(entities, encoding="utf-8")
    folder = root / "claims" / ARTICLE_SLUG
    folder.mkdir(parents=True, exist_ok=True)
    if claims is None:
        claims = {"marins-1200.yaml": GOOD_CLAIM, "visiteurs.yaml": SECOND_CLAIM}
    for name, text in claims.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return root
