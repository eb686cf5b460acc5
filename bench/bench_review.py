"""`reportgen review`, cold, as an author types it, against the commands it is closest to.

The Surrey draft is built once (DOCX with its source map, tagged PDF); then a reviewer's copy of
each is made in-process: 20 comments on 20 paragraphs of the DOCX (python-docx's `add_comment`,
the same comment parts Word writes), 20 highlights with notes on the PDF's chapter pages
(PyMuPDF, from the test extra, as the MuPDF viewer makes them). Each job is a fresh process,
interleaved with its anchor (bench/timing.py: a warm-up, then at least 7 runs of each, medians):

- `reportgen review reviewed.docx DIR` against `reportgen text reviewed.docx` (opening the same
  untrusted package within its limits and reading its text): the map and the locating on top;
- `reportgen review reviewed.pdf DIR` against `reportgen check DIR` (the model the PDF reader
  rebuilds to locate against): the annotations, glyphs and structure tree on top.

Prints each target with its ratio and PASS/FAIL; exit 1 if one fails.
Run: .venv/bin/python bench/bench_review.py [--runs N]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_cli import environment  # the cold command line's environment, as bench_cli times it
from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REPORT = ROOT / "content" / "surrey-pdu"
COMMENTS = 20

TARGETS = {  # job: (anchor, at most)
    "review docx": ("text docx", 2.0),
    "review pdf": ("check", 2.5),
}


def reportgen(*args, ok=(0, 1)) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=ROOT, env=environment(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode not in ok:
        raise SystemExit(f"reportgen {' '.join(map(str, args))} failed ({done.returncode}): {done.stderr[-2000:]}")


def listing(reviewed: Path, folder: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "generator", "review", str(reviewed), str(folder)], cwd=ROOT,
                          env=environment(), capture_output=True, text=True)
    return done.stdout


def reviewed_docx(built: Path, target: Path) -> None:
    import docx  # noqa: PLC0415

    document = docx.Document(str(built))
    paragraphs = [p for p in document.paragraphs if len(p.text) > 80 and p.runs][:COMMENTS]
    for n, paragraph in enumerate(paragraphs):
        document.add_comment(paragraph.runs[0], text=f"Check this, point {n}", author="QA", initials="QA")
    document.save(str(target))


def reviewed_pdf(built: Path, target: Path) -> None:
    import pymupdf  # noqa: PLC0415

    pdf = pymupdf.open(str(built))
    made = 0
    for page in pdf.pages(4):
        for block in page.get_text("blocks"):
            x0, y0, x1, y1, text = block[:5]
            if made < COMMENTS and len(text) > 80:
                words = [w for w in page.get_text("words") if w[1] >= y0 - 1 and w[3] <= y1 + 1][:4]
                if words:
                    quads = [pymupdf.Rect(w[:4]).quad for w in words]
                    annotation = page.add_highlight_annot(quads)
                    annotation.set_info(content=f"Check this, point {made}", title="QA")
                    annotation.update()
                    made += 1
    pdf.save(str(target))


def main() -> int:
    runs = runs_argument(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "surrey-pdu"
        shutil.copytree(REPORT, folder)
        out = tmp / "out"
        reportgen("build", folder, "--draft", "--format", "pdf,docx", "--out", out, ok=(0,))
        docx_file, pdf_file = tmp / "reviewed.docx", tmp / "reviewed.pdf"
        reviewed_docx(out / "surrey-pdu.docx", docx_file)
        reviewed_pdf(out / "surrey-pdu.pdf", pdf_file)
        for reviewed in (docx_file, pdf_file):  # what is timed is a real listing of every comment
            listed = listing(reviewed, folder)
            if listed.count("comment[") != COMMENTS or "<unlocated>" in listed:
                raise SystemExit(f"review of {reviewed.name} did not locate its {COMMENTS} comments:\n{listed}")
        timings = interleaved({
            "review docx": lambda: reportgen("review", docx_file, folder),
            "text docx": lambda: reportgen("text", docx_file, ok=(0,)),
            "review pdf": lambda: reportgen("review", pdf_file, folder),
            "check": lambda: reportgen("check", folder, ok=(0,)),
        }, runs)
    print(timings.header())
    status = 0
    for job, (anchor, most) in TARGETS.items():
        ratio = timings.ratio(job, anchor)
        verdict = "PASS" if ratio <= most else "FAIL"
        status |= verdict == "FAIL"
        print(f"{job:12} {timings.summary(job)}  / {anchor}: {timings.summary(anchor)}  = {ratio:.2f}x "
              f"(at most {most}x) {verdict}")
    return status


if __name__ == "__main__":
    sys.exit(main())
