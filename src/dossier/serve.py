"""`dossier serve`: build, serve `site/` on 127.0.0.1, rebuild and reload on every change.

* Changes are watched with `watchfiles` (inotify/FSEvents through Rust's
  notify): seeds/, claims/, templates/, dossier.yaml, entities.yaml and
  findings.yaml. Nothing here polls.
* Each change rebuilds (incrementally: the build's own cache), then every open
  page reloads through a small Server-Sent Events stream. The reload script
  and the error overlay are added to HTML responses on the way out, never
  written into `site/`: the files on disk stay exactly what `dossier build`
  makes.
* An edit that breaks a file: the problems go to the terminal and onto every
  page, in an overlay, while the last good site keeps being served.
"""

from __future__ import annotations

import html
import http.server
import queue
import socket
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .errors import DossierError, Problem

EVENTS_PATH = "/__dossier/events"
SCRIPT_PATH = "/__dossier/reload.js"
WATCHED_DIRS = ("seeds", "claims", "templates")
WATCHED_FILES = ("dossier.yaml", "entities.yaml", "findings.yaml")
KEEPALIVE_SECONDS = 15.0

# Served, never written to site/. External (not inline) so a strict Content-Security-Policy allows it.
RELOAD_SCRIPT = (
    "(function () {\n"
    f'  var source = new EventSource("{EVENTS_PATH}");\n'
    '  source.onmessage = function (event) { if (event.data === "reload") { location.reload(); } };\n'
    "})();\n"
)

OVERLAY = """\
<div id="dossier-serve-problems" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;\
overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;background:#fff5f5;color:#3b0d0c;\
border-top:4px solid #cf222e;font:14px/1.5 ui-monospace,monospace;box-shadow:0 -4px 16px #0003">
<strong>dossier serve: the last edit does not build; this is the last good site.</strong>
<ul style="margin:.5em 0 0;padding-left:1.2em">%s</ul></div>
"""

ERROR_PAGE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dossier serve: build failed</title></head>
<body><h1>No site yet</h1><p>The dossier does not build. Fix the problems below; this page reloads
by itself.</p></body></html>
"""


NOT_FOUND = b"<!DOCTYPE html><html lang=en><title>Not found</title><body><h1>Not found</h1></body></html>"


class _State:
    """What the server shows: the build generation and the problems of the last build, if it failed."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0
        self.problems: list[Problem] = []
        self.stopping = False

    def publish(self, problems: list[Problem]) -> None:
        with self.changed:
            self.problems = problems
            self.generation += 1
            self.changed.notify_all()

    def news_since(self, generation: int) -> bool:
        return self.generation != generation or self.stopping

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def overlay_html(problems: list[Problem]) -> str:
    items = "".join(f"<li>{html.escape(p.format())}</li>" for p in problems)
    return OVERLAY % items


