"""The fast Markdown path (markdown-it-pyrs) gives exactly markdown-it-py's HTML.

Random notes are built from the pieces real notes are made of (French words and
typography, emphasis, headings, lists, nested lists, quotes, links) plus noise
that must leave the plain subset; on every note inside the subset the two
renderers must agree byte for byte.
"""

from __future__ import annotations

import random

import pytest

from dossier.render import markdown
from dossier.render.markdown import _fast_html, _fast_parser, plain_subset, reference_html, render_markdown

WORDS = ["le", "Élise", "vérité", "l'article", "d’après", "«", "»", "« citation »", "—", "–", "…", "12",
         "3,5", "10 000", "a_b", "snake_case_x", "x*y", "2*3", "*", "**", "_", "__", "***", "(", ")",
         "[", "]", "[note]", "[a [b] c](https://x.org/)", "[a](https://x.org/)[b](https://x.org/)", "[[x]](https://x.org/)",
         "[x]]", "]()", "[](https://x.org/)", "!", "?", ".", ",", ";", ":", '"', "'", "#", "+", "-", "=", "%",
         "$", "@", "^", "|", "{", "}", "/", "ça", "œuvre", "ÉTAT", "ß", "ﬁ", "Δ", "中文", "²"]
URLS = ["https://example.org/", "http://a.example.com/path/to-x_y.html", "https://x.org/a?b=c", "https://x.org/a#f",
        "https://X.org/A", "https://x.org/%20a", "https://x.org/a%zz", "https://x.org/é", "https://x.org/a b",
        "https://user@x.org/", "https://x.org:8080/", "https://x.org/a~b", "https://x.org/a'b",
        "https://x.org/a*b_c", "https://x.org/a,b;c=d!$+", "mailto:a@x.org", "javascript:alert(1)",
        "/relative"]
NOISE = ["  \n", "\\\n", "![x](https://x.org/i.png)", "[a]: https://x.org", "<b>", "&amp;", "&", "`c`",
         "~~s~~", "°", "€", "\u2028", "\t"]
SPACES = ["\u00a0", "\u202f", "\u2009"]


def _inline(r: random.Random) -> str:
    parts = []
    for _ in range(r.randint(1, 14)):
        k = r.random()
        if k < 0.55:
            parts.append(r.choice(WORDS))
        elif k < 0.7:
            mark = r.choice(["*", "_", "**", "__"])
            parts.append(mark + r.choice(WORDS) + (" " + r.choice(WORDS) if r.random() < 0.5 else "")
                         + r.choice([mark, mark, "", "*"]))
        elif k < 0.85:
            label = r.choice(WORDS) + (" *" + r.choice(WORDS) + "*" if r.random() < 0.3 else "")
            parts.append(f"[{label}]({r.choice(URLS)}" + r.choice([")", ")", ")", ' "t")', ""]))
        elif k < 0.99:
            parts.append(r.choice(["  \n", "\n", "!"]))
        else:
            parts.append(r.choice(NOISE))
    text = ""
    for part in parts:
        space = r.choice(SPACES) if part[-1:].isalnum() and r.random() < 0.3 else r.choice([" "] * 12 + [""])
        text += part + space
    return text.rstrip() if r.random() < 0.9 else text


