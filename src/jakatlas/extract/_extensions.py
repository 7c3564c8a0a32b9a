"""Every ``Doc``/``Span`` extension used by the extraction pipeline, registered in one place.

Components write plain Python objects (see :mod:`jakatlas.extract.types`) into these slots; the
assembler reads them. Registration is idempotent so that importing twice is harmless.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

__all__ = ["DOC_EXTENSIONS", "SPAN_EXTENSIONS", "doc_text", "may_hold_study", "register_extensions"]

#: Doc-level slots: name -> meaning.
DOC_EXTENSIONS: dict[str, str] = {
    "text": "str: the document text, kept once (``Doc.text`` rebuilds it from the tokens on every access).",
    "blocks": "list[Block]: paragraphs and headings, with character offsets (segmenter).",
    "sentences": "list[tuple[int, int]]: sentence character ranges (segmenter).",
    "main_span": "tuple[int, int]: the part of the text that is the document body (segmenter).",
    "abbreviations": "list[Abbreviation]: short forms defined in the text (Schwartz & Hearst 2003).",
    "quantities": "list[Quantity]: numbers, doses, frequencies, durations, p-values, CIs.",
    "cues": "list[Cue]: design, phase, ordinal, adverse-event, negation and hedge cues.",
    "studies": "list[Study]: assembled studies (contract models).",
}

#: Span-level slots on entities (``doc.ents``).
SPAN_EXTENSIONS: dict[str, str] = {
    "canonical": "str | None: canonical lower-case name of the entity (INN, disease name).",
    "variant": "str | None: disease subtype (erosive, nail, ...).",
    "negated": "bool: inside a NegEx (Chapman 2001) negation scope.",
    "hedged": "bool: inside a hedge scope ('may', 'might', 'suggest').",
}


def register_extensions() -> None:
    """Register all extensions (safe to call more than once)."""
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=False if name in ("negated", "hedged") else None)


register_extensions()


def doc_text(doc: Doc) -> str:
    """The text of ``doc``, cached in ``doc._.text`` on first use."""
    text: str | None = doc._.text
    if text is None:
        text = doc.text
        doc._.text = text
    return text


def may_hold_study(doc: Doc) -> bool:
    """A study needs a drug and a disease: without both among the entities, the number, cue and
    assembly components have nothing to do (their output would be empty anyway)."""
    labels = {e.label_ for e in doc.ents}
    return "DRUG" in labels and "DISEASE" in labels
