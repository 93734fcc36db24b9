"""Every page, stylesheet and SVG of the built sites through the Nu HTML Checker (vnu.jar).

One Java process per site (starting the JVM costs seconds, checking a page
milliseconds). A deliberately broken canary page rides along in the same run:
if vnu does not flag it, the checker is not really checking.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sitecheck
from sitebuild import BuiltSite

CANARY = ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>canari</title></head>'
          '<body><p><b>pas fermé</p><img src="x.png"></body></html>\n')

pytestmark = pytest.mark.slow


def test_nu_html_checker_reports_no_error(site: BuiltSite, tmp_path: Path):
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    files = [f for f in sorted(site.out.rglob("*"))
             if f.suffix in (".html", ".css", ".svg") and "pagefind" not in f.relative_to(site.out).parts]
    assert any(f.suffix == ".html" for f in files), f"no pages in {site.out}"

    messages = sitecheck.run_vnu([canary, *files])

    on_canary = [m for m in messages if m.get("url", "").endswith("/canary.html")]
    assert sum(m["type"] == "error" for m in on_canary) >= 2, f"vnu missed the broken canary: {messages}"
    site_messages = [m for m in messages if m not in on_canary]
    errors = [m for m in site_messages if m["type"] in ("error", "non-document-error")]
    warnings = [m for m in site_messages if m["type"] == "info" and m.get("subType") == "warning"]
    report = "\n".join(sitecheck.format_vnu(m, site.out) for m in errors + warnings)
    assert not errors, f"vnu: {len(errors)} errors, {len(warnings)} warnings in {len(files)} files:\n{report}"
