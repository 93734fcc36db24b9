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

from .errors import DossierError, Problem, not_utf8

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
        raise DossierError(not_utf8(raw, error, shown, "re-save the file as UTF-8")) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> YamlDocument:
    """Parse YAML text into plain data, recording the position of every key and value.

    The document is built from libyaml's event stream rather than its node
    tree: the C composer recurses once per nesting level and crashes the
    interpreter on a few hundred thousand `[`, while events let us stop at
    `MAX_DEPTH`. Building the data here also lets every bad value (a date
    that is not a date, a duplicate key, a foreign tag) be reported at its
    own line and column instead of failing the whole file.
    """
    loader = _Loader(text)
    builder = _Builder(loader, shown, text)
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as error:
        raise DossierError(_syntax_problem(error, text, shown)) from None
    except yaml.reader.ReaderError as error:
        # A character YAML refuses (NUL, BEL, ...): reported by offset, shown by line and column.
        before = text[: error.position]
        line, column = before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1
        raise DossierError(Problem(shown, line, column,
                                   f"control character U+{error.character:04X} is not allowed in YAML",
                                   "remove it: an invisible character, often pasted from another program"
                                   )) from None
    except yaml.YAMLError as error:
        raise DossierError(Problem(shown, None, None, f"YAML error: {error}")) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise DossierError(builder.problems)
    return YamlDocument(shown, data, builder.marks)


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "put quotes around text that contains ': '"),
    ("could not find expected ':'", "a key needs ': ' after it; put quotes around text that spans lines"),
    ("did not find expected key", "check the indentation: keys of one mapping line up exactly"),
    ("did not find expected '-' indicator", "check the indentation: items of one list line up exactly"),
    ("found unexpected end of stream", "a quoted text is not closed: add the closing quote"),
    ("found unknown escape character", "in double quotes a backslash starts an escape: use single"
                                         " quotes, or write \\\\ for a backslash"),
    ("found character '@' that cannot start", "put quotes around text that starts with @ or `"),
    ("found character '`' that cannot start", "put quotes around text that starts with @ or `"),
    ("found character '%' that cannot start", "put quotes around text that starts with %"),
    ("control characters are not allowed", "remove the invisible control character at this place"),
    ("found undefined tag handle", "remove the `!` tag, or put quotes around text starting with !"),
)


# Our own limit (see `_Builder.build`); libyaml 0.2.5 as PyYAML 6.0.4 ships it has one of its
# own (1,000 levels), which its scanner can reach first, in flow collections (`[[[[...`).
_TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep", "a claim file needs a few levels at most")


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, shown: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    what = str(error.problem or error.context or "invalid YAML")
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    if "maximum nesting depth" in what:
        return Problem(shown, line, column, *_TOO_DEEP)
    hint = None
    if mark is not None:
        lines = text.splitlines()
        source_line = lines[mark.line] if mark.line < len(lines) else ""
        char = source_line[mark.column : mark.column + 1]
        if "\t" in source_line[: mark.column + 1]:
            hint = "YAML indents with spaces, not tabs: replace the tab on this line with spaces"
        elif char in ("@", "`", "%") and char:
            hint = f"put quotes around text that starts with {char}"
    if hint is None:
        hint = next((h for key, h in _SYNTAX_HINTS if key in what), None)
    context_mark = error.context_mark
    if error.context and error.problem and context_mark and mark and context_mark.line != mark.line:
        what = f"{what} ({error.context} at line {context_mark.line + 1})"
    return Problem(shown, line, column, f"YAML syntax error: {what}", hint)


# The scalar types a file may hold, and the PyYAML constructor for each (None: the text itself).
_SCALARS: dict[str, str | None] = {
    "tag:yaml.org,2002:str": None,
    "tag:yaml.org,2002:null": "construct_yaml_null",
    "tag:yaml.org,2002:bool": "construct_yaml_bool",
    "tag:yaml.org,2002:int": "construct_yaml_int",
    "tag:yaml.org,2002:float": "construct_yaml_float",
    "tag:yaml.org,2002:timestamp": "construct_yaml_timestamp",
    "tag:yaml.org,2002:merge": None,  # `<<` is only special with aliases, which are refused
    "tag:yaml.org,2002:value": None,
}


_RESOLVED: dict[str, str] = {}  # plain scalar -> its implicit tag (plain scalars only: style '')
_IMPLICIT_FIRSTS = frozenset(c for c in _Loader.yaml_implicit_resolvers if c is not None)


def _short_tag(tag: str | None) -> str:
    return str(tag).replace("tag:yaml.org,2002:", "!!")


