"""Debian's Chromium, as every browser test launches it (Playwright downloads nothing here),
and the local web server the pages are opened from."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out of this closed network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without a log line per request."""

    def log_message(self, format: str, *args) -> None:
        pass


def serve_folder(folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> ThreadingHTTPServer:
    """`folder` served on 127.0.0.1 (a free port) from a background thread; `shutdown()` stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Pagefind UI lists a result as soon as the merged indexes answer, but fills in its link only
# when that page's fragment has loaded: the results are read once every listed one has its link.
def search_results(page, word: str, timeout: int = 15_000) -> list[str]:
    """Every result link Pagefind UI gives for `word` on the open search page, in order: typed
    in, waited for until each listed result has loaded, with "load more" clicked until the end."""
    page.fill(".pagefind-ui__search-input", word)
    shown = 0
    while True:
        page.wait_for_function(
            """([word, shown]) => {
                const message = document.querySelector('.pagefind-ui__message');
                const items = [...document.querySelectorAll('.pagefind-ui__result')];
                return message !== null && message.textContent.includes(word)
                    && items.length > shown
                    && items.every(item => item.querySelector('.pagefind-ui__result-link')
                                           && !item.querySelector('.pagefind-ui__loading'));
            }""", arg=[word, shown], timeout=timeout)
        shown = len(page.query_selector_all(".pagefind-ui__result"))
        more = page.query_selector("button.pagefind-ui__button")
        if more is None:
            return [a.get_attribute("href") for a in page.query_selector_all(".pagefind-ui__result-link")]
        more.click()
