# ruff: noqa: E501  (expected messages and hostile strings read best whole, one per line)
"""Hostile and broken input: each gets a clear error or is rendered inert.

Nothing here may crash, hang, write outside site/, or put executable script
into a page. Loads that could hang run in a subprocess with a timeout (a
guard against hangs, not a speed measurement: those live in benchmarks/).
"""

from __future__ import annotations

import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minidossier import ARTICLE, CONFIG, ENTITIES, GOOD_CLAIM, SECOND_CLAIM, make_dossier

from dossier.article import parse_article
from dossier.errors import DossierError, Problem
from dossier.load import load_dossier, parse_claim
from dossier.store import parse_yaml, read_yaml

DOSSIER = str(Path(sys.executable).with_name("dossier"))
SCRIPT = "<script>alert(1)</script>"
BILLION_LAUGHS = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
) + "\n"


def problems_of(root: Path) -> list[Problem]:
    try:
        return list(load_dossier(root).problems)
    except DossierError as error:
        return error.problems


def check(root: Path) -> subprocess.CompletedProcess:
    """`dossier check` as a user runs it; a hang fails the test instead of blocking the suite."""
    return subprocess.run([DOSSIER, "-C", str(root), "check"], capture_output=True, text=True, timeout=60)


def one_line_problems(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stdout + result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]


# ---------------------------------------------------------------- YAML bombs and sizes


@pytest.mark.parametrize("where", ["claims/brest/marins-1200.yaml", "dossier.yaml", "entities.yaml"])
def test_billion_laughs_is_refused_at_the_first_alias(tmp_path, where):
    root = make_dossier(tmp_path)
    (root / where).write_text(BILLION_LAUGHS)
    result = check(root)
    assert result.returncode == 1
    assert f"{where}:2:8: error: YAML anchors and aliases (& and *) are not allowed here" in result.stderr


@pytest.mark.parametrize("text", ["[" * 200_000, "a:\n" + "".join(f"{'  ' * i}- b:\n" for i in range(1, 400)),
                                  "{a: " * 100_000])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path, text):
    root = make_dossier(tmp_path)
    (root / "claims/brest/marins-1200.yaml").write_text(text)
    result = check(root)
    assert result.returncode == 1, result.stderr  # libyaml's own composer would segfault on the first
    assert "nested more than 32 levels deep" in result.stderr


def test_ten_megabyte_files(tmp_path):
    root = make_dossier(tmp_path)
    ten_mb = "notes: '" + "x" * (10 * 1024 * 1024) + "'\n"
    (root / "claims/brest/marins-1200.yaml").write_text(ten_mb)
    (root / "entities.yaml").write_text(ten_mb)
    (root / "seeds" / "huge.txt").write_text("Titre\n" + "Une phrase. " * 900_000)
    lines = one_line_problems(check(root))
    assert "claims/brest/marins-1200.yaml: error: file is 10.0 MB, over the 1 MB limit for a YAML file;" \
           " a claim file is a few KB: check that this is the right file" in lines
    assert any(line.startswith("entities.yaml: error: file is 10.0 MB") for line in lines)
    assert any(line.startswith("seeds/huge.txt: error: article is 10.3 MB, over the 2 MB limit") for line in lines)


# ---------------------------------------------------------------- encodings and whitespace


def test_invalid_utf8_says_which_byte_and_where(tmp_path):
    root = make_dossier(tmp_path)
    (root / "claims/brest/marins-1200.yaml").write_bytes(GOOD_CLAIM.encode().replace(b"mostly-true", b"vrai \xe0 moiti\xe9"))
    line = GOOD_CLAIM.split("\n").index("verdict: mostly-true") + 1
    assert f"claims/brest/marins-1200.yaml:{line}:15: error: not UTF-8 text (byte 0xe0); re-save the file as UTF-8" \
        in one_line_problems(check(root))


def test_bom_and_crlf_everywhere_are_fine(tmp_path):
    def dos(text: str) -> bytes:
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()

    root = make_dossier(tmp_path)
    for path in [root / "dossier.yaml", root / "entities.yaml", root / "seeds/brest.txt",
                 *(root / "claims/brest").iterdir()]:
        path.write_bytes(dos(path.read_text()))
    dossier = load_dossier(root)
    assert dossier.problems == ()
    assert dossier.claims[0].text.endswith("vendredi.")  # no stray \r: the location still matches


def test_tabs_get_a_hint(tmp_path):
    root = make_dossier(tmp_path, {"marins-1200.yaml": GOOD_CLAIM.replace("  title:", "\ttitle:"),
                                   "visiteurs.yaml": SECOND_CLAIM})
    (problem,) = problems_of(root)
    assert problem.column == 1 and "YAML indents with spaces, not tabs" in problem.hint


