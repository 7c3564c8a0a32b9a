"""The matching vocabulary: knowledge-base names turned into phrase patterns.

Drugs (INNs, development codes, brands, synonyms), diseases (names, synonyms, abbreviations,
variants), cytokines, outcome measures and the four JAKs become :class:`Term` objects. Short
upper-case forms ("HS", "MTX", "EASI") are matched case-sensitively, everything else on lower
case. The vocabulary is built once per process and registered as ``"jakatlas.vocabulary.v1"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from spacy.util import registry

from jakatlas.data import knowledge_base
from jakatlas.data._kb import KnowledgeBase, norm_key
from jakatlas.data.lexicon import Lexicon, load_lexicon
from jakatlas.models.knowledge import JAKS

__all__ = ["CLASS_ID", "GENERIC_VARIANTS", "JAK_STEM", "Term", "Vocabulary", "build_vocabulary", "default_vocabulary"]

#: Knowledge-base id of the unnamed drug class; its canonical name is 'jak inhibitor'.
CLASS_ID = "jak_inhibitor"
_JAK_CLASSES = frozenset({"jak_inhibitor", "tyk2_inhibitor"})
_CLASS_FALLBACK = ("JAK inhibitor", "JAK inhibitors", "JAK inhibition", "JAKi", "Janus kinase inhibitor",
                   "Janus kinase inhibitors", "Janus kinase inhibition")
_JAK_NAMES = {"jak1": ("Janus kinase 1",), "jak2": ("Janus kinase 2",), "jak3": ("Janus kinase 3",),
              "tyk2": ("tyrosine kinase 2",)}
#: INN stem of Janus kinase inhibitors (WHO INN stem book: '-citinib'); a name with it is a JAK inhibitor
#: even when the knowledge base does not list it.
JAK_STEM = "citinib"
#: Subtype words written before a disease name that name a clinical variant (not severity).
GENERIC_VARIANTS = frozenset({
    "erosive", "nail", "oral", "genital", "mucosal", "cutaneous", "pustular", "palmoplantar", "scalp",
    "facial", "generalized", "generalised", "localized", "localised", "linear", "plaque", "erythrodermic",
    "bullous", "hypertrophic", "ulcerative", "juvenile", "pediatric", "paediatric", "segmental",
    "nonsegmental", "non-segmental", "acral", "vulvar", "esophageal", "follicular", "annular", "guttate",
    "inverse", "diffuse", "limited", "frontal", "eyebrow", "ophthalmic", "pemphigoid", "chronic hand",
    "hand", "perianal", "subacute", "acute", "chronic", "discoid", "systemic",
})


@dataclass(frozen=True, slots=True)
class Term:
    """One pattern: surface ``text`` -> entity ``label``/``id`` with its canonical name."""

    text: str
    label: str
    id: str
    canonical: str
    variant: str | None = None
    exact_case: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Terms plus the lookups the assembler needs (drug classes, variant words, display names)."""

    terms: tuple[Term, ...]
    drug_names: dict[str, str] = field(default_factory=dict)
    jak_drugs: frozenset[str] = frozenset()
    placebo_drugs: frozenset[str] = frozenset()
    class_drugs: frozenset[str] = frozenset()
    disease_names: dict[str, str] = field(default_factory=dict)
    disease_variants: dict[str, dict[str, str]] = field(default_factory=dict)
    measure_names: dict[str, str] = field(default_factory=dict)
    cytokine_index: dict[str, str] = field(default_factory=dict)
    #: Measures on which lower is better (scores, counts): an 'improvement' of one is a fall.
    falling_measures: frozenset[str] = frozenset()
    #: Lower-case names and codes of the known drugs (an unknown '-tinib' name is a drug of its own).
    drug_forms: frozenset[str] = frozenset()
    #: Case-sensitive one-word short forms of outcome measures ('EASI', 'IGA') -> measure id.
    measure_short_forms: dict[str, str] = field(default_factory=dict)
    #: label -> normalised written name -> canonical name (for records with names but no text)
    names_by_label: dict[str, dict[str, str]] = field(default_factory=dict)
    lexicon: Lexicon = field(default_factory=load_lexicon)

    def canonical(self, label: str, name: str) -> str:
        """The canonical name of a written ``name`` of ``label`` ('Xeljanz' -> 'tofacitinib'); else ``name``."""
        return self.names_by_label.get(label, {}).get(norm_key(name), name)

    def is_jak(self, ident: str) -> bool:
        """A JAK/TYK2 inhibitor of the knowledge base, or an unlisted name with the INN stem."""
        return ident in self.jak_drugs or ident.endswith(JAK_STEM)

    def surface_forms(self, labels: Iterable[str]) -> list[str]:
        """All pattern texts for the given labels (for the relevance pre-screen)."""
        wanted = set(labels)
        return [t.text for t in self.terms if t.label in wanted]


