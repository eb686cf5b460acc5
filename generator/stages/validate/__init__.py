"""Stage 2, validate: turn the raw YAML into typed objects, collecting every problem.

`validate` runs the package's checks in order: the characters of both files (`characters`),
report.yaml's schema (`report_schema`), the framework's schema (`framework_schema`) and whether it
is consistent with itself (`framework_checks`, with `generator.stages.framework_rules` for the
overall rules' coverage), then report.yaml against the framework and the report folder
(`cross_checks`), then the theme. `locate` maps every problem back to its file, line and column.
Here: the entry point, `Validated` (what the later stages read) and the theme's checks.

The package imports the earlier stage `load` (and `parse.images`' image check, for a logo),
`generator.diagnostics`, `generator.themes` and, for a reference document, `generator.formats`;
never a writer, a check, `build` or `cli`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

# reportgen installs no pydantic plugins: skip pydantic's scan of every installed package's entry
# points on the first model (about 15 ms of every cold start). A value set by the user stands.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.load import FRAMEWORK_ID, Sources, available_frameworks
from generator.stages.validate.characters import check_characters
from generator.stages.validate.cross_checks import _check_report
from generator.stages.validate.framework_checks import _check_framework
from generator.stages.validate.framework_schema import Framework
from generator.stages.validate.locate import _parse, _valid_fields, blank_as_missing, line_of
from generator.stages.validate.report_schema import ReportSpec
from generator.themes import Theme, resolve_theme


@dataclass
class Validated:
    sources: Sources
    framework: Framework
    report: ReportSpec
    theme: Theme | None = None


def validate(sources: Sources, diags: Diagnostics) -> Validated | None:
    if sources.report is None:
        return None
    check_characters(sources.report, diags)
    if sources.framework is not None:
        check_characters(sources.framework, diags)
    emptied: set = set()  # an empty value is as if not written (`subject: ""` is no subject)
    sources = replace(sources, report=replace(sources.report, data=blank_as_missing(
        sources.report.data, (), emptied, sources.report.failed)))
    spec = _parse(ReportSpec, sources.report, diags, frozenset(emptied))
    framework_id = sources.report.data.get("framework") if isinstance(sources.report.data, dict) else None
    if isinstance(framework_id, str) and sources.framework is None and not sources.framework_failed:
        line, col = line_of(sources.report, ("framework",))
        known = available_frameworks(sources.report_dir, sources.framework_dirs)
        if not FRAMEWORK_ID.match(framework_id) or ".." in framework_id:
            diags.error("framework-unknown", f"framework must be the id of a framework (a plain name such as "
                        f"{known[0] if known else 'hmip-pdu-2023'}), not a path: '{framework_id}'"
                        + did_you_mean(Path(framework_id).stem, known), sources.report.path, line, col)
        else:
            diags.error("framework-unknown", f"unknown framework '{framework_id}'" + did_you_mean(framework_id, known),
                        sources.report.path, line, col)
    framework = _parse(Framework, sources.framework, diags) if sources.framework else None
    if framework:
        _check_framework(framework, sources.framework, diags)
    if framework:
        fields = dict(spec) if spec else _valid_fields(ReportSpec, sources.report)
        _check_report(fields, framework, sources, diags, frozenset(emptied))
    metadata = sources.report.data.get("metadata") if isinstance(sources.report.data, dict) else None
    if isinstance(metadata, dict) and "subject" not in metadata:  # raw: warned even beside other errors
        line, col = line_of(sources.report, ("metadata", "subject"))
        diags.warning("value-empty", "metadata.subject is not given: say in one sentence what the report is about; "
                      "it is the documents' description, and without it a build warns a11y-docx-properties",
                      sources.report.path, line, col)
    theme = _theme(sources, diags)
    if spec is None or framework is None or diags.errors:
        return None
    return Validated(sources, framework, spec, theme)


def _theme(sources: Sources, diags: Diagnostics) -> Theme | None:
    """The theme: --theme if given, else report.yaml's `theme:`, else the default."""
    if sources.theme_choice is not None:
        return _check_theme_logo(resolve_theme(sources.report_dir, sources.theme_choice, diags, ("--theme",)), diags)
    data = sources.report.data if isinstance(sources.report.data, dict) else {}
    choice = data.get("theme")
    if choice is not None and not isinstance(choice, str):
        return None  # the schema reports the mistyped field
    line, col = line_of(sources.report, ("theme",))
    return _check_theme_logo(resolve_theme(sources.report_dir, choice, diags, (sources.report.path, line, col)),
                             diags)


def _check_theme_logo(theme: Theme | None, diags: Diagnostics) -> Theme | None:
    """A theme's logo is drawn by every writer, as a report's is, and the images its CSS names by
    the PDF and the page: checked the same way (each file was confined and size-limited by
    `themes.check_theme_files`)."""
    if theme is None or (theme.logo is None and not theme.images):
        return theme
    from generator.stages.parse.images import check_image  # noqa: PLC0415 - Pillow, only with a logo

    images = [(theme.logo, theme.logo.name, theme.folders[0] / "theme.yaml", 0)] if theme.logo is not None else []
    images += [(image, image.name, sheet, line) for image, sheet, line in theme.images]
    failed = False
    for path, shown, where, line in images:
        for code, message in check_image(path, shown):
            diags.error(code, message, where, line)
            failed = True
    return None if failed else theme
