"""The seed report's sentences, and how many of them a built file's text holds.

The seed (tests/seed/surrey-pdu.txt) is the text of the published PDF. Layout artefacts are
removed (Markdown-style link syntax, ``**``, superscript footnote numbers, the contents page's
page numbers, tabs); the rest is split into sentences and compared with white space folded.
"""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parent / "seed" / "surrey-pdu.txt"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"


def _fold(text: str) -> str:
    """Fold white space, ligatures, curly quotes (the seed's text has straight ones; ours are
    curly) and footnote calls (a digit glued to a word: 'rating4 for')."""
    text = text.replace("\u00a0", " ").replace("\u00ad", "")
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("ﬁ", "fi").replace("ﬂ", "fl").replace("ﬀ", "ff").replace("ﬃ", "ffi")
    text = re.sub(r"\[\d+\]", "", text)  # our footnote calls: "rating[4] for"
    text = re.sub(f"[{SUPERSCRIPTS}]", "", text)
    text = re.sub(r"(?<=[A-Za-z,.])[1-9](?=[\s,.]|$)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_sentences() -> list[str]:
    sentences = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if re.search(r"\t\d+$", line):  # contents page entry with its page number
            continue
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # [text](url) -> text
        line = line.replace("**", "").replace("\\(", "(").replace("\\)", ")").replace("\t", " ")
        line = re.sub(r"^\s*(- |\d+\. (?=[a-z]))", "", line)  # list markers
        for piece in re.split(r"(?<=[.?!])\s+(?=[A-Z0-9“\"'(])", _fold(line)):
            if len(piece.strip()) > 1:
                sentences.append(piece.strip())
    return sentences


def coverage(text: str) -> tuple[int, int, list[str]]:
    """(found, total, missing) of the seed's sentences in `text`."""
    haystack = _fold(text)
    sentences = seed_sentences()
    missing = [s for s in sentences if s not in haystack]
    return len(sentences) - len(missing), len(sentences), missing