def inject(page: bytes, problems: list[Problem]) -> bytes:
    """The page as served: the reload script, and the overlay when the last build failed."""
    addition = f'<script src="{SCRIPT_PATH}"></script>\n'
    if problems:
        addition = overlay_html(problems) + addition
    data = addition.encode("utf-8")
    index = page.rfind(b"</body>")
    if index < 0:
        return page + data
    return page[:index] + data + page[index:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: _State

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal is for build results and problems, not one line per request

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
        elif path == SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT.encode())
        else:
            self._page(path)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _page(self, path: str) -> None:
        target = Path(self.translate_path(path))
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            target = target / "index.html"
        if target.suffix != ".html":
            super().do_GET()  # files other than pages: served as they are
            return
        status = 200
        if not target.is_file():
            status, target = 404, Path(self.directory) / "404.html"
        try:
            page = target.read_bytes()
        except OSError:
            page = ERROR_PAGE.encode() if self.state.problems else NOT_FOUND
        self._send(status, "text/html; charset=utf-8", inject(page, self.state.problems))

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        with state.changed:
            seen = state.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with state.changed:
                    state.changed.wait_for(partial(state.news_since, seen), timeout=KEEPALIVE_SECONDS)
                    if state.stopping:
                        return
                    fresh, seen = state.generation != seen, state.generation
                self.wfile.write(b"data: reload\n\n" if fresh else b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _build(root: Path, output: Path, state: _State, echo: Callable[[str], None]) -> bool:
    """One build; problems go to the terminal and (through `state`) onto every page."""
    from .render.build import build_site

    try:
        report = build_site(root, output=output)
    except DossierError as error:
        state.publish(error.problems)
        for problem in error.problems:
            echo(problem.format())
        errors = len(error.errors)
        echo(f"build failed: {errors} error{'s' * (errors != 1)}; still serving the last good site")
        return False
    except Exception as error:  # the server must outlive any one bad build
        problem = Problem("dossier", None, None, f"internal error: {type(error).__name__}: {error}",
                          "run `dossier --debug build` for the traceback, and please report it")
        state.publish([problem])
        echo(problem.format())
        return False
    state.publish([])
    for problem in report.problems:
        echo(problem.format())
    echo(report.summary())
    return True


def _relevant(root: Path) -> Callable[[object, str], bool]:
    """A watchfiles filter: the dossier's inputs, never its output or editors' temporary files."""
    files = {root / name for name in WATCHED_FILES}
    claims, seeds, templates = root / "claims", root / "seeds", root / "templates"

    def keep(change: object, path: str) -> bool:
        candidate = Path(path)
        name = candidate.name
        if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return False
        if candidate in files or candidate in (claims, seeds, templates):
            return True
        if claims in candidate.parents:  # claims/<article>/ and claims/<article>/<id>.yaml
            return candidate.parent == claims or candidate.suffix in (".yaml", ".yml")
        if seeds in candidate.parents:
            return candidate.suffix in (".txt", ".md")
        return templates in candidate.parents

    return keep


def _watch_once(paths: list[Path], recursive: bool, keep, stop_event, found: queue.Queue,
                echo: Callable[[str], None], up: threading.Event) -> None:
    import watchfiles

    try:
        # yield_on_timeout: the first (empty) yield says the watch is in place.
        for changes in watchfiles.watch(*paths, watch_filter=keep, recursive=recursive, stop_event=stop_event,
                                        debounce=200, step=50, rust_timeout=300, yield_on_timeout=True,
                                        raise_interrupt=False):
            up.set()
            if changes:
                found.put(changes)
    except Exception as error:  # e.g. a watched folder was deleted: start over
        echo(f"watch: {type(error).__name__}: {error}; watching again")
        found.put(None)


def _watch(root: Path, output: Path, state: _State, stop: threading.Event,
           echo: Callable[[str], None], ready: threading.Event) -> None:
    """Rebuild on every change until `stop` is set.

    The root folder is watched without recursion (so a `.venv` or `site/` next
    to the dossier costs nothing), and seeds/, claims/, templates/ with it;
    when one of those folders appears or vanishes, the watch starts over.
    """
    keep = _relevant(root)
    while not stop.is_set():
        folders = [root / name for name in WATCHED_DIRS if (root / name).is_dir()]
        restart = threading.Event()
        found: queue.Queue = queue.Queue()
        watching = [([root], False)] + ([(folders, True)] if folders else [])
        ups = [threading.Event() for _ in watching]
        threads = [threading.Thread(target=_watch_once, daemon=True,
                                    args=(paths, recursive, keep, _AnyEvent(stop, restart), found, echo, up))
                   for (paths, recursive), up in zip(watching, ups, strict=True)]
        for thread in threads:
            thread.start()
        for up in ups:
            up.wait(timeout=10)
        ready.set()
        while not stop.is_set() and not restart.is_set():
            try:
                changes = found.get(timeout=0.2)
            except queue.Empty:
                continue
            while not found.empty():  # one build for everything saved at once
                more = found.get()
                changes = None if changes is None or more is None else changes | more
            if changes is None:
                restart.set()
                _build(root, output, state, echo)
                break
            shown = sorted({Path(path).relative_to(root).as_posix() for _, path in changes})
            echo(f"changed: {', '.join(shown[:5])}{' ...' if len(shown) > 5 else ''}")
            _build(root, output, state, echo)
            if [root / n for n in WATCHED_DIRS if (root / n).is_dir()] != folders:
                restart.set()
        restart.set()
        for thread in threads:
            thread.join(timeout=2)


class _AnyEvent:
    """Set when either of two events is: watchfiles stops on `is_set()`."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


def serve_dossier(root: Path, port: int = 8000, echo: Callable[[str], None] = print,
                  ready: threading.Event | None = None, stop: threading.Event | None = None) -> None:
    """Build, serve on 127.0.0.1:`port` and rebuild on change, until Ctrl-C (or `stop` is set)."""
    root = Path(root).resolve()
    output = root / "site"
    if not (root / "dossier.yaml").is_file():
        raise DossierError(Problem("dossier.yaml", None, None, "no dossier.yaml here",
                                   "run `dossier init DIR` to start a dossier, or use -C DIR"))
    state = _State()
    _build(root, output, state, echo)
    output.mkdir(exist_ok=True)
    handler = partial(type("Handler", (_Handler,), {"state": state}),
                      directory=str(output))
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as error:
        raise DossierError(Problem("dossier serve", None, None,
                                   f"cannot listen on 127.0.0.1:{port}: {error.strerror}",
                                   "another server may be using it: try --port 8001")) from None
    stop = stop or threading.Event()
    watching = threading.Event()
    watcher = threading.Thread(target=_watch, args=(root, output, state, stop, echo, watching), daemon=True)
    watcher.start()
    watching.wait(timeout=15)  # edits made from now on are seen
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    try:
        # Announced inside the try: a Ctrl-C right after the announcement is a clean stop.
        echo(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
        if ready is not None:
            ready.set()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        stop.set()
        state.stop()
        server.shutdown()
        server.server_close()
        watcher.join(timeout=3)


def free_port() -> int:
    """A port nothing listens on right now (for tests and `--port 0`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

