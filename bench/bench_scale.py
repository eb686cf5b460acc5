"""Scale: is a build linear in its pages? Generated reports of about 50, 100, 200 and 400 pages
are built (PDF, DOCX and HTML), each in a fresh process, interleaved (every round builds each size
once, the order alternating round by round), and each stage is reported in ms per page, with the
peak memory (max RSS) of the build process.

Run: .venv/bin/python bench/bench_scale.py [--rounds N] [--domains 2,4,8,15]

Stages: `check` (load .. assemble), `print html` (the HTML writer for the PDF), `layout`
(WeasyPrint's layout), `write` (WeasyPrint writing the PDF), `layout_hints`, `fix_pdf` (parse,
repair and save: generator/writers/pdf/tags.py), `checks` (the PDF accessibility rules, on the
repaired PDF in memory), `docx`, `html` (each writer and its checks). The per-build parallelism is
off here (REPORTGEN_BUILD_JOBS=1) so that each stage is timed on its own.

Targets: ms per page at 400 pages within 10% of the ms per page at 50 pages (the whole build and
each of layout_hints, fix_pdf, checks); peak memory at most 300 MiB at 400 pages.

The report is generated here, not committed: a framework of DOMAINS x STANDARDS standards rated by
key questions, one chapter per domain, every standard with PARAGRAPHS paragraphs, a findings list
and a footnote.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("probation practitioners assessment planning delivery reviewing risk harm desistance partnership "
         "services staff managers cases sufficient oversight engagement leadership safeguarding interventions "
         "quality information analysis workload training domestic abuse accommodation employment").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 28))]
    return " ".join(words).capitalize() + f" in {rng.randint(2, 40)} out of {rng.randint(41, 60)} cases."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(4, 7)))


def make_report(folder: Path, domains: int, standards: int, paragraphs: int) -> None:
    rng = random.Random(20241127)
    (folder / "chapters").mkdir(parents=True)
    (folder / "frameworks").mkdir()
    framework = Path(ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    head = framework[: framework.index("domains:")].replace("id: hmip-pdu-2023", "id: bench-large")
    lines = [head, "domains:"]
    findings, parts = [], []
    for d in range(1, domains + 1):
        lines += [f'  - id: "{d}"', f"    title: Domain {d} of the large report", "    standards:"]
        chapter = []
        for s in range(1, standards + 1):
            sid = f"S{d}.{s}"
            lines += [f"      - id: {sid}", f"        code: S {d}.{s}", f"        title: Standard {d}.{s}",
                      f"        statement: {sentence(rng)}", "        rated_by: key_questions",
                      "        key_questions:"]
            lines += [f"          - Does work on {d}.{s} focus sufficiently on question {q}?" for q in (1, 2, 3)]
            findings.append(f"  {sid}: {{key_questions: {json.dumps([rng.randint(20, 95) for _ in range(3)])}}}")
            chapter += [f"::: standard {sid}", "", f"Our rating[^n{s}] is driven by the lowest score:", "",
                        "::: key-questions", ""]
            chapter += [paragraph(rng) + "\n" for _ in range(paragraphs)]
            chapter += ["### Strengths:", ""] + [f"- {paragraph(rng)}" for _ in range(4)] + [""]
            chapter += [f"[^n{s}]: The rating of standard {sid} is placed in a rating band.", ""]
        (folder / "chapters" / f"domain-{d}.md").write_text("\n".join(chapter), encoding="utf-8")
        parts.append(f'  - {{file: domain-{d}.md, domain: "{d}"}}')
    (folder / "frameworks" / "bench-large.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = (ROOT / "content" / "surrey-pdu" / "report.yaml").read_text(encoding="utf-8")
    report = report.replace("framework: hmip-pdu-2023", "framework: bench-large")
    report = report[: report.index("findings:")] + "findings:\n" + "\n".join(findings) + "\n\n" + \
        report[report.index("recommendations:"): report.index("parts:")]
    (folder / "chapters" / "contents.md").write_text("::: contents\n", encoding="utf-8")
    (folder / "chapters" / "ratings.md").write_text("::: ratings\n", encoding="utf-8")
    report += "parts:\n  - {file: contents.md, title: Contents, contents: false}\n" \
              "  - {file: ratings.md, title: Ratings}\n" + "\n".join(parts) + "\n"
    (folder / "report.yaml").write_text(report, encoding="utf-8")


STAGES = ("check", "print html", "layout", "write", "layout_hints", "fix_pdf", "checks", "docx", "html")
LINEAR = ("total", "layout_hints", "fix_pdf", "checks")  # held to the 10% target
MAX_PEAK_MIB = 300


def child(report: Path, out: Path, formats: str) -> None:
    """One build in this process, each stage timed by wrapping the function that does it; prints
    {"pages", "seconds": {stage: s}, "total", "peak_mib"} as JSON."""
    sys.path.insert(0, str(ROOT))
    import weasyprint  # noqa: PLC0415

    from generator import build as build_module  # noqa: PLC0415
    from generator import checks  # noqa: PLC0415
    from generator.writers import html as html_writer  # noqa: PLC0415
    from generator.writers.pdf import tags  # noqa: PLC0415

    import gc  # noqa: PLC0415

    gc.freeze()  # as the PDF's own process does after its imports (generator/writing.py `_warm_up`)
    seconds = dict.fromkeys(STAGES, 0.0)

    def timed(owner, name, stage, when=lambda *a, **k: True):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            if not when(*args, **kwargs):
                return original(*args, **kwargs)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - start
        setattr(owner, name, wrapper)

    timed(build_module, "check", "check")
    timed(html_writer, "write_html", "print html", lambda doc, media, *rest: media == "print")
    timed(weasyprint.HTML, "render", "layout")
    timed(weasyprint.Document, "write_pdf", "write")
    timed(tags, "layout_hints", "layout_hints")
    timed(tags, "save", "fix_pdf")
    timed(checks, "check_open", "checks")
    for fmt in ("docx", "html"):
        timed(build_module, "write_and_check", fmt, lambda f, *a, _fmt=fmt, **k: f == _fmt)
    repaired = tags.repaired

    def parse_and_repair(data, hints=None):  # entering `repaired` parses WeasyPrint's bytes and repairs
        begin = time.perf_counter()
        manager = repaired(data, hints)
        value = manager.__enter__()
        seconds["fix_pdf"] += time.perf_counter() - begin
        return _Entered(manager, value)

    tags.repaired = parse_and_repair
    start = time.perf_counter()
    build_module.build(report, out, formats=tuple(formats.split(",")), parallel=False)  # every stage here
    total = time.perf_counter() - start
    pdf = out / f"{report.name}.pdf"
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": pages, "seconds": seconds, "total": total, "peak_mib": peak}))


class _Entered:
    """A context manager already entered (so that entering it can be timed)."""

    def __init__(self, manager, value):
        self.manager, self.value = manager, value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return self.manager.__exit__(*exc)


def run_child(report: Path, out: Path, formats: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["REPORTGEN_BUILD_JOBS"] = "1"
    done = subprocess.run([sys.executable, __file__, "--child", str(report), str(out), formats],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domains", default="2,4,8,15", help="sizes, as domains of 8 standards (~3.3 pages each)")
    parser.add_argument("--standards", type=int, default=8)
    parser.add_argument("--paragraphs", type=int, default=5)
    parser.add_argument("--formats", default="pdf,docx,html")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return 0
    sizes = [int(d) for d in args.domains.split(",")]
    results: dict[int, list[dict]] = {d: [] for d in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        reports = {}
        for d in sizes:
            reports[d] = Path(tmp) / f"r{d}" / "large-report"
            make_report(reports[d], d, args.standards, args.paragraphs)
        for round_ in range(args.rounds):
            for d in (sizes if round_ % 2 == 0 else sizes[::-1]):
                results[d].append(run_child(reports[d], Path(tmp) / f"out{d}", args.formats))
    print(f"formats: {args.formats}; {args.rounds} round(s), sizes interleaved; medians; ms per page")
    columns = ("total",) + STAGES
    print("| pages | " + " | ".join(columns) + " | peak MiB |")
    print("|---:|" + "---:|" * (len(columns) + 1))
    per_page = {}
    for d in sizes:
        runs = results[d]
        pages = runs[0]["pages"]
        row = {"total": statistics.median(r["total"] for r in runs) * 1000 / pages}
        row.update({s: statistics.median(r["seconds"][s] for r in runs) * 1000 / pages for s in STAGES})
        row["peak"] = max(r["peak_mib"] for r in runs)
        per_page[d] = (pages, row)
        print(f"| {pages} | " + " | ".join(f"{row[c]:.1f}" for c in columns) + f" | {row['peak']:.0f} |")
    ok = True
    (small_pages, small), (big_pages, big) = per_page[sizes[0]], per_page[sizes[-1]]
    for stage in LINEAR:
        ratio = big[stage] / small[stage] if small[stage] else float("inf")
        holds = ratio <= 1.10 or big[stage] < 0.5  # under half a millisecond a page: noise
        ok &= holds
        print(f"target {stage}: {big_pages} pages {big[stage]:.1f} ms/page vs {small_pages} pages "
              f"{small[stage]:.1f}: ratio {ratio:.2f} (<= 1.10) {'PASS' if holds else 'FAIL'}")
    holds = big["peak"] <= MAX_PEAK_MIB
    ok &= holds
    print(f"target peak memory at {big_pages} pages: {big['peak']:.0f} MiB (<= {MAX_PEAK_MIB}) "
          f"{'PASS' if holds else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
