"""`python -m generator` and the `reportgen` command (pyproject.toml [project.scripts]).

Before anything imports a dependency, each is looked for (`importlib.util.find_spec`, which finds
a module without importing it): a Python without reportgen's packages (`python3 -m generator` in
a checkout, outside its .venv) gets one line saying what to do, exit status 2, not a traceback.
"""

import sys
from importlib.util import find_spec

# The module each of pyproject.toml's dependencies is imported as (tests/test_install.py holds
# the two lists equal).
REQUIRED = {
    "weasyprint": "weasyprint", "python-docx": "docx", "markdown": "markdown", "jinja2": "jinja2",
    "pypdf": "pypdf", "pyyaml": "yaml", "pydantic": "pydantic", "click": "click", "pikepdf": "pikepdf",
    "watchfiles": "watchfiles", "matplotlib": "matplotlib", "cairosvg": "cairosvg", "tqdm": "tqdm",
    "fonttools": "fontTools", "brotli": "brotli",
}
EXIT_USAGE = 2  # as generator.cli's: the command cannot run as it was given


def missing() -> list[str]:
    """The distributions of REQUIRED this Python cannot import, by their names on PyPI."""
    return [name for name, module in REQUIRED.items() if find_spec(module) is None]


def main() -> None:
    absent = missing()
    if absent:
        print(f"reportgen: the Python packages it needs are not installed for {sys.executable} "
              f"({', '.join(absent)}): in the reportgen checkout run `make install` (puts `reportgen` on "
              "your PATH), or `make demo` and then use .venv/bin/reportgen", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    from generator.cli import main as cli_main  # noqa: PLC0415 - only once its packages are known to be there

    cli_main()


if __name__ == "__main__":  # guarded: a worker process of `build DIR...` imports this module again
    main()
