"""The cold command line, as a user types it, against what an author would use instead.

Every job is a fresh process (or a short pipeline of them), timed from start to exit, interleaved
with its anchor (bench/timing.py: a warm-up, then at least 7 runs of each, medians):

- `reportgen build content/surrey-pdu --format pdf` (the default PDF/A-2u + PDF/UA-1; and, no
  target, with `--pdf-standard ua1`, like for like) against WeasyPrint's own CLI on the same final
  HTML and CSS (the HTML writer's print HTML, the theme's variables and print stylesheets,
  PDF/UA-1);
- `--format docx` and `--format html` against pandoc 3.x turning the same Markdown text (the
  report's chapters, in order) into DOCX and standalone HTML;
- the full build (all three formats) against pandoc -> WeasyPrint PDF/UA-1 + pandoc DOCX + HTML;
- pandoc -> Typst (PDF/UA-1), recorded as the engine anchor (no target);
- the import floor (no target): Python importing the named libraries an HTML build (jinja2,
  markdown, PyYAML) or a DOCX build (and python-docx) cannot do without, against pandoc;
- 8 copies of the report with `build DIR...` against 8 builds one after another, when the
  command line accepts several folders (else "not available").

pandoc comes from pypandoc-binary and Typst from the `typst` package: the `bench` extra
(`pip install -e '.[bench]'`), never runtime dependencies. `reportgen` is run as
`python -m generator` from this checkout (what the console script runs), with bytecode written
and read as for an installed package. Prints each target with its ratio and PASS/FAIL; exit 1 if
one fails. Run: .venv/bin/python bench/bench_cli.py [--runs N]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REPORT = ROOT / "content" / "surrey-pdu"
COPIES = 8

TARGETS = {  # job: (anchor, at most)
    "reportgen pdf": ("weasyprint CLI", 1.15),
    "reportgen docx": ("pandoc docx", 1.5),
    "reportgen html": ("pandoc html", 1.5),
    "reportgen all three": ("pandoc pdf+docx+html", 1.0),
}


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run(*commands: list[str]) -> None:
    for command in commands:
        done = subprocess.run(command, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise SystemExit(f"failed: {' '.join(map(str, command))}\n{done.stderr.decode(errors='replace')[-2000:]}")


def tools() -> tuple[str | None, bool]:
    """pandoc's path (pypandoc-binary's, else one on PATH) and whether Typst's Python package is there."""
    pandoc = None
    try:
        import pypandoc  # noqa: PLC0415

        pandoc = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        pandoc = shutil.which("pandoc")
    try:
        import typst  # noqa: F401, PLC0415

        has_typst = True
    except ImportError:
        has_typst = False
    return pandoc, has_typst


def markdown_text(folder: Path) -> str:
    """The report's chapters, in the order report.yaml gives its parts: the text pandoc gets."""
    import yaml  # noqa: PLC0415

    parts = yaml.safe_load((REPORT / "report.yaml").read_text(encoding="utf-8"))["parts"]
    text = "\n\n".join((REPORT / "chapters" / part["file"]).read_text(encoding="utf-8") for part in parts)
    title = yaml.safe_load((REPORT / "report.yaml").read_text(encoding="utf-8"))["metadata"]["title"]
    path = folder / "report.md"
    # a first heading of level 1: Typst's PDF/UA-1 check asks for one
    path.write_text(f"---\ntitle: \"{title}\"\nlang: en-GB\n---\n\n# {title}\n\n{text}", encoding="utf-8")
    return str(path)


def final_html(folder: Path) -> tuple[str, list[str]]:
    """reportgen's print HTML of the example, beside its images, and its print stylesheets (the
    theme's colour and font variables first, then each file): what WeasyPrint's CLI reads."""
    from generator.build import check  # noqa: PLC0415
    from generator.themes import theme_of  # noqa: PLC0415
    from generator.writers.html import write_html  # noqa: PLC0415

    doc = check(REPORT)
    theme = theme_of(doc)
    path = folder / "surrey-print.html"
    path.write_text(write_html(doc, "print"), encoding="utf-8")
    variables = folder / "variables.css"
    variables.write_text(theme.variables_css(), encoding="utf-8")
    return str(path), [str(variables)] + [str(p) for p in theme.stylesheet_paths("print")]


def accepts_several_folders(tmp: Path) -> bool:
    copies = [tmp / "probe" / name for name in ("a", "b")]
    for copy in copies:
        shutil.copytree(REPORT, copy)
    done = subprocess.run([sys.executable, "-m", "generator", "build", *map(str, copies), "--format", "html",
                           "--out", str(tmp / "probe-out")], cwd=ROOT, env=environment(), capture_output=True)
    return done.returncode == 0


