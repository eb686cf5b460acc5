"""A report folder is untrusted input: one case per class of attack, each asserting the exact
diagnostic, or that nothing leaked (README, "Threat model").

Classes: code execution through the template context; reads outside the report folder
(framework paths, symlinks, FIFOs, huge files); files and folders that cannot be read (mode 000,
symlink loops); template bombs (time, memory, output, in macros too, and of all chapters
together); values PyYAML's constructor or reader rejects, and the values limit, at their line;
text that must read the same in every place it is written (the PDF's running header and
metadata); publish that must be all or none, also when the build is interrupted or killed, and
that stands once committed; and the last guard of the command line.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from types import MappingProxyType

import pytest

from generator.build import build, check
from generator.cli import main
from generator.diagnostics import ContentError, Diagnostics
from generator.stages import merge as merge_stage
from generator.stages.load import load
from generator.stages.resolve import resolve
from generator.stages.validate import validate
from generator.words import stand_in
from tests.conftest import ROOT, SURREY, copy_report

SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture
def secret_file(tmp_path) -> Path:
    """A file outside every report folder that no build may read."""
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


def run(args, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def append(report: Path, chapter: str, text: str) -> Path:
    path = report / "chapters" / chapter
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text + "\n", encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def diagnostics(report: Path, **kwargs) -> list:
    diags = Diagnostics()
    with pytest.raises(ContentError):
        check(report, diags, **kwargs)
    return diags.items


def outputs_text(folder: Path) -> str:
    from generator.text import file_text

    return "".join(file_text(p) for p in sorted(folder.glob("*.*")) if not p.name.startswith("."))


# =========================================================================== templates get plain data


def test_the_chapter_context_is_plain_immutable_data():
    diags = Diagnostics()
    resolved = resolve(validate(load(SURREY, diags), diags), diags)
    seen = 0

    def walk(value, where):
        nonlocal seen
        seen += 1
        if isinstance(value, MappingProxyType):
            for key, item in value.items():
                assert isinstance(key, str), where
                walk(item, f"{where}.{key}")
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        else:
            assert value is None or type(value) in (str, int, float, bool), f"{where}: {type(value).__name__}"

    walk(merge_stage.context(resolved, stand_in()), "context")
    assert seen > 100  # the whole context was walked: report, sample, links, every standard


@pytest.mark.parametrize("expression, code", [
    ("{{ report.model_validate_json('{}') }}", "jinja-undefined"),  # no model methods: they are not there
    ("{{ report.title.upper() }}", "jinja-unsafe"),  # no method of any value
    ("{{ '{0.__class__}'.format(report) }}", "jinja-unsafe"),  # str.format is a method too
    ("{{ '%s' % report }}", "jinja-unsafe"),
    ("{{ links.items() }}", "jinja-unsafe"),
    ("{{ report.__class__.__init__.__globals__ }}", "jinja-unsafe"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "jinja-unsafe"),
    ("{{ lipsum(10) }}", "jinja-undefined"),
    ("{% set ns = namespace(a=1) %}", "jinja-undefined"),
    ("{{ cycler(1, 2) }}", "jinja-undefined"),
    ("{{ 'x' | center(80) }}", "jinja-syntax"),  # filters not declared do not exist
    ("{{ '%s' | format(links) }}", "jinja-syntax"),  # would print the mapping's repr past `printable`
    ("{{ report | attr('title') }}", "jinja-syntax"),  # attribute access by a string the chapter builds
])
def test_no_expression_reaches_code(tmp_path, expression, code):
    report = copy_report(tmp_path)
    chapter = append(report, "foreword.md", expression)
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [(code, "foreword.md", line_of(chapter, expression))]


def test_plain_data_still_reads_as_documented(tmp_path):
    report = copy_report(tmp_path)
    append(report, "foreword.md", "Facts: {{ standards['P2.1'].rating.label }}, {{ report.chief_inspector.name }}, "
                                  "{{ links | dictsort | length }} links, {{ report.fieldwork_start | long_date }}, "
                                  "{{ sample.cases }} cases.")
    built = build(report, tmp_path / "out", formats=("html",))
    assert ("Facts: Inadequate, Martin Jones CBE, 3 links, 15 January 2024, 37 cases."
            in outputs_text(built.outputs["html"].parent))


# =========================================================================== bounded templates


BOMBS = {
    "nested ranges": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "a long string": "{{ 'x' * 600000000 }}",
    "a long list": "{{ [0] * 10**8 }}",
    "doubling with ~": "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 40 + "{{ a }}",
    "a huge power": "{{ 7 ** 100000 }}",
    "replace that multiplies": "{{ ('a' * 100000) | replace('a', 'b' * 100000) }}",
    "a recursive macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "a filter with a huge argument": "{{ report.title | truncate(1000000000) }}",
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_template_bombs_end_with_a_located_limit(tmp_path, name):
    report = copy_report(tmp_path)
    chapter = append(report, "foreword.md", BOMBS[name])
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [
        ("jinja-limit", "foreword.md", line_of(chapter, BOMBS[name][:20]))], items


def test_a_slow_chapter_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(merge_stage.Limits, "chapter_seconds", 0.5)
    report = copy_report(tmp_path)
    chapter = append(report, "foreword.md", "{% set s = 'x' * 100000 %}\n"
                                            "{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}")
    items = diagnostics(report)
    assert [(d.code, d.line) for d in items] == [("jinja-limit", line_of(chapter, "{% for a in s"))]
    assert "took more than 0.5 s" in items[0].message


def test_a_slow_macro_is_stopped_by_the_time_limit_inside_the_macro(tmp_path, monkeypatch):
    """The deadline is traced in every frame of the chapter's code, macros too: stopped at the
    macro's loop, not after the macro returns (which, unbounded, is 10^8 iterations later)."""
    monkeypatch.setattr(merge_stage.Limits, "chapter_seconds", 0.5)
    report = copy_report(tmp_path)
    chapter = append(report, "foreword.md", "{% macro slow() %}\n{% set s = 'x' * 10000 %}\n"
                                            "{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}\n"
                                            "{% endmacro %}\n\nThe macro says: {{ slow() }}")
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [
        ("jinja-limit", "foreword.md", line_of(chapter, "{% for a in s"))]
    assert items[0].message == "the chapter took more than 0.5 s to render"


