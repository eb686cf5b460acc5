"""The DOCX writer: `writer` walks the model with python-docx, one function per node kind; `xml` is
the only place that builds raw WordprocessingML. Imports the model, diagnostics, resources only."""
