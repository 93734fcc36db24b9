"""`dossier init DIR`: a new dossier that checks clean and builds out of the box."""

from __future__ import annotations

import json

import jsonschema
import yaml
from click.testing import CliRunner

from dossier.cli import main
from dossier.load import load_dossier


def test_init_makes_a_dossier_that_checks_and_builds(tmp_path):
    target = tmp_path / "mon-dossier"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for name in ("dossier.yaml", "README.md", "entities.yaml", ".gitignore", "schema/claim.schema.json",
                 "schema/config.schema.json", "schema/entities.schema.json"):
        assert (target / name).is_file(), name
    assert list((target / "seeds").glob("*.txt")) and list((target / "claims").rglob("*.yaml"))
    assert "# " in (target / "dossier.yaml").read_text()  # commented for the person who opens it

    dossier = load_dossier(target)
    assert dossier.problems == ()
    assert len(dossier.claims) == 1 and dossier.config.title == "Mon dossier"

    check = CliRunner().invoke(main, ["-C", str(target), "check", "--strict"])
    assert check.exit_code == 0, check.output

    build = CliRunner().invoke(main, ["-C", str(target), "build", "--strict"])
    assert build.exit_code == 0, build.output
    claim_id = dossier.claims[0].id
    pages = [p for p in (target / "site").rglob("*.html") if claim_id in p.as_posix()]
    assert pages, "the sample claim has its page"


def test_the_sample_files_follow_the_published_schemas(tmp_path):
    from test_schema import EditorLoader, as_json

    CliRunner().invoke(main, ["init", str(tmp_path / "d")])
    root = tmp_path / "d"
    claim = next((root / "claims").rglob("*.yaml"))
    files = (("claim", claim), ("config", root / "dossier.yaml"), ("entities", root / "entities.yaml"))
    for schema, path in files:
        data = as_json(yaml.load(path.read_text(), EditorLoader))
        jsonschema.validate(data, json.loads((root / "schema" / f"{schema}.schema.json").read_text()))
        # The `$schema` comment of each file points at the copy in the new dossier.
        line = next(x for x in path.read_text().splitlines() if "$schema=" in x)
        assert (path.parent / line.split("$schema=")[1]).resolve() == (root / "schema" /
                                                                      f"{schema}.schema.json").resolve()


def test_init_never_overwrites(tmp_path):
    target = tmp_path / "d"
    CliRunner().invoke(main, ["init", str(target)])
    (target / "README.md").write_text("mine")
    again = CliRunner().invoke(main, ["init", str(target)])
    assert again.exit_code == 1
    assert "there is already a dossier here" in again.output
    assert (target / "README.md").read_text() == "mine"


def test_init_into_an_existing_folder_keeps_its_files(tmp_path):
    (tmp_path / "README.md").write_text("my notes")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "README.md").read_text() == "my notes"
    assert "exists, left as it is" in result.output
    assert (tmp_path / "dossier.yaml").is_file()
