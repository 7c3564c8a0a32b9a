"""Study assembly, as a plain stack over the annotated document.

``sentences`` (one typed view per sentence: entities, numbers, cues and drug roles) ->
``outcomes`` (the figures of each sentence, clause by clause; ``measures`` says which measure
each figure reports) -> ``drafts`` (the mutable study
records and what a sentence adds to one) -> ``targets`` (which studies a sentence is about, one
function per case) -> ``assemble`` (the discourse state that runs the stack in document order and
finishes the drafts into contract studies).
"""

from __future__ import annotations

from jakatlas.extract.assembly.assemble import Assembler, assemble
from jakatlas.extract.assembly.sentences import Ent, Sent, build_sentences

__all__ = ["Assembler", "Ent", "Sent", "assemble", "build_sentences"]
