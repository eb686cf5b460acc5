"""Scale: generate a report of 200+ pages (many standards, long chapters) and build it, recording
wall time and peak memory (max RSS of the build process). Run: .venv/bin/python bench/bench_scale.py

The report is generated here, not committed: a framework of DOMAINS x STANDARDS standards rated by
key questions, one chapter per domain, every standard with PARAGRAPHS paragraphs, a findings list
and a footnote.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--domains", type=int, default=8)
    parser.add_argument("--standards", type=int, default=8)
    parser.add_argument("--paragraphs", type=int, default=5)
    parser.add_argument("--formats", default="pdf,html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "large-report"
        make_report(report, args.domains, args.standards, args.paragraphs)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "generator", "build", str(report), "--format", args.formats,
                                 "--out", str(Path(tmp) / "out")], capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if result.returncode != 0:
            sys.exit(f"build failed:\n{result.stderr}")
        pdf = Path(tmp) / "out" / "large-report.pdf"
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))
        print(f"standards: {args.domains * args.standards}, pages: {pages}, formats: {args.formats}")
        print(f"build time: {elapsed:.1f} s, peak memory (max RSS): {max(peak_kib, before) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
