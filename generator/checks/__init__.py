"""Accessibility checks of built files, one module per format, sharing one runner.

`runner` holds what every format shares: the `rule` registry (a stable id and the PDF/UA
Matterhorn checkpoint or WCAG reference it enforces), `Failure`, and `check_file`. `pdf`, `docx`
and `html` each register a reader class and their rules. The checks read any file, ours or not,
and trust nothing the writers did: this package imports only the runner, `generator.formats`
(shared readers of the file formats) and third-party libraries, never a writer or a stage.
"""

from generator.checks import docx, html, pdf  # noqa: F401 - importing a format module registers its rules
from generator.checks.pdf import pdfa_unchecked
from generator.checks.runner import (FORMATS, RULES, Failure, NotCheckable, Rule, check_file, check_files,
                                     format_of, rules_table)

__all__ = ["FORMATS", "RULES", "Failure", "NotCheckable", "Rule", "check_file", "check_files", "format_of",
           "pdfa_unchecked", "rules_table"]