def test_empty_files(tmp_path):
    root = make_dossier(tmp_path, {"marins-1200.yaml": "", "visiteurs.yaml": SECOND_CLAIM})
    (root / "entities.yaml").write_text("")
    (root / "seeds" / "vide.txt").write_text("")
    lines = one_line_problems(check(root))
    assert "claims/brest/marins-1200.yaml: error: empty claim file; delete it, or fill in the claim" in lines
    assert "seeds/vide.txt: warning: empty article: nothing to extract" in lines
    assert not any(line.startswith("entities.yaml") for line in lines)  # no entities yet is fine
    (root / "dossier.yaml").write_text("")
    lines = one_line_problems(check(root))
    assert "dossier.yaml: error: 'title' is missing; add `title: ...` to dossier.yaml" in lines


def test_nul_bytes_and_control_characters(tmp_path):
    root = make_dossier(tmp_path, {"marins-1200.yaml": "id: a\x00b\n", "visiteurs.yaml": "id: vis\x07iteurs\n"})
    lines = one_line_problems(check(root))
    assert "claims/brest/marins-1200.yaml:1:6: error: control character U+0000 is not allowed in YAML;" \
           " remove it: an invisible character, often pasted from another program" in lines
    assert any(x.startswith("claims/brest/visiteurs.yaml:1:8: error: control character U+0007") for x in lines)


# ---------------------------------------------------------------- names that try to leave their folder


def test_a_claim_id_like_a_path_is_refused(tmp_path):
    root = make_dossier(tmp_path, {"marins-1200.yaml": GOOD_CLAIM.replace("id: marins-1200",
                                                                          "id: ../../etc/passwd"),
                                   "visiteurs.yaml": SECOND_CLAIM})
    lines = one_line_problems(check(root))
    assert "claims/brest/marins-1200.yaml:2:5: error: id '../../etc/passwd' must be lower-case letters," \
           " digits and hyphens, at most 100 characters; e.g. id: marins-1200" in lines


def test_a_markdown_seed_whose_slug_is_a_path_is_refused(tmp_path):
    root = make_dossier(tmp_path)
    (root / "seeds" / "evil.md").write_text("---\ntitle: T\nslug: ../../../tmp/evil\n---\nUn paragraphe.\n")
    lines = one_line_problems(check(root))
    assert any(line.startswith("seeds/evil.md:1:1: error: article slug '../../../tmp/evil' must be") for line in lines)


# ---------------------------------------------------------------- numbers and text mixed up


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("value: 1200", "value: '1200'", "'value' must be a number, not the text '1200'; remove the quotes"),
    ("checkworthiness: 0.9", "checkworthiness: '0,9'", "'checkworthiness' must be a number, not the text '0,9'"),
    ("verb: selon", "verb: 12", "'verb' must be text, not the number 12; put quotes around it to make it text"),
    ("title: Journal de la capitainerie", "title: 1500.5", "'title' must be text, not the number 1500.5"),
    ("title: Journal de la capitainerie", "title: 1.5e3", None),  # YAML 1.1 reads 1.5e3 as text: fine
    ("checkworthy: true", "checkworthy: 1", "'checkworthy' must be true or false, not the number 1"),
    ("confidence: medium", "confidence: no", "'confidence' must be text, not true/false; put quotes around it"),
    ("start: 0,", "start: '0',", "'start' must be a whole number, not the text '0'"),
    ("value: 1200", "value: 0x4B0", None),  # hexadecimal is still a number: fine
])
def test_numbers_as_text_and_text_as_numbers(tmp_path, old, new, expected):
    root = make_dossier(tmp_path, {"marins-1200.yaml": GOOD_CLAIM.replace(old, new), "visiteurs.yaml": SECOND_CLAIM})
    problems = problems_of(root)
    if expected is None:
        assert problems == []
    else:
        assert any((p.message + (f"; {p.hint}" if p.hint else "")).startswith(expected) for p in problems), \
            [p.format() for p in problems]


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                                 "file:///etc/passwd", "//evil.example/x", "https://", "https:///x",
                                 "https://exemple.org/a b", "https://exemple.org:99999999999/",
                                 "https://user@evil.example/", "java\tscript:alert(1)"])
