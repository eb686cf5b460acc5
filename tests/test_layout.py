"""The package layout is the architecture: imports run one way, and every package says what it holds.

cli -> build -> stages, writers, checks -> model, diagnostics, resources, formats. Every import in
`generator/` (at the top of a module or inside a function) is read from the source and held to
the rules below; `test_the_rules_catch_a_wrong_import` proves the rules can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# layer of a module -> the layers it must never import. A layer is the module's first part under
# generator/ ("stages", "writers.html", "writers.pdf", "cli", ...).
FORBIDDEN = {
    "stages": {"writers", "checks", "build", "cli", "text", "redline", "batch", "scaffold", "review"},
    "writers": {"stages", "checks", "build", "cli", "text", "redline", "batch", "scaffold"},
    "checks": {"writers", "stages", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model"},
    "formats": {"stages", "writers", "checks", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model"},
    "model": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review"},
    "diagnostics": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model"},
    "resources": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model"},
    "inputs": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model", "publish"},
    "provenance": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model", "publish"},
    "publish": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review", "model", "inputs"},
    "limits": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "model",
               "inputs", "publish", "review"},
    "words": {"stages", "writers", "checks", "formats", "build", "cli", "text", "redline", "batch", "scaffold", "review",
              "model"},
    "build": {"cli"},
    "preview": {"cli", "stages", "writers", "checks"},
    "text": {"cli"},
    "redline": {"cli"},
    "batch": {"cli"},
    "scaffold": {"cli", "build", "writers", "checks"},
    "review": {"cli", "writers", "checks", "batch", "scaffold", "redline"},
}
WRITERS = ("writers.html", "writers.pdf", "writers.docx")


def layer(module: str) -> str:
    """'generator.writers.pdf.tags' -> 'writers.pdf'; 'generator.stages.load' -> 'stages'."""
    parts = module.split(".")[1:]
    if not parts:
        return ""
    if parts[0] == "writers" and len(parts) > 1:
        return f"writers.{parts[1]}"
    return parts[0]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported generator module) for every import in the file, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("generator")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from ..checks import pdf
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "generator" or base.startswith("generator."):
                found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


def violations(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None."""
    src, dst = layer(importer), layer(imported)
    if not dst or src == dst:
        return None
    if dst == "cli" and importer not in ("generator.__main__",):
        return "nothing imports cli"
    if src in WRITERS and dst in WRITERS:
        return "writers never import each other"
    rule_key = src.split(".")[0]
    if dst.split(".")[0] in FORBIDDEN.get(rule_key, set()):
        return f"{rule_key} never imports {dst.split('.')[0]}"
    return None


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path):
    importer = module_name(path)
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {name}: {why}"
             for line, name in imports(path) if (why := violations(importer, name))]
    assert not wrong, "\n".join(wrong)


def test_the_rules_catch_a_wrong_import():
    assert violations("generator.stages.merge", "generator.writers.html") == "stages never imports writers"
    assert violations("generator.writers.pdf.render", "generator.writers.html") == "writers never import each other"
    assert violations("generator.checks.pdf", "generator.writers.pdf.tags") == "checks never imports writers"
    assert violations("generator.build", "generator.cli") == "nothing imports cli"
    assert violations("generator.writers.pdf.render", "generator.writers.pdf.tags") is None
    assert violations("generator.stages.parse", "generator.stages.merge") is None


def test_imports_are_found_inside_functions_too(tmp_path):
    package = tmp_path / "generator" / "stages"
    package.mkdir(parents=True)
    module = package / "x.py"
    module.write_text("def f():\n    from generator.writers.html import write_html\n    from ..checks import pdf\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "generator"
    try:
        assert [(line, layer(name)) for line, name in imports(module)] == [(2, "writers.html"), (3, "checks")]
    finally:
        PACKAGE = saved


PACKAGES = sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_every_package_says_what_lives_there_and_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert len(doc) > 80, f"{package}: a docstring saying what lives here"
    if package != PACKAGE:
        assert "import" in doc.lower(), f"{package}: the docstring says what the package may import"
