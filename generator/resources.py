"""Where the package's own templates, styles, themes and frameworks are.

In a checkout they sit at the top of the repository (templates/, styles/); in an installed
wheel they are copied inside the package (see pyproject.toml), so look there first.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


TEMPLATES_DIR = _find("templates")
STYLES_DIR = _find("styles")
FONTS_DIR = STYLES_DIR / "fonts"
# Shipped themes other than the default (which is STYLES_DIR); in a wheel they sit in
# generator/shipped_themes/ so as not to shadow the module generator/themes.py.
THEMES_DIR = PACKAGE_DIR / "shipped_themes" if (PACKAGE_DIR / "shipped_themes").is_dir() else PACKAGE_DIR.parent / "themes"
FRAMEWORKS_DIR = PACKAGE_DIR / "frameworks"


@lru_cache(maxsize=1)
def blocks_data() -> dict:
    """styles/blocks.yaml: the words and colours of figures, tables, charts and boxes."""
    import yaml  # noqa: PLC0415

    return yaml.safe_load((STYLES_DIR / "blocks.yaml").read_text(encoding="utf-8"))



def cache_dir() -> Path | None:
    """Where reportgen keeps what later runs can reuse: $REPORTGEN_CACHE_DIR, else
    $XDG_CACHE_HOME/reportgen, else ~/.cache/reportgen (None if it cannot be made)."""
    named = os.environ.get("REPORTGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "reportgen")
    folder = Path(named)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def template_cache():
    """Jinja's bytecode cache for the package's own templates (never a report's chapters), or
    None: a template compiled once is loaded by later runs (50 ms less for the HTML writer's),
    as Python keeps __pycache__. Checked against the template's source, so an edited template is
    compiled afresh; a cache that cannot be read or written is no cache."""
    import jinja2  # noqa: PLC0415

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a damaged file (pickle, marshal): compile afresh
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    folder = cache_dir()
    if folder is None:
        return None
    try:
        (folder / "templates").mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return Cache(str(folder / "templates"))
