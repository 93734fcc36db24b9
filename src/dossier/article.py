"""Read a seed article into an `Article`: metadata, and its text as typed blocks.

Two seed formats:

* plain text (`.txt`): line 1 the title, then optional metadata lines (the URL,
  `DD/MM/YYYY // Author`), then one paragraph per line; `- ` starts a bullet;
* Markdown (`.md`) with YAML front matter (`title`, `url`, `published`,
  `author`, `publisher`, `language`); `#` headings; paragraphs separated by
  blank lines.

Every block remembers where it sits in the file, so a claim found at offset
`i` of a block maps back to `{line, start, end}` in the seed. Headings,
boilerplate (video blurbs, comment widgets) and source lists are kept in the
model, marked, so they can be shown but never become claims. No spaCy here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from .errors import DossierError, Problem, not_utf8
from .slugs import slugify

BlockKind = Literal["title", "meta", "paragraph", "bullet", "heading", "sources", "boilerplate"]
# Blocks whose sentences may become claims.
CLAIM_BLOCKS: frozenset[str] = frozenset({"title", "paragraph", "bullet"})

SEED_SUFFIXES = (".txt", ".md")
MAX_ARTICLE_BYTES = 2 * 1024 * 1024  # a long news article is ~100 KB; 2 MB is a book

_URL_RE = re.compile(r"^https?://\S+$")
_BYLINE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*(?://|[-–—|,]|par\b)?\s*(.*)$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_BULLET_RE = re.compile(r"^([-*•–]\s+)")
_HEADING_MD_RE = re.compile(r"^(#{1,6})\s+")
# Generic French web furniture: never article content, whatever the outlet.
_BOILERPLATE_RES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(regardez|voir|visionnez|découvrez|écoutez)\b.{0,80}\b(vidéo|video|podcast|reportage)\b",
        r"\b(cette|la|notre) (vidéo|video) (provient|est (disponible|tirée|issue))\b",
        r"^(\d+\s+)?commentaires?\s*:?$",
        r"^(enregistrer|laisser|ajouter|publier|poster|écrire) un commentaire\b",
        r"^(partager|partagez)( (cet|l')article| sur\b|\s*:?$)",
        r"^(abonnez-vous|inscrivez-vous|suivez-nous|s'abonner)\b",
        r"^(à lire aussi|lire aussi|lire la suite|voir aussi|publicité|newsletter)\b",
        r"^(tous droits réservés|©)",
    )
]
_SOURCES_HEADER_RE = re.compile(
    r"^(les\s+)?(sources?|références)(\s+(comprennent|incluent|utilisées|citées))?\s*:?\s*$",
    re.IGNORECASE,
)
_TERMINAL_PUNCT = tuple(".!?:;…»\"”)")


@dataclass(frozen=True)
class Location:
    """Where a span sits in the seed file: 1-based line, 0-based character offsets.

    `end` is exclusive. A span running over several lines (Markdown paragraphs)
    ends on `end_line`, and `end` is then an offset into that line.
    """

    line: int
    start: int
    end: int
    end_line: int | None = None


@dataclass(frozen=True)
class Block:
    """A run of article text of one kind: a title, a paragraph, a bullet, a heading...

    `text` is the content without markup (no `- `, no `# `). Lines of a
    multi-line Markdown paragraph are joined with `\\n`. `segments` maps each
    line of `text` back to the file: (offset in text, line number, column).
    """

    kind: BlockKind
    text: str
    segments: tuple[tuple[int, int, int], ...]

    @property
    def line(self) -> int:
        return self.segments[0][1]

    @property
    def end_line(self) -> int:
        return self.segments[-1][1]

    def _position(self, offset: int) -> tuple[int, int]:
        chosen = self.segments[0]
        for segment in self.segments:
            if segment[0] <= offset:
                chosen = segment
        text_offset, line, column = chosen
        return line, column + offset - text_offset

    def location(self, start: int, end: int) -> Location:
        """The file location of `text[start:end]`."""
        line, col_start = self._position(start)
        end_line, col_end = self._position(end)
        if end_line == line:
            return Location(line, col_start, col_end)
        return Location(line, col_start, col_end, end_line=end_line)


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # as given, relative to the dossier root where possible
    title: str
    url: str | None
    published: date | None
    author: str | None
    publisher: str | None
    language: str
    blocks: tuple[Block, ...]
    lines: tuple[str, ...]  # the file's lines, without line endings
    listed_sources: tuple[str, ...] = ()
    # An article that announces a source list ("Les sources comprennent :")
    # and lists nothing: worth showing, it is itself evidence.
    sources_announced: bool = False
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def sources_list_empty(self) -> bool:
        return self.sources_announced and not self.listed_sources

    def claim_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.kind in CLAIM_BLOCKS]

    def text_at(self, location: Location) -> str:
        """The seed's text at `location` (empty if it points outside the file)."""
        if not 1 <= location.line <= len(self.lines):
            return ""
        end_line = location.end_line or location.line
        if end_line == location.line:
            return self.lines[location.line - 1][location.start : location.end]
        if not end_line <= len(self.lines):
            return ""
        parts = [self.lines[location.line - 1][location.start :]]
        parts += self.lines[location.line : end_line - 1]
        parts.append(self.lines[end_line - 1][: location.end])
        return "\n".join(parts)


