"""config.py: dossier.yaml typed, every mistake at its line and column."""

from __future__ import annotations

import pytest
from minidossier import CONFIG, GOOD_CLAIM, SECOND_CLAIM, make_dossier

from dossier.config import DEFAULT_SCALE, load_config, parse_config, read_config
from dossier.errors import DossierError
from dossier.load import load_dossier
from dossier.store import parse_yaml


def problems(text: str) -> list[str]:
    _, found = read_config_text(text)
    return [f"{p.line}:{p.column}: {p.message}" + (f"; {p.hint}" if p.hint else "") for p in found]


def read_config_text(text: str):
    from dossier.config import _parse

    return _parse(parse_yaml(text, "dossier.yaml"))


def test_the_test_config_loads_with_defaults():
    config, found = parse_config(parse_yaml(CONFIG, "dossier.yaml"))
    assert found == []
    assert config.title == "Le port de Brest" and config.base_url == "https://exemple.org/brest/"
    assert config.verdicts == DEFAULT_SCALE and config.search is True and config.language == "fr"
    assert config.publisher.name == "Test newsroom"


def test_unknown_settings_with_did_you_mean():
    assert problems(CONFIG + "titel: x\nbase-url: y\n") == [
        "8:1: unknown setting 'titel'; did you mean 'title'?",
        "9:1: unknown setting 'base-url'; did you mean 'base_url'?",
    ]


def test_wrong_types_and_values_point_at_the_value():
    text = ("title: [a]\nbase_url: ftp://x.org/\nlanguage: de\nsearch: 'yes'\n"
            "publisher: {name: '', type: Company, url: 'javascript:x'}\n")
    assert problems(text) == [
        "1:8: 'title' must be text",
        "4:9: 'search' must be true or false",
        "1:1: 'title' is missing; add `title: ...` to dossier.yaml",
        "3:11: language 'de' is not supported; use one of fr, en",
        "2:11: base_url 'ftp://x.org/' is not an http(s) URL; e.g. base_url: https://example.org/dossier/",
        "5:19: publisher needs a name (text); e.g. name: My newsroom",
        "5:43: publisher url 'javascript:x' is not an http(s) URL",
        "5:29: publisher type 'Company' is not one of (Organization, Person)",
    ]


def test_a_custom_scale():
    scale = ("verdicts:\n"
             "- {id: exact, label: {fr: Exact, en: Accurate}, color: '#1a7f37', rating: 5}\n"
             "- {id: faux, label: Faux, color: '#cf222e', rating: 1}\n"
             "- {id: unverified, label: {fr: Non vérifié}}\n")
    config, found = read_config_text(CONFIG + scale)
    assert found == []
    assert config.verdict_ids == ("exact", "faux", "unverified")
    assert config.verdict("faux").label == {"fr": "Faux", "en": "Faux"}


def test_claims_are_checked_against_the_dossiers_own_scale(tmp_path):
    scale = "verdicts:\n- {id: exact, label: Exact, rating: 5}\n- {id: unverified, label: X}\n"
    root = make_dossier(tmp_path, config=CONFIG + scale)
    with pytest.raises(DossierError) as caught:
        load_dossier(root)
    (problem,) = caught.value.problems
    assert problem.message == "verdict 'mostly-true' is not in the scale (exact, unverified)"
    root = make_dossier(tmp_path, {"marins-1200.yaml": GOOD_CLAIM.replace("mostly-true", "exact"),
                                   "visiteurs.yaml": SECOND_CLAIM}, config=CONFIG + scale)
    assert load_dossier(root).claims[0].verdict == "exact"


def test_scale_mistakes():
    scale = ("verdicts:\n"
             "- {id: Exact Yes, label: X}\n"
             "- {id: a, label: X, color: 'red;}</style>'}\n"
             "- {id: b, label: X, rating: 7}\n"
             "- {id: b, label: Y}\n"
             "- {id: c, label: X, colour: '#fff'}\n"
             "- {id: d, label: {de: X}}\n"
             "- {id: true, label: X}\n")
    found = problems(CONFIG + scale)
    line = CONFIG.count("\n") + 2
    assert found == [
        f"{line}:8: verdict id 'Exact Yes' must be lower-case letters, digits and hyphens;"
        " e.g. id: exact-yes",
        f"{line + 1}:28: color 'red;}}</style>' is not a hex colour; e.g. color: '#1a7f37'",
        f"{line + 2}:29: rating must be a whole number 1-5; 1 is the worst (false), 5 the best (true);"
        " leave it out for steps that are not a rating, like unverified",
        f"{line + 3}:8: verdict 'b' is in the scale twice",
        f"{line + 4}:21: unknown verdict key 'colour'; did you mean 'color'?",
        f"{line + 5}:18: label must be text, or a mapping of language to text; e.g. label: {{fr: Plutôt vrai,"
        " en: Mostly true}",
        f"{line + 6}:8: verdict id true is read by YAML as true/false, not as text; put quotes around it:"
        " id: 'true'",
        f"{line}:1: the scale needs an 'unverified' step; new claims start as unverified",
    ]


def test_no_dossier_yaml(tmp_path):
    with pytest.raises(DossierError, match=r"no dossier\.yaml here"):
        load_config(tmp_path)
    config, found = read_config(tmp_path)
    assert config.verdicts == DEFAULT_SCALE and found[0].message == "no dossier.yaml here"


def test_null_settings_mean_the_default():
    config, found = read_config_text(CONFIG.replace("language: fr", "language:") + "search:\ndescription:\n")
    assert found == [] and config.language == "fr" and config.search is True and config.description == ""