def _block(r: random.Random) -> str:
    k, text = r.random(), _inline(r)
    if k < 0.4:
        return text
    if k < 0.5:
        return "#" * r.randint(1, 7) + r.choice([" ", "", "  "]) + text + r.choice(["", " #", " ##"])
    if k < 0.55:
        return text + "\n" + r.choice(["===", "---", "-", "= ="])
    if k < 0.65:
        markers = ["- ", "* ", "+ ", "1. ", "2) ", "10. "]
        return "\n".join(r.choice(markers) + _inline(r) for _ in range(r.randint(1, 4)))
    if k < 0.72:
        items = []
        for _ in range(r.randint(2, 6)):
            indent = r.choice(["", "", "  ", "   ", "    ", " "])
            more = ["", "", "\n" + indent + "  " + _inline(r), "\n\n" + indent + "   " + _inline(r),
                    "\n" + _inline(r)]
            items.append(indent + r.choice(["- ", "* ", "1. ", "2. ", "-  "]) + _inline(r) + r.choice(more))
        return r.choice(["\n", "\n", "\n\n"]).join(items)
    if k < 0.8:
        return "\n".join(r.choice(["> ", ">", "> > "]) + _inline(r) for _ in range(r.randint(1, 3)))
    if k < 0.82:
        return r.choice(["---", "***", "___", "- - -", "* * *"])
    if k < 0.84:  # deep nesting, up to past markdown-it-py's limit
        lines = []
        for _ in range(r.randint(1, 3)):
            prefix = "".join(r.choice(["> ", ">", "- ", "1. ", "  "]) for _ in range(r.randint(1, 14)))
            lines.append(prefix + _inline(r))
        return "\n".join(lines)
    if k < 0.9:
        return " " * r.randint(1, 6) + text
    return "\n".join(_inline(r) for _ in range(r.randint(2, 4)))


def _note(r: random.Random) -> str:
    return r.choice(["\n\n", "\n", "\n\n\n"]).join(_block(r) for _ in range(r.randint(1, 6)))


def test_fast_path_matches_the_reference_on_random_notes():
    r = random.Random(20261124)
    fast = _fast_parser()
    inside = 0
    for _ in range(9000):
        note = _note(r)
        if not plain_subset(note):
            continue
        inside += 1
        for shift in (2, 0):
            assert _fast_html(fast, note, shift) == reference_html(note, shift), note
    assert inside >= 500  # the generator must keep exercising the fast path


NOTE = """## Ce que dit l'article

L'article « Titre (1) » avance ce chiffre sans citer de document. En l'absence de **la** note,
le rapport recoupe la déclaration : 10\u00a0000 personnes, soit 12\u00a0% de *plus*.

- Selon le service, [Le Quotidien](https://radio.example.com/selon-le-service?x=1#a) confirme.
- Faute de source, [Statistiques](http://stats.example.org/serie_2024) nuance.

> Une citation, reprise telle quelle.

### Ce qui reste à établir

- Le calendrier.
- Le coût.
"""
LISTED = "Deux points :\n\n1. Le calendrier.\n2. Le *coût*.\n\n   Suite du point.\n3. Fin.\n"


def test_a_typical_note_takes_the_fast_path_and_matches():
    assert plain_subset(NOTE) and plain_subset(LISTED)
    assert render_markdown(NOTE) == reference_html(NOTE)
    assert render_markdown(LISTED) == reference_html(LISTED)
    html = str(render_markdown(NOTE))
    assert "<h4>Ce que dit l'article</h4>" in html and "<h5>Ce qui reste à établir</h5>" in html
    assert html.count('rel="nofollow noopener"') == 2


@pytest.mark.parametrize("note", [
    "*²_2__*__%__",  # a closing run next to another mark's run
    "*_ %_ 文*_s_",
    "*e_#__ 2*3\u00a0_%__",  # an emphasis mark next to a no-break space
    "> ?\n2) x",  # an ordered item after a quote: lazy continuation
    "> > x\n>",  # an empty quote line
    "- a\n-\n- b",  # an empty item
    "\u00a0x",  # a no-break space at a line's start
    ">" * 21 + " x", "".join("  " * i + "- x\n" for i in range(12)), "> - " * 12 + "x",  # nesting
    "[x](mailto:a@b.org)", "[x](https://x.org \"t\")", "<b>x</b>", "a &amp; b", "`code`", "a\\*b",
    "![i](https://x.org/i.png)", "[a]\n\n[a]: https://x.org", "5 €",
])
def test_outside_the_subset_the_reference_renders(note, monkeypatch):
    assert not plain_subset(note)
    calls = []
    monkeypatch.setattr(markdown, "reference_html", lambda *a: calls.append(a) or "ref")
    assert render_markdown(note) == "ref" and calls
