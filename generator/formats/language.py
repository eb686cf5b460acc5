"""Language tags as the checks read them in a file: `well_formed` says whether a PDF's /Lang, a
DOCX's w:lang or an HTML lang value is a well-formed BCP 47 tag (RFC 5646 section 2.1, its
grammar: language, extlang, script, region, variants, extensions, private use, and the
grandfathered tags), but for the primary language subtag of four to eight letters, which the RFC
reserves and the IANA registry has never used: "english" or "welsh" is a name, not a tag. Otherwise
the subtags are not looked up in the registry.
"""

from __future__ import annotations

import re

_GRANDFATHERED = ("en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|"
                  "i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|"
                  "zh-min|zh-min-nan|zh-xiang")
_LANGTAG = (r"[a-z]{2,3}(?:-[a-z]{3}){0,3}"  # language, extlang
            r"(?:-[a-z]{4})?"  # script
            r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
            r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
            r"(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*"  # extensions
            r"(?:-x(?:-[a-z0-9]{1,8})+)?")  # private use
BCP47 = re.compile(rf"(?:{_LANGTAG}|x(?:-[a-z0-9]{{1,8}})+|{_GRANDFATHERED})", re.I)
MAX_TAG = 100  # longer is no tag a language needs (and the pattern reads at most this much)


def well_formed(tag: str) -> bool:
    """`tag` (as found: no white space around it) is a well-formed BCP 47 language tag."""
    return len(tag) <= MAX_TAG and BCP47.fullmatch(tag) is not None
