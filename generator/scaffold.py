"""`reportgen new DIR --framework ID`: a report folder laid out from a framework.

The folder gets a report.yaml with every metadata field, one finding per rated standard (left
for the author to fill in: `reportgen check` then lists what is missing), the usual parts, and
one chapter per part with the block markers in place.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.diagnostics import ContentError, Diagnostics, did_you_mean
from generator.stages.load import available_frameworks, framework_candidates, read_yaml
from generator.stages.validate import Framework, _parse

REPORT_YAML = """\
# A report of the {framework} framework ({name}).
# Fill in every field; `reportgen check {folder}` lists what is still missing or wrong.
framework: {framework}

metadata:
  title: "An inspection of ...: {unit}"
  short_title: {unit}
  unit: {unit}
  region: ~            # every ~ is for you to fill in
  inspectorate: {inspectorate}
  published: ~         # YYYY-MM
  fieldwork_start: ~   # YYYY-MM-DD
  lead_inspector: ~
  chief_inspector: {{name: ~, role: ~}}
  isbn: ~
  language: en-GB
  copyright_year: ~
  subject: ~          # one sentence: what the report is about
  keywords: []
  publisher: {{name: {inspectorate}, address: []}}

sample: {{}}

# One finding per rated standard: `rating:` (a scale label) for standards rated by judgement,
# `key_questions: [..]` (percentages, in the framework's order) for the others.
# Scale: {labels}.
findings:
{findings}

recommendations:
  - addressee: {unit}
    items:
      - ~

links: {{}}

parts:
  - {{file: contents.md, title: Contents, contents: false}}
  - {{file: foreword.md, title: Foreword}}
{ratings_part}  - {{file: recommendations.md, title: Recommendations}}
  - {{file: background.md, title: Background}}
{domain_parts}
"""


def _finding(standard) -> str:
    field = "key_questions" if standard.rated_by == "key_questions" else "rating"
    return f"  {_quoted(standard.id)}: {{{field}: ~}}   # {standard.title}"


def _quoted(text: str) -> str:
    """A YAML key that stays text: `"1.1"` would otherwise read as the number 1.1."""
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", text) else '"' + text.replace('"', '\\"') + '"'



def _domain_chapter(domain) -> str:
    blocks = []
    for standard in domain.standards:
        if standard.rated_by == "not_rated":
            continue
        blocks.append(f"::: standard {standard.id}\n\nSummary of the findings for {standard.title.lower()}.\n")
        if standard.rated_by == "key_questions":
            blocks.append("Our rating for this standard is driven by the lowest score:\n\n::: key-questions\n")
        blocks.append("### Strengths:\n\n- …\n\n### Areas for improvement:\n\n- …\n")
    return "\n".join(blocks)


def scaffold(folder: Path, framework_id: str, framework_dirs=()) -> list[Path]:
    """Create `folder` from the framework; returns the files written. Never overwrites."""
    diags = Diagnostics()
    if folder.exists() and any(folder.iterdir()):
        diags.error("new-exists", "the folder exists and is not empty; reportgen new never overwrites", folder)
        raise ContentError(diags)
    found = next(((p, root) for p, root in framework_candidates(folder, framework_id, framework_dirs)
                  if p.exists() or p.is_symlink()), None)
    if found is None:
        diags.error("framework-unknown", f"unknown framework '{framework_id}' (give a framework id, not a path; "
                    "use --frameworks DIR for a folder of your own)"
                    + did_you_mean(Path(framework_id).stem, available_frameworks(folder, framework_dirs)), folder)
        raise ContentError(diags)
    yaml_file = read_yaml(found[0], diags, (found[1],))
    fw = _parse(Framework, yaml_file, diags) if yaml_file else None
    if fw is None:
        raise ContentError(diags)
    unit = folder.name.replace("-", " ").title()
    files = {
        "report.yaml": REPORT_YAML.format(
            framework=fw.id, name=fw.name, folder=folder, unit=unit, inspectorate=fw.inspectorate,
            labels=", ".join(s.label for s in fw.scale),
            findings="\n".join(_finding(s) for s in fw.standards if s.rated_by != "not_rated") or "  {}",
            ratings_part="  - {file: ratings.md, title: Ratings}\n" if fw.rated else "",
            domain_parts="\n".join(f'  - {{file: domain-{d.id}.md, domain: "{d.id}"}}' for d in fw.domains)),
        "chapters/contents.md": "::: contents\n",
        "chapters/foreword.md": "The foreword.\n",
        "chapters/recommendations.md": "As a result of our inspection findings, we have made these recommendations.\n"
                                       "\n::: recommendations\n",
        "chapters/background.md": "We conducted fieldwork in {{ report.unit }}, beginning "
                                  "{{ report.fieldwork_start | long_date }}.\n"
                                  if {"unit", "fieldwork_start"} <= set(fw.required_metadata) else "The background.\n",
    }
    if fw.rated:  # an unrated framework (a thematic) has no ratings page
        files["chapters/ratings.md"] = "::: ratings\n"
    for domain in fw.domains:
        files[f"chapters/domain-{domain.id}.md"] = _domain_chapter(domain)
    written = []
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
