"""The template environment's fast paths give what Jinja2's own would."""

from __future__ import annotations

import json
import random

import jinja2
import pytest
from markupsafe import Markup, escape

from dossier.render import environment
from dossier.render.environment import _escape_output, json_for_script, make_environment
from dossier.render.record import Record


@pytest.fixture()
def env(tmp_path):
    return make_environment(tmp_path, "fr")


@pytest.mark.parametrize("value", [
    "plain", "<script>alert('x')</script> & \"q\"", "", Markup("<b>safe</b>"), 12, -7, 3.5, None, True,
    Record(a=1), ["<a>"],
])
def test_escape_output_writes_what_markupsafe_escape_writes(value):
    assert str(_escape_output(value)) == str(escape(value))


def test_templates_are_compiled_with_the_fast_escape_and_still_escape(env):
    assert environment._code_generator_fits()  # Jinja2 3.1: the hook is there
    source = "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}" \
             "{{ a }}|{{ b }}|{% autoescape false %}{{ a }}{% endautoescape %}|{{ m(a) }}"
    assert "environment.escape_output(" in env.compile(source, raw=True)
    html = env.from_string(source).render(a="<x>&", b=Markup("<y>"))
    assert html == "&lt;x&gt;&amp;|<y>|<x>&|<i>&lt;x&gt;&amp;</i>"


def test_record_attributes_read_as_keys_and_dict_methods_still_win(env):
    record = Record(url="a.html", items=[1, 2], get="key named get")
    template = "{{ r.url }} {{ r['items']|length }} {{ r.get('url') }} {{ r.items() is defined }}"
    html = env.from_string(template).render(r=record)
    assert html == "a.html 2 a.html True"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ r.missing }}").render(r=record)


def test_label_maps_return_an_unknown_value_as_itself(env):
    assert env.from_string("{{ kinds['quantity'] }}|{{ kinds['nope'] }}").render() == \
        f"{env.globals['kinds']['quantity']}|nope"


def _reference_json(data) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def test_json_for_script_writes_what_json_dumps_writes_on_random_data():
    r = random.Random(7)
    leaves = ["", "a</script><!--&", "é\u2028\u2029\"\\\n\t\x00\x1f", "😀", 0, -3, 10**30, 1.5, 1e300, 0.1,
              -0.0, True, False, None, float("nan"), float("inf"), Markup("<b>")]

    def value(depth=0):
        k = r.random()
        if depth > 4 or k < 0.4:
            return r.choice(leaves)
        if k < 0.7:
            return [value(depth + 1) for _ in range(r.randint(0, 4))]
        if k < 0.75:
            return tuple(value(depth + 1) for _ in range(r.randint(0, 3)))
        if k < 0.8:
            return Record(a=value(depth + 1))
        keys = ["a", "@type", "é", 'x"y', 1, 2.5, None, True]
        return {r.choice(keys): value(depth + 1) for _ in range(r.randint(0, 4))}

    for _ in range(3000):
        data = value()
        assert str(json_for_script(data)) == _reference_json(data)
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        json_for_script(loop)
