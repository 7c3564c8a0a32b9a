"""Find where the article ends in a plain-text web page dump.

Saved web pages carry site furniture after the article: a copyright line, "Posted on",
"« previous | next »" links, a table of contents, "Related Articles" and long lists of other
headlines. Plain text is never edited (offsets must index the file as read); instead
:func:`main_text_span` tells the NLP layer which range to read. The rules are generic: copyright
symbols and phrases, navigation phrases, and runs of short headline-like lines without sentence
punctuation.
"""

from __future__ import annotations

import re

__all__ = ["main_text_span"]

# A line that by itself marks the start of page furniture.
_MARKER = re.compile(
    r"""
    ^\W{0,3}(?:copyright\b|\(c\)\s*\d{4}|©)          # copyright line
    | ©\s*\d{4} | \bcopyright\s*©? \s*\d{4}           # copyright with a year
    | \ball\s+rights\s+reserved\b
    | ^\W{0,3}(?:posted|published)\s+(?:on|in|by)\b    # "Posted on ..."
    | \b(?:next|previous|prev)\s+(?:article|post|story|page)\b
    | ^\W{0,3}(?:related|recommended|more|popular|latest|featured|similar)\s+
      (?:articles|posts|stories|news|reading|content)\b
    | ^\W{0,3}table\s+of\s+contents\b
    | ^\W{0,3}(?:share\s+this|back\s+to\s+top|terms\s+(?:and|&)\s+conditions|privacy\s+policy
      |cookie\s+(?:policy|settings)|sign\s+up\s+for|subscribe\s+to)\b
    | [«»]
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_MID_SENTENCE = re.compile(r"[a-z0-9)\]%][.!?]\s+[A-Z]")
_WORD = re.compile(r"\w+")
_PROSE_MIN_CHARS = 150
_PROSE_MIN_WORDS = 20
_HEADLINE_MAX_CHARS = 120
_HEADLINE_MAX_WORDS = 16
_HEADLINE_RUN = 5
_MAX_TAIL_CHARS = 200_000  # page furniture is never longer than this


def _is_prose(line: str) -> bool:
    """A paragraph of running text: long, many words, sentence punctuation."""
    if len(line) < _PROSE_MIN_CHARS:
        return False
    if len(_WORD.findall(line, 0, 4000)) < _PROSE_MIN_WORDS:
        return False
    return bool(_SENTENCE_END.search(line) or _MID_SENTENCE.search(line))


def _is_headline(line: str) -> bool:
    """A short title-like line: few words and no sentence punctuation inside or at the end."""
    if not line or len(line) > _HEADLINE_MAX_CHARS:
        return False
    words = _WORD.findall(line)
    if not words or len(words) > _HEADLINE_MAX_WORDS:
        return False
    if line.endswith((".", ";", ",")) or _MID_SENTENCE.search(line):
        return False
    return line[0].isupper() or line[0].isdigit() or not line[0].isalnum()


def _trailing_lines(text: str) -> list[tuple[int, int]] | None:
    """``(start, end)`` of each line after the last prose paragraph, scanning from the end.

    ``None`` when there is no prose paragraph within reach of the end.
    """
    lines: list[tuple[int, int]] = []
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if len(text) - start > _MAX_TAIL_CHARS and end - start <= _MAX_TAIL_CHARS:
            return None
        line = text[start:end].strip()
        if _is_prose(line):
            break
        lines.append((start, end))
        end = start - 1
    if end <= 0:
        return None
    lines.reverse()
    return lines


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def main_text_span(text: str) -> tuple[int, int]:
    """Return ``(start, end)``: the range of ``text`` without trailing web-page boilerplate.

    Only what follows the last prose paragraph can be cut. The cut is made at the first line that
    looks like page furniture (copyright, "All rights reserved", "Next Article", "Related
    Articles", "Table of Contents", "Posted on", « ») or, failing that, at the start of a final run
    of at least five short headline-like lines. Reference lists and headings inside the article
    are kept. Leading and trailing whitespace is excluded; text without any prose paragraph is
    returned whole.
    """
    full = _trim(text, 0, len(text))
    tail = _trailing_lines(text)
    if tail is None:
        return full  # no prose paragraph near the end: nothing to anchor a cut on
    for start, end in tail:
        if _MARKER.search(text[start:end].strip()):
            return _trim(text, 0, start)
    run_start: int | None = None
    count = 0
    for start, end in tail:
        line = text[start:end].strip()
        if not line:
            continue
        if _is_headline(line):
            if run_start is None:
                run_start = start
            count += 1
        else:
            run_start, count = None, 0
    if run_start is not None and count >= _HEADLINE_RUN:
        return _trim(text, 0, run_start)
    return full