def find_seeds(seeds_dir: Path) -> list[Path]:
    """The seed articles in a folder, in a stable order."""
    if not seeds_dir.is_dir():
        raise DossierError(
            Problem(str(seeds_dir), None, None, "no seeds folder", "create it and put articles in it")
        )
    seeds = sorted(p for p in seeds_dir.iterdir() if p.suffix in SEED_SUFFIXES and p.is_file())
    if not seeds:
        raise DossierError(
            Problem(
                str(seeds_dir), None, None, "no articles (.txt or .md) in this folder",
                "add an article, e.g. seeds/my-article.txt",
            )
        )
    return seeds


def article_slug(path: Path) -> str:
    return slugify(path.stem, max_length=80)


def read_article(path: Path, display_path: str | None = None, language: str = "fr") -> Article:
    """Read and segment one seed file. Raises `DossierError` on unreadable input."""
    shown = display_path or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DossierError(Problem(shown, None, None, "no such file", "check the path")) from None
    except IsADirectoryError:
        raise DossierError(Problem(shown, None, None, "is a folder, not an article")) from None
    except OSError as error:
        raise DossierError(Problem(shown, None, None, f"cannot read: {error.strerror}")) from None
    if len(raw) > MAX_ARTICLE_BYTES:
        raise DossierError(
            Problem(
                shown, None, None,
                f"article is {len(raw) / 1_048_576:.1f} MB, over the {MAX_ARTICLE_BYTES // 1_048_576} MB"
                " limit for one article",
                "split it into separate articles, or check that this is really an article",
            )
        )
    text = decode(raw, shown)
    return parse_article(text, path=path, display_path=shown, language=language)


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 text without BOM or CR; a clear problem with the exact place otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        hint = "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        raise DossierError(not_utf8(raw, error, shown, hint)) from None
    if "\x00" in text:
        raise DossierError(Problem(shown, None, None, "contains NUL bytes: not a text file"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_article(text: str, path: Path, display_path: str, language: str = "fr") -> Article:
    lines = tuple(text.split("\n"))
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if path.suffix == ".md":
        return _parse_markdown(lines, path, display_path, language)
    return _parse_plain(lines, path, display_path, language)


def _parse_plain(lines: tuple[str, ...], path: Path, shown: str, language: str) -> Article:
    warnings: list[Problem] = []
    nonblank = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        warnings.append(Problem(shown, None, None, "empty article: nothing to extract",
                                severity="warning"))
        return Article(slug=article_slug(path), path=shown, title=path.stem, url=None,
                       published=None, author=None, publisher=None, language=language,
                       blocks=(), lines=lines, warnings=tuple(warnings))

    blocks: list[Block] = []
    title_line, title = nonblank[0]
    blocks.append(_block("title", lines, title_line))
    url = published = author = None
    rest = nonblank[1:]
    # Metadata lines directly under the title: a URL, a dated byline.
    while rest:
        number, line = rest[0]
        stripped = line.strip()
        if url is None and _URL_RE.match(stripped):
            url = stripped
        elif published is None and (byline := _parse_byline(stripped)) is not None:
            published, author = byline
        else:
            break
        blocks.append(_block("meta", lines, number))
        rest = rest[1:]

    blocks += _body_blocks(lines, [n for n, _ in rest], markdown=False)
    listed, announced = _source_list(blocks)
    return Article(
        slug=article_slug(path), path=shown, title=title.strip(), url=url, published=published,
        author=author, publisher=_publisher(url), language=language, blocks=tuple(blocks),
        lines=lines, listed_sources=listed, sources_announced=announced, warnings=tuple(warnings),
    )


def _parse_markdown(lines: tuple[str, ...], path: Path, shown: str, language: str) -> Article:
    import yaml

    meta: dict = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
        except StopIteration:
            raise DossierError(Problem(shown, 1, 1, "front matter is never closed",
                                       "end it with a line `---`")) from None
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise DossierError(
                Problem(shown, mark.line + 2 if mark else 1, mark.column + 1 if mark else None,
                        f"front matter is not valid YAML: {getattr(error, 'problem', error)}")
            ) from None
        if not isinstance(loaded, dict):
            raise DossierError(Problem(shown, 2, 1, "front matter must be a mapping of keys"))
        meta, body_start = loaded, end + 1

    numbers = [i + 1 for i in range(body_start, len(lines)) if lines[i].strip()]
    blocks = _body_blocks(lines, numbers, markdown=True)
    title = str(meta.get("title") or "")
    if not title:
        heading = next((b for b in blocks if b.kind == "heading"), None)
        title = heading.text if heading else path.stem
    else:
        # The front-matter title is itself a statement the article makes: a claim
        # block, located at its words in the front matter (when written verbatim).
        for number in range(2, body_start):
            column = lines[number - 1].find(title)
            if column >= 0 and lines[number - 1].lstrip().startswith("title"):
                blocks.insert(0, Block("title", title, ((0, number, column),)))
                break
    url = str(meta["url"]) if meta.get("url") else None
    published = _as_date(meta.get("published") or meta.get("date"))
    listed, announced = _source_list(blocks)
    return Article(
        slug=str(meta.get("slug") or article_slug(path)), path=shown, title=title, url=url,
        published=published, author=str(meta["author"]) if meta.get("author") else None,
        publisher=str(meta.get("publisher") or _publisher(url) or "") or None,
        language=str(meta.get("language") or language), blocks=tuple(blocks), lines=lines,
        listed_sources=listed, sources_announced=announced,
    )


def _body_blocks(lines: tuple[str, ...], numbers: list[int], markdown: bool) -> list[Block]:
    """Classify the body's non-blank lines (1-based `numbers`) into blocks."""
    blocks: list[Block] = []
    trailing = False  # after a source list or a comment widget, all is page furniture
    index = 0
    while index < len(numbers):
        number = numbers[index]
        line = lines[number - 1]
        stripped = line.strip()
        if markdown and (heading := _HEADING_MD_RE.match(line)):
            blocks.append(_block("heading", lines, number, heading.end()))
        elif _SOURCES_HEADER_RE.match(stripped):
            blocks.append(_block("sources", lines, number))
            trailing = True
        elif any(p.search(stripped) for p in _BOILERPLATE_RES):
            blocks.append(_block("boilerplate", lines, number))
            trailing = trailing or stripped.lower().startswith(("commentaire", "enregistrer"))
        elif trailing:
            kind = "sources" if _looks_like_source(stripped) else "boilerplate"
            blocks.append(_block(kind, lines, number))
        elif bullet := _BULLET_RE.match(line):
            blocks.append(_block("bullet", lines, number, bullet.end()))
        elif not markdown and _looks_like_heading(stripped):
            blocks.append(_block("heading", lines, number))
        elif markdown:
            # A Markdown paragraph runs until a blank line.
            group = [number]
            while index + 1 < len(numbers) and numbers[index + 1] == group[-1] + 1:
                following = lines[numbers[index + 1] - 1]
                if _HEADING_MD_RE.match(following) or _BULLET_RE.match(following):
                    break
                group.append(numbers[index + 1])
                index += 1
            blocks.append(_paragraph(lines, group))
        else:
            blocks.append(_block("paragraph", lines, number))
        index += 1
    return blocks


def _block(kind: BlockKind, lines: tuple[str, ...], number: int, column: int | None = None) -> Block:
    line = lines[number - 1]
    if column is None:
        column = len(line) - len(line.lstrip())
    text = line[column:].rstrip()
    return Block(kind, text, ((0, number, column),))


def _paragraph(lines: tuple[str, ...], numbers: list[int]) -> Block:
    parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    offset = 0
    for number in numbers:
        line = lines[number - 1]
        column = len(line) - len(line.lstrip())
        part = line[column:].rstrip()
        segments.append((offset, number, column))
        parts.append(part)
        offset += len(part) + 1
    return Block("paragraph", "\n".join(parts), tuple(segments))


def _looks_like_heading(text: str) -> bool:
    """A short line with no closing punctuation, in the middle of a plain-text article."""
    return (
        not text.endswith(_TERMINAL_PUNCT)
        and len(text) <= 140
        and len(text.split()) <= 20
    )


def _looks_like_source(text: str) -> bool:
    return bool(re.search(r"https?://|\b[\w-]+\.(com|org|net|fr|be|ch|info|news|gov|int)\b", text))


def _source_list(blocks: list[Block]) -> tuple[tuple[str, ...], bool]:
    headers = [i for i, b in enumerate(blocks) if b.kind == "sources" and _SOURCES_HEADER_RE.match(b.text)]
    if not headers:
        return (), False
    listed = tuple(b.text for b in blocks[headers[0] + 1 :] if b.kind == "sources")
    return listed, True


def _parse_byline(text: str) -> tuple[date, str | None] | None:
    match = _BYLINE_RE.match(text)
    if not match:
        return None
    day, month, year, author = match.groups()
    try:
        published = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return published, (author.strip() or None)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if match := _ISO_DATE_RE.match(value):
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
        if parsed := _parse_byline(value):
            return parsed[0]
    return None


def _publisher(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None