def test_only_http_urls_get_through(tmp_path, url):
    text = GOOD_CLAIM.replace("- url: https://exemple.org/capitainerie/juin-2025", f"- url: {yaml.safe_dump(url)[:-1]}"
                              .replace("\n...", ""))
    root = make_dossier(tmp_path, {"marins-1200.yaml": text, "visiteurs.yaml": SECOND_CLAIM})
    problems = problems_of(root)
    assert any("URL" in p.message and p.severity == "error" for p in problems), (url, problems)


# ---------------------------------------------------------------- property-based


_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                          st.dates())
_yaml_data = st.recursive(_yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(
        ["id", "text", "location", "sources", "quantities", "verdict", "speaker", "related", "entities",
         "url", "stance", "line", "start", "end", "qualifier", "value", "date"])), inner, max_size=6)),
    max_leaves=25)
_CONTEXT = {}


def _context():
    if not _CONTEXT:
        root_problems: list = []
        from dossier.config import parse_config
        from dossier.load import parse_entities

        _CONTEXT.update(config=parse_config(parse_yaml(CONFIG, "dossier.yaml"))[0],
                        article=parse_article(ARTICLE, Path("brest.txt"), "seeds/brest.txt"),
                        entities=parse_entities(parse_yaml(ENTITIES, "entities.yaml"), root_problems))
    return _CONTEXT


def _load_claim_text(text: str) -> None:
    context = _context()
    problems: list = []
    try:
        doc = parse_yaml(text, "claims/brest/x.yaml")
    except DossierError as error:
        assert error.problems and all(isinstance(p, Problem) for p in error.problems)
        return
    parse_claim(doc, context["config"], {"brest": context["article"]}, context["entities"], problems,
                expected_id="x", expected_article="brest", related_refs=[])
    for problem in problems:
        assert isinstance(problem, Problem) and problem.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_yaml_data)
def test_random_claim_data_never_raises(data):
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    _load_claim_text(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from([*list("ab: -[]{}&*!|>'\"#%@`,?\n\t\r\\~0129."), "\xa0", "é"]),
                    max_size=60))
def test_random_yaml_text_never_raises(text):
    _load_claim_text(text)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_raise(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bytes") / "x.yaml"
    path.write_bytes(raw)
    try:
        doc = read_yaml(path, "x.yaml")
    except DossierError:
        return
    _load_claim_text(yaml.safe_dump(doc.data, allow_unicode=True) if doc.data is not None else "")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400), markdown=st.booleans())
def test_random_article_text_never_raises(text, markdown):
    try:
        article = parse_article(text, Path("a.md" if markdown else "a.txt"), "seeds/a")
    except DossierError as error:
        assert error.problems
        return
    for block in article.blocks:  # every block maps back into the file
        assert article.text_at(block.location(0, len(block.text))) or not block.text or markdown


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(alphabet=st.sampled_from([*list("Le 12 000 soldats ont dit « selon » 3,5 % plus de deux tiers.\n"), "é", "\xa0", "’", "-", ":"]), min_size=1, max_size=300))
def test_random_article_text_through_the_extractor(text):
    """The extractor never raises anything but DossierError (spaCy loaded once, few examples)."""
    from dossier.extract import extract

    try:
        article = parse_article(text, Path("a.txt"), "seeds/a.txt")
        if article.blocks:
            results = extract([article], nlp=_nlp())
            for claim in results[0].claims:
                assert article.text_at(claim.location) == claim.text
    except DossierError:
        pass


_NLP = []


def _nlp():
    if not _NLP:
        from dossier.extract import load_pipeline, prepare

        _NLP.append(prepare(load_pipeline()))
    return _NLP[0]


# ---------------------------------------------------------------- end to end: scripts in every field


HOSTILE_ARTICLE = ARTICLE.replace(
    "Le maire a déclaré que",
    f"Le maire {SCRIPT} a déclaré <img src=x onerror=alert(2)> que") + "Un lien [x](javascript:alert(3)).\n"
EVIL = f"{SCRIPT}<img src=x onerror=alert(4)>\"'><svg onload=alert(5)>"
EVIL_MD = f"{EVIL}\n\n[cliquez](javascript:alert(6)) <a href=\"javascript:alert(7)\">a</a> <iframe src=x></iframe>"
EVIL_URL = 'https://exemple.org/x?q="><script>alert(8)</script>'


