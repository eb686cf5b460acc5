"""The `prose-rating` lint: a chapter's text that states a rating the findings contradict.

A sentence that speaks of rating ("rated", "rating") and names a rating word of the framework's
scale (its labels, as written there or quoted in any case: never a list of our own) is a claim about what it names last before that
word (else first after it): a standard (by id, code or title), a domain ("domain two",
"domain 2" or its title), or,
when it names neither, the standard whose `::: standard` block it is in, or else the overall
rating when it says "overall". If the computed rating differs, the claim is a warning at its
line, with the fix: print the computed rating (`{{ standards["P2.1"].rating.label }}`) instead
of writing the word. A heuristic, so a warning, never an error; it reads the merged text, so a
rating printed from the findings never contradicts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.diagnostics import Diagnostics
from generator.stages.merge import MergedChapter
from generator.stages.parse.extensions import MARKER_RE
from generator.stages.parse.lints import source_line, source_lines
from generator.stages.resolve import Resolved, ResolvedStandard

CUE = re.compile(r"\brat(?:ed|ing|ings)\b", re.I)
OVERALL = re.compile(r"\boverall\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve").split()


@dataclass(frozen=True)
class Claim:
    kind: str  # "standard", "domain", "overall"
    key: str  # a standard's or a domain's id
    start: int
    end: int


def _words(text: str, case: bool = False) -> str:
    """A phrase as a pattern (case-insensitive unless `case`), white space flexible, not inside a
    longer word."""
    body = r"\s+".join(map(re.escape, text.split()))
    return r"(?<![\w])" + (body if case else f"(?i:{body})") + r"(?![\w])"


def _code(code: str) -> str:
    """'P 2.1' or 'P2.1' both name the standard coded 'P 2.1'."""
    return r"(?<![\w.])(?i:" + r"\s*".join(map(re.escape, code.split())) + r")(?![\w]|\.\d)"


class ProseRatings:
    """The patterns of one report's framework and its computed ratings, made once."""

    def __init__(self, resolved: Resolved):
        self.resolved = resolved
        fw = resolved.framework
        labels = sorted(dict.fromkeys(s.label for s in fw.all_ratings), key=len, reverse=True)
        # a rating word is a label as the framework writes it ("Good"), or quoted in any case
        # ("'good'"): a lower-case good in running text is English, not a rating
        quoted = [r"(?<=['‘\"“])(?i:" + r"\s+".join(map(re.escape, label.split())) + r")(?=['’\"”])" for label in labels]
        self.labels = re.compile("|".join([_words(label, case=True) for label in labels] + quoted)) if labels else None
        self.standards = resolved.standards
        self.targets: list[tuple[re.Pattern, str, str]] = []
        for rs in self.standards.values():
            if rs.rating is None:
                continue
            names = {_code(rs.id), _code(rs.standard.code or rs.id), _words(rs.standard.title)}
            self.targets += [(re.compile(n), "standard", rs.id) for n in names]
        for domain in fw.domains:
            names = [_words(domain.title), _words(f"domain {domain.id}")]
            if domain.id.isdigit() and int(domain.id) < len(NUMBER_WORDS):
                names.append(_words(f"domain {NUMBER_WORDS[int(domain.id)]}"))
            self.targets += [(re.compile(n), "domain", domain.id) for n in names]

    def claims(self, sentence: str) -> list[Claim]:
        found = []
        for pattern, kind, key in self.targets:
            found += [Claim(kind, key, m.start(), m.end()) for m in pattern.finditer(sentence)]
        return found

    def check(self, chapter: MergedChapter, diags: Diagnostics) -> None:
        if self.labels is None:
            return
        current = None  # the standard whose `::: standard` block the text is in
        for number, line in enumerate(source_lines(chapter.text), 1):
            marker = MARKER_RE.match(line)
            if marker:
                if marker[1] == "standard":
                    current = (marker[2] or "").strip()
                continue
            for sentence in SENTENCE_END.split(line):
                if not CUE.search(sentence):
                    continue
                for word in self.labels.finditer(sentence):
                    problem = self._contradiction(sentence, word, current)
                    if problem:
                        diags.warning("prose-rating", problem, chapter.source.path, source_line(chapter, number))

    def _contradiction(self, sentence: str, word: re.Match, current: str | None) -> str | None:
        said = word[0]
        claims = self.claims(sentence)
        before = [c for c in claims if c.end <= word.start()]
        if claims:  # what the sentence names last before the word ("P2.1 was rated Good"), else first after it
            near = max(before, key=lambda c: c.end) if before else min(claims, key=lambda c: c.start)
        elif current in self.standards:
            near = Claim("standard", current, 0, 0)
        elif OVERALL.search(sentence) and self.resolved.overall is not None:
            near = Claim("overall", "", 0, 0)
        else:
            return None
        if near.kind == "overall":
            actual = self.resolved.overall.label
            if actual.lower() != said.lower():
                return (f"the text says the overall rating is '{said}', but the findings give '{actual}': "
                        "write {{ overall }} instead of the word, or reword")
            return None
        if near.kind == "domain":
            rated = [rs for rs in self.standards.values() if rs.domain.id == near.key and rs.rating is not None]
            wrong = next((rs for rs in rated if rs.rating.label.lower() != said.lower()), None)
            if wrong is None:
                return None
            return (f"the text says domain {near.key}'s standards are rated '{said}', but "
                    f"{_name(wrong)} is rated '{wrong.rating.label}': {_fix(wrong)}")
        rs = self.standards[near.key]
        if rs.rating is None or rs.rating.label.lower() == said.lower():
            return None
        return f"the text says {_name(rs)} is rated '{said}', but the findings give '{rs.rating.label}': {_fix(rs)}"


def _name(rs: ResolvedStandard) -> str:
    return f"{rs.standard.code} {rs.standard.title}" if rs.standard.code else rs.standard.title


def _fix(rs: ResolvedStandard) -> str:
    return f"write {{{{ standards[\"{rs.id}\"].rating.label }}}} instead of the word, or reword"