def test_the_chapters_together_are_bounded_by_the_merge_output_limit(tmp_path, monkeypatch):
    """Each chapter within its own limit, the merge stops before the chapter after the one that
    brings the whole past `merge_output`."""
    monkeypatch.setattr(merge_stage.Limits, "merge_output", 200_000)
    report = copy_report(tmp_path)
    for name in ("foreword.md", "background.md"):  # 120,000 characters each; parts: ... background, domain-1
        append(report, name, "{% for i in range(120) %}{{ 'y' * 999 }}\n{% endfor %}")
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [("jinja-limit", "domain-1.md", 1)]
    assert items[0].message == ("the chapters together took more than 20 s or 200,000 characters to render; "
                                "stopped before this one")


def test_output_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(merge_stage.Limits, "chapter_output", 100_000)
    report = copy_report(tmp_path)
    append(report, "foreword.md", "{% for i in range(1000) %}{{ 'y' * 1000 }}{% endfor %}")
    items = diagnostics(report)
    assert [d.code for d in items] == ["jinja-limit"]
    assert "more than 100,000 characters" in items[0].message


def test_memory_is_bounded_by_the_ceiling(tmp_path, monkeypatch):
    """Doubling inside {% set %} blocks is not an operator we can check: the address-space ceiling
    turns it into a MemoryError, reported as jinja-limit."""
    monkeypatch.setattr(merge_stage.Limits, "memory_headroom", 256 * 1024 * 1024)
    report = copy_report(tmp_path)
    append(report, "foreword.md", "{% set a = 'x' * 1000 %}" + "{% set a %}{{ a }}{{ a }}{% endset %}" * 40)
    items = diagnostics(report)
    assert [(d.code, d.message) for d in items] == [("jinja-limit", "the chapter used too much memory while rendering")]


# =========================================================================== reads stay inside the report


