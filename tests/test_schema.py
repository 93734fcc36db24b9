"""The published JSON Schemas and `dossier check` must not drift apart.

Three ways of proving it:
* the schemas' field lists and enums are the model's own constants;
* on the corpus of good and bad claim files, the schema rejects what the
  validator rejects (each bad file says whether its mistake is one a schema can
  see: `schema: invalid`; or needs other files or arithmetic: `schema: valid`;
  or is below YAML data level: `schema: n/a`);
* on random single-field edits of a good claim (hypothesis), both say the
  same thing about every structural mistake.
Both JSON Schema implementations are run: `jsonschema` (reference) and
`jsonschema-rs` (the fast one editors' tooling resembles).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from minidossier import ARTICLE, CONFIG, ENTITIES, GOOD_CLAIM, SECOND_CLAIM, make_dossier
from test_load import BAD_FILES, corpus_header

from dossier import claims as model
from dossier import config as config_module
from dossier.article import parse_article
from dossier.config import DEFAULT_SCALE, parse_config
from dossier.load import load_dossier, parse_claim, parse_entities
from dossier.store import parse_yaml

ROOT = Path(__file__).parent.parent
SCHEMAS = {name: json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
           for name in ("claim", "config", "entities")}


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's JSON Schema check sees it: dates stay text (YAML 1.2 has no timestamps)."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith("timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def as_json(data):
    if isinstance(data, dict):
        return {str(k): as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def schema_errors(name: str, data) -> tuple[list[str], bool]:
    """(messages of the reference validator, verdict of jsonschema-rs)."""
    reference = jsonschema.Draft202012Validator(SCHEMAS[name], format_checker=jsonschema.FormatChecker())
    messages = [error.message for error in reference.iter_errors(data)]
    fast = jsonschema_rs.validator_for(SCHEMAS[name], validate_formats=True)
    return messages, fast.is_valid(data)


def test_the_schemas_are_valid_json_schema():
    for schema in SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_claim_schema_lists_the_models_fields_and_values():
    claim = SCHEMAS["claim"]
    assert tuple(claim["properties"]) == model.ALL_FIELDS
    props = claim["properties"]

    def enum(prop):
        return next(s["enum"] for s in prop.get("anyOf", [prop]) if "enum" in s)

    assert enum(props["kind"]) == list(model.KINDS)
    assert enum(props["modality"]) == list(model.MODALITIES)
    assert enum(props["confidence"]) == list(model.CONFIDENCES)
    assert enum(props["verdict"]["anyOf"][0]) == [v.id for v in DEFAULT_SCALE]
    quantity = props["quantities"]["anyOf"][0]["items"]
    assert quantity["properties"]["qualifier"]["enum"] == list(model.QUALIFIERS)
    assert enum(quantity["properties"]["modality"]) == list(model.QUANTITY_MODALITIES)
    source = props["sources"]["anyOf"][0]["items"]
    assert source["properties"]["stance"]["enum"] == list(model.STANCES)
    speaker = next(s for s in props["speaker"]["anyOf"] if s.get("type") == "object")
    assert enum(speaker["properties"]["kind"]) == list(model.SPEAKER_KINDS)
    entity = SCHEMAS["entities"]["additionalProperties"]
    assert entity["properties"]["type"]["enum"] == list(model.ENTITY_TYPES)
    assert tuple(SCHEMAS["config"]["properties"]) == tuple(config_module._KEYS)


def _patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_not_blank_means_what_the_loader_means_in_every_regex_engine():
    """Text that must not be blank is refused by the loader when `str.strip()` leaves nothing.
    `\\S` would not say the same everywhere: Python's `re` counts U+001C-U+001F as space,
    ECMAScript (editors) and Rust (jsonschema-rs) do not, so "\\x1f" passed one validator and
    failed the other. The schemas spell the class out; both validators agree with the loader on
    every character of the first planes."""
    blank_rules = {p for schema in SCHEMAS.values() for p in _patterns(schema) if p.startswith("[^\\t")}
    assert len(blank_rules) == 1 and not any(p == "\\S" for s in SCHEMAS.values() for p in _patterns(s))
    schema = {"type": "string", "pattern": blank_rules.pop()}
    reference = jsonschema.Draft202012Validator(schema)
    fast = jsonschema_rs.validator_for(schema)
    checked = 0
    for code in [*range(0x3100), 0xFEFF, 0x1F600, 0x10FFFF]:
        if 0xD800 <= code < 0xE000:
            continue
        for text in (chr(code), f" {chr(code)}\n"):
            wanted = bool(text.strip())
            assert reference.is_valid(text) == wanted == fast.is_valid(text), (hex(code), text)
            checked += 1
    assert checked > 20_000


def test_the_packaged_schemas_are_the_published_ones():
    import dossier

    packaged = Path(dossier.__file__).parent / "schema"
    for name in SCHEMAS:
        assert (packaged / f"{name}.schema.json").read_bytes() == \
            (ROOT / "schema" / f"{name}.schema.json").read_bytes()


def test_claim_files_point_editors_at_the_schema():
    from dossier.workflow import CLAIM_SCHEMA_URL

    # claims/<article>/<id>.yaml -> ../../schema/claim.schema.json
    claim_file = ROOT / "claims" / "some-article" / "some-claim.yaml"
    published = ROOT / "schema" / "claim.schema.json"
    assert (claim_file.parent / CLAIM_SCHEMA_URL).resolve() == published.resolve()


def test_good_files_are_valid_for_both():
    files = {"GOOD_CLAIM": GOOD_CLAIM, "SECOND_CLAIM": SECOND_CLAIM}
    for path in sorted((ROOT / "claims").rglob("*.yaml")):
        files[path.as_posix()] = path.read_text(encoding="utf-8")
    for name, text in files.items():
        messages, fast = schema_errors("claim", as_json(yaml.load(text, EditorLoader)))
        assert messages == [] and fast, (name, messages)
    for name, text in (("config", CONFIG), ("entities", ENTITIES)):
        messages, fast = schema_errors(name, yaml.load(text, EditorLoader))
        assert messages == [] and fast, (name, messages)
    for name, path in (("config", ROOT / "dossier.yaml"), ("entities", ROOT / "entities.yaml")):
        if path.is_file():
            messages, fast = schema_errors(name, as_json(yaml.load(path.read_text(), EditorLoader)))
            assert messages == [] and fast, (path, messages)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_the_schema_rejects_what_the_validator_rejects(path):
    expected = corpus_header(path)["schema"]
    assert expected in ("invalid", "valid", "n/a")
    if expected == "n/a":
        return  # a YAML-level mistake (syntax, duplicate key, alias): found before any schema applies
    data = as_json(yaml.load(path.read_text(encoding="utf-8"), EditorLoader))
    messages, fast = schema_errors("claim", data)
    if expected == "invalid":
        assert messages and not fast, "the schema accepts a file dossier check rejects"
    else:
        assert not messages and fast, f"a rule checked across files, yet the schema says {messages}"


# ---------------------------------------------------------------- random edits

_ARTICLE = parse_article(ARTICLE, Path("brest.txt"), "seeds/brest.txt")
_CONFIG, _ = parse_config(parse_yaml(CONFIG, "dossier.yaml"))
_ENTITIES = parse_entities(parse_yaml(ENTITIES, "entities.yaml"), [])
_GOOD = yaml.load(GOOD_CLAIM, yaml.SafeLoader)

# Where an edit goes, and values that are right, wrong, or nearly right there.
_PLACES = [("kind",), ("checkworthy",), ("checkworthiness",), ("modality",), ("confidence",), ("verdict",),
           ("confidence_note",), ("notes",), ("verb",), ("quantities", 0, "qualifier"),
           ("quantities", 0, "value"), ("quantities", 0, "low"), ("quantities", 0, "numerator"),
           ("quantities", 0, "denominator"), ("quantities", 0, "unit"), ("quantities", 0, "modality"),
           ("sources", 0, "url"), ("sources", 0, "archived"), ("sources", 0, "stance"),
           ("sources", 0, "date"), ("sources", 0, "title"), ("corrections", 0, "date"),
           ("corrections", 0, "text"), ("speaker", "name"), ("speaker", "kind"), ("location", "end_line"),
           ("quantities",), ("sources",), ("corrections",), ("speaker",), ("related",), ("bogus",),
           ("sources", 0, "bogus"), ("location",), ("text",), ("id",)]
_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, 1, -1, 0.5, 1.5, 2, 6000, "", " ", "text", "6000", "0.8",
                     "true", "mostly-true", "mostly true", "false", "unverified", "asserted", "reported",
                     "supports", "context", "contra", "exact", "range", "fraction", "at_least", "%",
                     "medium", "high", "quote", "person", "opinion", "https://exemple.org/x",
                     "http://exemple.org", "javascript:alert(1)", "ftp://exemple.org/x", "exemple.org",
                     "https://exemple org", "2025-06-04", "2025-02-30", "4 juin 2025", dt.date(2025, 6, 4),
                     [], {}, ["a"], [1], {"a": 1}, [{}]]),
    st.text(max_size=12), st.integers(-3, 10**6), st.floats(-2, 2, allow_nan=False),
)


def _put(data, place, value):
    target = data
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(_PLACES), _VALUES), min_size=1, max_size=2))
def test_random_edits_validator_and_schema_agree(edits):
    data = copy.deepcopy(_GOOD)
    data["related"] = []  # a reference to another file is not the schema's business
    for place, value in edits:
        with contextlib.suppress(KeyError, IndexError, TypeError):  # gone after an earlier edit
            _put(data, place, copy.deepcopy(value))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    problems = []
    parse_claim(parse_yaml(text, "c.yaml"), _CONFIG, {"brest": _ARTICLE}, _ENTITIES, problems,
                expected_id="marins-1200", expected_article="brest")
    errors = [p.message for p in problems if p.severity == "error"]
    # Rules that need the article, the verdict scale or arithmetic: the schema cannot see them.
    cross_file = ("no longer found in the article", "does not point at", "past the end",
                  "is not in the scale", "is more than high", "differs from the file name", "is before")
    if errors and all(any(c in e for c in cross_file) for e in errors):
        return
    messages, fast = schema_errors("claim", as_json(yaml.load(text, EditorLoader)))
    assert bool(errors) == bool(messages), (edits, errors, messages)
    assert fast == (not messages)


def test_the_repos_own_dossier_loads(tmp_path):
    """The dossier in this repository passes the validator (its claim files the schema, above)."""
    if not (ROOT / "dossier.yaml").is_file():
        pytest.skip("no dossier in this checkout")
    load_dossier(ROOT)


def test_slug_pattern_is_the_validators():
    from dossier.slugs import SLUG_PATTERN

    claim = SCHEMAS["claim"]["properties"]
    assert claim["id"]["pattern"] == SLUG_PATTERN
    assert re.fullmatch(claim["article"]["pattern"], "brest")
    _ = make_dossier  # the corpus tests build dossiers; this module only reads files
