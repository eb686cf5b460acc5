"""Text every output can hold: the control characters none can (`CONTROL_RE`, which the chapters'
checks in `parse` share), how a message names one (`describe_character`), and `check_characters`,
which finds each in a YAML file, keys too, and reports it at the escape that wrote it.

Not here: the length limits of Word's document properties (`report_schema`), nor where a value
sits in its file (`locate`).
"""

from __future__ import annotations

import re
import unicodedata

from generator.diagnostics import Diagnostics
from generator.stages.load import YamlFile
from generator.stages.validate.locate import line_of, yaml_path


# Characters no output can hold: XML 1.0 (DOCX, the PDF's tagged structure) refuses the C0 controls
# but tab, LF and CR, the surrogates and U+FFFE/U+FFFF (lxml raises, WeasyPrint draws nothing);
# DEL and the C1 controls are legal XML but invisible in every output and almost always
# Windows-1252 text read as Latin-1, so they are refused too.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB "
             "CAN EM SUB ESC FS GS RS US").split()


def describe_character(char: str) -> str:
    """What a refused character is and why, for a message: 'control character U+001B (ESC) ...'."""
    code = ord(char)
    name = _C0_NAMES[code] if code < 0x20 else "DEL" if code == 0x7F else unicodedata.name(char, "")
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X}, which no output can hold"
    if code in (0xFFFE, 0xFFFF):
        return f"noncharacter U+{code:04X}, which Word and PDF files cannot hold"
    out = f"control character U+{code:04X}" + (f" ({name})" if name else "")
    if code < 0x20:
        return out + ", which Word and PDF files cannot hold"
    out += ", which every output would drop"
    if 0x80 <= code <= 0x9F:
        try:
            out += f" (probably '{bytes([code]).decode('cp1252')}' from Windows-1252 text read as Latin-1)"
        except UnicodeDecodeError:
            pass
    return out


_NAMED_ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x0B: "v", 0x0C: "f", 0x1B: "e", 0x85: "N"}


def _hex(value: int, digits: int) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{value:0{digits}x}")


def _escape_re(char: str) -> re.Pattern:
    """The ways a YAML double-quoted string can write `char` (it cannot appear raw: the YAML reader
    refuses non-printable characters)."""
    code = ord(char)
    forms = [re.escape("\\" + _NAMED_ESCAPES[code])] if code in _NAMED_ESCAPES else []
    if code <= 0xFF:
        forms.append(r"\\x" + _hex(code, 2))
    if code <= 0xFFFF:
        forms.append(r"\\u" + _hex(code, 4))
    forms.append(r"\\U" + _hex(code, 8))
    return re.compile("|".join(forms))


def check_characters(yaml_file: YamlFile, diags: Diagnostics) -> None:
    """Every string of a YAML file (keys too) must be text the outputs can hold: no control
    characters (see CONTROL_RE). Each is reported at the escape that wrote it where it can be
    found, else at its key."""
    try:
        lines = yaml_file.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    starts = sorted({line for line, _ in yaml_file.positions.values()})

    def where(loc: tuple, value: str, index: int) -> tuple[int, int]:
        line, col = line_of(yaml_file, loc)
        if loc not in yaml_file.positions:
            return line, col
        end = next((s for s in starts if s > line), len(lines) + 1)
        pattern = _escape_re(value[index])
        nth = value[:index].count(value[index])
        seen = 0
        for number in range(line, min(end, len(lines) + 1)):
            text = lines[number - 1]
            for match in pattern.finditer(text, col - 1 if number == line else 0):
                if seen == nth:
                    return number, match.start() + 1
                seen += 1
        return line, col

    def report(loc: tuple, value: str, what: str) -> None:
        for match in CONTROL_RE.finditer(value):
            line, col = where(loc, value, match.start())
            diags.error("control-character", f"{what}, character {match.start() + 1}: "
                        f"{describe_character(match[0])}; remove it", yaml_file.path, line, col)

    def visit(value, loc: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    report(loc + (key,), key, f"the key {key!r}")
                visit(item, loc + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, loc + (index,))
        elif isinstance(value, str):
            report(loc, value, yaml_path(loc))

    visit(yaml_file.data, ())
