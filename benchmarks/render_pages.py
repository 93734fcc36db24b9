"""CPU per rendered page, by page kind, measured in process on an existing dossier.

    .venv/bin/python benchmarks/render_pages.py DIR [--sample 200] [--repeats 3]
                                                    [--profile KIND] [--dump FOLDER]

DIR is a dossier (e.g. `python benchmarks/generate.py --claims 2000 --out /tmp/h2k`).
The build is planned exactly as `dossier build` plans a full build (its own
`_build_full`, stopped before anything is rendered or written: nothing is
written to DIR's site/), then for a fixed sample of each page kind (claim,
article, entity, verdict, publisher, home, ...: runs of neighbouring pages, spread
evenly) the script times, in CPU milliseconds per page:

  make    the page's data (`pages.make_page`)
  fp      its fingerprint (`build._fingerprint`, as `_render_chunk` computes it)
  render  the template (`build._render_page`)
  post    what the build does with the HTML (digest, link scan, and for a searched page
          what Pagefind reads of it and its digest)

Each figure is the best of `--repeats` passes (the machine is shared). `--profile
KIND` prints a cProfile of rendering that kind; `--dump FOLDER` writes the sampled
pages there (to compare two versions of the code byte for byte, run it twice with
different PYTHONPATH and `diff -r`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from collections import defaultdict
from pathlib import Path


def plan(root: Path):
    """The `_Job` a full build of `root` would render (its `_produce` step is not run)."""
    from dossier.render import build, noop

    captured = {}

    def capture(job, clock, settings_key, inputs, outputs_before):
        captured["job"] = job
        return build.BuildReport(job.output, (), 0, 0, 0, 0, 0.0)

    original = build._produce
    build._produce = capture
    try:
        output = root / ".render-pages-benchmark"  # never written: the plan stops before
        build._build_full(root, output, False, False, False, noop.settings_key(output, False, False),
                          None, build._Clock())
    finally:
        build._produce = original
    return captured["job"]


def sample(specs, size: int, run: int = 20) -> dict[str, list]:
    """Up to `size` pages of each kind, in runs of `run` neighbours spread evenly over the
    site: a build renders an article's claims one after the other (they share one read of
    the parse cache), so isolated pages would overstate `make`."""
    by_kind = defaultdict(list)
    for spec in specs:
        by_kind[spec.kind].append(spec)
    chosen = {}
    for kind, all_ in by_kind.items():
        if len(all_) <= size:
            chosen[kind] = all_
            continue
        runs = max(1, size // run)
        step = len(all_) // runs
        starts = range(0, runs * step, step)
        chosen[kind] = [spec for start in starts for spec in all_[start:start + run]][:size]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dossier", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="pages per kind (default 200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", default=None, help="a page kind to profile (render step)")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key")
    parser.add_argument("--dump", type=Path, default=None, help="write the sampled pages here")
    args = parser.parse_args()

    from dossier.render.build import _fingerprint, _render_page
    from dossier.render.cache import digest
    from dossier.render.links import scan
    from dossier.render.search import is_indexed, search_page

    gc.set_threshold(50_000, 20, 100)
    job = plan(args.dossier.resolve())
    chosen = sample(job.specs, args.sample)
    for name in job.template_fps:
        job.env.get_template(name)
    gc.freeze()
    clock = time.process_time
    print(f"{args.dossier}: {len(job.specs)} pages; CPU ms per page, best of {args.repeats}")
    print(f"{'kind':<12}{'pages':>6}{'make':>8}{'fp':>8}{'render':>8}{'post':>8}{'total':>8}")
    grand = 0.0
    for kind, specs in sorted(chosen.items(), key=lambda item: -len(item[1])):
        best = None
        for _ in range(args.repeats):
            times = [0.0, 0.0, 0.0, 0.0]
            for spec in specs:
                t0 = clock()
                page = job.make(spec)
                t1 = clock()
                _fingerprint(job.settings, job.template_fps[page.template], page.path, page.title,
                             page.description, page.context)
                t2 = clock()
                html = _render_page(job.env, page)
                t3 = clock()
                digest(html), scan(html)
                if is_indexed(page.path):
                    digest(search_page(html))
                t4 = clock()
                times[0] += t1 - t0
                times[1] += t2 - t1
                times[2] += t3 - t2
                times[3] += t4 - t3
                if args.dump:
                    target = args.dump / page.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(html)
            best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
        per = [1000 * t / len(specs) for t in best]
        grand += sum(best)
        print(f"{kind:<12}{len(specs):>6}" + "".join(f"{t:>8.2f}" for t in per) + f"{sum(per):>8.2f}")
    print(f"sampled pages, CPU s (best pass): {grand:.2f}")
    if args.profile:
        pages = [job.make(spec) for spec in chosen[args.profile]]
        profiler = cProfile.Profile()
        profiler.enable()
        for page in pages:
            _render_page(job.env, page)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
