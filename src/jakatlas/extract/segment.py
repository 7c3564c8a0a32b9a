"""Blocks (paragraphs, headings, reference lists) and sentences, as character ranges.

A rule-based splitter in the spirit of Punkt (Kiss & Strunk 2006) without training: a sentence
ends at ``.``, ``!`` or ``?`` (optionally followed by a closing quote or bracket) before
whitespace and an upper-case letter, digit or opening quote, unless the period closes a known
abbreviation ("Prof.", "et al.", "e.g.") or an initial. Line breaks always end a sentence. A
heading is a short line without final punctuation followed by more text; a ``Label: value``
line (registry records, structured abstracts) is a field, never a heading.
"""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from jakatlas.extract._extensions import doc_text
from jakatlas.extract.types import Block

__all__ = ["Segmenter", "find_blocks", "make_segmenter", "segment", "split_sentences"]

_ABBREV = {
    "prof", "dr", "mr", "mrs", "ms", "vs", "al", "eg", "e.g", "ie", "i.e", "fig", "figs", "no", "nos", "approx",
    "ca", "cf", "st", "jr", "sr", "vol", "ref", "refs", "inc", "ltd", "co", "dept", "univ", "mt", "resp",
    "incl", "max", "min", "suppl", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "b.i.d", "t.i.d", "q.d", "u.s", "u.k", "p",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9ΑΒΓΔα-ω])")
# a question mark before a figure ('P ? 0.05', where a corpus lost '≤') ends no sentence
_FIGURE_AFTER = re.compile(r"\s+\d")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_LINE = re.compile(r"[^\n]+")
_REFERENCE = re.compile(
    r"^\s*(?:[-•*]\s*|\[?\d{1,3}[.)\]]\s+)?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?,? [A-Z]{1,3}(?:,| et al)"
    r"|\bet al\.?[,.]? .{0,80}\b(?:19|20)\d\d\s*[;:,.]|^\s*(?:doi:|https?://)|(?:19|20)\d\d;\s*\d+\s*[(:]"
)
# 'Phase: 2', 'Active comparator arm (n=23): ...', 'DESIGN, SETTING AND PARTICIPANTS: ...' (a title such as
# 'Tofacitinib for granulomatous skin disease: a case series' has a longer, mixed-case label)
_FIELD = re.compile(r"^\s*(?:[A-Z][\w'’()/-]*,?(?: [\w'’()/=&-]+,?){0,3}|[A-Z][A-Z0-9'’()/-]*,?(?: [A-Z0-9'’()/=&-]+,?)"
                    r"{0,5}):(?:\s+\S|\s*$)")
