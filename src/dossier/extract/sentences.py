"""Sentence and clause segmentation on characters, before spaCy's parser runs.

spaCy's own segmentation cuts quotes apart (« … notes. » becomes two
sentences, and the closing » a third), so the claim text would lose its
speaker. Here a sentence never ends inside a quotation mark pair, and a
`;` between two full clauses starts a new unit. The boundaries are then
imposed on the parser (`set_units` runs before it), so every unit gets its
own dependency tree.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

OPENING = {"«": "»", "“": "”", "‹": "›"}
TERMINAL = ".!?…"
# Words after which a full stop does not end a sentence (titles, initials...).
ABBREVIATIONS = frozenset({
    "m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "etc", "cf", "av", "apr",
    "env", "no", "vol", "p", "pp", "art", "gén", "col", "lt", "cdt", "sgt", "capt", "mgr", "fig",
    "vs", "ex", "ibid", "op", "jr", "sr", "inc", "ltd", "co", "chap",
})
MIN_CLAUSE_WORDS = 4
_WORD = re.compile(r"\w+")
_TERMINAL_RE = re.compile(r"[.!?…]")


@lru_cache(maxsize=4096)
def quote_regions(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every balanced quotation, guillemets, curly or straight quotes."""
    regions: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for index, char in enumerate(text):
        if char in OPENING:
            stack.append((OPENING[char], index))
        elif stack and char == stack[-1][0]:
            _, start = stack.pop()
            if not stack:
                regions.append((start, index + 1))
        elif char == '"' and not stack:
            if straight is None:
                straight = index
            else:
                regions.append((straight, index + 1))
                straight = None
    return tuple(sorted(regions))


def _inside(regions: tuple[tuple[int, int], ...], index: int) -> bool:
    return any(start < index < end - 1 for start, end in regions)


def _previous_char(text: str, index: int) -> str:
    """The last non-blank character before `index` ("" if none)."""
    index -= 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return text[index] if index >= 0 else ""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text`, stripped of surrounding blanks."""
    regions = quote_regions(text)
    closings = {end - 1 for _, end in regions}
    # Only terminal marks and closing quotes can end a sentence: visit those, not every character.
    candidates = sorted({m.start() for m in _TERMINAL_RE.finditer(text)} | closings)
    spans: list[tuple[int, int]] = []
    start = 0
    index = 0
    length = len(text)
    for position in candidates:
        if position < index:
            continue
        if text[position] in TERMINAL and not _inside(regions, position):
            end = position + 1
            while end < length and text[end] in TERMINAL:
                end += 1
            # Closing quotes and brackets belong to the sentence they close.
            while end < length and (text[end] in "»”›)]\"'’" or text[end] in "\u00a0\u202f"):
                if text[end] in "\u00a0\u202f" and (end + 1 >= length or text[end + 1] not in "»”›"):
                    break
                end += 1
            if _ends_sentence(text, position, end):
                spans.append((start, end))
                start = end
            index = end
            continue
        # « … morts. » Bien que …: a quote that closes on a full stop ends the sentence.
        if position in closings and _previous_char(text, position) in TERMINAL \
                and _ends_sentence(text, position, position + 1):
            spans.append((start, position + 1))
            start = position + 1
        index = position + 1
    spans.append((start, length))
    return _trimmed(text, spans)


def _ends_sentence(text: str, mark: int, end: int) -> bool:
    rest = text[end:]
    if not rest.strip():
        return True
    if not rest[:1].isspace():
        return False  # "BrightU.AI", "4.700", "ci-dessous.Ce"
    following = rest.lstrip()[:1]
    if not (following.isupper() or following.isdigit() or following in "«“\"-–—([¿¡"):
        return False
    if text[mark] == "." and re.fullmatch(r"\s*\d{1,2}", text[:mark].rsplit("\n", 1)[-1]):
        return False  # "1. Le gouvernement ...": a list number, not a sentence
    if text[mark] == ".":
        word = re.search(r"([\w'’-]+)$", text[:mark])
        if word:
            token = word.group(1).lower()
            if token in ABBREVIATIONS or (len(token) == 1 and word.group(1).isupper()):
                return False
    return True


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a sentence at `;` (outside quotes) when both sides are full clauses."""
    regions = quote_regions(text)
    cuts = [i for i in range(start, end) if text[i] == ";" and not _inside(regions, i)]
    pieces: list[tuple[int, int]] = []
    begin = start
    for cut in cuts:
        left = text[begin:cut + 1]
        right = text[cut + 1:end]
        if len(_WORD.findall(left)) >= MIN_CLAUSE_WORDS and len(_WORD.findall(right)) >= MIN_CLAUSE_WORDS:
            pieces.append((begin, cut + 1))
            begin = cut + 1
    pieces.append((begin, end))
    return _trimmed(text, pieces)


def unit_spans(text: str) -> list[tuple[int, int]]:
    """Sentences, then clauses: the units a claim is made of."""
    return [clause for s, e in sentence_spans(text) for clause in clause_spans(text, s, e)]


def span_text(span) -> str:
    """`span.text`, cut from the Doc's text built once (spaCy rebuilds it on every access)."""
    doc = span.doc
    text = doc.user_data.get("dossier_text")
    if text is None:
        text = doc.user_data["dossier_text"] = doc.text
    return text[span.start_char:span.end_char]


@Language.component("dossier_units")
def set_units(doc: Doc) -> Doc:
    """Impose `unit_spans` boundaries on the parser that runs next."""
    starts = {start for start, _ in unit_spans(doc.text)}
    first = True
    for token in doc:
        if token.is_space and first:
            token.is_sent_start = token.i == 0
            continue
        is_start = token.idx in starts or token.i == 0
        token.is_sent_start = is_start
        first = False
    return doc


def _trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without their surrounding white space; empty ones dropped."""
    result = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin < end:
            result.append((begin, end))
    return result
