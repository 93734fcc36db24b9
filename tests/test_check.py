"""`dossier check`: every problem, a summary line, exit codes CI can rely on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from minidossier import GOOD_CLAIM, SECOND_CLAIM, make_dossier

from dossier.cli import main

DOSSIER = str(Path(sys.executable).with_name("dossier"))


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), "check", *args])


def broken_dossier(tmp_path: Path) -> Path:
    bad = GOOD_CLAIM.replace("verdict: mostly-true", "verdict: mostly true").replace(
        "confidence: medium", "confidance: medium")
    return make_dossier(tmp_path, {"marins-1200.yaml": bad, "visiteurs.yaml": SECOND_CLAIM})


def test_a_clean_dossier_exits_0(tmp_path):
    result = run(make_dossier(tmp_path))
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_problems_are_all_listed_then_summarised_and_exit_1(tmp_path):
    result = run(broken_dossier(tmp_path))
    assert result.exit_code == 1
    lines = result.output.strip().split("\n")
    verdict_line = GOOD_CLAIM.split("\n").index("verdict: mostly-true") + 1
    assert lines[0] == (f"claims/brest/marins-1200.yaml:{verdict_line}:10: error: verdict 'mostly true'"
                        " is not in the scale (true, mostly-true, mixed, mostly-false, false, unverifiable,"
                        " unverified); did you mean 'mostly-true'?")
    assert lines[1].startswith(f"claims/brest/marins-1200.yaml:{verdict_line + 1}:1: error: unknown claim key"
                               " 'confidance'; did you mean 'confidence'?")
    assert lines[-1] == "2 errors, 0 warnings"


def test_warnings_pass_unless_strict(tmp_path):
    no_sources = re.sub(r"sources:\n(  .*\n|- .*\n)*", "sources: []\n", GOOD_CLAIM)
    root = make_dossier(tmp_path, {"marins-1200.yaml": no_sources, "visiteurs.yaml": SECOND_CLAIM})
    relaxed = run(root)
    assert relaxed.exit_code == 0
    assert "warning: verdict 'mostly-true' has no source" in relaxed.output
    assert relaxed.output.strip().endswith("0 errors, 1 warning")
    assert run(root, "--strict").exit_code == 1


def test_github_annotations(tmp_path):
    result = run(broken_dossier(tmp_path), "--format", "github")
    assert result.exit_code == 1
    line = GOOD_CLAIM.split("\n").index("verdict: mostly-true") + 1
    annotations = [x for x in result.output.split("\n") if x.startswith("::")]
    assert annotations[0] == (f"::error file=claims/brest/marins-1200.yaml,line={line},col=10::verdict"
                              " 'mostly true' is not in the scale (true, mostly-true, mixed, mostly-false,"
                              " false, unverifiable, unverified); did you mean 'mostly-true'?")
    assert len(annotations) == 2


def test_github_annotations_escape_newlines_and_percent(tmp_path):
    from dossier.errors import Problem

    problem = Problem("a,b.yaml", 3, 4, "50% of\nthe text", "fix: it")
    assert problem.github() == "::error file=a%2Cb.yaml,line=3,col=4::50%25 of%0Athe text; fix: it"


def test_usage_errors_exit_2(tmp_path):
    root = make_dossier(tmp_path)
    assert run(root, "--format", "xml").exit_code == 2
    assert run(root, "--no-such-option").exit_code == 2
    assert CliRunner().invoke(main, ["-C", str(tmp_path / "nowhere"), "check"]).exit_code == 2


def test_check_writes_nothing(tmp_path):
    root = broken_dossier(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    run(root)
    run(make_dossier(root))
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert set(after) == set(before)


def test_not_a_dossier_is_one_clear_line(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "dossier.yaml: error: no dossier.yaml here; run `dossier init DIR`" in result.output


def test_an_internal_error_is_one_line_pointing_at_debug(tmp_path, monkeypatch):
    import dossier.workflow

    def broken(root):
        raise RuntimeError("something no one expected")

    monkeypatch.setattr(dossier.workflow, "check_dossier", broken)
    root = make_dossier(tmp_path)
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert result.exit_code == 3
    assert result.output.strip().count("\n") == 0
    assert "internal error: RuntimeError: something no one expected" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    debug = CliRunner().invoke(main, ["--debug", "-C", str(root), "check"])
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through


def test_the_real_command_never_prints_a_traceback(tmp_path):
    """Through the installed console script, on the nastiest files of the corpus at once."""
    corpus = Path(__file__).parent / "data" / "bad-claims"
    claims = {p.name: p.read_bytes() for p in corpus.glob("*.yaml")}
    claims["latin1.yaml"] = "id: latin1\ntext: d\xe9j\xe0\n".encode("latin-1")
    claims["bomb.yaml"] = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    root = make_dossier(tmp_path, claims)
    result = subprocess.run([DOSSIER, "-C", str(root), "check", "--format", "github"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    files = {m.group(1) for m in re.finditer(r"^::error file=([^,]+),", result.stdout, re.M)}
    assert len(files) >= len(claims) - 12  # nearly every file has its own error (some only warnings/valid)
    assert "claims/brest/latin1.yaml" in files and "claims/brest/bomb.yaml" in files


def test_build_refuses_on_the_same_errors_and_keeps_the_previous_site(tmp_path):
    root = make_dossier(tmp_path)
    first = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "claims/brest/marins-1200.yaml").write_text(GOOD_CLAIM.replace("verdict: mostly-true",
                                                                           "verdict: mostly true"))
    checked = run(root)
    built = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert built.exit_code == 1
    problem_lines = [x for x in checked.output.split("\n") if ": error: " in x]
    assert problem_lines and all(x in built.output for x in problem_lines)
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