class _Builder:
    """Turns libyaml events into plain Python data plus a position for every path."""

    def __init__(self, loader, shown: str, text: str):
        self.loader, self.shown, self.text = loader, shown, text
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def fail(self, event, message: str, hint: str | None = None) -> DossierError:
        mark = event.start_mark
        return DossierError(Problem(self.shown, mark.line + 1, mark.column + 1, message, hint))

    def note(self, event, message: str, hint: str | None = None) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.shown, mark.line + 1, mark.column + 1, message, hint))

    def scalar(self, event) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            value = event.value
            # Fast path (most values are text): quoted or block text, or a plain
            # scalar whose first character no implicit type (number, date, bool...) can start.
            if event.style or (value and value[0] not in _IMPLICIT_FIRSTS):
                return value
            tag = _RESOLVED.get(value) if event.tag is None else None
            if tag is None:
                tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
                if event.tag is None and len(value) <= 24:  # keys and short words recur: remember them
                    if len(_RESOLVED) > 50_000:
                        _RESOLVED.clear()
                    _RESOLVED[value] = tag
            if tag == "tag:yaml.org,2002:str":
                return value
        if tag not in _SCALARS:
            self.note(event, f"YAML tag '{_short_tag(event.tag)}' is not allowed here",
                      "remove the tag; put quotes around text that starts with !")
            return event.value
        method = _SCALARS[tag]
        if method is None:
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            return getattr(self.loader, method)(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            if tag.endswith("timestamp"):
                self.note(event, f"'{event.value}' is not a real date",
                          "write dates as YYYY-MM-DD, e.g. 2025-06-17")
            else:
                self.note(event, f"'{event.value}' is not a valid number")
            return event.value

    def build(self) -> Any:
        get = self.loader.get_event
        get()  # StreamStart
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        # Each frame: [container, its path, pending key (mappings only), is a mapping]
        stack: list[list] = []
        root: Any = None
        sentinel = object()
        marks = self.marks
        scalar = self.scalar
        ScalarEvent, MappingStartEvent, SequenceStartEvent = (
            yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        while True:
            event = get()
            kind = type(event)
            if kind in ends:
                stack.pop()
                if not stack:
                    break
                continue
            mark = event.start_mark
            position = (mark.line + 1, mark.column + 1)
            frame = stack[-1] if stack else None
            if frame is not None and frame[3] and frame[2] is sentinel:
                # A key of a mapping.
                if kind is not ScalarEvent:
                    if kind is yaml.AliasEvent:
                        raise self.fail(event, "YAML anchors and aliases (& and *) are not allowed here",
                                        "write the value out in full")
                    raise self.fail(event, "a key must be a plain name, not a list or mapping",
                                    "put quotes around the key")
                key = scalar(event)
                key_path = (*frame[1], key, "<key>")
                if key in frame[0]:
                    self.note(event, f"key '{key}' appears twice in this mapping"
                              f" (first at line {marks[key_path][0]})",
                              "keep only one: YAML would silently drop the first")
                else:
                    marks[key_path] = position
                frame[2] = key
                continue
            # A value: the document itself, a list item, or a mapping value.
            if kind is ScalarEvent:
                value: Any = scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    self.note(event, f"YAML tag '{_short_tag(event.tag)}' is not allowed here",
                              "remove the tag")
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event, *_TOO_DEEP)
                value = {} if kind is MappingStartEvent else []
            elif kind is yaml.AliasEvent:
                raise self.fail(event, "YAML anchors and aliases (& and *) are not allowed here",
                                "write the value out in full")
            elif kind is yaml.DocumentEndEvent:  # an empty document
                break
            else:
                raise self.fail(event, "unexpected YAML content")
            if frame is None:
                path: Path_ = ()
                root = value
            elif frame[3]:
                path = (*frame[1], frame[2])
                frame[0][frame[2]] = value
                frame[2] = sentinel
            else:
                container = frame[0]
                path = (*frame[1], len(container))
                container.append(value)
            marks[path] = position
            if kind is MappingStartEvent:
                stack.append([value, path, sentinel, True])
            elif kind is SequenceStartEvent:
                stack.append([value, path, None, False])
            elif frame is None:
                break  # a document that is one scalar
        # Anything after the first document is a mistake (a stray `---`).
        while True:
            event = get()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                raise self.fail(event, "a second YAML document in the same file",
                                "remove the line `---` (one file holds one document)")
        return root


def dump_yaml(data: Any) -> str:
    """Deterministic, readable YAML: key order kept, leaf collections inline, no wrapping."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
        width=10_000,
    )


def write_atomic(path: Path, content: str | bytes, skip_unchanged: bool = True) -> bool:
    """Write `content` to `path` via a temporary file and a rename: never half a file.

    Text is written as UTF-8. Returns False (and writes nothing) when `skip_unchanged`
    and the file already holds exactly these bytes.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    if skip_unchanged:
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
        yield from claim_files_in(article_dir)


def claim_files_in(folder: Path) -> list[Path]:
    """The claim files of one article folder, sorted (none if it is missing)."""
    try:
        return sorted(p for p in folder.iterdir()
                      if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    except OSError:
        return []


def claim_ids_in(folder: Path) -> set[str]:
    """The ids of an article folder's claims: what its `related` references may name."""
    return {p.stem for p in claim_files_in(folder)}


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
    from .slugs import is_slug

    if not is_slug(result.article.slug):  # e.g. `slug: ../../x` in front matter: never a path
        raise DossierError(Problem(result.article.path, 1, 1,
                                   f"article slug '{result.article.slug}' must be lower-case letters,"
                                   " digits and hyphens", "fix `slug:` in the front matter"))
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
        if not is_slug(claim.id):
            raise DossierError(Problem(result.article.path, None, None,
                                       f"internal error: claim id '{claim.id}' is not a slug"))
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
