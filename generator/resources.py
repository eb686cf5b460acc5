"""Where the package's own templates, styles, themes and frameworks are.

In a checkout they sit at the top of the repository (templates/, styles/); in an installed
wheel they are copied inside the package (see pyproject.toml), so look there first.
"""

from __future__ import annotations

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