def main() -> int:
    runs = runs_argument(__doc__)
    pandoc, has_typst = tools()
    reportgen = [sys.executable, "-m", "generator"]
    ok = True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        md, (html, sheets) = markdown_text(tmp), final_html(tmp)
        out = str(tmp / "out")
        jobs = {
            "reportgen pdf": lambda: run(reportgen + ["build", str(REPORT), "--format", "pdf", "--out", out]),
            "weasyprint CLI": lambda: run([sys.executable, "-m", "weasyprint", "-q", "--pdf-variant", "pdf/ua-1",
                                           "--pdf-identifier", "reportgen", "-u", str(REPORT) + "/",
                                           *(arg for sheet in sheets for arg in ("-s", sheet)),
                                           html, str(tmp / "weasyprint.pdf")]),
            # like for like with the anchor: PDF/UA-1 alone, not the default PDF/A-2u + PDF/UA-1
            "reportgen pdf ua1": lambda: run(reportgen + ["build", str(REPORT), "--format", "pdf", "--pdf-standard",
                                                          "ua1", "--out", out]),
            "reportgen docx": lambda: run(reportgen + ["build", str(REPORT), "--format", "docx", "--out", out]),
            "reportgen html": lambda: run(reportgen + ["build", str(REPORT), "--format", "html", "--out", out]),
            "reportgen all three": lambda: run(reportgen + ["build", str(REPORT), "--out", out]),
            # the floor: Python starting and importing the named libraries an HTML or DOCX build needs
            "import floor html": lambda: run([sys.executable, "-c", "import jinja2, markdown, yaml"]),
            "import floor docx": lambda: run([sys.executable, "-c", "import jinja2, markdown, yaml, docx"]),
        }
        if pandoc:
            md_in = [md, "-f", "markdown-citations"]  # an @ in the text is not a citation
            pandoc_docx = [pandoc, *md_in, "-s", "-o", str(tmp / "pandoc.docx")]
            pandoc_html = [pandoc, *md_in, "-s", "--embed-resources", "-o", str(tmp / "pandoc.html")]
            pandoc_pdf = [pandoc, *md_in, "--pdf-engine", str(Path(sys.executable).parent / "weasyprint"),
                          "--pdf-engine-opt=--pdf-variant=pdf/ua-1", "-o", str(tmp / "pandoc.pdf")]
            jobs["pandoc docx"] = lambda: run(pandoc_docx)
            jobs["pandoc html"] = lambda: run(pandoc_html)
            jobs["pandoc pdf+docx+html"] = lambda: run(pandoc_pdf, pandoc_docx, pandoc_html)
            if has_typst:
                typ = str(tmp / "pandoc.typ")
                compile_typst = ("import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
                                 "pdf_standards=['ua-1'])")
                jobs["pandoc -> typst pdf"] = lambda: run([pandoc, *md_in, "-s", "-t", "typst", "-o", typ],
                                                          [sys.executable, "-c", compile_typst, typ,
                                                           str(tmp / "typst.pdf")])
        timings = interleaved(jobs, runs)
        print(timings.header() + "; cold processes, as typed")
        for name in jobs:
            print(f"  {name:24} {timings.summary(name)}")
        for name, (anchor, most) in TARGETS.items():
            if anchor not in jobs:
                print(f"target {name} <= {most} x {anchor}: not available (no pandoc)")
                continue
            ratio = timings.ratio(name, anchor)
            ok &= ratio <= most
            print(f"target {name} / {anchor}: {ratio:.2f} (<= {most}) {'PASS' if ratio <= most else 'FAIL'}")
        print(f"like for like (no target) reportgen pdf --pdf-standard ua1 / weasyprint CLI (pdf/ua-1): "
              f"{timings.ratio('reportgen pdf ua1', 'weasyprint CLI'):.2f}")
        for fmt in ("html", "docx"):
            if f"pandoc {fmt}" in jobs:
                print(f"floor (no target) import floor {fmt} / pandoc {fmt}: "
                      f"{timings.ratio(f'import floor {fmt}', f'pandoc {fmt}'):.2f}; reportgen {fmt} / import "
                      f"floor {fmt}: {timings.ratio(f'reportgen {fmt}', f'import floor {fmt}'):.2f}")
        if "pandoc -> typst pdf" in jobs:
            print(f"anchor (no target) reportgen pdf / pandoc -> typst pdf: "
                  f"{timings.ratio('reportgen pdf', 'pandoc -> typst pdf'):.2f}")
        ok &= batch(tmp, runs)
    return 0 if ok else 1


def batch(tmp: Path, runs: int) -> bool:
    """8 copies: `build DIR...` in one command against 8 commands one after another (>= 1.7x)."""
    if not accepts_several_folders(tmp):
        print(f"target batch of {COPIES} with build DIR... >= 1.7 x sequential: not available "
              "(the command line takes one folder)")
        return True
    copies = []
    for i in range(COPIES):
        copies.append(tmp / "copies" / f"report-{i}")
        shutil.copytree(REPORT, copies[-1])
    reportgen = [sys.executable, "-m", "generator", "build"]
    out = tmp / "batch-out"
    timings = interleaved({
        "batch": lambda: run(reportgen + [*map(str, copies), "--out", str(out)]),
        "sequential": lambda: run(*[reportgen + [str(c), "--out", str(out / c.name)] for c in copies]),
    }, runs)
    speedup = timings.ratio("sequential", "batch")
    print(f"  batch of {COPIES}: {timings.summary('batch')}; sequential: {timings.summary('sequential')}")
    print(f"target batch of {COPIES} speed-up over sequential: {speedup:.2f} (>= 1.7) "
          f"{'PASS' if speedup >= 1.7 else 'FAIL'}")
    return speedup >= 1.7


if __name__ == "__main__":
    sys.exit(main())
