"""Proof images of every example built in out/, for a person to look at (the release notes).

Run after `make demo` (or `make proofs`, which runs it), with the venv's python from a checkout:

    .venv/bin/python scripts/proofs.py [--out out] [SLUG ...]

For each out/<slug>/ that holds <slug>.pdf, .docx and .html (built from content/<slug>/), it draws
three pages, each found by its text and never by a fixed number:

    cover        the page with the cover's title
    scorecard    the ratings page: the page holding most of the scorecard's standards
    key-question the page holding the first key-question table's first question

in four forms: the PDF (pdftoppm -r 100), the DOCX as LibreOffice lays it out (soffice --headless
to PDF, then the same), and the HTML page in Debian's chromium, headless, at 1280 and 375 px wide
(the part scrolled to the top of the window). It writes out/proofs/<slug>/<kind>-<format>.png and
out/proofs/index.html listing every image of the examples of this run (and what it could not find
or draw; a page missing from a format, or an example that failed, makes the exit status 1). A report with no scorecard
or key-question table (an unrated thematic) has none of those images; the index says so.

Every program it starts is bounded by a timeout; the browser is the tests' driver
(tests/browser: puppeteer-core over /usr/bin/chromium; `make test-deps` installs it).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIMEOUT = 240  # seconds for any one program (LibreOffice converting a long DOCX is the slowest)
KINDS = ("cover", "scorecard", "key-question")
WIDTHS = {"html-1280": (1280, 900), "html-375": (375, 812)}
NONE = "the report has none"


def run(command: list[str], timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """`command`'s output; past `timeout` seconds its whole process group is killed (soffice starts
    soffice.bin under a wrapper: killing the wrapper alone would leave it running)."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def normal(text: str) -> str:
    """Text compared across formats: whitespace collapsed, curly quotes and dashes plain, no soft hyphen."""
    text = text.replace("\u00ad", "").translate(str.maketrans("‘’“”–—", "''\"\"--"))
    return re.sub(r"\s+", " ", text).strip().casefold()


def targets(content: Path) -> dict[str, dict]:
    """What to look for, from the report's own model: for each kind, the texts that find its page
    and the HTML element (a CSS selector) to scroll to."""
    from generator.build import check
    from generator.model import KeyQuestionTable, RatingsSummary, walk

    doc = check(content)
    found: dict[str, dict] = {"cover": {"texts": [doc.cover.unit or doc.cover.title], "selector": ""}}
    nodes = [n for part in doc.parts for n in walk(part.blocks)]
    summary = next((n for n in nodes if isinstance(n, RatingsSummary)), None)
    if summary is not None:
        # each standard's name, and its name with its rating as the row reads: a contents page that
        # names the standards (parts titled after them, "Section 3 Safety") holds the names only
        rows = [row for group in summary.groups for row in group.rows]
        found["scorecard"] = {"texts": [row.standard for row in rows]
                              + [f"{row.standard} {row.rating.label if row.rating else row.not_rated_label}"
                                 for row in rows],
                              "selector": ".ratings-summary"}
    table = next((n for n in nodes if isinstance(n, KeyQuestionTable) and n.rows), None)
    if table is not None:
        found["key-question"] = {"texts": [table.rows[0].question[:60]],
                                 "selector": f"#{table.numbered.id}" if table.numbered.id else "table.key-questions"}
    return found


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text (pdftotext, one page at a time)."""
    info = run(["pdfinfo", str(pdf)]).stdout.decode("utf-8", "replace")
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    return [run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"]).stdout.decode("utf-8", "replace")
            for n in range(1, count + 1)]


def find_page(pages: list[str], texts: list[str]) -> int | None:
    """The number (from 1) of the page holding most of `texts` (the first such page), or None."""
    wanted = [normal(t) for t in texts if t.strip()]
    best, best_count = None, 0
    for number, page in enumerate(pages, 1):
        count = sum(t in normal(page) for t in wanted)
        if count > best_count:
            best, best_count = number, count
    return best


def draw_page(pdf: Path, page: int, png: Path) -> None:
    run(["pdftoppm", "-r", "100", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
         str(png.with_suffix(""))])


def docx_to_pdf(docx: Path, work: Path) -> Path:
    """The DOCX as LibreOffice lays it out, as PDF (a profile of its own, so no running office interferes)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: run `make system-deps`")
    profile = work / "lo-profile"
    run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(work), str(docx)])
    return work / f"{docx.stem}.pdf"


