"""Generate a realistic synthetic dossier for benchmarks.

    python benchmarks/generate.py --claims 10000 --out /tmp/dossier-10k [--seed 1]

DIR becomes a complete dossier that `dossier -C DIR build` builds: dossier.yaml,
N/20 French-looking articles in seeds/ (plain-text seed format), entities.yaml
(a pool of 500 people, places and organisations) and one claim file per claim
in claims/<article>/<id>.yaml. Each claim's text is an exact sentence of its
article at its `location`; each carries ~250 words of Markdown notes, a
confidence note, 3 sources (on reserved example.org domains: this is test data,
not evidence), 3-5 entities, a quantity, a speaker most of the time, a verdict
drawn over the whole scale, sometimes a correction and a related claim.

The output is a function of (N, seed) only: same arguments, same bytes.
Only the standard library is used, so it runs with any Python 3.11.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

CLAIMS_PER_ARTICLE = 20
ENTITY_POOL = 500
MARKER = ".benchmark-dossier"  # marks a folder this script may wipe and regenerate

VERDICTS = ("true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable", "unverified")
VERDICT_WEIGHTS = (10, 12, 14, 14, 16, 9, 25)
KINDS = ("quantity", "quote", "reported", "event", "prediction", "legal")
MODALITIES = ("asserted", "reported", "possible", "promised")
STANCES = ("supports", "contradicts", "context")

FIRST_NAMES = (
    "Jean", "Marie", "Pierre", "Sophie", "Luc", "Camille", "Nicolas", "Claire", "Antoine", "Julie",
    "François", "Élise", "Mathieu", "Inès", "Olivier", "Léa", "Thomas", "Chloé", "Hugo", "Manon",
    "Étienne", "Aurélie", "Rémi", "Zoé", "Benoît", "Hélène", "Yves", "Noémie", "Gaël", "Margaux",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
)
PLACE_STEMS = (
    "Saint-Aubin", "Villeneuve", "Montfort", "Beaulieu", "Clairval", "Roche", "Valmont", "Fontaine",
    "Belcourt", "Mirande", "Châteaurouge", "Pontarlier", "Sauveterre", "Bellerive", "Lormont",
    "Vauclair", "Aigueblanche", "Marsac", "Brézolles", "Chantemerle",
)
PLACE_SUFFIXES = (
    "", "-sur-Loire", "-les-Bains", "-en-Provence", "-la-Forêt", "-sur-Mer", "-le-Vieux",
    "-d'Argent", "-des-Prés", "-en-Vexin", "-sur-Seine", "-la-Rivière",
)
ORG_KINDS = (
    "Ministère de", "Agence nationale de", "Observatoire de", "Institut de", "Conseil régional de",
    "Fédération de", "Syndicat de", "Office de", "Comité de", "Autorité de",
)
ORG_TOPICS = (
    "la santé", "l'énergie", "l'agriculture", "la défense", "l'éducation", "la sécurité routière",
    "l'environnement", "l'eau", "l'industrie", "la recherche", "la statistique", "l'emploi",
    "la culture", "la pêche", "l'aviation civile", "la consommation", "la météorologie",
)
COUNTS = (
    "soldats", "ingénieurs", "habitants", "emplois", "logements", "hectares", "tonnes de blé",
    "entreprises", "écoles", "lits d'hôpital", "kilomètres de routes", "médecins", "réfugiés",
    "véhicules électriques", "éoliennes", "agriculteurs", "étudiants", "policiers", "touristes",
    "millions d'euros", "vols annulés", "arbres plantés", "commerces", "infirmières", "enseignants",
)
ACTIONS = (
    "ont été recensés", "ont été déployés", "ont disparu", "ont été créés", "sont attendus",
    "ont été détruits", "ont été financés", "ont quitté la région", "ont été vaccinés",
    "ont été mobilisés", "sont menacés", "ont été reconstruits", "ont été fermés",
)
REPORT_VERBS = ("a déclaré", "affirme", "a annoncé", "estime", "a assuré", "a indiqué", "soutient")
TIME_PHRASES = (
    "depuis le début de l'année", "en un an", "au cours du dernier trimestre", "depuis 2019",
    "d'ici la fin de l'été", "en moins de six mois", "l'an dernier", "depuis la réforme",
)
WORDS = (
    "rapport", "chiffre", "enquête", "région", "gouvernement", "données", "analyse", "source",
    "document", "témoin", "ministère", "budget", "déclaration", "évaluation", "méthode",
    "comparaison", "hausse", "baisse", "tendance", "estimation", "registre", "archive", "bilan",
    "publication", "statistique", "période", "population", "commune", "province", "frontière",
    "accord", "programme", "contrat", "réunion", "communiqué", "entretien", "vérification",
    "hypothèse", "contexte", "décision", "mesure", "projet", "résultat", "échantillon", "niveau",
    "montant", "calendrier", "chantier", "secteur", "réseau", "service", "autorité", "organisme",
)
ADJECTIVES = (
    "officiel", "récent", "précis", "incomplet", "public", "local", "national", "provisoire",
    "détaillé", "ancien", "contradictoire", "indépendant", "partiel", "annuel", "régional",
)
LINKERS = (
    "Selon", "D'après", "Contrairement à", "Comme le montre", "Au vu de", "À la lecture de",
    "En comparant", "Faute de", "Malgré", "En l'absence de",
)
VERBS = (
    "confirme", "contredit", "nuance", "précise", "ne mentionne pas", "recoupe", "corrige",
    "complète", "infirme", "documente", "relativise", "situe",
)
FILLER = (
    "La situation reste difficile à évaluer sur le terrain.",
    "Les autorités locales n'ont pas répondu à nos questions.",
    "Plusieurs observateurs appellent à la prudence.",
    "Le débat se poursuit au sein de la communauté scientifique.",
    "Cette annonce intervient dans un contexte tendu.",
    "Aucun calendrier précis n'a été communiqué à ce stade.",
    "Les chiffres varient fortement d'une source à l'autre.",
)
PUBLISHER_NAMES = (
    "Le Quotidien du Soir", "La Gazette Régionale", "Info Hebdo", "Le Courrier National",
    "Agence Centrale de Presse", "Revue des Territoires", "Le Journal de l'Ouest", "L'Observateur",
    "Le Moniteur Public", "Statistiques Ouvertes", "Le Bulletin Officiel", "Radio Horizon",
    "Télé Métropole", "Le Petit Vérificateur", "Archives Publiques", "La Lettre Économique",
)
HOSTS = ("news.example.org", "presse.example.org", "data.example.org", "archives.example.net",
         "radio.example.com", "stats.example.org")


@dataclass
class Entity:
    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


def slugify(text: str, max_length: int = 60) -> str:
    """The same folding rules as dossier.slugs.slugify (kept here so this script stands alone)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("œ", "oe").replace("æ", "ae").lower()
    out, dash = [], False
    for char in folded:
        if char.isascii() and char.isalnum():
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or "x"


