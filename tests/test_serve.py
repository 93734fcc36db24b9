"""`dossier serve`: the real command, a real HTTP client, and a real browser for the live reload."""

from __future__ import annotations

import http.client
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from minidossier import GOOD_CLAIM, make_dossier

from dossier.serve import EVENTS_PATH, SCRIPT_PATH, free_port

DOSSIER = str(Path(sys.executable).with_name("dossier"))
CLAIM = "claims/brest/marins-1200.yaml"


class Served:
    """`dossier serve` in a subprocess; its terminal output collected line by line."""

    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.process = subprocess.Popen([DOSSIER, "-C", str(root), "serve", "--port", str(self.port)],
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for("serving http://127.0.0.1:")

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                # Lines may still be on their way from a process that has just exited.
                assert self.process.poll() is None or self.reader.is_alive(), f"serve exited: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in the terminal within {timeout} s: {self.seen}")

    def get(self, path: str) -> tuple[int, bytes, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body, dict(response.getheaders())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path):
    server = Served(make_dossier(tmp_path / "d"))
    yield server
    server.stop()


def claim_page(served: Served) -> str:
    pages = [p for p in (served.root / "site").rglob("*.html") if "marins-1200" in p.as_posix()]
    assert pages, "the claim has a page"
    return "/" + pages[0].relative_to(served.root / "site").as_posix()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_served_pages_reload_but_site_files_stay_clean(served):
    status, body, headers = served.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'<script src="{SCRIPT_PATH}"></script>'.encode() in body
    on_disk = (served.root / "site" / "index.html").read_bytes()
    assert SCRIPT_PATH.encode() not in on_disk and b"dossier-serve" not in on_disk
    status, script, _ = served.get(SCRIPT_PATH)
    assert status == 200 and EVENTS_PATH.encode() in script
    css = next((served.root / "site").rglob("*.css"))
    status, body, _ = served.get("/" + css.relative_to(served.root / "site").as_posix())
    assert status == 200 and body == css.read_bytes()


def test_only_the_site_is_served(served):
    for path in ("/../dossier.yaml", "/%2e%2e/dossier.yaml", "/../../etc/passwd", "/claims/brest/"):
        status, body, _ = served.get(path)
        assert b"base_url" not in body and b"root:" not in body
        assert status == 404, path


def test_an_edit_rebuilds_and_tells_the_page(served):
    events = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    events.request("GET", EVENTS_PATH)
    stream = events.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert stream.fp.readline() == b": connected\n"
    stream.fp.readline()
    edit(served.root / "dossier.yaml", 'title: "Le port de Brest"', 'title: "Le port de Brest, revu"')
    served.wait_for("pages,")  # the build summary
    assert stream.fp.readline() == b"data: reload\n"
    events.close()
    assert b"Le port de Brest, revu" in served.get("/")[1]


def test_a_broken_edit_shows_the_error_and_keeps_the_last_good_site(served):
    page = claim_page(served)
    good = served.get(page)[1]
    claim = served.root / CLAIM
    edit(claim, "verdict: mostly-true", "verdict: mostly true")
    line = served.wait_for("error: verdict 'mostly true'")
    number = GOOD_CLAIM.split("\n").index("verdict: mostly-true") + 1
    assert line.startswith(f"{CLAIM}:{number}:10: error: verdict 'mostly true' is not in the scale")
    served.wait_for("still serving the last good site")
    status, body, _ = served.get(page)
    assert status == 200
    assert b'id="dossier-serve-problems"' in body
    assert b"verdict &#x27;mostly true&#x27; is not in the scale" in body  # escaped, never raw
    start = body.index(b'<div id="dossier-serve-problems"')
    end = body.index(b"</div>\n", start) + len(b"</div>\n")
    assert body[:start] + body[end:] == good  # the last good page, untouched
    edit(claim, "verdict: mostly true", "verdict: mostly-true")
    served.wait_for("pages,")
    assert b"dossier-serve-problems" not in served.get(page)[1]


def test_a_script_in_a_yaml_error_never_runs_in_the_overlay(served):
    claim = served.root / CLAIM
    edit(claim, "verdict: mostly-true", "verdict: <script>alert(1)</script>")
    served.wait_for("build failed")
    body = served.get("/")[1]
    assert b"<script>alert(1)" not in body and b"&lt;script&gt;alert(1)" in body


def test_a_port_in_use_is_one_clear_error(served):
    result = subprocess.run([DOSSIER, "-C", str(served.root), "serve", "--port", str(served.port)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{served.port}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.browser
def test_the_browser_reloads_by_itself(tmp_path, browser):
    server = Served(make_dossier(tmp_path / "d"))
    page = browser.new_page()
    try:
        # The reload channel is open once its response headers arrive (the server then waits
        # for news): an edit made earlier would reload nothing.
        with page.expect_response(lambda response: "/__dossier/events" in response.url, timeout=30_000):
            page.goto(f"http://127.0.0.1:{server.port}/")
        assert "revu" not in page.title()
        edit(server.root / "dossier.yaml", 'title: "Le port de Brest"', 'title: "Le port de Brest, revu"')
        page.wait_for_function("document.title.includes('revu')", timeout=30_000)
        claim = server.root / CLAIM
        edit(claim, "verdict: mostly-true", "verdict: mostly true")
        page.wait_for_selector("#dossier-serve-problems", timeout=30_000)
        assert "is not in the scale" in page.inner_text("#dossier-serve-problems")
    finally:
        page.close()
        server.stop()


def test_ctrl_c_stops_cleanly_and_frees_the_port(tmp_path):
    import signal
    import socket

    server = Served(make_dossier(tmp_path / "d"))
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=20) == 0
    server.wait_for("stopped")
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", server.port))  # nothing listens any more
