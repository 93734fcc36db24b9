"""Building, copying and serving dossiers for the site tests (the fixtures are in conftest.py).

A site is built with the real `dossier build` command, from a copy of the dossier,
so a build never writes into the working tree.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import browsers
import pytest
import sitecheck
from browsers import QuietHandler

from dossier.load import Dossier, load_dossier

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DOSSIER = ROOT / "tests" / "fixtures" / "small-dossier"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# A fixed build date (2026-01-15 12:00 UTC): pages that show "built on" must show this.
SOURCE_DATE_EPOCH = "1768478400"
# Folders of a dossier that are not part of it (the repo root is also the seed dossier).
NOT_DOSSIER = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "site", "test-artifacts", "tests", "src", "benchmarks",
    ".dossier-cache", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "build",
    "*.egg-info", "package.json", "package-lock.json", "pyproject.toml", "dev", ".ci",
)


@dataclass
class BuiltSite:
    name: str
    source: Path  # the copy of the dossier that was built
    out: Path  # the built site
    build_seconds: float
    build_log: str
    _dossier: Dossier | None = field(default=None, repr=False)
    _pages: dict[str, sitecheck.Page] | None = field(default=None, repr=False)

    @property
    def dossier(self) -> Dossier:
        if self._dossier is None:
            self._dossier = load_dossier(self.source)
        return self._dossier

    @property
    def base_url(self) -> str:
        return self.dossier.config.base_url

    @property
    def pages(self) -> dict[str, sitecheck.Page]:
        """Every HTML page, parsed once: path relative to the site -> Page."""
        if self._pages is None:
            self._pages = sitecheck.parse_site(self.out)
        return self._pages


def dossier_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dossier.cli", *args]


def run_build(source: Path, out: Path, epoch: str | None = SOURCE_DATE_EPOCH,
              extra: tuple[str, ...] = ()) -> tuple[float, str]:
    """`dossier -C source build -o out`; fails the test with the command's output if it fails."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    started = time.perf_counter()
    result = subprocess.run(dossier_command("-C", str(source), "build", "-o", str(out), *extra),
                            capture_output=True, text=True, env=env, timeout=300)
    seconds = time.perf_counter() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"dossier build of {source} failed (exit {result.returncode}):\n{log}", pytrace=False)
    return seconds, log


def copy_dossier(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=NOT_DOSSIER, symlinks=True)
    return target


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # Under xdist every worker has its own basetemp inside one shared parent.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, source: Path) -> BuiltSite:
    shared = shared_root(tmp_path_factory)
    folder = shared / f"built-{name}"
    marker = folder / "result.json"
    with open(shared / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            folder.mkdir(exist_ok=True)
            dossier = copy_dossier(source, folder / "dossier")
            try:
                seconds, log = run_build(dossier, folder / "site")
                marker.write_text(json.dumps({"ok": True, "seconds": seconds, "log": log}))
            except pytest.fail.Exception as failure:
                marker.write_text(json.dumps({"ok": False, "log": str(failure)}))
                raise
    result = json.loads(marker.read_text())
    if not result["ok"]:
        pytest.fail(result["log"], pytrace=False)
    return BuiltSite(name, folder / "dossier", folder / "site", result["seconds"], result["log"])


def seed_has_claims() -> bool:
    return any((ROOT / "claims").rglob("*.yaml"))


AXE_URL_PATH = "/__tests__/axe.min.js"  # served beside the site, never written into it


class _QuietHandler(QuietHandler):
    def translate_path(self, path: str) -> str:
        # axe-core comes over HTTP like any script, so Chromium caches its compiled code between pages.
        if path.split("?")[0] == AXE_URL_PATH:
            return str(AXE_JS)
        return super().translate_path(path)


@dataclass
class ServedSite:
    site: BuiltSite
    url: str  # http://127.0.0.1:PORT/

    def url_of(self, page_path: str) -> str:
        return sitecheck.page_url(self.url, page_path)


@functools.cache
def served_url(out: Path) -> str:
    """Serve a folder on 127.0.0.1 (a free port) for the rest of the session."""
    server = browsers.serve_folder(out, _QuietHandler)
    return f"http://127.0.0.1:{server.server_address[1]}/"