def french_number(value: int) -> str:
    """6000 -> '6 000', as a French article writes it."""
    return f"{value:,}".replace(",", " ")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: str = "  ") -> str:
    """A YAML literal block scalar body."""
    return "|\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in text.split("\n"))


class Generator:
    def __init__(self, claims: int, seed: int):
        self.total = claims
        self.rng = random.Random(seed)
        self.entities = self._entities()
        self.people = [e for e in self.entities if e.type == "person"]
        self.places = [e for e in self.entities if e.type == "place"]
        self.orgs = [e for e in self.entities if e.type == "organisation"]
        self.topics = [f"{slugify(c)}-{i}" for i, c in enumerate(COUNTS * 8)]

    # ---- pools -------------------------------------------------------------------------------
    def _entities(self) -> list[Entity]:
        rng, seen, result = self.rng, set(), []
        while len(result) < ENTITY_POOL:
            roll = len(result) % 5
            if roll in (0, 1):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                kind = "person"
            elif roll in (2, 3):
                name = rng.choice(PLACE_STEMS) + rng.choice(PLACE_SUFFIXES)
                kind = "place"
            else:
                name = f"{rng.choice(ORG_KINDS)} {rng.choice(ORG_TOPICS)} de {rng.choice(PLACE_STEMS)}"
                kind = "organisation"
            entity_id = slugify(name)
            if entity_id in seen:
                continue
            seen.add(entity_id)
            aliases = [name.split()[-1]] if kind == "person" and rng.random() < 0.3 else []
            result.append(Entity(entity_id, name, kind, aliases))
        return result

    def words(self, n: int) -> str:
        rng = self.rng
        parts = []
        while len(parts) < n:
            parts.append(f"{rng.choice(LINKERS).lower()} le {rng.choice(WORDS)} {rng.choice(ADJECTIVES)},"
                         f" le {rng.choice(WORDS)} {rng.choice(VERBS)} la {rng.choice(WORDS)}")
            parts = " ".join(parts).split()
        text = " ".join(parts[:n]).rstrip(",")
        return text[0].upper() + text[1:] + "."

    def sentences(self, words: int) -> str:
        out, count = [], 0
        while count < words:
            n = self.rng.randint(12, 22)
            out.append(self.words(n))
            count += n
        return " ".join(out)

    # ---- one claim ---------------------------------------------------------------------------
    def quantity(self) -> tuple[str, dict]:
        rng = self.rng
        counts = rng.choice(COUNTS)
        topic = rng.choice(self.topics)
        form = rng.choice(("exact", "at_least", "at_most", "approx", "range", "ratio"))
        value = rng.choice((1, 10, 100, 1000)) * rng.randint(2, 99)
        if form == "range":
            high = value + rng.choice((1, 10, 100, 1000)) * rng.randint(1, 9)
            surface = f"entre {french_number(value)} et {french_number(high)}"
            data = {"surface": surface, "qualifier": "range", "low": value, "high": high}
        elif form == "ratio":
            of = value + rng.randint(1, 500)
            surface = f"{french_number(value)} des {french_number(of)}"
            data = {"surface": surface, "qualifier": "ratio", "value": value, "of": of}
        else:
            prefix = {"exact": "", "at_least": "plus de ", "at_most": "moins de ", "approx": "environ "}
            surface = prefix[form] + french_number(value)
            data = {"surface": surface, "qualifier": form, "value": value}
        data.update(counts=counts, topic=topic)
        return f"{surface} {counts}", data

    def claim_sentence(self, used: set[str]) -> dict:
        rng = self.rng
        while True:
            quantity_text, quantity = self.quantity()
            place = rng.choice(self.places)
            speaker = rng.choice(self.people + self.orgs) if rng.random() < 0.75 else None
            verb = rng.choice(REPORT_VERBS)
            action = rng.choice(ACTIONS)
            when = rng.choice(TIME_PHRASES)
            if speaker is not None:
                que = "qu'" if quantity_text[0] in "aeiouéè" else "que "
                text = f"{speaker.name} {verb} {que}{quantity_text} {action} à {place.name} {when}."
            else:
                text = f"À {place.name}, {quantity_text} {action} {when}."
            text = text[0].upper() + text[1:]
            if text not in used:
                used.add(text)
                return {"text": text, "quantity": quantity, "place": place, "speaker": speaker,
                        "verb": verb if speaker else None}

    def notes(self, article_title: str) -> str:
        rng = self.rng
        host = rng.choice(HOSTS)
        parts = [
            "## Ce que dit l'article",
            "",
            f"L'article « {article_title} » avance ce chiffre sans citer de document. "
            + self.sentences(38).replace(" le ", " **le** ", 1),
            "",
            "## Ce que disent les sources",
            "",
        ]
        for _ in range(3):
            slug = slugify(self.words(4))
            parts.append(f"- {self.words(12)} [{rng.choice(PUBLISHER_NAMES)}](https://{host}/{slug})")
        parts += ["", self.sentences(45), "", f"> {self.words(20)}", "",
                  "## Ce qui reste à établir", "", "*" + self.words(14)[:-1] + "*. " + self.sentences(32)]
        return "\n".join(parts)

    def sources(self, published: date) -> list[dict]:
        rng = self.rng
        result = []
        for index in range(3):
            host = rng.choice(HOSTS)
            when = published - timedelta(days=rng.randint(0, 400))
            title = self.words(rng.randint(5, 9))[:-1]
            source = {
                "url": f"https://{host}/{when.year}/{when.month:02d}/{slugify(title, 50)}-{index}",
                "title": title,
                "publisher": rng.choice(PUBLISHER_NAMES),
                "date": when.isoformat(),
                "stance": rng.choice(STANCES),
            }
            if rng.random() < 0.5:
                source["archived"] = f"https://web.archive.example.org/{when:%Y%m%d}/{source['url']}"
            if rng.random() < 0.5:
                source["quote"] = self.words(rng.randint(10, 20))
            result.append(source)
        return result

    # ---- files -------------------------------------------------------------------------------
    def write(self, out: Path, search: bool = True) -> dict:
        (out / "seeds").mkdir(parents=True)
        (out / "claims").mkdir()
        (out / MARKER).write_text("written by benchmarks/generate.py; safe to delete\n")
        config = CONFIG.replace("{search}", "true" if search else "false")
        (out / "dossier.yaml").write_text(config, encoding="utf-8")
        (out / "entities.yaml").write_text(self.entities_yaml(), encoding="utf-8")
        articles = max(1, -(-self.total // CLAIMS_PER_ARTICLE))
        written = 0
        for number in range(articles):
            count = min(CLAIMS_PER_ARTICLE, self.total - written)
            if count <= 0:
                break
            self.write_article(out, number, count)
            written += count
        return {"claims": written, "articles": articles, "entities": len(self.entities)}

    def entities_yaml(self) -> str:
        lines = ["# Synthetic entities for benchmarks (benchmarks/generate.py).\n"]
        for entity in self.entities:
            lines.append(f"{entity.id}:\n  name: {q(entity.name)}\n  type: {entity.type}\n")
            if entity.aliases:
                lines.append(f"  aliases: [{', '.join(q(a) for a in entity.aliases)}]\n")
        return "".join(lines)

    def write_article(self, out: Path, number: int, count: int) -> None:
        rng = self.rng
        published = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
        topic = rng.choice(COUNTS)
        place = rng.choice(self.places)
        title = f"{place.name} : la vérité sur les {topic} ({number + 1})"
        stem = f"{number:05d}-{slugify(title, 60)}"
        slug = slugify(stem, 80)
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        lines = [title, f"https://{rng.choice(HOSTS)}/{published.year}/{slug}.html",
                 f"{published:%d/%m/%Y} // {author}"]
        claims: list[tuple[int, int, int, dict]] = []  # (line, start, end, sentence)
        used: set[str] = set()
        remaining = count
        while remaining:
            here = min(remaining, rng.choice((1, 2, 2, 3)))
            pieces: list[str] = []
            offset = 0
            for index in range(here):
                if index or rng.random() < 0.5:
                    filler = rng.choice(FILLER)
                    pieces.append(filler)
                    offset += len(filler) + 1
                sentence = self.claim_sentence(used)
                claims.append((len(lines) + 1, offset, offset + len(sentence["text"]), sentence))
                pieces.append(sentence["text"])
                offset += len(sentence["text"]) + 1
            lines.append(" ".join(pieces))
            remaining -= here
            if rng.random() < 0.3:
                lines.append(self.sentences(rng.randint(25, 60)))
        (out / "seeds" / f"{stem}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

        folder = out / "claims" / slug
        folder.mkdir()
        ids: list[str] = []
        for index, (line, start, end, sentence) in enumerate(claims):
            claim_id = f"c{index + 1:02d}-{slugify(sentence['quantity']['counts'], 24)}"
            text = self.claim_yaml(claim_id, slug, title, published, line, start, end, sentence, ids)
            ids.append(claim_id)
            (folder / f"{claim_id}.yaml").write_text(text, encoding="utf-8")

    def claim_yaml(self, claim_id: str, article: str, title: str, published: date, line: int,
                   start: int, end: int, sentence: dict, earlier: list[str]) -> str:
        rng = self.rng
        entity_ids = [sentence["place"].id]
        if sentence["speaker"] is not None:
            entity_ids.append(sentence["speaker"].id)
        wanted = rng.randint(3, 5)
        while len(entity_ids) < wanted:
            extra = rng.choice(self.entities).id
            if extra not in entity_ids:
                entity_ids.append(extra)
        verdict = rng.choices(VERDICTS, VERDICT_WEIGHTS)[0]
        quantity = sentence["quantity"]
        out = [
            f"id: {claim_id}\n",
            f"article: {article}\n",
            f"text: {q(sentence['text'])}\n",
            f"location: {{line: {line}, start: {start}, end: {end}}}\n",
            f"kind: {'quantity' if rng.random() < 0.7 else rng.choice(KINDS)}\n",
            "checkworthy: true\n",
            f"checkworthiness: {rng.randint(40, 99) / 100}\n",
            "quantities:\n  - {" + ", ".join(f"{k}: {q(v) if isinstance(v, str) else v}"
                                           for k, v in quantity.items()) + "}\n",
        ]
        speaker = sentence["speaker"]
        if speaker is None:
            out.append("speaker: null\nverb: null\n")
        else:
            kind = "person" if speaker.type == "person" else "organisation"
            out.append(f"speaker: {{name: {q(speaker.name)}, kind: {kind}, entity: {speaker.id}}}\n")
            out.append(f"verb: {q(sentence['verb'])}\n")
        out += [
            f"modality: {'reported' if speaker else rng.choice(MODALITIES)}\n",
            f"entities: [{', '.join(entity_ids)}]\n",
            "# ---- fields people own: `dossier extract` never rewrites them ----\n",
            # Quoted: unquoted `true`/`false` are YAML booleans, which the loader refuses as a verdict.
            f"verdict: {q(verdict) if verdict in ('true', 'false') else verdict}\n",
            f"confidence: {rng.choice(('low', 'medium', 'high'))}\n",
            "confidence_note: " + block(self.sentences(30)),
            "sources:\n",
        ]
        for source in self.sources(published):
            out.append(f"  - url: {q(source['url'])}\n")
            for key in ("title", "publisher", "date", "stance", "archived", "quote"):
                if key in source:
                    value = source[key] if key in ("date", "stance") else q(source[key])
                    out.append(f"    {key}: {value}\n")
        out.append("notes: " + block(self.notes(title)))
        if rng.random() < 0.1:
            when = published + timedelta(days=rng.randint(1, 90))
            out.append(f"corrections:\n  - date: {when.isoformat()}\n    text: {q(self.words(15))}\n")
        else:
            out.append("corrections: []\n")
        if earlier and rng.random() < 0.2:
            out.append(f"related: [{rng.choice(earlier)}]\n")
        else:
            out.append("related: []\n")
        return "".join(out)


CONFIG = """\
# A synthetic dossier written by benchmarks/generate.py: test data for timing
# builds, not a fact-check. Every source points at a reserved example domain.
title: "Dossier synthétique (banc d'essai)"
description: "Données générées pour mesurer la vitesse de `dossier build`."
base_url: "https://bench.example.org/"
language: fr
publisher:
  name: "Banc d'essai dossier"
  url: "https://bench.example.org/"
  type: Organization
methodology: |
  Données synthétiques : aucune affirmation n'a été vérifiée.
corrections_policy: |
  Sans objet pour des données de test.
contact: |
  Sans objet pour des données de test.
search: {search}
"""


def generate(claims: int, out: Path, seed: int = 1, search: bool = True, force: bool = True) -> dict:
    """Write a dossier of `claims` claims into `out` (wiped first if this script made it)."""
    if claims < 1:
        raise ValueError("--claims must be at least 1")
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists() or not force:
            raise SystemExit(f"{out} is not empty and was not made by this script; refusing to touch it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return Generator(claims, seed).write(out, search)


def stage_benchmark(description: str, name: str) -> tuple[argparse.Namespace, Path]:
    """The command line shared by the single-stage benchmarks (`--claims`, `--repeats`,
    `--out`), and the dossier it asks for, generated (same arguments, same bytes)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="where the dossier is generated")
    args = parser.parse_args()
    out = args.out or Path(f"/tmp/dossier-bench-{name}-{args.claims}")
    generate(args.claims, out)
    return args, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, required=True, help="number of claims (N/20 articles)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the dossier into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-search", action="store_true", help="write `search: false` in dossier.yaml")
    args = parser.parse_args(argv)
    try:
        stats = generate(args.claims, args.out, args.seed, search=not args.no_search)
    except ValueError as error:
        parser.error(str(error))
    print(f"{args.out}: {stats['claims']} claims, {stats['articles']} articles,"
          f" {stats['entities']} entities", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
