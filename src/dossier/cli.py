"""The `dossier` command. Thin: each command calls one stage; heavy imports stay inside.

`dossier --help`, `check`, `build` and `serve` never import spaCy.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path

import click

from .errors import DossierError, Problem

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# Set by `run`: what must stay alive until the process ends (see there).
_until_exit: list | None = None


class _Group(click.Group):
    """Turns any failure into a short message: problems for bad input, one line otherwise."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DossierError as error:
            report_problems(error.problems)
            sys.exit(EXIT_PROBLEMS)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"dossier: internal error: {type(error).__name__}: {error}"
                       " (run again with --debug for the traceback, and please report it)", err=True)
            sys.exit(EXIT_INTERNAL)


def report_problems(problems: list[Problem], fmt: str = "text") -> None:
    for problem in problems:
        click.echo(problem.github() if fmt == "github" else problem.format(), err=fmt != "github")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        click.echo(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
                   err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "root", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Run as if started in this dossier folder (like git -C).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(package_name="dossier")
@click.pass_context
def main(ctx: click.Context, root: Path, debug: bool) -> None:
    """Turn news articles into a public, cross-linked fact-check dossier.

    \b
    dossier extract     seeds/ -> claims/   (spaCy; run when an article arrives)
    dossier check       validate dossier.yaml, seeds and claim files
    dossier build       claims/ -> site/    (fast; run on every edit and in CI)
    dossier serve       build, serve and rebuild on every change
    dossier init DIR    start a new dossier
    """
    if not root.is_dir():
        raise click.BadParameter(f"'{root}' is not a folder", param_hint="-C")
    ctx.obj = {"root": root.resolve(), "debug": debug}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def extract(obj: dict, paths: tuple[Path, ...]) -> None:
    """Find the checkable claims of articles and write one YAML file per claim.

    PATHS are seed files (default: every article in seeds/). Existing claim
    files are never changed: only new claims get new files.
    """
    from .workflow import extract_to_files

    extract_to_files(obj["root"], list(paths), echo=lambda line: click.echo(line, err=True))


@main.command()
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text",
              help="github: GitHub Actions annotations, shown inline on pull requests.")
@click.pass_obj
def check(obj: dict, strict: bool, fmt: str) -> None:
    """Validate dossier.yaml, seeds and claim files; write nothing."""
    from .workflow import check_dossier

    problems = check_dossier(obj["root"])
    report_problems(problems, fmt)
    failed = any(p.severity == "error" or strict for p in problems)
    if not problems:
        click.echo("no problems found", err=True)
    sys.exit(EXIT_PROBLEMS if failed else 0)


@main.command()
@click.option("--strict", is_flag=True, help="Any warning fails the build (for CI).")
@click.option("--clean", is_flag=True, help="Ignore the build cache and render every page.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/ in the dossier).")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index (quick previews).")
@click.pass_obj
def build(obj: dict, strict: bool, clean: bool, output: Path | None, no_search: bool) -> None:
    """Render the static site into site/ (the previous site stays if the build fails)."""
    from .render import noop

    search = False if no_search else None
    # The stat pass that tells what changed runs in a child process: started before the build's
    # modules load, it is done by the time they are (an edit or a no-op waits for it otherwise).
    changes = None if clean else noop.start_build(obj["root"], output, strict, search)
    # The build's modules (~100 ms to import, ~60 of them the dossier's own) make thousands of
    # objects that live until the process ends: the collector's passes over them while they
    # load free nothing and cost ~6 ms, on the path of every edit build.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .render.build import build_site
    finally:
        if collecting:
            gc.enable()

    report = build_site(obj["root"], output=output, strict=strict, clean=clean, search=search,
                        keep_working=_until_exit is not None, changes=changes)
    report_problems(list(report.problems))
    click.echo(report.summary(), err=True)
    if _until_exit is not None:
        _until_exit.append(report)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Start a new dossier in DIRECTORY, ready to build."""
    from .scaffold import init_dossier

    init_dossier(directory, echo=lambda line: click.echo(line, err=True))


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.pass_obj
def serve(obj: dict, port: int) -> None:
    """Build, serve site/ on 127.0.0.1 and rebuild when a file changes."""
    from .serve import serve_dossier

    serve_dossier(obj["root"], port=port, echo=lambda line: click.echo(line, err=True))


def run() -> None:
    """The `dossier` command: `main`, in a process that ends without the interpreter's
    teardown (as mypy's does). A build's data (at 10,000 claims, a few hundred thousand
    objects) is then left alive to the end instead of freed one object at a time just
    before the process goes, which cost ~30 ms of a 0.6 s edit build. Output is flushed
    first; the commands finish their worker processes and threads before they return
    (`serve`'s file watcher, a daemon thread, ends with the process as it always did)."""
    global _until_exit
    _until_exit = []
    try:
        main()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            for stream in (sys.stdout, sys.stderr):  # None when the process started without it
                if stream is not None:
                    with contextlib.suppress(OSError, ValueError):
                        stream.flush()
            os._exit(done.code or 0)
        raise


if __name__ == "__main__":
    run()
