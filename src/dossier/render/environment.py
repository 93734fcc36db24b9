"""The Jinja2 environment: the dossier's own templates first, then the packaged theme.

* autoescape on for every template (HTML and XML alike), undefined names fail;
* `templates/` of the dossier overrides any theme file of the same name;
* `theme/<name>` always means the packaged original, so an override can
  `{% extends "theme/claim.html" %}` and change one block.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from . import THEME_DIR
from .i18n import choices, strings
from .markdown import render_markdown
from .record import Record
from .text import long_date, number, quantity, shorten

_STATIC_REF = re.compile(
    r"""(?:\{%-?\s*(?:extends|include|import|from)|chrome\()\s*(?:"([^"]+)"|'([^']+)')""")
_DYNAMIC_REF = re.compile(r"""\{%-?\s*(extends|include|import|from)\s+(?!["'])""")


def _escape_output(value) -> str:
    """What `{{ value }}` writes: markupsafe's escape, minus the Markup wrapper around a
    plain string's result (the page joins it as text either way); ~15% of rendering."""
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is int:  # digits and a sign: nothing to escape (`loop.index`, counts, lines)
        return int.__repr__(value)
    return escape(value)


class _CodeGenerator(CodeGenerator):
    """Jinja2's code generator, with `{{ ... }}` escaped by `_escape_output`."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)
        return None


def _code_generator_fits() -> bool:
    """Whether this Jinja2 has the hook `_CodeGenerator` overrides, as it knows it (3.1):
    with another version, Jinja2's own generator is used, slower but the same pages."""
    code = getattr(getattr(CodeGenerator, "_output_child_pre", None), "__code__", None)
    return (_escape_text is not None and code is not None and code.co_argcount == 4
            and code.co_varnames[:4] == ("self", "node", "frame", "finalize"))


class _Environment(jinja2.Environment):
    """Jinja2's environment, with page data (`Record`s) read faster."""

    escape_output = staticmethod(_escape_output)

    def getattr(self, obj, attribute: str):
        # `c.url` on a Record: the key, straight from the dict. Jinja2 would first try a
        # real attribute, which fails through Record.__getattr__ (a Python call) before
        # reaching the same key. Same result: dict methods (`.get`, `.items`) still win.
        if obj.__class__ is Record and attribute not in _RECORD_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # the rest as Jinja2's own (inlined: one call less on every attribute)
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


_RECORD_ATTRIBUTES = frozenset(dir(Record))
_escape_text = getattr(markupsafe, "_escape_inner", None)  # str -> escaped str, in C
if _code_generator_fits():
    _Environment.code_generator_class = _CodeGenerator


class _Labels(dict):
    """Value -> label (claim kinds, stances...); an unknown value reads as itself, so that
    templates write `kinds[claim.kind]`: a subscript, not a `.get(x, x)` call through Jinja2."""

    __slots__ = ()

    def __missing__(self, key):
        return key


class VerdictBadges(dict):
    """Verdict id -> its badge, as HTML made once per verdict: templates write
    `{{ badges[claim.verdict] }}`, a subscript, where a macro call per claim was the slow part
    of long lists. An id that is not on the scale is undefined (a template error), as
    `verdict_labels[id]` is."""

    __slots__ = ("labels",)

    def __init__(self, labels: dict[str, str]):
        super().__init__()
        self.labels = labels

    def __missing__(self, key):
        if key not in self.labels:
            raise KeyError(key)
        badge = Markup('<span class="badge v-{}"><span class="swatch" aria-hidden="true"></span>{}</span>'
                       ).format(key, self.labels[key])
        self[key] = badge
        return badge


def user_template_dir(root: Path) -> Path:
    return root / "templates"


def make_environment(root: Path, language: str, bytecode_dir: Path | None = None) -> jinja2.Environment:
    theme = jinja2.FileSystemLoader(str(THEME_DIR))
    loaders: list[jinja2.BaseLoader] = []
    user_dir = user_template_dir(root)
    if user_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    loaders += [theme, jinja2.PrefixLoader({"theme": theme})]
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
        # Compiled templates survive between runs: compiling the theme costs more
        # than rendering a small site.
        # Named apart from plain Jinja2's: the code is made by `_CodeGenerator`.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir), "__dossier_jinja2_%s.cache")
        if bytecode_dir else None,
    )
    env.globals["ui"] = Record(strings(language))
    env.globals["language"] = language
    for key in ("kinds", "modalities", "speaker_kinds", "confidences", "stances", "statuses",
                "finding_kinds", "entity_types"):
        env.globals[key] = _Labels(choices(language, key))
    env.globals["chrome"] = _chrome(env)
    env.filters["markdown"] = render_markdown
    env.filters["number"] = lambda v: number(v, language)
    env.filters["quantity"] = lambda q: quantity(q, language)
    env.filters["long_date"] = lambda d: long_date(d, language)
    env.filters["shorten"] = shorten
    env.filters["tojson_safe"] = json_for_script
    return env


def _chrome(env: jinja2.Environment):
    """`chrome(name, root)`: a partial that depends only on the page's depth (header,
    footer), rendered once per depth and reused by every page, not once per page."""
    rendered: dict[tuple[str, str], Markup] = {}

    def chrome(name: str, root: str) -> Markup:
        key = (name, root)
        if key not in rendered:
            rendered[key] = Markup(env.get_template(name).render(root=root).rstrip("\n"))
        return rendered[key]

    return chrome


def json_for_script(data: object) -> str:
    """JSON safe inside <script>: no `</script>` breakout, no HTML comment tricks."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


def template_sources(env: jinja2.Environment) -> dict[str, str]:
    """Every template name the environment can load -> its source text."""
    sources = {}
    for name in sorted(set(env.list_templates())):
        if name.startswith("static/"):
            continue
        try:
            sources[name] = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            continue
    return sources


def template_fingerprints(env: jinja2.Environment) -> dict[str, str]:
    """For each template, a hash of its source and of everything it extends or includes.

    A page records the fingerprint of its template: editing `claim.html` re-renders
    claim pages only; editing `base.html` re-renders everything. A template that
    names another through a variable depends on all of them, to stay correct.
    """
    sources = template_sources(env)
    direct: dict[str, set[str]] = {}
    for name, source in sources.items():
        # A regular expression, not a parse: parsing every template costs more than
        # rendering a small site. A reference through a variable depends on everything.
        if _DYNAMIC_REF.search(source):
            direct[name] = set(sources)
        else:
            direct[name] = {m.group(1) or m.group(2) for m in _STATIC_REF.finditer(source)}

    @cache
    def closure(name: str) -> frozenset[str]:
        seen = {name}
        stack = [name]
        while stack:
            for ref in direct.get(stack.pop(), ()):
                if ref not in seen:
                    seen.add(ref)
                    stack.append(ref)
        return frozenset(seen)

    result = {}
    for name in sources:
        digest = hashlib.sha256()
        for dep in sorted(closure(name)):
            digest.update(dep.encode() + b"\0" + sources.get(dep, "").encode() + b"\0")
        result[name] = digest.hexdigest()[:16]
    return result
