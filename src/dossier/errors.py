"""Problems a person can act on: file, line, column, what is wrong, what would be right.

Every stage reports bad input as `Problem`s; a stage that cannot go on raises
`DossierError` carrying them. The CLI prints them, one per line, and exits
non-zero. Nothing else should ever reach the user as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file.

    `line` and `column` are 1-based, as editors show them; either may be None
    when the problem concerns the whole file.
    """

    path: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def github(self) -> str:
        """The GitHub Actions workflow-command form, shown inline on pull requests."""
        # Escaping as in GitHub's @actions/core (escapeData, escapeProperty).
        def escape(text: str) -> str:
            return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        parts = [f"file={escape(self.path).replace(':', '%3A').replace(',', '%2C')}"]
        if self.line is not None:
            parts.append(f"line={self.line}")
        if self.column is not None:
            parts.append(f"col={self.column}")
        body = escape(self.message + (f"; {self.hint}" if self.hint else ""))
        return f"::{self.severity} {','.join(parts)}::{body}"


class DossierError(Exception):
    """Bad input, already explained. Carries one or more `Problem`s."""

    def __init__(self, problems: Problem | Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(path="dossier", line=None, column=None, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a mistyped word, phrased as a hint, or None."""
    import difflib

    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def not_utf8(raw: bytes, error: UnicodeDecodeError, shown: str, hint: str) -> Problem:
    """The problem for bytes that are not UTF-8, at the line and column of the first bad byte."""
    before = raw[: error.start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return Problem(shown, line, column, f"not UTF-8 text (byte 0x{raw[error.start]:02x})", hint)
