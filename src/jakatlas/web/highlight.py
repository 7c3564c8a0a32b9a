"""Source text with extracted spans marked: escaped text, ``<mark>`` around merged span ranges."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = ["Highlight", "study_spans", "merge_spans", "highlight"]


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    label: str


def study_spans(data: dict[str, Any]) -> list[Highlight]:
    """The spans of a stored study: the study's own, then each outcome's (labelled by measure)."""
    out = [Highlight(s["start"], s["end"], "study") for s in data.get("spans", [])]
    for o in data.get("outcomes", []):
        out += [Highlight(s["start"], s["end"], str(o.get("measure") or "outcome")) for s in o.get("spans", [])]
    return out


def merge_spans(spans: Iterable[Highlight], length: int) -> list[Highlight]:
    """Clamp to ``[0, length)``, drop empty ranges and merge overlaps (labels joined)."""
    ranges = sorted((max(0, min(h.start, length)), max(0, min(h.end, length)), h.label) for h in spans)
    merged: list[list[Any]] = []
    for start, end, label in ranges:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if label not in merged[-1][2]:
                merged[-1][2].append(label)
        else:
            merged.append([start, end, [label]])
    return [Highlight(s, e, ", ".join(labels)) for s, e, labels in merged]


def highlight(text: str, spans: Iterable[Highlight]) -> Markup:
    """HTML of ``text`` with every span in a ``<mark>``; all document text is escaped."""
    parts: list[str] = []
    pos = 0
    for i, h in enumerate(merge_spans(spans, len(text))):
        parts.append(str(escape(text[pos:h.start])))
        parts.append(f'<mark id="span-{i + 1}" title="{escape(h.label)}">{escape(text[h.start:h.end])}</mark>')
        pos = h.end
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))  # every piece above is escaped