def _exact(text: str) -> bool:
    """Short forms with capitals ('HS', 'MTX', 'SSc') are matched case-sensitively."""
    compact = text.replace("-", "").replace(" ", "")
    return len(compact) <= 5 and any(c.isupper() for c in compact)


def _code_variants(code: str) -> set[str]:
    """'PF-06651600' -> also 'PF06651600' and 'PF 06651600'; 'INCB054707' -> also 'INCB-054707'."""
    out = {code, code.replace("-", ""), code.replace("-", " ")}
    m = re.fullmatch(r"([A-Za-z]+)-?(\d+)", code)
    if m:
        out |= {f"{m[1]}-{m[2]}", f"{m[1]}{m[2]}"}
    return out


def _specific_label(form: str, label: str, names: list[str]) -> str:
    """The variant label, kept as specific as the written form: 'erosive vulvovaginal' for
    'erosive vulvovaginal lichen planus' and 'erosive oesophageal' for 'oesophageal lichen planus'
    (both forms of the erosive variant); abbreviations ('ELP') keep the plain label."""
    own = _variant_label(form, names)
    words = own.split()
    if own == label or not words or not all(w.isalpha() and w in form for w in words):
        return label
    if set(label.split()) <= set(words):
        return own
    if len(words) == 1 and len(own) >= 5 and " " not in label:
        return f"{label} {own}"
    return label


def _variant_label(variant: str, names: list[str]) -> str:
    """'erosive lichen planus' -> 'erosive' (the words that are not the disease's name)."""
    low = variant.lower()
    for name in sorted(names, key=len, reverse=True):
        if name and name.lower() in low:
            rest = low.replace(name.lower(), " ").strip(" ,-")
            return re.sub(r"\s+", " ", rest) or low
    return low


def spelling_variants(text: str, pairs: Iterable[tuple[str, str]]) -> set[str]:
    """``text`` with each listed spelling swapped for its pair ('Numeric' -> 'Numerical'), lower case."""
    low = text.lower()
    out: set[str] = set()
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            swapped = re.sub(rf"(?<![\w'-]){re.escape(x)}(?![\w'-])", y, low)
            if swapped != low:
                out.add(swapped)
    return out


