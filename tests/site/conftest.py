"""Built sites for the site tests: the fixture dossier and the repo's seed dossier.

Each is built ONCE per test session with the real `dossier build` command, into a
temporary folder shared by the pytest-xdist workers (a file lock makes the first
worker build and the others wait and reuse it). The dossiers are copied first,
so a build never writes into the working tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sitebuild import (
    AXE_JS,
    AXE_URL_PATH,
    FIXTURE_DOSSIER,
    ROOT,
    SCREENSHOTS,
    BuiltSite,
    ServedSite,
    build_once,
    seed_has_claims,
    served_url,
)


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """tests/fixtures/small-dossier, built."""
    return build_once(tmp_path_factory, "fixture", FIXTURE_DOSSIER)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repo's own dossier (the Kursk article), built. Skipped only while claims/ is empty."""
    if not seed_has_claims():
        pytest.skip("claims/ is empty: run `dossier extract` to build the seed dossier")
    return build_once(tmp_path_factory, "seed", ROOT)


@pytest.fixture(scope="session", params=["fixture", "seed"])
def site(request: pytest.FixtureRequest) -> BuiltSite:
    """Each built site in turn."""
    return request.getfixturevalue(f"{request.param}_site")


# ---- serving and browsing --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def served(site: BuiltSite) -> ServedSite:
    return ServedSite(site, served_url(site.out))


@pytest.fixture(scope="session")
def served_fixture(fixture_site: BuiltSite) -> ServedSite:
    return ServedSite(fixture_site, served_url(fixture_site.out))


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
