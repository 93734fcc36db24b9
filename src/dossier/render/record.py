"""A dict that templates read as an object."""

from __future__ import annotations


class Record(dict):
    """A dict whose keys templates read as attributes (`c.url`) without the cost of
    Jinja2 first trying, and failing, a real attribute lookup on a plain dict."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
