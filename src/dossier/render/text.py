"""Readable forms of numbers, quantities and dates, in the site's language.

"plus de 10 000", "entre 4 000 et 6 000", "37 sur 64", "les deux tiers",
"12 millions" — what a reader would write, not what a parser stores.
"""

from __future__ import annotations

from datetime import date

from ..claims import Quantity
from .i18n import choices, strings


def number(value: float | int | None, language: str) -> str:
    if value is None:
        return ""
    ui = strings(language)
    value = float(value)
    for size, one, many in ((1e9, "billion", "billions"), (1e6, "million", "millions")):
        if abs(value) >= size and (value / size * 10).is_integer():
            scaled = value / size
            word = ui[one] if abs(scaled) < 2 else ui[many]
            return f"{_plain(scaled, language)} {word}"
    return _plain(value, language)


def _plain(value: float, language: str) -> str:
    ui = strings(language)
    if value.is_integer():
        text = f"{int(value):,}".replace(",", ui["thousands"])
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        text = text.replace(",", "\x00").replace(".", ui["decimal"]).replace("\x00", ui["thousands"])
    return text


def _unit(text: str, unit: str | None, language: str) -> str:
    if not unit:
        return text
    if unit == "%":
        return f"{text}\u00a0%" if language == "fr" else f"{text}%"
    return f"{text}\u00a0{unit}"


def quantity(q: Quantity, language: str) -> str:
    """The quantity as a reader would say it (without what is counted)."""
    ui = strings(language)
    n = lambda v: number(v, language)  # noqa: E731
    if q.qualifier == "range":
        text = f"{ui['between']} {n(q.low)} {ui['and']} {n(q.high)}"
    elif q.qualifier == "ratio":
        text = f"{n(q.value)} {ui['of']} {n(q.of)}"
    elif q.qualifier == "fraction":
        names = choices(language, "fractions")
        text = names.get(f"{q.numerator}/{q.denominator}", f"{q.numerator}/{q.denominator}")
    elif q.qualifier == "at_least":
        text = f"{ui['more_than']} {n(q.value)}"
    elif q.qualifier == "at_most":
        text = f"{ui['less_than']} {n(q.value)}"
    elif q.qualifier == "approx":
        text = f"{ui['about']} {n(q.value)}"
    else:
        text = n(q.value)
    return _unit(text, q.unit, language)


def long_date(value: date | None, language: str) -> str:
    if value is None:
        return ""
    ui = strings(language)
    month = ui["months"].split("|")[value.month - 1]
    day = "1er" if language == "fr" and value.day == 1 else str(value.day)
    return ui["date_format"].format(d=day, month=month, y=value.year)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.«(") + "…"
