"""The benchmark tools: the generator writes valid, deterministic dossiers; the runner starts.

Only correctness is tested here; speed is measured by `benchmarks/run.py`, never in tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dossier.load import load_dossier

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402
import run  # noqa: E402


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "dossier"
    stats = generate.generate(45, out, seed=7)
    assert stats == {"claims": 45, "articles": 3, "entities": generate.ENTITY_POOL}
    return out


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generated_dossier_loads_without_problems(small):
    dossier = load_dossier(small)
    assert dossier.problems == ()
    assert len(dossier.claims) == 45
    assert len(dossier.articles) == 3
    assert len(dossier.entities) == generate.ENTITY_POOL
    for claim in dossier.claims:
        article = dossier.articles[claim.article]
        assert article.text_at(claim.location) == claim.text  # the loader checks it too
        assert len(claim.sources) == 3
        assert 3 <= len(claim.entities) <= 5
        assert claim.quantities
        assert 200 <= len(claim.notes.split()) <= 320
        assert all(s.url.startswith("https://") and ".example." in s.url for s in claim.sources)
    verdicts = {c.verdict for c in dossier.claims}
    assert len(verdicts) >= 4  # spread over the scale, not one value


def test_generated_articles_have_the_seed_format(small):
    seed = sorted((small / "seeds").iterdir())[0]
    lines = seed.read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("https://")
    assert " // " in lines[2] and lines[2][2] == "/" and lines[2][5] == "/"
    article = load_dossier(small).articles
    first = next(iter(article.values()))
    assert first.published is not None and first.author


def test_generator_is_deterministic(tmp_path, small):
    again = tmp_path / "again"
    generate.generate(45, again, seed=7)
    assert tree(again) == tree(small)
    other = tmp_path / "other"
    generate.generate(45, other, seed=8)
    assert tree(other) != tree(small)


def test_generator_never_wipes_a_folder_it_did_not_make(tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        generate.generate(20, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_benchmark_edit_stays_valid_and_restores_exactly(tmp_path):
    dossier_dir = tmp_path / "d"
    generate.generate(40, dossier_dir, seed=3)
    before = tree(dossier_dir)
    files = sorted((dossier_dir / "claims").glob("*/*.yaml"))
    path, originals = run.edit_claim(dossier_dir, tmp_path / "no-hugo", files, repeat=0)
    shown = path.relative_to(dossier_dir).as_posix()
    edited = next(c for c in load_dossier(dossier_dir).claims if c.path == shown)
    assert edited.notes.startswith(run.EDIT_MARK + "1.")
    old_line = next(line for line in originals[path].split("\n") if line.startswith("verdict:"))
    assert edited.verdict != old_line.split(":", 1)[1].strip().strip('"')
    for file, text in originals.items():
        file.write_text(text, encoding="utf-8")
    assert tree(dossier_dir) == before


def test_measure_reports_time_memory_and_exit_code():
    result = run.measure([sys.executable, "-c", "import sys; x = bytearray(60_000_000); sys.exit(3)"])
    assert result.returncode == 3
    assert result.seconds > 0
    assert result.largest_mb >= 55  # the 60 MB buffer shows in the child's peak RSS
    assert 0 <= result.system_seconds <= result.cpu_seconds  # the kernel's part of the CPU time


def test_runner_help():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "--full" in done.stdout and "Hugo" in done.stdout and "--warmup" in done.stdout
    done = subprocess.run([sys.executable, str(BENCHMARKS / "generate.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--claims" in done.stdout


def test_ratios_pair_runs_that_ran_back_to_back():
    size = run.SizeResult(claims=10, repeats=3)
    for dossier_s, hugo_s in ((2.0, 4.0), (9.0, 10.0), (1.0, 4.0)):
        size.add("dossier_full", run.Measure(dossier_s, 1, 1, 0, dossier_s))
        size.add("hugo_full", run.Measure(hugo_s, 1, 1, 0, hugo_s))
    size.add("dossier_full", run.Measure(0.1, 1, 1, 1))  # a failed run counts for nothing
    size.add("dossier_warmup", run.Measure(50.0, 1, 1, 0))  # nor does a warm-up build
    size.add("hugo_full", run.Measure(5.0, 1, 1, 0))
    assert size.paired_ratio("dossier_full", "hugo_full") == 0.5  # median of 0.5, 0.9, 0.25
    assert size.median("dossier_full") == 2.0
    table = run.table([size], {"seconds": 0.1, "cpu": 0.05, "python_startup": 0.02}, None, None,
                      {"code": "x", "nproc": 2, "cpu": "cpu", "python": "3", "kernel": "k", "disk": []})
    assert "| 10 |" in table and "0.50" in table


def test_render_pages_times_each_kind_of_page(small, tmp_path):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "render_pages.py"), str(small), "--sample", "3",
                           "--repeats", "1", "--dump", str(tmp_path / "pages")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()
            if line.split() and line.split()[0] in ("claim", "article", "home")}
    assert set(rows) == {"claim", "article", "home"}
    assert rows["claim"][0] == "3" and float(rows["claim"][-1]) > 0  # pages sampled, total ms
    assert not (small / "site").exists()  # planned like a build, nothing written to the dossier
    assert len(list((tmp_path / "pages").rglob("*.html"))) >= 7


def test_outputs_are_moved_aside_not_deleted(tmp_path):
    dossier = tmp_path / "d"
    generate.generate(20, dossier, seed=2)
    (dossier / "site").mkdir()
    (dossier / "site" / "index.html").write_text("old")
    (dossier / ".dossier-cache").mkdir()
    inputs = sorted(p.name for p in dossier.iterdir() if p.name in run.INPUTS)
    aside = tmp_path / "aside"
    run.wipe_outputs(dossier, aside)
    assert sorted(p.name for p in dossier.iterdir()) == inputs
    moved = sorted(p.relative_to(aside).parts[1:] for p in aside.rglob("*") if p.is_file())
    assert moved == [("site", "index.html")]
    run.set_aside(dossier / "missing", aside)  # nothing there: nothing to do
