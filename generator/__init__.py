"""reportgen: build rated inspection reports from Markdown narrative and YAML findings.

The package reads as the pipeline, one module per stage:
load -> validate -> resolve -> merge -> parse -> assemble -> write (html, pdf) ; text.
"""

__version__ = "0.1.0"
