"""render: the dossier's claims -> the static site (see `build`)."""

from pathlib import Path

# The packaged theme. Here, not in `environment` (which loads Jinja2), so that the stat pass of
# `noop` can start before the build's modules are loaded (see `cli.build`).
THEME_DIR = Path(__file__).resolve().parent.parent / "templates"
