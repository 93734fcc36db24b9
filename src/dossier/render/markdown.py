"""Markdown for notes and transparency pages: CommonMark, no raw HTML, http(s) links only.

markdown-it-py is the reference. A note in the plain subset that every note of
a newsroom is written in (words, emphasis, headings, lists, quotes, http(s)
links) is rendered by markdown-it-pyrs (the same parser in Rust, ~15x faster)
and brought to exactly the reference's bytes; anything else (raw HTML, code,
entities, escapes, images, reference links, other link schemes, the corner cases
where the two parsers are known to differ) takes the reference parser.
`tests/render/test_render_markdown.py` checks the two agree on random notes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://")
_RULES = ["code", "fence", "blockquote", "hr", "list", "reference", "heading", "lheading",
          "newline", "escape", "backticks", "emphasis", "link", "autolink", "entity"]


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    # CommonMark without raw HTML and without images (a note never pulls a remote
    # image into the reader's browser); starting from "zero" skips the disabled
    # rules entirely, ~25% faster than disabling them on "commonmark".
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(_RULES)
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)

    def link_open(self, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


@lru_cache(maxsize=1)
def _fast_parser():
    try:
        from markdown_it_pyrs import MarkdownIt
    except ImportError:  # no wheel for this platform: the reference parser does it all
        return None
    return MarkdownIt("zero").enable_many([*_RULES, "paragraph"])


# ---- the plain subset: where markdown-it-pyrs and markdown-it-py give the same HTML
# ASCII it may hold: not `<` (raw HTML, autolinks), `&` (entities), backslash escapes,
# code, tabs, CR, controls. What is left once these bytes are dropped is the forbidden
# ASCII and the UTF-8 of the other characters (a byte scan in C, ~10x a regex search).
_ALLOWED_ASCII = bytes(c for c in range(0x80)
                       if chr(c) not in "<&\\`\t\r\x0b\x0c\x7f" and (c >= 0x20 or c == 0x0a))
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))
# Every `](` opens an http(s) link with a plain ASCII destination and no title.
_LINK = re.compile(r"\]\((?:https?://[A-Za-z0-9\-._~:/?#@!$*+,;=%]*\))?")
# A no-break (or other Unicode) space next to a line's edge, whitespace, ASCII
# punctuation or an emphasis mark: markdown-it-py strips or classifies it as
# whitespace where markdown-it-pyrs does not. Between words and before « : ; % »
# (French typography) it is fine.
_EDGE_SPACE = re.compile(r"(?:^|\s|[!-/:-@\[-`{-~])[^\S\n ]|[^\S\n ](?:\s|$|[*_])", re.M)
# Searched in "\n" + text: a pattern starting with a literal is found by a fast scan.
_EMPTY_ITEM = re.compile(r"\n[ >]*(?:[-*+]|[0-9]+[.)])[ ]*(?=\n|\Z)")  # an empty list item
# With a quote: also an empty quote line, or any ordered item (lazy continuation differs).
_QUOTED_LINES = re.compile(r"\n[ >]*(?:>[ ]*(?=\n|\Z)|[0-9]+[.)]|[-*+][ ]*(?=\n|\Z))")
# A line opening more than a few quotes or lists: markdown-it-py stops nesting at 20
# levels (a list is two), markdown-it-pyrs does not.
_DEEP_LINE = re.compile(r"\n[ >*+\-0-9.)]{12}")
_FINE, _SPACE, _OUTSIDE = 0, 1, 2
_CHAR_KINDS: dict[str, int] = {}


def _char_kind(char: str) -> int:
    kind = _CHAR_KINDS.get(char)
    if kind is None:
        category = unicodedata.category(char)
        # Letters, marks, numbers, punctuation; not symbols, controls, line separators...
        kind = _SPACE if category == "Zs" else _FINE if category[0] in "LMNP" else _OUTSIDE
        if len(_CHAR_KINDS) < 65536:
            _CHAR_KINDS[char] = kind
    return kind


def plain_subset(text: str) -> bool:
    """Whether markdown-it-pyrs renders `text` as markdown-it-py does (see the module docstring)."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ALLOWED_ASCII)
    if rest.translate(None, _NON_ASCII_BYTES):
        return False
    # Images, reference definitions, tilde fences, a run of one emphasis mark against the other.
    if "![" in text or "]:" in text or "~~~" in text or "*_" in text or "_*" in text:
        return False
    spaces = False
    for char in set(rest.decode("utf-8", "surrogatepass")):
        kind = _char_kind(char)
        if kind == _OUTSIDE:
            return False
        spaces = spaces or kind == _SPACE
    if spaces and _EDGE_SPACE.search(text):
        return False
    lines = "\n" + text
    if (_QUOTED_LINES if ">" in text else _EMPTY_ITEM).search(lines) or _DEEP_LINE.search(lines):
        return False
    return all(m.end() - m.start() > 2 for m in _LINK.finditer(text))


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
_LINK_OPEN = re.compile(r'<a href="([^"]*)">')


def _fast_html(md, text: str, shift_headings: int) -> str:
    # The raw output differs from the reference only in form: XHTML void tags, no
    # rel on links, headings not shifted. No `<` came from the text, so every tag is
    # markup the parser made.
    html = md.render(text).replace("<hr />", "<hr>").replace("<br />", "<br>")
    html = _LINK_OPEN.sub(r'<a href="\1" rel="nofollow noopener">', html)
    if shift_headings:
        html = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift_headings)}>", html)
    return html


def reference_html(text: str, shift_headings: int = 2) -> str:
    """HTML for `text` from markdown-it-py alone."""
    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + shift_headings)
            token.tag = f"h{level}"
    return md.renderer.render(tokens, md.options, {})


def render_markdown(text: str | None, shift_headings: int = 2) -> Markup:
    """HTML for `text`. Headings are shifted down (# -> h3) to keep the page outline."""
    if not text or not text.strip():
        return Markup("")
    fast = _fast_parser()
    if fast is not None and plain_subset(text):
        return Markup(_fast_html(fast, text, shift_headings))
    return Markup(reference_html(text, shift_headings))
