"""French relative dates, resolved against an article's publication date.

Used by the analysis to find dates that no longer make sense when the article
came out: a deadline that had already passed ("d'ici la fin de l'été" in a
piece dated 17 November), "cet été" said of the future in November, a weekday
that does not fall on the date given ("lundi 12 mars 2025" was a Wednesday).

General calendar vocabulary only (seasons, months, weekdays, "prochain",
"dernier"); no spaCy. Seasons are the astronomical ones of the northern
hemisphere, the way French news uses them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Season -> (start month, start day, end month, end day); winter runs over the new year.
SEASONS = {"printemps": (3, 20, 6, 20), "été": (6, 21, 9, 22), "automne": (9, 23, 12, 20),
           "hiver": (12, 21, 3, 19)}
# A deadline read as "the next one" further away than this was most likely written about
# the one that had just passed: the text is older than its publication date.
NATURAL_HORIZON = timedelta(days=183)

_APOS = "['’]"
_PERIOD = r"(?P<period>printemps|été|automne|hiver|" + "|".join(MONTHS) + ")"
_PART = (r"(?:(?P<part>(?:la\s+)?fin|(?:le\s+)?début|(?:la\s+)?mi-?|(?:le\s+)?milieu|(?:la\s+)?moitié)"
         r"\s*(?:de\s+|d" + _APOS + r"\s*|du\s+)?)?")
_ARTICLE = r"(?:l" + _APOS + r"\s*|le\s+|la\s+|cet\s+|cette\s+|ce\s+)?"
# A deadline or a planned period: "d'ici la fin de l'été", "avant l'automne", "dès septembre".
_DEADLINE_RE = re.compile(
    r"\b(?P<trigger>d" + _APOS + r"ici|avant|dès|à\s+partir\s+d[e" + _APOS[1:-1] + r"]|"
    r"jusqu" + _APOS + r"(?:à|au|en)|pour|au\s+cours\s+d[e" + _APOS[1:-1] + r"]|courant|en|cet|cette|ce)"
    r"\s*" + _PART + _ARTICLE + _PERIOD + r"(?P<after>\s+(?:prochain|prochaine|dernier|dernière|"
    r"passé|passée|\d{4}))?\b",
    re.IGNORECASE,
)
_FUTURE_RE = re.compile(
    r"\b(?:prévu|prévue|prévus|prévues|devr(?:a|ait|aient|ont)|doi(?:t|vent)|pourr(?:a|ait|aient|ont)"
    r"|va|vont|attendu|attendue|attendus|attendues|envisag\w*|programm\w*|promis|promet\w*|prochain\w*"
    r"|\w+(?:era|eront|ira|iront|dra|dront))\b",
    re.IGNORECASE,
)
# A dated plan: "se tiendra le 3 octobre", "prévue pour le 12 mars 2025", "d'ici le 1er juin".
_PLANNED_DATE_RE = re.compile(
    r"\b(?P<trigger>d" + _APOS + r"ici\s+le|avant\s+le|dès\s+le|à\s+partir\s+du|jusqu" + _APOS
    + r"au|prévue?s?\s+(?:pour\s+)?le|(?:aura|auront)\s+lieu\s+le|se\s+tiendr(?:a|ont)\s+le"
    r"|(?:commencera|commenceront|débutera|débuteront|ouvrira|ouvriront|s" + _APOS
    + r"achèvera|sera\s+livrée?|seront\s+livrée?s)\s+le)"
    r"\s+(?:(?:" + "|".join(WEEKDAYS) + r")\s+)?(?P<day>\d{1,2}|1er)\s+(?P<month>" + "|".join(MONTHS)
    + r")(?:\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)
_WEEKDAY_DATE_RE = re.compile(
    r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")\s+(?P<day>\d{1,2}|1er)\s+(?P<month>" + "|".join(MONTHS)
    + r")(?:\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)


# Every expression checked here names a season or a month: texts without one are skipped early.
_CALENDAR_WORD_RE = re.compile(r"printemps|été|automne|hiver|" + "|".join(MONTHS), re.IGNORECASE)


@dataclass(frozen=True)
class DateIssue:
    """One date expression of a claim that does not fit the publication date."""

    surface: str  # the words of the claim, e.g. "d'ici la fin de l'été"
    start: int  # offsets in the claim text
    end: int
    reason: str  # "past-deadline" | "wrong-weekday"
    meant: date  # the date the words point to, read in the publication year
    alternative: date | None = None  # the next such date, when the words may mean that
    stated_weekday: int | None = None  # for wrong-weekday: 0 = Monday


def _month(name: str) -> int:
    return MONTHS.index(name.lower()) + 1


def period_bounds(period: str, year: int) -> tuple[date, date]:
    """First and last day of a season or month of `year` (winter: December of `year` to March)."""
    period = period.lower()
    if period in SEASONS:
        m1, d1, m2, d2 = SEASONS[period]
        end_year = year + 1 if m2 < m1 else year
        return date(year, m1, d1), date(end_year, m2, d2)
    month = _month(period)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _point(period: str, part: str | None, year: int, deadline: bool) -> date:
    """The day the words point to: the end of the period for "fin", its start for "début"..."""
    first, last = period_bounds(period, year)
    part = (part or "").lower().split()[-1] if part else ""
    if part.startswith("fin"):
        return last
    if part.startswith(("début",)):
        return first
    if part.startswith(("mi", "milieu", "moitié")):
        return first + (last - first) / 2
    # "d'ici l'été" and "avant l'été": before it starts; "cet été", "en été": while it lasts.
    return first if deadline else last


def date_issues(text: str, published: date, forward: bool = False) -> list[DateIssue]:
    """The date expressions of `text` that no longer fit `published`.

    `forward` says the claim is about the future (a prediction, a promise);
    words like "prévu", "devrait" or a future tense in `text` say so too.
    """
    issues: list[DateIssue] = []
    # The expressions end on a season or a month: look only just before each one (fast on
    # long texts, and most claims name none).
    deadlines = []
    for word in _CALENDAR_WORD_RE.finditer(text):
        for match in _DEADLINE_RE.finditer(text, max(0, word.start() - 50), min(len(text), word.end() + 12)):
            if match.start("period") == word.start() and all(m.start() != match.start() for m in deadlines):
                deadlines.append(match)
    lowered = text.lower()
    has_weekday = any(day in lowered for day in WEEKDAYS)
    if not deadlines and not has_weekday and not _CALENDAR_WORD_RE.search(text):
        return issues
    for match in _PLANNED_DATE_RE.finditer(text):
        day = 1 if match.group("day").lower() == "1er" else int(match.group("day"))
        month = _month(match.group("month"))
        meant = _safe_date(int(match.group("year") or published.year), month, day)
        if meant is None or meant >= published:
            continue
        following = None
        if not match.group("year"):
            following = _safe_date(published.year + 1, month, day)
            if following is None or following - published <= NATURAL_HORIZON:
                continue  # "le 3 mars" said in November: next March
        issues.append(DateIssue(match.group(0), match.start(), match.end(), "past-date", meant, following))
    future = forward or bool(_FUTURE_RE.search(text))
    for match in deadlines:
        after = (match.group("after") or "").strip().lower()
        if after:
            continue  # "l'été prochain", "l'été dernier", "l'été 2024": explicit, nothing to resolve
        trigger = re.sub(r"\s+", " ", match.group("trigger").lower()).replace("’", "'")
        deadline = trigger in ("d'ici", "avant", "dès") or trigger.startswith(("à partir", "jusqu"))
        looks_ahead = trigger == "d'ici" or (future and trigger != "en")
        if not looks_ahead:
            continue
        period, part = match.group("period"), match.group("part")
        meant = _point(period, part, published.year, deadline)
        if meant >= published:
            continue
        following = _point(period, part, published.year + 1, deadline)
        if following - published <= NATURAL_HORIZON:
            continue  # "d'ici mars" in November: next March, as anyone would read it
        issues.append(DateIssue(match.group(0), match.start(), match.end(), "past-deadline", meant,
                                following))
    for match in _WEEKDAY_DATE_RE.finditer(text) if has_weekday else ():
        day = 1 if match.group("day").lower() == "1er" else int(match.group("day"))
        month = _month(match.group("month"))
        if match.group("year"):
            years = [int(match.group("year"))]
        else:
            # Without a year, the date nearest to publication is the one meant.
            years = sorted((published.year - 1, published.year, published.year + 1),
                           key=lambda y: abs((_safe_date(y, month, day) or date.max) - published)
                           if _safe_date(y, month, day) else timedelta.max)[:1]
        when = _safe_date(years[0], month, day)
        stated = WEEKDAYS.index(match.group("weekday").lower())
        if when is not None and when.weekday() != stated:
            issues.append(DateIssue(match.group(0), match.start(), match.end(), "wrong-weekday", when,
                                    stated_weekday=stated))
    return issues


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
