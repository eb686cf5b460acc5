"""Accessibility checks of built files, one module per format, sharing one runner.

`runner` holds what every format shares: the `rule` registry (a stable id and the PDF/UA
Matterhorn checkpoint or WCAG reference it enforces), `Failure`, and `check_file`. `pdf`, `docx`
and `html` each register a reader class and their rules. The checks read any file, ours or not,
and trust nothing the writers did: this package imports only the runner, `generator.formats`
(shared readers of the file formats) and third-party libraries, never a writer or a stage.

A format's module is imported only when a file of that format is checked (`runner.load`), so
checking an HTML page never imports pikepdf or python-docx; `RULES` here is every format's rules.
"""

from generator.checks.runner import (FORMATS, Failure, NotCheckable, Rule, check_file, check_files, check_open,
                                     format_of, load_all, rules_table)

__all__ = ["FORMATS", "RULES", "Failure", "NotCheckable", "Rule", "check_file", "check_files", "check_open",
           "format_of", "load_all", "pdfa_unchecked", "rules_table"]


def __getattr__(name: str):
    if name == "RULES":  # every format's rules: load them all first
        return load_all()
    if name == "pdfa_unchecked":  # the PDF rules' note: imports them (and pikepdf) only when asked for
        from generator.checks.pdf import pdfa_unchecked  # noqa: PLC0415

        return pdfa_unchecked
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