def html_shots(page: Path, found: dict[str, dict], folder: Path, browser, notes: list[str]) -> dict[str, Path]:
    shots = {}
    for fmt, (width, height) in WIDTHS.items():
        browser.open(page, width=width, height=height)
        for kind, target in found.items():
            selector = target["selector"]
            located = browser.eval(
                f"(() => {{ const el = {selector!r} ? document.querySelector({selector!r}) : document.body;"
                " if (!el) return false; window.scrollTo(0, 0);"
                " if (el !== document.body) el.scrollIntoView({block: 'start'}); return true; })()")
            if not located:
                notes.append(f"{kind}: no element {selector} in the HTML")
                continue
            shots[f"{kind}-{fmt}"] = browser.screenshot(folder / f"{kind}-{fmt}.png")
    return shots


def proofs(slug_dir: Path, content: Path, folder: Path, browser) -> tuple[dict[str, str], list[str]]:
    """The images of one example: {file name: what it shows}, and what could not be drawn."""
    slug = slug_dir.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    found = targets(content)
    notes = [f"{kind}: {NONE}" for kind in KINDS if kind not in found]
    made: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="proofs-") as tmp:
        pdfs = {"pdf": slug_dir / f"{slug}.pdf", "docx": docx_to_pdf(slug_dir / f"{slug}.docx", Path(tmp))}
        for fmt, pdf in pdfs.items():
            pages = pdf_pages(pdf)
            for kind, target in found.items():
                page = find_page(pages, target["texts"])
                if page is None:
                    notes.append(f"{kind}: not found in the {fmt.upper()}")
                    continue
                png = folder / f"{kind}-{fmt}.png"
                draw_page(pdf, page, png)
                made[png.name] = f"{fmt.upper()}{' through LibreOffice' if fmt == 'docx' else ''}, page {page} of {len(pages)}"
    for name, path in html_shots(slug_dir / f"{slug}.html", found, folder, browser, notes).items():
        made[path.name] = f"HTML in chromium, {name.rsplit('-', 1)[1]} px wide"
    return made, notes


def index(out: Path, results: dict[str, tuple[dict[str, str], list[str]]]) -> Path:
    rows = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>Proofs</title>',
            "<style>body{font-family:sans-serif;margin:1rem 2rem} figure{display:inline-block;vertical-align:top;"
            "margin:0 1rem 1.5rem 0} img{max-width:420px;max-height:600px;border:1px solid #b1b4b6;display:block}"
            "</style></head><body><h1>Proofs</h1>"]
    for slug, (made, notes) in results.items():
        rows.append(f"<h2>{html.escape(slug)}</h2>")
        for kind in KINDS:
            shown = [(name, what) for name, what in made.items() if name.startswith(f"{kind}-")]
            if not shown:
                continue
            rows.append(f"<h3>{html.escape(kind)}</h3>")
            for name, what in shown:
                src = html.escape(f"{slug}/{name}")
                rows.append(f'<figure><a href="{src}"><img src="{src}" alt="{html.escape(kind)}, {html.escape(what)}">'
                            f"</a><figcaption>{html.escape(name)}: {html.escape(what)}</figcaption></figure>")
        if notes:
            rows.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
    rows.append("</body></html>")
    path = out / "proofs" / "index.html"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="the folder `make demo` built into")
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="the examples' sources")
    parser.add_argument("slugs", nargs="*", help="only these examples (default: every one built)")
    args = parser.parse_args()
    slugs = args.slugs or sorted(p.name for p in args.out.iterdir()
                                 if all((p / f"{p.name}.{ext}").is_file() for ext in ("pdf", "docx", "html")))
    if not slugs:
        print(f"proofs: nothing built in {args.out}: run `make demo` first", file=sys.stderr)
        return 2
    from generator.diagnostics import ContentError
    from tests.browser import Browser, BrowserError

    browser = Browser(timeout=TIMEOUT)
    results, status = {}, 0
    try:
        for slug in slugs:
            print(f"proofs: {slug}", file=sys.stderr)
            try:
                results[slug] = proofs(args.out / slug, args.content / slug, args.out / "proofs" / slug, browser)
            except (subprocess.SubprocessError, OSError, RuntimeError, BrowserError, ContentError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                results[slug], status = ({}, [f"failed: {exc} {detail.decode('utf-8', 'replace')[-300:]}".strip()]), 1
            for note in results[slug][1]:
                print(f"proofs: {slug}: {note}", file=sys.stderr)
                status |= not note.endswith(NONE)  # a page the report has but a format lacks
    finally:
        browser.close()
    print(index(args.out, results))
    return status


if __name__ == "__main__":
    sys.exit(main())
