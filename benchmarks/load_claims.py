"""Time loading and validating claim files: the hot path of every `dossier build` and `dossier check`.

    .venv/bin/python benchmarks/load_claims.py                    # 10,000 claims, 5 repeats
    .venv/bin/python benchmarks/load_claims.py --claims 1000 --repeats 9

The dossier comes from benchmarks/generate.py (same arguments, same bytes). Three
numbers, each the best of the repeats (the machine is shared: the best run is the
one least disturbed), per claim file and in total:

* parse: `read_yaml` (bytes -> UTF-8 -> libyaml events -> data + line/column of every node);
* validate: `parse_claim` on the parsed document (every rule of `dossier check`
  for one file: types, enums, URLs, dates, ids, references, text in the article);
* load_dossier: the whole thing as `build` calls it (config, seeds, entities,
  every claim, cross-claim references), wall and CPU time; from 2,000 files on,
  claim files are read by one process per core (CPU time includes the workers).

Also prints, for comparison, plain `yaml.load(CSafeLoader)` on the same files (no
positions, no validation).
"""

from __future__ import annotations

import time

from generate import stage_benchmark


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the parallel loader's workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(repeats: int, run) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds, workers included) of `run()`."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), cpu_seconds()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    args, out = stage_benchmark(__doc__.split("\n\n")[0], "load")

    import yaml

    from dossier.load import load_dossier, parse_claim
    from dossier.store import iter_claim_files, read_yaml

    dossier = load_dossier(out)  # also warms the page cache
    files = list(iter_claim_files(out))
    count = len(files)
    shown = [p.relative_to(out).as_posix() for p in files]
    size = sum(p.stat().st_size for p in files) / count

    docs = []

    def parse() -> None:
        docs.clear()
        docs.extend(read_yaml(path, name) for path, name in zip(files, shown, strict=True))

    def validate() -> None:
        problems: list = []
        for doc, path in zip(docs, files, strict=True):
            parse_claim(doc, dossier.config, dossier.articles, dossier.entities, problems,
                        expected_id=path.stem, expected_article=path.parent.name, related_refs=[])
        assert not [p for p in problems if p.severity == "error"], problems[:3]

    def plain() -> None:
        for path in files:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

    parse_wall, parse_cpu = best(args.repeats, parse)
    validate_wall, validate_cpu = best(args.repeats, validate)
    plain_wall, plain_cpu = best(args.repeats, plain)
    load_wall, load_cpu = best(args.repeats, lambda: load_dossier(out))

    print(f"{count} claim files, {size / 1024:.1f} KB each on average, best of {args.repeats}")
    for name, wall, cpu in (("parse (read_yaml)", parse_wall, parse_cpu),
                            ("validate (parse_claim)", validate_wall, validate_cpu),
                            ("plain yaml.load CSafeLoader", plain_wall, plain_cpu),
                            ("load_dossier, everything", load_wall, load_cpu)):
        print(f"  {name:30s} {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
              f"{wall / count * 1000:6.3f} ms/file wall  {cpu / count * 1000:6.3f} ms/file CPU")


if __name__ == "__main__":
    main()