@pytest.mark.parametrize("value", ["/etc/passwd", "../../frameworks/x", "..", "hmip-pdu-2023/../../x",
                                   "sub/hmip-pdu-2023"])
def test_framework_is_an_id_never_a_path(tmp_path, value, capsys):
    report = copy_report(tmp_path)
    (report / "frameworks" / "sub").mkdir(parents=True)  # `sub/hmip-pdu-2023` would find a file here
    (report / "frameworks" / "sub" / "hmip-pdu-2023.yaml").write_text(
        (ROOT / "generator/frameworks/hmip-pdu-2023.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = report / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("framework: hmip-pdu-2023", f"framework: '{value}'"))
    status, _, err = run(["check", report], capsys)
    assert status == 1
    assert f"report.yaml:{line_of(path, 'framework:')}:1: error[framework-unknown]: framework must be the id" in err
    assert "root:" not in err


def test_new_refuses_a_framework_path(tmp_path, capsys):
    status, _, err = run(["new", tmp_path / "r", "--framework", "/etc/passwd"], capsys)
    assert status == 1 and "error[framework-unknown]" in err and "not a path" in err
    assert not (tmp_path / "r").exists()


def test_a_symlinked_framework_outside_is_refused(tmp_path):
    report = copy_report(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((ROOT / "generator/frameworks/hmip-pdu-2023.yaml").read_text())
    (report / "frameworks").mkdir()
    (report / "frameworks" / "hmip-pdu-2023.yaml").symlink_to(outside)
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name) for d in items] == [("path-outside", "hmip-pdu-2023.yaml")]
    assert str(outside) in items[0].message


def test_frameworks_named_on_the_command_line_are_read(tmp_path, capsys):
    report = copy_report(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "house-2025.yaml").write_text((ROOT / "generator/frameworks/hmip-pdu-2023.yaml").read_text()
                                            .replace("\nid: hmip-pdu-2023\n", "\nid: house-2025\n"))
    path = report / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("framework: hmip-pdu-2023", "framework: house-2025"))
    assert run(["check", report], capsys)[0] == 1
    status, out, _ = run(["check", report, "--frameworks", shared], capsys)
    assert status == 0 and out.endswith(": ok\n")


@pytest.mark.parametrize("target", ["chapter", "report.yaml"])
def test_a_symlink_to_a_file_outside_is_refused_and_never_published(tmp_path, secret_file, target, capsys):
    report = copy_report(tmp_path)
    if target == "chapter":
        link = report / "chapters" / "foreword.md"
    else:
        secret_file.write_text((report / "report.yaml").read_text() + f"# {SECRET}\n")
        link = report / "report.yaml"
    link.unlink()
    link.symlink_to(secret_file)
    status, _, err = run(["build", report, "--out", tmp_path / "out"], capsys)
    assert status == 1
    assert f"{link.name}: error[path-outside]: " in err and str(secret_file) in err
    assert SECRET not in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_symlinked_image_outside_is_refused(tmp_path, secret_file):
    report = copy_report(tmp_path)
    (report / "images").mkdir()
    (report / "images" / "chart.png").symlink_to(secret_file)
    chapter = append(report, "foreword.md", "![A chart](images/chart.png)")
    items = diagnostics(report)
    assert [(d.code, d.line) for d in items] == [("url-refused", line_of(chapter, "images/chart.png"))]


def test_a_chapter_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    report = copy_report(tmp_path)
    os.mkfifo(report / "chapters" / "spare.md")
    started = time.monotonic()
    items = diagnostics(report)
    assert time.monotonic() - started < 30  # a blocking read would never return
    assert ("file-not-regular", "spare.md") in {(d.code, Path(d.path).name) for d in items}


@pytest.mark.parametrize("kind", ["yaml", "chapter"])
def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not(tmp_path, kind):
    from generator.inputs import LIMITS, InputError, read_input

    path = tmp_path / "file"
    path.write_bytes(b"x" * LIMITS[kind])
    assert len(read_input(path, (tmp_path,), kind)) == LIMITS[kind]
    path.write_bytes(b"x" * (LIMITS[kind] + 1))
    with pytest.raises(InputError) as refused:
        read_input(path, (tmp_path,), kind)
    assert refused.value.code == "file-too-large"


