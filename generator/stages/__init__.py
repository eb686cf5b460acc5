"""The pipeline's stages, in the order data flows: load -> validate -> resolve -> merge -> parse -> assemble.

Each module (parse and validate: packages of their own) is one stage and reads only what the stages before it
made: `load` reads files, `validate` types them, `resolve` applies the framework, `merge` renders chapters as sandboxed
templates, `parse` turns Markdown into model nodes, `assemble` builds the whole `Document`.
`parity` compares an edition's chapters with the primary edition's (issue 25), parsing each with
`parse`: it runs beside the pipeline, on the chapters `load` read.
A stage may import earlier stages, `generator.model`, `generator.diagnostics` and
`generator.resources`; never a writer, a check, `build` or `cli` (tests/test_layout.py).
"""
