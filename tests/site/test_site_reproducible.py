"""Same input, same bytes: rebuilding later, elsewhere or from the cache changes nothing."""

from __future__ import annotations

import difflib
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sitebuild import FIXTURE_DOSSIER, SOURCE_DATE_EPOCH, copy_dossier, run_build

from dossier.render.text import long_date

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(one: Path, two: Path) -> list[str]:
    a, b = tree(one), tree(two)
    report = [f"only in {one.name}: {path}" for path in sorted(a.keys() - b.keys())]
    report += [f"only in {two.name}: {path}" for path in sorted(b.keys() - a.keys())]
    for path in sorted(a.keys() & b.keys()):
        if a[path] != b[path]:
            report.append(f"{path} differs")
            try:
                diff = difflib.unified_diff(a[path].decode().splitlines(), b[path].decode().splitlines(),
                                            lineterm="", n=0)
                report += [f"    {line}" for line in list(diff)[2:8]]
            except UnicodeDecodeError:
                pass
    return report


def date_forms(day: date) -> list[bytes]:
    """How a page may write a date: ISO, or long in the site's languages ("15 janvier 2026")."""
    return [day.isoformat().encode(), *(long_date(day, lang).encode() for lang in ("fr", "en"))]


def shown_as(data: bytes, day: date, other_day: date) -> bytes:
    for old, new in zip(date_forms(day), date_forms(other_day), strict=True):
        data = data.replace(old, new)
    return data


def next_second() -> None:
    """Let the wall clock move on to another second, so a build that stamps the time shows it."""
    time.sleep(1.05 - time.time() % 1)


def test_rebuilds_are_byte_identical(tmp_path: Path):
    """A clean build, one from another folder a second later, and one from the build cache: same bytes."""
    here = copy_dossier(FIXTURE_DOSSIER, tmp_path / "here")
    elsewhere = copy_dossier(FIXTURE_DOSSIER, tmp_path / "somewhere-else")
    run_build(here, tmp_path / "clean", extra=("--clean",))
    next_second()
    run_build(elsewhere, tmp_path / "elsewhere")
    run_build(here, tmp_path / "cached")

    assert tree(tmp_path / "clean"), "the build is empty"
    for other in ("elsewhere", "cached"):
        report = differences(tmp_path / "clean", tmp_path / other)
        assert not report, "\n".join(report)


def test_source_date_epoch_is_the_only_clock(tmp_path: Path):
    """Another SOURCE_DATE_EPOCH changes at most the build date where the site shows one; today's
    date (the wall clock) shows nowhere."""
    other_epoch = str(int(SOURCE_DATE_EPOCH) + 86400 * 400)
    source = copy_dossier(FIXTURE_DOSSIER, tmp_path / "dossier")
    run_build(source, tmp_path / "one", extra=("--clean",))
    run_build(source, tmp_path / "other", epoch=other_epoch, extra=("--clean",))

    day = datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), UTC).date()
    other_day = datetime.fromtimestamp(int(other_epoch), UTC).date()
    today = datetime.now(UTC).date()
    # Pagefind's index is compressed and named by content hash: compared as a whole above.
    before = {p: b for p, b in tree(tmp_path / "one").items() if not p.startswith("pagefind/")}
    after = {p: b for p, b in tree(tmp_path / "other").items() if not p.startswith("pagefind/")}
    assert before.keys() == after.keys()
    for path in before:
        assert shown_as(before[path], day, other_day) == after[path], (
            f"{path} changed with SOURCE_DATE_EPOCH beyond the date {day} -> {other_day}")
        if today not in (day, other_day):
            assert all(form not in after[path] for form in date_forms(today)), (
                f"{path} shows today's date {today}: the wall clock leaks into the site")
