"""reportgen: build rated inspection reports from Markdown narrative and YAML findings.

The spine (`cli`, `build`, `model`, `diagnostics`, `inputs`, `publish`, `resources`) runs the
pipeline: `stages/` (load -> validate -> resolve -> merge -> parse -> assemble) make one
`Document`; `writers/` (html, pdf, docx) turn it into files; `checks/` test those files'
accessibility; `formats/` holds readers of the file formats that writers, checks and `text`
share. Imports run one way: cli -> build -> stages, writers, checks -> model, diagnostics, inputs,
resources, formats (tests/test_layout.py).
"""

__version__ = "0.1.0"
