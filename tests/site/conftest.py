"""Built sites for the site tests: the fixture dossier and the repo's seed dossier.

Each is built ONCE per test session with the real `dossier build` command, into a
temporary folder shared by the pytest-xdist workers (a file lock makes the first
worker build and the others wait and reuse it). The dossiers are copied first,
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
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sitecheck

from dossier.load import Dossier, load_dossier

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DOSSIER = ROOT / "tests" / "fixtures" / "small-dossier"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
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


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # Under xdist every worker has its own basetemp inside one shared parent.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_once(tmp_path_factory: pytest.TempPathFactory, name: str, source: Path) -> BuiltSite:
    shared = _shared_root(tmp_path_factory)
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


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """tests/fixtures/small-dossier, built."""
    return _build_once(tmp_path_factory, "fixture", FIXTURE_DOSSIER)


def seed_has_claims() -> bool:
    return any((ROOT / "claims").rglob("*.yaml"))


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repo's own dossier (the Kursk article), built. Skipped only while claims/ is empty."""
    if not seed_has_claims():
        pytest.skip("claims/ is empty: run `dossier extract` to build the seed dossier")
    return _build_once(tmp_path_factory, "seed", ROOT)


@pytest.fixture(scope="session", params=["fixture", "seed"])
def site(request: pytest.FixtureRequest) -> BuiltSite:
    """Each built site in turn."""
    return request.getfixturevalue(f"{request.param}_site")


# ---- serving and browsing --------------------------------------------------------------------------

AXE_URL_PATH = "/__tests__/axe.min.js"  # served beside the site, never written into it


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass

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
def serve_folder(out: Path) -> str:
    """Serve a folder on 127.0.0.1 (a free port) for the rest of the session."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def served(site: BuiltSite) -> ServedSite:
    return ServedSite(site, serve_folder(site.out))


@pytest.fixture(scope="session")
def served_fixture(fixture_site: BuiltSite) -> ServedSite:
    return ServedSite(fixture_site, serve_folder(fixture_site.out))


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium, driven by Playwright (which never downloads a browser of its own here).

    Missing Chromium FAILS the tests: `./dev test` installs it, so its absence is a broken setup.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev test (it installs Debian's chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user-data-dir).
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser) -> Iterator:
    """A browser context per (width, colour scheme, JavaScript on/off), made once and reused."""
    contexts: dict[tuple, object] = {}

    def get(width: int = 1280, scheme: str = "light", javascript: bool = True):
        key = (width, scheme, javascript)
        if key not in contexts:
            contexts[key] = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                                java_script_enabled=javascript, device_scale_factor=1)
        return contexts[key]

    yield get
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="session")
def axe_url() -> str:
    """Where pages load axe-core from (a path on the test server): fails if npm ci did not run."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run ./dev test (it runs npm ci)", pytrace=False)
    return AXE_URL_PATH


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
