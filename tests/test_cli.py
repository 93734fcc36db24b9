"""The installed `dossier` command as a process. It ends without the interpreter's teardown
(`cli.run`), so what it prints and the exit status it gives are checked from outside, through
pipes (block-buffered, unlike a terminal)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "small-dossier"
SCRIPT = Path(sys.executable).parent / "dossier"
DOSSIER = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "dossier.cli"]


def dossier(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*DOSSIER, *args], capture_output=True, text=True, timeout=120)


def test_help_reaches_a_pipe_whole() -> None:
    done = dossier("--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ")
    assert "dossier init DIR" in done.stdout
    # The list of commands comes last: output lost at the exit would cut it.
    assert done.stdout.rstrip().splitlines()[-1].split()[0] == "serve"


def test_build_reports_and_exits_zero_then_nonzero_on_bad_input(tmp_path: Path) -> None:
    root = tmp_path / "d"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".dossier-cache", "site"))
    done = dossier("-C", str(root), "build", "--no-search")
    assert done.returncode == 0, done.stderr
    assert f"{root / 'site'}: " in done.stderr and " pages, " in done.stderr
    assert (root / "site" / "index.html").is_file()

    config = root / "dossier.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "verdicts: [\n", encoding="utf-8")
    done = dossier("-C", str(root), "build", "--no-search")
    assert done.returncode == 1
    assert "dossier.yaml:" in done.stderr and "error" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_keep_their_exit_status(tmp_path: Path) -> None:
    done = dossier("-C", str(tmp_path / "missing"), "build")
    assert done.returncode == 2
    assert "is not a folder" in done.stderr


def test_a_closed_output_stream_keeps_the_exit_status_and_shows_no_traceback(tmp_path: Path) -> None:
    for closed in (">&-", "2>&-"):
        command = [*DOSSIER, "-C", str(tmp_path / "missing"), "build"]
        done = subprocess.run(["sh", "-c", f'exec "$@" {closed}', "sh", *command],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (closed, done.stderr)
        assert "Traceback" not in done.stderr
