"""Import cost of each command: what a cold `reportgen ...` pays before it does any work.

Runs each command as a user types it, in a fresh process, with `python -X importtime`, and prints
per command the total import time and the cumulative import time of the heavy libraries (0 when
the command does not import them). Medians of --runs runs (default 5). Bytecode is written and
used (PYTHONDONTWRITEBYTECODE is dropped), as it is for an installed reportgen.

Run: .venv/bin/python bench/bench_imports.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "content" / "surrey-pdu"
LIBRARIES = ("weasyprint", "docx", "pikepdf", "pydantic", "jinja2", "click", "markdown", "yaml", "lxml.etree")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONWARNINGS"] = "ignore"
    return env


def import_times(args: list[str]) -> dict[str, float]:
    """Milliseconds: 'total' (every top-level import) and each library's cumulative import."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", *args], capture_output=True,
                          text=True, cwd=ROOT, env=environment())
    out = {"total": 0.0, **{name: 0.0 for name in LIBRARIES}}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.split("|", 2)
        package = name.rstrip()[1:]  # one space, then two more per level of nesting
        if not package.startswith(" "):  # a top-level import: its cumulative time counts once
            out["total"] += int(cumulative) / 1000
        stripped = package.strip()
        if stripped in out and out[stripped] == 0.0:
            out[stripped] = int(cumulative) / 1000
    return out


def commands(built: Path, out: Path) -> dict[str, list[str]]:
    slug = REPORT.name
    return {
        "--help": ["--help"],
        "check": ["check", str(REPORT)],
        "text FILE.html": ["text", str(built / f"{slug}.html")],
        "text FILE.pdf": ["text", str(built / f"{slug}.pdf")],
        "text FILE.docx": ["text", str(built / f"{slug}.docx")],
        "diff A.html B.html": ["diff", str(built / f"{slug}.html"), str(built / f"{slug}.html")],
        "build --format html": ["build", str(REPORT), "--format", "html", "--out", str(out)],
        "build --format docx": ["build", str(REPORT), "--format", "docx", "--out", str(out)],
        "build --format pdf": ["build", str(REPORT), "--format", "pdf", "--out", str(out)],
        "build (all three)": ["build", str(REPORT), "--out", str(out)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        built, out = Path(tmp) / "built", Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "generator", "build", str(REPORT), "--out", str(built)], check=True,
                       capture_output=True, cwd=ROOT, env=environment())
        table = {}
        for name, args in commands(built, out).items():
            samples = [import_times(args) for _ in range(runs)]
            table[name] = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    print(f"import time, ms (python -X importtime, medians of {runs}; 0: not imported)")
    print("| command | total | " + " | ".join(LIBRARIES) + " |")
    print("|---|" + "---:|" * (len(LIBRARIES) + 1))
    for name, row in table.items():
        print(f"| `{name}` | {row['total']:.0f} | " + " | ".join(f"{row[k]:.0f}" for k in LIBRARIES) + " |")


if __name__ == "__main__":
    main()
