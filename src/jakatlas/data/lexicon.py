"""The extraction lexicon (``lexicon.json``): words the extraction rules match, kept as data.

Adverse-event terms and their qualifiers, spelling variants of measure and disease names, upper-case
words that never name a trial, and route words. The extractor receives it only through its injected
vocabulary (:class:`jakatlas.extract.vocab.Vocabulary`), so a pipeline can be built with another one.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jakatlas.errors import DataFileError

__all__ = ["LEXICON_FILE", "Lexicon", "load_lexicon"]

LEXICON_FILE = "lexicon.json"


class Lexicon(BaseModel):
    """Word lists of the extraction rules (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    about: str = ""
    adverse_event_terms: tuple[str, ...] = Field(min_length=1)
    adverse_event_qualifiers: tuple[str, ...] = ()
    spelling_variants: tuple[tuple[str, str], ...] = ()
    not_trial_names: tuple[str, ...] = ()
    routes: dict[str, str] = Field(default_factory=dict)

    @field_validator("adverse_event_terms", "adverse_event_qualifiers")
    @classmethod
    def _no_blank(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not t.strip() or t != t.strip() for t in v):
            raise ValueError("terms must be non-empty and carry no surrounding spaces")
        return v

    @field_validator("spelling_variants")
    @classmethod
    def _lower_pairs(cls, v: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        for a, b in v:
            if a != a.lower() or b != b.lower() or a == b:
                raise ValueError(f"spelling variant pair {a!r}/{b!r}: two different lower-case spellings expected")
        return v

    @field_validator("not_trial_names")
    @classmethod
    def _upper(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [w for w in v if w != w.upper() or not w.isalpha()]
        if bad:
            raise ValueError(f"not_trial_names must be upper-case words: {bad[:3]}")
        return v


def load_lexicon(text: str | None = None) -> Lexicon:
    """The lexicon from ``text`` or, by default, the shipped ``lexicon.json`` (validated)."""
    if text is None:
        return _shipped()
    return _parse(text)


@cache
def _shipped() -> Lexicon:
    return _parse(resources.files("jakatlas.data").joinpath(LEXICON_FILE).read_text(encoding="utf-8"))


def _parse(text: str) -> Lexicon:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(LEXICON_FILE, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    try:
        return Lexicon.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or None
        raise DataFileError(LEXICON_FILE, err["msg"], field=where) from exc