def test_a_chapter_of_exactly_the_size_limit_is_built(tmp_path, monkeypatch):
    from generator import inputs

    report = copy_report(tmp_path)
    largest = max((report / "chapters").glob("*.md"), key=lambda p: p.stat().st_size)
    monkeypatch.setitem(inputs.LIMITS, "chapter", largest.stat().st_size)
    check(report)  # every chapter within the limit, the largest exactly at it
    append(report, largest.name, "")  # two bytes more
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name) for d in items] == [("file-too-large", largest.name)]


def test_a_chapter_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    report = copy_report(tmp_path)
    with open(report / "chapters" / "foreword.md", "r+b") as handle:
        handle.truncate(6 * 1024 * 1024)  # sparse: the check must come from its size, not a read
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name) for d in items] == [("file-too-large", "foreword.md")]
    assert "at most 5 MB" in items[0].message


# =========================================================================== YAML values, no tracebacks


@pytest.mark.parametrize("line, code, message", [
    ("!!python/object/apply:os.system ['echo pwned']", "yaml-value", "only plain YAML values"),
    ("!!python/name:os.system", "yaml-value", "only plain YAML values"),
    ("!!binary 'AAAA'", None, None),  # a plain YAML type: read, then refused by the schema
    ("2024-02-30", None, None),  # no such date: read as the text it is (a date field says why: tests/bad)
    ("!!timestamp 2024-02-30", "yaml-value", "'2024-02-30' is not a date: the day is 30, and February 2024 has 29 days"),
    ("!!timestamp nope", "yaml-value", "'nope' is tagged !!timestamp but is not a date (YYYY-MM-DD)"),
    ("!!bool maybe", "yaml-value", "'maybe' is tagged !!bool but is not true or false"),
    ("!!int twelve", "yaml-value", "'twelve' cannot be read: invalid literal for int()"),
    ("!!null x", "yaml-value", "'x' is tagged !!null but is not empty (~)"),
])
def test_values_the_yaml_constructor_rejects_are_located(tmp_path, line, code, message, capsys):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("subject: ", f"subject: {line}\n  old_subject: ", 1))
    status, _, err = run(["check", report], capsys)
    assert status == 1 and "Traceback" not in err
    if code:
        assert f"report.yaml:{line_of(path, 'subject: ' + line[:10])}:" in err and f"error[{code}]" in err
        assert message in err


def test_an_alias_bomb_is_refused(tmp_path, capsys):
    report = copy_report(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(10))}]\n" for i in range(8))
    (report / "report.yaml").write_text(bomb)
    status, _, err = run(["check", report], capsys)
    assert status == 1
    # at the alias that brings the count past the limit: f's first *e (a to e stand for some 123,000 values)
    assert err.splitlines() == [f"{Diagnostics().show(report / 'report.yaml')}:6:8: error[yaml-too-large]: more "
                                "than 200,000 values once anchors are repeated: the alias *e here brings the count "
                                "past the limit"]


def test_a_nul_byte_in_report_yaml_is_located(tmp_path, capsys):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  subject: Inspection", "  subject: \u00e9\U0001f600\0x"))
    status, _, err = run(["check", report], capsys)
    assert status == 1
    # the column in characters, past a two-byte and a four-byte character (libyaml counts bytes)
    assert err.splitlines() == [f"{Diagnostics().show(path)}:{line_of(path, 'subject:')}:14: error[yaml-syntax]: "
                                "YAML syntax: the character U+0000 is not allowed in a YAML file (control characters "
                                "are not); remove it"]


def test_sample_values_of_mixed_types_do_not_crash(tmp_path):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    assert "community_orders: 26" in text
    path.write_text(text.replace("community_orders: 26", "community_orders: twenty-six"))
    built = build(report, tmp_path / "out", formats=("html",))
    assert "We inspected twenty-six community orders and 11 releases on licence" in outputs_text(tmp_path / "out")
    # `cases` is computed only from two numbers: not offered here, so using it is a located error
    chapter = append(report, "foreword.md", "In all, {{ sample.cases }} cases.")
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [
        ("jinja-undefined", "foreword.md", line_of(chapter, "sample.cases"))]
    assert "'sample.cases' is not defined" in items[0].message
    assert built.document is not None


