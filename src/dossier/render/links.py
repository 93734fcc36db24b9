"""Internal link checking: every relative link and #anchor of the site must resolve.

Pages are scanned with a regular expression, not an HTML parser: they come from
our own autoescaped templates, so every attribute is double-quoted. The scan of
a page is cached with it, so an incremental build re-checks the whole site
without reading unchanged pages.
"""

from __future__ import annotations

import posixpath
import re
from html import unescape
from urllib.parse import unquote

from ..errors import Problem

# Links and ids in one pass over the page (two passes cost ~45 us more a page: ~0.5 s of CPU
# in a 10,000-claim build).
_ATTRIBUTE_RE = re.compile(rb'\s(href|src|id)="([^"]*)"')
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# What needs `resolve`: a dot segment (. ..), a query, an escape, a folder link, an empty segment.
_PLAIN_RE = re.compile(r"(?:^|/)\.\.?(?:/|#|$)|[?%]|/(?:/|#|$)|^/")


def scan(html: bytes) -> tuple[list[str], list[str]]:
    """(internal links, element ids) of one page."""
    raw_links, raw_ids = set(), set()
    for name, raw in _ATTRIBUTE_RE.findall(html):
        (raw_ids if name == b"id" else raw_links).add(raw)
    links = set()
    for raw in raw_links:
        link = unescape(raw.decode("utf-8", "replace"))
        if not link or link.startswith("//") or _SCHEME_RE.match(link):
            continue  # http(s):, mailto: ... are outside the site
        links.add(link)
    ids = {unescape(raw.decode("utf-8", "replace")) for raw in raw_ids}
    return sorted(links), sorted(ids)


def resolve(page: str, link: str) -> tuple[str, str]:
    """The site path and fragment a link of `page` points to."""
    path, _, fragment = link.partition("#")
    path = path.partition("?")[0]
    if not path:
        return page, unquote(fragment)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
    if path.endswith("/") or target == ".":
        target = posixpath.join("" if target == "." else target, "index.html")
    return target, unquote(fragment)


def root_relative(link: str, up: str) -> tuple[str, str] | None:
    """`resolve` for a link from the site's root (`up`: one `../` per folder of the page),
    without path arithmetic; None for any other link."""
    if not link.startswith(up) or _PLAIN_RE.search(link[len(up):]):
        return None
    target, _, fragment = link[len(up):].partition("#")
    return (target, fragment) if target else None


def check_links(scans: dict[str, tuple[list[str], list[str]]], files: set[str],
                pages: set[str] | None = None) -> list[Problem]:
    """A problem for each link to a missing file or a missing anchor of an HTML page.

    `pages`: check only the links of these pages (the others are known to be fine).
    """
    problems: list[Problem] = []
    # A link found good is not checked again (~0.1 us instead of ~2 us, for 0.5 million links
    # at 10,000 claims): one from the site's root (`{{ root }}claims/...`, its target is the
    # link without the `../`s) for every page as deep, any other for the pages of its folder.
    # Pages are checked folder by folder, in site order, and each memo is dropped when the
    # depth or the folder changes, which keeps them small at 100,000 pages. A bad link is
    # checked, and reported, on every page that has it; an anchor of the page itself (`#x`)
    # on every page.
    good_from_root: set[str] = set()
    good_here: set[str] = set()
    id_sets: dict[str, set[str]] = {}  # pages with many ids (findings, articles): looked up often
    current = up = None
    for page in sorted(scans if pages is None else pages):
        links, _ = scans[page]
        folder = posixpath.dirname(page)
        if folder != current:
            current = folder
            good_here.clear()
            depth = "../" * (folder.count("/") + 1) if folder else ""
            if depth != up:
                good_from_root.clear()
                up = depth
        for link in links:
            if link in good_from_root or link in good_here:
                continue
            rooted = root_relative(link, up)
            target, fragment = rooted or resolve(page, link)
            if _check(page, link, target, fragment, files, scans, id_sets, problems) \
                    and not link.startswith("#"):
                (good_from_root if rooted else good_here).add(link)
    return problems


def _check(page: str, link: str, target: str, fragment: str, files: set[str],
           scans: dict[str, tuple[list[str], list[str]]], id_sets: dict[str, set[str]],
           problems: list[Problem]) -> bool:
    """Whether the link is good; if not, its problem is added to `problems`."""
    if target.startswith("../"):
        problems.append(Problem(page, None, None, f"link '{link}' points outside the site",
                                "links between pages must stay inside site/"))
    elif target not in files:
        problems.append(Problem(page, None, None, f"broken internal link '{link}'",
                                f"no page '{target}' in the site; check the template or"
                                " the claim that links to it"))
    elif fragment and target in scans and not _has_id(scans[target][1], fragment, target, id_sets):
        problems.append(Problem(page, None, None, f"broken anchor '{link}'",
                                f"'{target}' has no element with id '{fragment}'"))
    else:
        return True
    return False


def _has_id(ids: list[str], wanted: str, page: str, sets: dict[str, set[str]]) -> bool:
    if len(ids) <= 32:
        return wanted in ids
    if page not in sets:
        sets[page] = set(ids)
    return wanted in sets[page]
