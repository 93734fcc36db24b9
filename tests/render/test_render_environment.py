"""The template environment's fast paths give what Jinja2's own would."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup, escape

from dossier.render import environment
from dossier.render.environment import VerdictBadges, _escape_output, make_environment
from dossier.render.i18n import choices
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
        f"{choices('fr', 'kinds')['quantity']}|nope"


def test_a_verdict_not_on_the_scale_has_no_badge(env):
    """`badges[id]` for a verdict of the scale is its badge; for any other id, a template error
    (strict undefined), not an empty badge."""
    env.globals["badges"] = VerdictBadges({"true": "Vrai"})
    assert ">Vrai</span>" in env.from_string("{{ badges['true'] }}").render()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ badges['nope'] }}").render()
