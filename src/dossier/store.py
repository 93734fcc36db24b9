"""Claim files on disk: YAML read with positions, written atomically, never clobbered.

Reading uses libyaml (`CSafeLoader`, ~10x faster than the pure-Python loader)
and keeps, for every key and item, the line and column it came from, so later
stages can point at the exact place of a problem. Anchors and aliases are
refused: a claim file has no use for them, and they are how "billion laughs"
files blow up a reader.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import DossierError, Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_YAML_BYTES = 1024 * 1024  # a claim file is a few KB; 1 MB of YAML is a mistake or an attack
MAX_DEPTH = 32
SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}\n"
PEOPLE_COMMENT = "# ---- fields people own: `dossier extract` never rewrites them ----\n"

Path_ = tuple[str | int, ...]  # a place inside a document: ("sources", 0, "url")


@dataclass(frozen=True)
class YamlDocument:
    """Loaded YAML data plus the 1-based (line, column) of every key and value."""

    path: str
    data: Any
    marks: dict[Path_, tuple[int, int]]

    def mark(self, where: Path_) -> tuple[int | None, int | None]:
        """Position of `where`, or of its closest parent that has one."""
        while where and where not in self.marks:
            where = where[:-1]
        return self.marks.get(where, (1, 1) if self.data is not None else (None, None))

    def problem(self, where: Path_, message: str, hint: str | None = None,
                severity: str = "error") -> Problem:
        line, column = self.mark(where)
        return Problem(self.path, line, column, message, hint, severity)  # type: ignore[arg-type]


def read_yaml(path: Path, shown: str | None = None) -> YamlDocument:
    """Read one YAML file; raise `DossierError` with the position of anything wrong."""
    shown = shown or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DossierError(Problem(shown, None, None, "no such file")) from None
    except OSError as error:
        raise DossierError(Problem(shown, None, None, f"cannot read: {error.strerror}")) from None
    if len(raw) > MAX_YAML_BYTES:
        raise DossierError(Problem(
            shown, None, None,
            f"file is {len(raw) / 1_048_576:.1f} MB, over the 1 MB limit for a YAML file",
            "a claim file is a few KB: check that this is the right file",
        ))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise DossierError(Problem(shown, line, column,
                                   f"not UTF-8 text (byte 0x{raw[error.start]:02x})",
                                   "re-save the file as UTF-8")) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> YamlDocument:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(shown, None, {})
        marks: dict[Path_, tuple[int, int]] = {}
        _walk(node, (), marks, shown, depth=0, seen=set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "invalid YAML"
        hint = None
        if "\t" in text and "tab" in str(what):
            hint = "YAML indents with spaces, not tabs"
        elif "mapping values are not allowed" in str(what):
            hint = "put quotes around text that contains ': '"
        raise DossierError(Problem(
            shown, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
            f"YAML syntax error: {what}", hint,
        )) from None
    except yaml.YAMLError as error:
        raise DossierError(Problem(shown, None, None, f"YAML error: {error}")) from None
    except (ValueError, TypeError, OverflowError) as error:
        # e.g. a timestamp like 2025-13-45 that libyaml accepts and Python cannot build
        raise DossierError(Problem(shown, None, None, f"YAML value error: {error}",
                                   "put quotes around the value if it is meant as text")) from None
    finally:
        loader.dispose()
    return YamlDocument(shown, data, marks)


def _walk(node: yaml.Node, where: Path_, marks: dict, shown: str, depth: int, seen: set) -> None:
    """Record positions; refuse aliases and absurd nesting before anything is built."""
    if id(node) in seen:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        raise DossierError(Problem(shown, line, column,
                                   "YAML anchors and aliases (& and *) are not allowed here",
                                   "write the value out in full"))
    if depth > MAX_DEPTH:
        raise DossierError(Problem(shown, node.start_mark.line + 1, node.start_mark.column + 1,
                                   f"nested more than {MAX_DEPTH} levels deep"))
    marks[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen.add(id(node))
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            _walk(value_node, (*where, key), marks, shown, depth + 1, seen)
            # The key's own position, for "unknown key" problems.
            marks[(*where, key, "<key>")] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        seen.add(id(node))
        for index, item in enumerate(node.value):
            _walk(item, (*where, index), marks, shown, depth + 1, seen)


def dump_yaml(data: Any) -> str:
    """Deterministic, readable YAML: key order kept, leaf collections inline, no wrapping."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
        width=10_000,
    )


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` via a temporary file and a rename: never half a file.

    Returns False (and writes nothing) when the file already holds exactly `text`.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def claim_file_text(data: dict, schema_url: str | None) -> str:
    """A new claim file: schema comment, extracted fields, then the fields people own."""
    from .claims import EXTRACTED_FIELDS

    extracted = {k: v for k, v in data.items() if k in EXTRACTED_FIELDS}
    people = {k: v for k, v in data.items() if k not in EXTRACTED_FIELDS}
    head = SCHEMA_COMMENT.format(schema=schema_url) if schema_url else ""
    return head + dump_yaml(extracted) + PEOPLE_COMMENT + dump_yaml(people)


def claim_dir(root: Path, article_slug: str) -> Path:
    return root / "claims" / article_slug


def iter_claim_files(root: Path) -> Iterator[Path]:
    """Every claim file of a dossier, sorted: claims/<article>/<id>.yaml."""
    base = root / "claims"
    if not base.is_dir():
        return
    for article_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for path in sorted(article_dir.iterdir()):
            if path.suffix in (".yaml", ".yml") and not path.name.startswith("."):
                yield path


@dataclass(frozen=True)
class SaveReport:
    """What `save_extraction` did to one article's claim folder."""

    created: tuple[str, ...]  # new claim files (paths relative to the dossier root)
    kept: tuple[str, ...]  # existing files left byte-for-byte as they were
    vanished: tuple[str, ...]  # existing files whose text is no longer in the article


def save_extraction(root: Path, result, schema_url: str | None = None) -> SaveReport:
    """Write the claims of one `ExtractionResult` without ever touching an existing file.

    A claim whose exact text already has a file keeps that file (and its id);
    a new claim gets a new file with an id not used in the folder; a file whose
    text the article no longer contains is reported, never deleted.
    """
    from .claims import claim_to_data

    folder = claim_dir(root, result.article.slug)
    existing: dict[str, Path] = {}  # text -> file
    taken: set[str] = set()
    if folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            taken.add(path.stem)
            try:
                data = read_yaml(path).data
            except DossierError:
                continue  # a broken file is `dossier check`'s business; never overwrite it
            if isinstance(data, dict) and isinstance(data.get("text"), str):
                existing.setdefault(data["text"], path)

    from .slugs import unique

    created, kept = [], []
    extracted_texts = set()
    for claim in result.claims:
        extracted_texts.add(claim.text)
        if claim.text in existing:
            kept.append(existing[claim.text].relative_to(root).as_posix())
            continue
        claim_id = unique(claim.id, taken)
        data = claim_to_data(claim)
        data["id"] = claim_id
        path = folder / f"{claim_id}.yaml"
        write_atomic(path, claim_file_text(data, schema_url))
        created.append(path.relative_to(root).as_posix())

    article_text = "\n".join(result.article.lines)
    vanished = [
        path.relative_to(root).as_posix()
        for text, path in sorted(existing.items(), key=lambda item: item[1])
        if text not in extracted_texts and text not in article_text
    ]
    return SaveReport(tuple(created), tuple(kept), tuple(vanished))


def save_entities(root: Path, entities, shown: str = "entities.yaml") -> list[str]:
    """Add new entities to `entities.yaml`; existing entries are never changed.

    Returns the ids added. The file is rewritten only when something is added,
    and then only by appending, so hand edits and comments above stay intact.
    """
    path = root / "entities.yaml"
    known: set[str] = set()
    if path.is_file():
        data = read_yaml(path, shown).data or {}
        if isinstance(data, dict):
            known = {str(k) for k in data}
    new = {}
    for entity in sorted(entities, key=lambda e: e.id):
        if entity.id in known or entity.id in new:
            continue
        entry = {"name": entity.name, "type": entity.type}
        if entity.aliases:
            entry["aliases"] = list(entity.aliases)
        new[entity.id] = entry
    if new:
        before = path.read_text(encoding="utf-8") if path.is_file() else (
            "# People, places and organisations the claims name.\n"
            "# `dossier extract` adds new ones at the end and never changes an entry.\n"
        )
        if before and not before.endswith("\n"):
            before += "\n"
        write_atomic(path, before + dump_yaml(new))
    return sorted(new)