def _hostile_dossier(root: Path) -> Path:
    config = (CONFIG.replace('title: "Le port de Brest"', f"title: {yaml.safe_dump(EVIL)[:-1]}".replace("\n...", ""))
              + f"description: {yaml.safe_dump(EVIL)}".replace("\n...", "")
              + "verdicts:\n"
              + "".join(f"- {{id: {v}, label: {yaml.safe_dump(EVIL, default_flow_style=True)[:-1]}, rating: {r}}}\n"
                        .replace("\n...", "") for v, r in (("'true'", 5), ("'false'", 1)))
              + "- {id: unverified, label: Non vérifié}\n")
    config = re.sub(r"methodology: .*", f"methodology: {yaml.safe_dump(EVIL_MD)}".replace("\n...", ""), config)
    entities = ENTITIES.replace("{name: Brest,", f"{{name: {yaml.safe_dump(EVIL, default_flow_style=True)[:-1]},")
    text = f"Le maire {SCRIPT} a déclaré <img src=x onerror=alert(2)> que « la ville n'a jamais connu une telle affluence »."
    claim = {
        "id": "maire-script", "article": "brest", "text": text,
        "location": {"line": 5, "start": 0, "end": len(text)}, "kind": "quote",
        "quantities": [{"surface": EVIL, "qualifier": "exact", "value": 1, "counts": EVIL, "unit": EVIL}],
        "speaker": {"name": EVIL, "kind": "person"}, "verb": EVIL, "modality": "reported",
        "entities": ["brest"], "verdict": "false", "confidence": "high", "confidence_note": EVIL_MD,
        "sources": [{"url": EVIL_URL, "title": EVIL, "publisher": EVIL, "stance": "contradicts",
                     "archived": EVIL_URL, "quote": EVIL}],
        "notes": EVIL_MD, "corrections": [{"date": "2025-06-05", "text": EVIL_MD}], "related": ["visiteurs"],
    }
    return make_dossier(root, {"maire-script.yaml": yaml.safe_dump(claim, allow_unicode=True, sort_keys=False),
                               "visiteurs.yaml": SECOND_CLAIM.replace("verdict: unverified",
                                                                      f"notes: {yaml.safe_dump(EVIL_MD)}"
                                                                      .replace("\n...", ""))},
                        config=config, entities=entities, article=HOSTILE_ARTICLE)


class _ScriptFinder(html.parser.HTMLParser):
    """Everything in a page that a browser would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        # JSON-LD is data, not code: checked below to be JSON that cannot close its element.
        self._in_script = tag == "script" and dict(attrs).get("type") != "application/ld+json"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value}>")
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and value and \
                    re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed", "svg", "img") and any("alert" in (v or "") for _, v in attrs):
            self.found.append(f"<{tag} {attrs}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:80]}")


def test_scripts_in_every_field_are_rendered_inert(tmp_path):
    from dossier.render.build import build_site

    root = _hostile_dossier(tmp_path / "d")
    problems = problems_of(root)
    assert not [p for p in problems if p.severity == "error"], [p.format() for p in problems]
    outside_before = {p for p in tmp_path.rglob("*")}
    build_site(root, search=False)
    created_outside = {p for p in tmp_path.rglob("*") if p not in outside_before
                       and not {"site", ".dossier-cache"} & set(p.relative_to(root).parts[:1])}
    assert created_outside == set(), "the build wrote outside site/"
    pages = sorted((root / "site").rglob("*.html"))
    assert len(pages) > 5
    seen_evil = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        finder = _ScriptFinder()
        finder.feed(text)
        assert finder.found == [], f"{page.relative_to(root)}: {finder.found}"
        seen_evil += text.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert seen_evil >= 5, "the hostile text is shown (escaped), not silently dropped"
    for export in ("claims.json", "feed.xml", "sitemap.xml"):
        path = root / "site" / export
        if path.is_file():
            assert "<script>alert" not in path.read_text(encoding="utf-8").replace("\\u003c", "<") or \
                export == "claims.json"
    # JSON-LD blocks are the one place a page has a script element: it must not be closable from data.
    for page in pages:
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.read_text(), re.S):
            assert "</" not in block and "<script" not in block.lower()
            json.loads(block)


def test_a_colour_that_tries_to_break_out_of_css(tmp_path):
    config = CONFIG + "verdicts:\n- {id: unverified, label: X, color: 'red;}</style><script>alert(1)</script>'}\n"
    root = make_dossier(tmp_path, config=config)
    (problem,) = [p for p in problems_of(root) if p.path == "dossier.yaml"]
    assert "is not a hex colour" in problem.message




@pytest.mark.parametrize("snippet", ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">',
                                     '<a href=" JavaScript:alert(1)">x</a>', '<svg onload=alert(1)>',
                                     '<iframe src="data:text/html,x"></iframe>'])
def test_the_script_finder_finds_scripts(snippet):
    """The end-to-end check above is only as good as this finder: it must see each of these."""
    finder = _ScriptFinder()
    finder.feed(f"<html><body><p>{snippet}</p></body></html>")
    assert finder.found