# =========================================================================== files that cannot be read


@functools.lru_cache(maxsize=1)
def _root_without_read_override() -> tuple[str, ...] | None:
    """As root, a command prefix under which file modes hold (setpriv drops CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH), if it works here; None if not (then root reads a mode-000 file)."""
    prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
    with tempfile.TemporaryDirectory() as folder:
        readable, closed = Path(folder) / "readable", Path(folder) / "closed"
        readable.write_text("x")
        closed.write_text("x")
        closed.chmod(0)
        try:  # setpriv itself must work (it may lack CAP_SETPCAP), and then mode 000 must hold
            works = [subprocess.run([*prefix, "cat", str(path)], capture_output=True, timeout=30).returncode == 0
                     for path in (readable, closed)]
        except (OSError, subprocess.SubprocessError):
            return None
        return prefix if works == [True, False] else None


def _check_unprivileged(report: Path, capsys) -> tuple[int, str] | None:
    """`reportgen check REPORT` where a mode-000 file cannot be read: in this process when not root,
    else in a subprocess without root's read override; None when neither is possible."""
    if os.geteuid() != 0:
        status, _, err = run(["check", report], capsys)
        return status, err
    prefix = _root_without_read_override()
    if prefix is None:
        return None
    result = subprocess.run([*prefix, sys.executable, "-m", "generator", "check", str(report)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return result.returncode, result.stderr


def _shown(path: Path) -> str:
    return Diagnostics().show(path)


@pytest.mark.parametrize("what", ["the report folder", "a chapter", "the chapters folder", "the frameworks folder"])
def test_a_file_or_folder_of_mode_000_is_a_located_error(tmp_path, what, capsys):
    report = copy_report(tmp_path)
    if what == "the frameworks folder":
        (report / "frameworks").mkdir()
    target = {"the report folder": report, "a chapter": report / "chapters" / "foreword.md",
              "the chapters folder": report / "chapters", "the frameworks folder": report / "frameworks"}[what]
    expected = {
        "the report folder": f"{_shown(report)}: error[file-unreadable]: cannot read the report folder: "
                             "Permission denied",
        "a chapter": f"{_shown(target)}: error[file-unreadable]: cannot read '{target}': Permission denied",
        "the chapters folder": f"{_shown(target)}: error[file-unreadable]: cannot read the folder: Permission "
                               "denied; the chapters in it are not read",  # and no chapter-missing for each part
        "the frameworks folder": f"{_shown(target)}: error[file-unreadable]: cannot read the folder: Permission "
                                 "denied",
    }[what]
    mode = target.stat().st_mode & 0o777
    target.chmod(0)
    try:
        ran = _check_unprivileged(report, capsys)
        readable = os.access(target, os.R_OK | (os.X_OK if target.is_dir() else 0))
    finally:
        target.chmod(mode)
    if ran is None:
        # root, with no way here to give up its read override: mode 000 reads as any file, so the
        # build must simply be right (the check of the unreadable case needs setpriv, or a user)
        assert readable
        status, out, err = run(["check", report], capsys)
        assert (status, err) == (0, "") and out.endswith(": ok\n")
        return
    status, err = ran
    assert status == 1 and "Traceback" not in err
    assert err.splitlines() == [expected]


@pytest.mark.parametrize("name", ["chapters/foreword.md", "chapters/spare.md", "report.yaml"])
def test_a_file_linked_to_itself_is_a_located_error(tmp_path, name, capsys):
    report = copy_report(tmp_path)
    link = report / name
    link.unlink(missing_ok=True)
    link.symlink_to(link.name)  # ELOOP
    status, _, err = run(["check", report], capsys)
    assert status == 1
    assert err.splitlines() == [f"{_shown(link)}: error[file-unreadable]: cannot read '{link}': it is a symbolic "
                                "link that leads back to itself (a loop); point it at a file, or remove it"]


# =========================================================================== the same text everywhere


def test_a_title_with_html_characters_reads_the_same_in_the_running_header_and_the_metadata(tmp_path):
    """The PDF's running header is a CSS string in the print page's <style>: HTML escapes there are
    not decoded (they would print as `Probation &amp; Parole`)."""
    import pikepdf
    import yaml

    from tests.readback import page_text

    title = 'Probation & Parole: "quoted" </style><b>not bold</b> \\ it\'s'
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    old = '  title: "An inspection of probation services in: Surrey PDU"'
    assert old in text
    path.write_text(text.replace(old, "  title: " + yaml.safe_dump(title, default_style='"').strip()),
                    encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("pdf",))
    assert not [d for d in built.diagnostics.items if d.code.startswith("a11y-")], built.diagnostics.items
    printed = 'Probation & Parole: “quoted” </style><b>not bold</b> \\ it’s'  # typeset, as every printed string
    headers = page_text(built.outputs["pdf"])
    assert [headers.artifact_text(page, "Header") for page in (1, 2, 3)] == [printed] * 3
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        assert str(pdf.docinfo["/Title"]) == printed
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == printed


# =========================================================================== all or none, interrupted or killed


def _two_versions(tmp_path) -> tuple[Path, Path, dict[str, bytes]]:
    report = copy_report(tmp_path)
    out = tmp_path / "out"
    build(report, out, formats=("html", "docx"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    append(report, "foreword.md", "A sentence added in the second draft.")
    return report, out, before


def _state(out: Path) -> dict[str, bytes]:
    """Every file in `out`, the record of outputs (.<slug>.outputs.json) too; not staging folders."""
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def test_outputs_are_world_readable_whatever_the_umask(tmp_path):
    previous = os.umask(0o077)  # under 022 a file is made 0644 anyway: the chmod would not show
    try:
        built = build(SURREY, tmp_path / "out", formats=("html",))
    finally:
        os.umask(previous)
    assert built.outputs["html"].stat().st_mode & 0o777 == 0o644


def test_a_publish_that_fails_half_way_puts_everything_back(tmp_path, capsys):
    report, out, before = _two_versions(tmp_path)
    (out / "surrey-pdu.html").unlink()
    (out / "surrey-pdu.html").mkdir()  # the HTML cannot be replaced; the DOCX is moved first
    (out / "surrey-pdu.html" / "x").write_text("in the way")
    status, _, err = run(["build", report, "--out", out, "--format", "docx,html"], capsys)
    assert status == 1 and "error[output-failed]" in err and "previous outputs are unchanged" in err
    assert (out / "surrey-pdu.docx").read_bytes() == before["surrey-pdu.docx"]
    assert (out / ".surrey-pdu.outputs.json").read_bytes() == before[".surrey-pdu.outputs.json"]  # the record too
    assert sorted(p.name for p in out.iterdir()) == [".surrey-pdu.outputs.json", "surrey-pdu.docx", "surrey-pdu.html"]


def test_a_failed_build_leaves_no_temporary_files(tmp_path):
    report, out, before = _two_versions(tmp_path)
    append(report, "foreword.md", "{{ undefined_name }}")
    with pytest.raises(ContentError):
        build(report, out, formats=("html", "docx"))
    assert _state(out) == before and sorted(p.name for p in out.iterdir()) == sorted(before)


BUILD_SCRIPT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from generator import publish
    from generator.cli import main
    mode = sys.argv[1]
    if mode == "kill-after-publish":  # SIGKILL once published, before the staging folder is removed
        publish.Staging.remove = lambda self: os.kill(os.getpid(), 9)
    if mode == "kill-mid-publish":  # SIGKILL between two renames: the worst moment
        real = os.replace
        def replace(src, dst):
            real(src, dst)
            if str(dst).endswith((".docx", ".html")):
                os.kill(os.getpid(), 9)
        publish.os.replace = replace
    if mode == "slow-writer":  # stay inside the writers long enough to be signalled
        from generator import build
        real_writer = build.WRITERS["html"]
        def slow(*args):
            real_writer(*args)
            Path(sys.argv[3]).write_text("writing")
            time.sleep(60)
        build.WRITERS["html"] = slow
    main(["build", sys.argv[2], "--out", {out!r}, "--format", sys.argv[4]])
""")


def _run_build(tmp_path, report: Path, out: Path, mode: str, signum: int | None = None, formats="html,docx"):
    script = tmp_path / "build_script.py"
    script.write_text(BUILD_SCRIPT.format(root=str(ROOT), out=str(out)))
    flag = tmp_path / "writing.flag"
    proc = subprocess.Popen([sys.executable, str(script), mode, str(report), str(flag), formats], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if signum is not None:
        deadline = time.monotonic() + 120
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=180)
    return proc.returncode, stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_an_interrupted_build_cleans_up_and_changes_nothing(tmp_path, signum):
    report, out, before = _two_versions(tmp_path)
    status, stderr = _run_build(tmp_path, report, out, "slow-writer", signum)
    assert status == 128 + signum, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert _state(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging folder left


def test_an_interrupted_build_stops_its_second_process_and_changes_nothing(tmp_path):
    """With the PDF, the PDF is written by a forked child (generator/writing.py `PdfProcess`) while
    the build writes the HTML and DOCX: a SIGTERM to the build, in the HTML writer, kills the child,
    and nothing is left."""
    report, out, before = _run_pdf_versions(tmp_path)
    status, stderr = _run_build(tmp_path, report, out, "slow-writer", signal.SIGTERM, formats="pdf,html,docx")
    assert status == 128 + signal.SIGTERM, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert _state(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging folder left


def _run_pdf_versions(tmp_path):
    report = copy_report(tmp_path)
    out = tmp_path / "out"
    build(report, out, formats=("pdf", "html", "docx"))
    before = _state(out)
    append(report, "foreword.md", "A sentence added in the second draft.")
    return report, out, before


def test_a_build_killed_mid_publish_is_rolled_back_by_the_next_build(tmp_path):
    report, out, before = _two_versions(tmp_path)
    status, _ = _run_build(tmp_path, report, out, "kill-mid-publish")
    assert status == -9
    assert any(p.name.startswith(".surrey-pdu.build-") for p in out.iterdir())  # what SIGKILL leaves
    assert _state(out) != before  # one output is already the new one: the state a crash leaves
    from generator.publish import recover

    recover(out, "surrey-pdu")
    assert _state(out) == before  # rolled back to the previous outputs, byte for byte
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_a_build_killed_after_its_commit_point_keeps_its_new_outputs(tmp_path):
    """Past the commit point (the journal removed) the new outputs stand: the staging folder a
    SIGKILL leaves behind is only removed by the next build, never rolled back."""
    report, out, before = _two_versions(tmp_path)
    status, _ = _run_build(tmp_path, report, out, "kill-after-publish")
    assert status == -9
    assert any(p.name.startswith(".surrey-pdu.build-") for p in out.iterdir())  # what SIGKILL leaves
    published = _state(out)
    assert published != before
    from generator.publish import recover

    recover(out, "surrey-pdu")
    assert _state(out) == published
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert "second draft" in outputs_text(out)


def test_a_build_killed_while_writing_leaves_outputs_and_the_next_build_cleans_up(tmp_path):
    report, out, before = _two_versions(tmp_path)
    status, _ = _run_build(tmp_path, report, out, "slow-writer", signal.SIGKILL)
    assert status == -9
    assert _state(out) == before
    built = build(report, out, formats=("html", "docx"))
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # the stale staging folder is gone
    assert "second draft" in outputs_text(built.outputs["html"].parent)


# =========================================================================== the last guard


def test_a_bug_is_one_line_exit_70_and_the_traceback_only_with_debug(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("generator.build.resolve", broken)
    status, _, err = run(["check", SURREY], capsys)
    assert status == 70
    assert err.splitlines()[0] == "reportgen: internal-error: ZeroDivisionError: a bug"
    assert "Traceback" not in err and "--debug" in err
    status, _, err = run(["--debug", "check", SURREY], capsys)
    assert status == 70 and "Traceback" in err and "ZeroDivisionError: a bug" in err
