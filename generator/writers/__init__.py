"""One package or module per output format, each turning the `Document` into bytes.

`html` (Jinja2 templates, one macro per node kind), `pdf` (WeasyPrint over the HTML writer's
print HTML, then the structure-tree repair) and `docx` (python-docx over the model, raw
WordprocessingML in `docx.xml`). Each has one function per node kind. A writer imports the model,
diagnostics, resources and `generator.formats`; never a stage, a check, another writer, `build`
or `cli`: `build` composes them (tests/test_layout.py).
"""
