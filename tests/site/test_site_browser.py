"""The built sites in Debian's headless Chromium: screenshots, axe-core (WCAG 2.1 AA), no-JS reading, search.

Pages are served over HTTP on 127.0.0.1, as a static host would. Screenshots of the
key pages at phone and desktop width, light and dark, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from browsers import search_results
from sitebuild import BuiltSite, ServedSite, served_url

from dossier.render.pages import article_path, claim_path

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}
SCHEMES = ("light", "dark")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
}"""


def key_pages(site: BuiltSite) -> dict[str, str]:
    """home, the annotated article, and the richest claim page (rated, with sources if any)."""
    config = site.dossier.config
    claims = sorted(site.dossier.claims, key=lambda c: (
        (config.verdict(c.verdict) is None or config.verdict(c.verdict).rating is None), -len(c.sources)))
    return {"home": "index.html", "article": article_path(claims[0].article), "claim": claim_path(claims[0])}


def other_pages(site: BuiltSite) -> list[str]:
    """One page of every other kind: each top-level page, each folder's index and first other page."""
    seen: dict[tuple[str, bool], str] = {}
    for path in sorted(site.pages):
        folder = path.split("/")[0] if "/" in path else path
        seen.setdefault((folder, path.endswith("/index.html")), path)
    return sorted(set(seen.values()) - set(key_pages(site).values()))


@contextmanager
def visit(browser_context, served: ServedSite, path: str, *, width: int = 1280, scheme: str = "light",
          javascript: bool = True):
    """Open a page; yield (page, problems), problems being JS errors and failed requests so far."""
    page = browser_context(width, scheme, javascript).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    # Chromium asks for /favicon.ico on its own when a page links no icon (ours link one).
    page.on("console", lambda m: m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            and problems.append(f"console error: {m.text} ({m.location.get('url')})"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and problems.append(f"HTTP {r.status}: {r.url}"))
    def request_failed(request) -> None:
        # The browser fetches the icon after `load`, at low priority; navigating on cancels
        # that fetch (net::ERR_ABORTED), which is not a broken page. Any other failure counts.
        if "favicon" in request.url and "ERR_ABORTED" in (request.failure or ""):
            return
        problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", request_failed)
    try:
        response = page.goto(served.url_of(path), wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        yield page, problems
    finally:
        page.close()


def axe_violations(page, axe_url: str) -> list[str]:
    page.add_script_tag(url=axe_url)
    found = page.evaluate(RUN_AXE, AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
        f"      {n['target']}: {n['html']}\n        {n['summary']}" for n in v["nodes"]) for v in found]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", ["home", "article", "claim"])
def test_key_page_renders_without_overflow_and_passes_axe(
        served: ServedSite, browser_context, axe_url: str, screenshots: Path, kind: str, scheme: str):
    path = key_pages(served.site)[kind]
    failures: list[str] = []
    for width_name, width in WIDTHS.items():
        with visit(browser_context, served, path, width=width, scheme=scheme) as (page, problems):
            page.screenshot(path=screenshots / f"{served.site.name}-{kind}-{width_name}-{scheme}.png",
                            full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            if overflow > 0:
                wide = page.evaluate("""(w) => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""", width)
                failures.append(f"{width}px: the page is {overflow}px wider than the screen ({wide})")
            failures += [f"{width}px: axe: {v}" for v in axe_violations(page, axe_url)]
            failures += [f"{width}px: {p}" for p in problems]
    assert not failures, f"{path} ({scheme}):\n" + "\n".join(failures)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_other_kind_of_page_passes_axe(served_fixture: ServedSite, browser_context, axe_url: str,
                                             scheme: str):
    """One page per template, on the fixture dossier (the seed's pages use the same templates):
    axe at desktop width, and no sideways scrolling on a phone."""
    served = served_fixture
    pages = other_pages(served.site)
    assert pages, "the site has only its key pages?"
    failures: list[str] = []
    phone = WIDTHS["phone"]
    for path in pages:
        with visit(browser_context, served, path, scheme=scheme) as (page, problems):
            failures += [f"{path}: axe: {v}" for v in axe_violations(page, axe_url)]
            failures += [f"{path}: {p}" for p in problems]
            page.set_viewport_size({"width": phone, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth") - phone
            if overflow > 0:
                failures.append(f"{path}: {overflow}px wider than a {phone}px phone screen")
    assert not failures, f"{len(pages)} pages ({scheme}):\n" + "\n".join(failures)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_readable_without_javascript(served: ServedSite, browser_context):
    site = served.site
    claim = site.dossier.claims[0]
    with visit(browser_context, served, claim_path(claim), javascript=False) as (page, problems):
        assert normalise(claim.text) in normalise(page.inner_text("main")), "the claim text is not shown"
        nav = page.locator("nav a")
        assert nav.count() >= 2 and nav.first.is_visible(), "no visible navigation without JavaScript"
        page.goto(served.url_of("index.html"))
        home = normalise(page.inner_text("body"))
        shown = [c for c in site.dossier.claims if normalise(c.text)[:60] in home]
        assert shown, "the home page lists no claim without JavaScript"
        assert not problems, problems


def test_print_leaves_out_the_navigation(served: ServedSite, browser_context, screenshots: Path):
    site = served.site
    path = key_pages(site)["claim"]
    with visit(browser_context, served, path) as (page, problems):
        page.emulate_media(media="print")
        assert not page.locator(".site-header nav").is_visible(), "the navigation is printed"
        claim = next(c for c in site.dossier.claims if claim_path(c) == path)
        assert page.locator("main").is_visible(), "the page's content is not printed"
        assert normalise(claim.text) in normalise(page.inner_text("main")), "the claim is not printed"
        page.pdf(path=screenshots / f"{site.name}-claim-print.pdf")
        assert not problems, problems


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{5,}", text)}


def searchable_claim(site: BuiltSite):
    """A claim and its rarest word (in as few other claims as possible, then the longest)."""
    claims = site.dossier.claims
    counts: dict[str, int] = {}
    for claim in claims:
        for word in words(claim.text):
            counts[word] = counts.get(word, 0) + 1
    return min(((claim, word) for claim in claims for word in words(claim.text)),
               key=lambda pair: (counts[pair[1]], -len(pair[1])))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_page_finds_a_claim_under_a_sub_path(served: ServedSite, browser_context, axe_url: str,
                                                    scheme: str):
    """Type a word of a claim into search.html: its page is among the results, and the result links
    work with the site hosted under a sub-path (/site/...), as on many static hosts."""
    site = served.site
    assert (site.out / "pagefind" / "pagefind.js").is_file(), "no Pagefind index in the site"
    claim, word = searchable_claim(site)
    parent = ServedSite(site, served_url(site.out.parent))
    prefix = f"/{site.out.name}/"
    with visit(browser_context, parent, f"{site.out.name}/search.html", scheme=scheme) as (page, problems):
        links = search_results(page, word)
        assert prefix + claim_path(claim) in links, f"search {word!r}: {links}"
        violations = axe_violations(page, axe_url)
        assert not violations, f"search results ({scheme}):\n" + "\n".join(violations)
        assert not problems, problems
        response = page.goto(parent.url.rstrip("/") + links[0])
        assert response is not None and response.ok, f"the first result {links[0]} does not load"