def build_vocabulary(kb: KnowledgeBase, lexicon: Lexicon | None = None) -> Vocabulary:
    """Turn the knowledge base (and the extraction lexicon) into matching terms and lookups."""
    lexicon = lexicon or load_lexicon()
    terms: list[Term] = []

    def add(text: str, label: str, ident: str, canonical: str, variant: str | None = None) -> None:
        text = text.strip()
        if len(text) >= 2:
            terms.append(Term(text, label, ident, canonical, variant, _exact(text)))
            words = text.split()
            if label in ("DRUG", "DISEASE") and 2 <= len(words) <= 3 and "-" not in text:
                terms.append(Term("-".join(words), label, ident, canonical, variant, False))
            if label == "OUTCOME_MEASURE" and len(words) >= 3 and "-" not in words[0]:
                # 'Facial-Vitiligo Area Scoring Index': the first word joined by a hyphen
                terms.append(Term(f"{words[0]}-{' '.join(words[1:])}", label, ident, canonical, variant, False))
            if not _exact(text):
                for form in spelling_variants(text, lexicon.spelling_variants):
                    terms.append(Term(form, label, ident, canonical, variant, False))

    drug_names: dict[str, str] = {}
    jak: set[str] = set()
    placebo: set[str] = set()
    classes: set[str] = set()
    for d in kb.drugs.values():
        drug_names[d.id] = d.name
        if d.drug_class in _JAK_CLASSES:
            jak.add(d.id)
        elif d.drug_class == "placebo":
            placebo.add(d.id)
        elif d.drug_class == "drug_class":
            classes.add(d.id)
        names = [d.name, *d.brands, *d.synonyms]
        if d.id != d.name and "_" not in d.id:
            names.append(d.id)
        for code in d.codes:
            names.extend(_code_variants(code))
        for n in dict.fromkeys(names):
            add(n, "DRUG", d.id, d.name)
    if CLASS_ID not in drug_names:
        drug_names[CLASS_ID] = "jak inhibitor"
        classes.add(CLASS_ID)
        for n in _CLASS_FALLBACK:
            add(n, "DRUG", CLASS_ID, "jak inhibitor")

    disease_names: dict[str, str] = {}
    variants: dict[str, dict[str, str]] = {}
    for x in kb.diseases.values():
        disease_names[x.id] = x.name
        base = [x.name, *x.synonyms]
        for n in dict.fromkeys([*base, *x.abbreviations]):
            add(n, "DISEASE", x.id, x.name)
        vmap: dict[str, str] = {}
        for v in x.variants:
            label = _variant_label(v.name, base)
            for form in dict.fromkeys([v.name, *v.synonyms]):
                specific = _specific_label(form, label, [*base, *x.abbreviations])
                if " " in form.strip() or form.lower() not in {label}:
                    add(form, "DISEASE", x.id, x.name, specific)
                vmap[_variant_label(form, base)] = specific
            vmap[label] = label
        variants[x.id] = vmap

    measures: dict[str, str] = {}
    falling = frozenset(o.id for o in kb.outcomes.values() if o.higher_is_better is False and o.kind != "responder")
    for o in kb.outcomes.values():
        display = o.abbreviation or o.name
        if o.abbreviation and o.name.lower().startswith(o.abbreviation.lower() + " ") and len(o.name.split()) == 2:
            display = o.name  # 'AN count', 'Hurley stage': the abbreviation alone names no measure
        measures[o.id] = display
        for n in dict.fromkeys([o.name, *( [o.abbreviation] if o.abbreviation else []), *o.synonyms]):
            add(n, "OUTCOME_MEASURE", o.id, display)

    cyto_index: dict[str, str] = {}
    for c in kb.cytokines.values():
        for n in dict.fromkeys([c.name, *c.synonyms]):
            add(n, "CYTOKINE", c.id, c.name)
            cyto_index.setdefault(norm_key(n), c.id)

    for j in JAKS:
        jid = j.lower()
        add(j, "JAK", jid, j)
        for n in _JAK_NAMES.get(jid, ()):
            add(n, "JAK", jid, j)

    return Vocabulary(
        terms=tuple(terms), drug_names=drug_names, jak_drugs=frozenset(jak), placebo_drugs=frozenset(placebo),
        class_drugs=frozenset(classes), disease_names=disease_names, disease_variants=variants,
        measure_names=measures, cytokine_index=cyto_index, falling_measures=falling, lexicon=lexicon,
        drug_forms=frozenset(t.text.lower() for t in terms if t.label == "DRUG"),
        names_by_label=_names_by_label(terms),
        measure_short_forms={t.text: t.id for t in terms
                             if t.label == "OUTCOME_MEASURE" and t.exact_case and " " not in t.text},
    )


def _names_by_label(terms: list[Term]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t in terms:
        out.setdefault(t.label, {}).setdefault(norm_key(t.text), t.canonical)
    return out


@cache
def default_vocabulary() -> Vocabulary:
    """The vocabulary of the shipped knowledge base (built once per process)."""
    return build_vocabulary(knowledge_base())


@registry.misc("jakatlas.vocabulary.v1")
def make_vocabulary() -> Vocabulary:
    """Registered factory: the shipped knowledge base's vocabulary."""
    return default_vocabulary()
