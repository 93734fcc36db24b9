"""Time the cross-claim analysis (`dossier.analyse.analyse`) on a synthetic dossier.

    .venv/bin/python benchmarks/analyse.py                 # 10,000 claims, 5 repeats
    .venv/bin/python benchmarks/analyse.py --claims 1000 --repeats 9

The dossier comes from benchmarks/generate.py (same arguments, same bytes). It is
loaded once (loading is `load_dossier`'s cost, timed by the build benchmark);
analysis is then timed alone, repeat by repeat: best and median wall time, best
CPU time, and the findings by kind. The machine is shared: read the CPU time.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

from generate import stage_benchmark


def main() -> None:
    args, out = stage_benchmark(__doc__.split("\n\n")[0], "analyse")

    from dossier.analyse import analyse
    from dossier.load import load_dossier

    started = time.perf_counter()
    dossier = load_dossier(out)
    loaded = time.perf_counter() - started
    times, cpu = [], []
    findings = ()
    for _ in range(args.repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        findings = analyse(dossier)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    kinds = Counter(f.kind for f in findings)
    print(f"{len(dossier.claims)} claims in {len(dossier.articles)} articles (loaded in {loaded:.1f} s)")
    print(f"analyse: best {min(times):.3f} s, median {statistics.median(times):.3f} s wall "
          f"(best {min(cpu):.3f} s CPU) over {args.repeats} runs; {len(findings)} findings: "
          f"{dict(sorted(kinds.items()))}")


if __name__ == "__main__":
    main()