# 'Drug X: from pilot to pivotal', 'Older patients: a special case?': a section title
# with a lower-case subtitle (a field's value is a name, a number or a capitalised phrase)
_TITLED = re.compile(r"^\s*[A-Z][^:]{0,60}:\s+[a-z]")
_REF_HEADING = re.compile(r"^\s*(?:references?|bibliography|literature|sources?|-+)\s*:?\s*$", re.I)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ranges inside ``text[start:end]`` (one block, no line breaks expected)."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if text[m.start()] == "?" and _FIGURE_AFTER.match(text, stop):
            continue
        if text[m.start()] == ".":
            word = _LAST_WORD.search(text, max(cur, m.start() - 12), m.start() + 1)
            if word and (word.group(1).lower().rstrip(".") in _ABBREV or len(word.group(1)) == 1):
                continue
        if stop > cur:
            out.append(_strip(text, cur, stop))
        cur = stop
    if cur < end and text[cur:end].strip():
        out.append(_strip(text, cur, end))
    return [s for s in out if s[1] > s[0]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_heading(line: str, next_line: str | None) -> bool:
    words = line.split()
    if not words or next_line is None or len(words) > 16 or len(line) > 140:
        return False
    if line.rstrip()[-1] in ".;,!?:" or not (line.lstrip()[0].isupper() or line.lstrip()[0].isdigit()):
        return False
    return len(next_line.split()) > len(words) or next_line.rstrip()[-1:] in ".?!"


def _is_titled_heading(line: str, prev_field: bool, next_line: str | None, next_field: bool) -> bool:
    """A lone 'Title: lower-case subtitle' line between paragraphs is a heading, not a field."""
    if prev_field or next_field or next_line is None or not _TITLED.match(line):
        return False
    return _is_heading(line[:-1] if line.rstrip().endswith("?") else line, next_line)


def find_blocks(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Lines of ``text[start:end]`` classified as heading, reference entry or paragraph."""
    end = len(text) if end is None else end
    lines = [_strip(text, m.start(), m.end()) for m in _LINE.finditer(text, start, end)]
    lines = [ln for ln in lines if ln[1] > ln[0]]
    out: list[Block] = []
    in_refs = False
    seen_text = False  # a paragraph came before (a document's title line is not a section heading)
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if _REF_HEADING.match(line):
            in_refs = True
            out.append(Block(s, e, heading=False, reference=True))
            continue
        nxt = text[lines[i + 1][0]: lines[i + 1][1]] if i + 1 < len(lines) else None
        ref = in_refs or bool(_REFERENCE.search(line))
        if ref and not in_refs and len(line) > 400:
            ref = False
        field = not ref and bool(_FIELD.match(line))
        if field and seen_text and _is_titled_heading(line, bool(out and out[-1].field), nxt,
                                                      nxt is not None and bool(_FIELD.match(nxt))):
            field = False
            out.append(Block(s, e, heading=True, reference=False, field=False))
            continue
        heading = not ref and not field and _is_heading(line, nxt)
        seen_text = seen_text or not (ref or heading)
        out.append(Block(s, e, heading=heading, reference=ref, field=field))
    return out


def segment(text: str, *, main_text: bool = True) -> tuple[tuple[int, int], list[Block], list[tuple[int, int]]]:
    """Main-text range, blocks and sentences of ``text`` (headings and references are one sentence)."""
    if main_text:
        from jakatlas.ingest.boilerplate import main_text_span

        start, end = main_text_span(text)
    else:
        start, end = 0, len(text)
    blocks = find_blocks(text, start, end)
    sentences: list[tuple[int, int]] = []
    for b in blocks:
        if b.heading or b.reference:
            sentences.append((b.start, b.end))
        else:
            sentences.extend(split_sentences(text, b.start, b.end))
    return (start, end), blocks, sentences


class Segmenter:
    """Sets ``doc._.main_span``, ``doc._.blocks``, ``doc._.sentences`` and sentence starts."""

    def __init__(self, *, main_text: bool = True) -> None:
        self.main_text = main_text

    def __call__(self, doc: Doc) -> Doc:
        main, blocks, sentences = segment(doc_text(doc), main_text=self.main_text)
        doc._.main_span, doc._.blocks, doc._.sentences = main, blocks, sentences
        if len(doc):
            starts = numpy.full(len(doc), numpy.iinfo(numpy.uint64).max, dtype="uint64")  # -1: not a start
            starts[0] = 1
            for s, _ in sentences:
                span = doc.char_span(s, s + 1, alignment_mode="expand")
                if span is not None and len(span):
                    starts[span.start] = 1
            doc.from_array([SENT_START], starts.reshape(-1, 1))  # type: ignore[arg-type]  # one call, not per token
        return doc


@Language.factory(
    "jakatlas_segmenter",
    default_config={"main_text": True},
    assigns=["token.is_sent_start", "doc._.blocks", "doc._.sentences", "doc._.main_span"],
)
def make_segmenter(nlp: Language, name: str, *, main_text: bool) -> Segmenter:
    """Factory: blocks and sentences; ``main_text`` skips trailing web-page furniture."""
    return Segmenter(main_text=main_text)
