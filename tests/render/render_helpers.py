"""Helpers shared by the render tests (imported by name: tests/ has no packages)."""

from __future__ import annotations

from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "small-dossier"
EPOCH = "1767225600"  # 2026-01-01, so "built at" never depends on the day the tests run


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file: any write or replace changes one of them."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fixed_findings():
    """Hand-made findings for the fixture, so golden pages test rendering, not the analysis."""
    from dossier.analyse import Finding

    return (
        Finding("logement-inonder-1", "conflicting-figures", "crue-de-valmont", "logement-inonder",
                ("crue-de-valmont/logements-3200", "crue-de-valmont/logements-2500"),
                "3 200 logements inondés, puis 2 500 : les chiffres ne concordent pas."),
        Finding("oracle-source", "weak-sourcing", "crue-de-valmont", "ai-source",
                ("crue-de-valmont/oracle-pire-crue",), "Une IA citée comme autorité.",
                status="dismissed", note="Écarté : *voir* la note."),
    )


def record_search_runs(monkeypatch) -> list[tuple[str, int | None]]:
    """Every Pagefind run from now on: (its shard's folder name, the threads it was given)."""
    from dossier.render import search

    runs: list[tuple[str, int | None]] = []
    real = search._index_shard

    def index_shard(binary, site, language, work, target, threads=None):
        runs.append((target.name, threads))
        return real(binary, site, language, work, target, threads)

    monkeypatch.setattr(search, "_index_shard", index_shard)
    return runs
