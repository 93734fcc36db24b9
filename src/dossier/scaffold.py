"""`dossier init DIR`: a new dossier that checks and builds out of the box.

It holds a short sample article of our own, one claim file showing every
field people edit, the settings with a comment on each, the JSON Schemas
editors use, and a README saying what to do next. Nothing that already
exists is ever overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import DossierError, Problem
from .store import write_atomic

CONFIG = """\
# The settings of this dossier. `dossier check` validates this file; editors that
# read the `$schema` line below give completion and inline errors.
# yaml-language-server: $schema=schema/config.schema.json

# The name of the site, shown on every page.
title: "{title}"
# One or two sentences for the home page and search engines.
description: "Les affirmations d'un article, vérifiées une par une."
# Where the site will be published: canonical URLs, the sitemap and the feed use it.
# This default matches `dossier serve`; set your real address before publishing.
base_url: "http://127.0.0.1:8000/"
# The language of the site's own words: fr or en.
language: fr
# Who publishes the dossier: the author of every ClaimReview (schema.org).
publisher:
  name: "{title}"
  type: Organization          # or Person
  # url: "https://example.org/"
# Transparency pages (Markdown). Fact-checkers publish all three.
methodology: |
  Chaque affirmation vérifiable de l'article a son propre fichier dans claims/.
  Elle reste « non vérifiée » tant qu'aucune source réelle, citée, ne permet de trancher.
corrections_policy: |
  Toute correction est datée et ajoutée au journal de l'affirmation ; rien n'est effacé.
contact: |
  Pour signaler une erreur, écrivez-nous en citant l'identifiant de l'affirmation.
# Full-text search (Pagefind), built with the site.
search: true
# The verdict scale. Leave it out to use the default one:
# true, mostly-true, mixed, mostly-false, false, unverifiable, unverified.
# verdicts:
#   - {{id: true, label: {{fr: Vrai, en: True}}, color: "#1a7f37", rating: 5}}
#   - ...
#   - {{id: unverified, label: {{fr: Non vérifié, en: Unverified}}, color: "#57606a"}}
"""

ARTICLE_NAME = "exemple-marche-du-port.txt"
ARTICLE_SLUG = "exemple-marche-du-port"
# A made-up article, so that the new dossier shows every part of the site.
ARTICLE = """\
Le marché du port attire 2 000 visiteurs chaque samedi
https://exemple.org/2025/06/marche-du-port
07/06/2025 // Rédaction
Selon la mairie, plus de 2 000 visiteurs se pressent chaque samedi sur le marché du port.
Les commerçants affirment que leur chiffre d'affaires a augmenté d'environ 15 % en un an.
La municipalité pourrait ouvrir un second marché d'ici la fin de l'année.
"""

CLAIM_TEXT = "Selon la mairie, plus de 2 000 visiteurs se pressent chaque samedi sur le marché du port."

CLAIM = f"""\
# yaml-language-server: $schema=../../schema/claim.schema.json
# A claim file. `dossier extract` writes the first part; the second belongs to you.
id: mairie-2000-visiteurs          # stable: the file name, and the claim's address on the site
article: {ARTICLE_SLUG}
text: "{CLAIM_TEXT}"               # verbatim from the article
location: {{line: 4, start: 0, end: {len(CLAIM_TEXT)}}}     # line in the seed, character offsets
kind: quantity
checkworthy: true
checkworthiness: 0.9
quantities:
- {{surface: plus de 2 000, qualifier: at_least, value: 2000, counts: visiteurs}}
speaker: {{name: la mairie, kind: organisation, entity: mairie}}
verb: selon
modality: reported
entities: [mairie]
# ---- fields people own: `dossier extract` never rewrites them ----
verdict: unverified                # a step of the scale in dossier.yaml
confidence: low                    # low | medium | high
confidence_note: |
  Markdown. Ce que l'on sait, ce que l'on ignore, ce qui permettrait de trancher.
sources: []                        # - {{url: https://..., title: ..., publisher: ..., date: 2025-06-07,
                                   #    stance: supports | contradicts | context, archived: https://...}}
notes: ''
corrections: []                    # - {{date: 2025-06-08, text: Ce qui a changé et pourquoi.}}
related: []                        # ids of other claims: [other-id] or [other-article/other-id]
"""

ENTITIES = """\
# People, places and organisations the claims name.
# `dossier extract` adds new ones at the end and never changes an entry.
# yaml-language-server: $schema=schema/entities.schema.json
mairie: {name: la mairie, type: organisation}
"""

README = """\
# {title}

A fact-check dossier made with `dossier`.

```sh
dossier extract          # seeds/ -> claims/: one YAML file per checkable claim
dossier check            # every problem of every file, with line and column
dossier serve            # preview on http://127.0.0.1:8000/, rebuilt on every save
dossier build            # site/, ready to publish
```

1. Put articles in `seeds/` (plain text: title, URL, `DD/MM/YYYY // Author`,
   then one paragraph per line; or Markdown with front matter).
   `seeds/{article}` is an example: delete it, and `claims/{slug}/`, when you add your own.
2. Run `dossier extract`, then edit the files in `claims/`: verdict, confidence,
   sources, notes. Re-running `extract` never changes a file that exists.
3. `dossier check` before you commit; `dossier build --strict` in CI.

`schema/` holds the JSON Schemas of claim files, `dossier.yaml` and `entities.yaml`:
editors with a YAML language server (VS Code's YAML extension, for one) use them
for completion and inline errors.
"""

GITIGNORE = "site/\n.dossier-cache/\n"


def init_dossier(directory: Path, echo: Callable[[str], None]) -> list[Path]:
    """Create a new dossier in `directory` (made if missing). Returns the files written."""
    directory = Path(directory)
    if (directory / "dossier.yaml").exists():
        raise DossierError(Problem(str(directory / "dossier.yaml"), None, None,
                                   "there is already a dossier here",
                                   "init never overwrites a file: choose a new folder"))
    if directory.exists() and not directory.is_dir():
        raise DossierError(Problem(str(directory), None, None, "is a file, not a folder"))
    title = directory.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "Dossier"
    title = title.replace('"', "'").replace("\\", "/")
    files = {
        "dossier.yaml": CONFIG.format(title=title),
        f"seeds/{ARTICLE_NAME}": ARTICLE,
        f"claims/{ARTICLE_SLUG}/mairie-2000-visiteurs.yaml": CLAIM,
        "entities.yaml": ENTITIES,
        "README.md": README.format(title=title, article=ARTICLE_NAME, slug=ARTICLE_SLUG),
        ".gitignore": GITIGNORE,
    }
    package_schemas = Path(__file__).parent / "schema"
    for schema in sorted(package_schemas.glob("*.schema.json")):
        files[f"schema/{schema.name}"] = schema.read_text(encoding="utf-8")
    written = []
    for name, text in files.items():
        path = directory / name
        if path.exists():
            echo(f"{path}: exists, left as it is")
            continue
        write_atomic(path, text)
        written.append(path)
    (directory / "templates").mkdir(exist_ok=True)  # the theme's files can be overridden one by one here
    echo(f"{directory}: new dossier, {len(written)} files. Next: cd {directory} && dossier serve")
    return written
