"""PubMed efetch XML (``PubmedArticleSet``) to one :class:`Document` per article.

The parser never resolves entities, loads a DTD or touches the network; documents declaring
entities (XXE, "billion laughs") are refused before parsing. Each article's text is its title, a
blank line and its abstract, labelled parts written ``LABEL: text`` one per line; everything else
(PMID, journal, year, DOI, MeSH, registry numbers, publication types and the design they hint at)
goes to :attr:`Document.structured`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from jakatlas.errors import InputError
from jakatlas.ingest._text import ACCEPTED, normalize_text, sha256_hex
from jakatlas.ingest.document import Document, Section, combine_records

__all__ = [
    "ARTICLE_TAGS",
    "DeletedCitation",
    "article_document",
    "article_pmid",
    "check_xml_safe",
    "iter_pubmed_stream",
    "iter_pubmed_updates",
    "parse_pubmed_text",
    "safe_xml_parser",
]

ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet", *ARTICLE_TAGS})
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_NCT = re.compile(r"\bNCT\d{8}\b")
_TRIAL_BANKS = frozenset({"clinicaltrials.gov", "isrctn", "eudract", "anzctr", "chictr", "drks", "ctri"})
_DESIGN_BY_TYPE: tuple[tuple[str, str], ...] = (
    ("systematic review", "systematic_review"),
    ("meta-analysis", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("equivalence trial", "rct"),
    ("controlled clinical trial", "nonrandomized_trial"),
    ("observational study", "cohort"),
    ("case reports", "case_report"),
    ("review", "narrative_review"),
    ("scoping review", "narrative_review"),
)
_PHASE_BY_TYPE = {"phase i": "1", "phase ii": "2", "phase iii": "3", "phase iv": "4"}


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and never uses the network."""
    return etree.XMLParser(**_PARSER_OPTIONS)


def _entity_error(label: str) -> InputError:
    return InputError(
        f"{label} declares XML entities (<!ENTITY> in its DOCTYPE), which are refused for safety "
        "(entity expansion and external entities); remove the internal DTD subset and try again."
    )


def check_xml_safe(head: str, label: str, *, complete: bool) -> None:
    """Refuse entity declarations; ``head`` is the whole text when ``complete``, else a prefix."""
    if "<!ENTITY" in head:
        raise _entity_error(label)
    doctype = head.find("<!DOCTYPE")
    if not complete and doctype >= 0:
        subset = head.find("[", doctype)
        closing = head.find(">", doctype)
        if subset >= 0 and (closing < 0 or subset < closing) and head.find("]", subset) < 0:
            raise InputError(
                f"{label} has an internal DTD subset too long to check; remove it and try again."
            )


def _check_tree(tree: etree._ElementTree, label: str) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _entity_error(label)


def _syntax_error(exc: etree.XMLSyntaxError, label: str) -> InputError:
    line, column = exc.position if exc.position else (exc.lineno, 0)
    message = (exc.msg or str(exc)).strip()
    return InputError(
        f"{label}: malformed XML at line {line}, column {column}: {message}; fix or re-export the file."
    )


def _root_error(tag: str, label: str) -> InputError:
    return InputError(
        f"{label}: XML root <{tag}> is not a PubMed efetch PubmedArticleSet; "
        f"give {ACCEPTED} (PubMed XML from efetch with retmode=xml)."
    )


def _clean(text: str | None) -> str:
    return normalize_text(" ".join(text.split())) if text else ""


def _all_text(el: etree._Element | None) -> str:
    return _clean("".join(el.itertext())) if el is not None else ""


def _first(el: etree._Element, *paths: str) -> etree._Element | None:
    for path in paths:
        found = el.find(path)
        if found is not None:
            return found
    return None


def _texts(el: etree._Element, path: str) -> list[str]:
    return [t for t in (_all_text(e) for e in el.iterfind(path)) if t]


_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_ARTICLE_YEARS = ("Journal/JournalIssue/PubDate/Year", "Journal/JournalIssue/PubDate/MedlineDate", "ArticleDate/Year")
_BOOK_YEARS = ("Book/PubDate/Year", "Book/PubDate/MedlineDate")


def _year(art: etree._Element | None, book: etree._Element | None) -> int | None:
    """The year of the journal issue, else of the electronic article, else of the book."""
    places = [(art, p) for p in _ARTICLE_YEARS] + [(book, p) for p in _BOOK_YEARS]
    for parent, path in places:
        if parent is not None:
            match = _YEAR.search(_all_text(parent.find(path)))
            if match:
                return int(match.group(1))
    return None


def _doi(article: etree._Element) -> str | None:
    for el in article.iterfind("./PubmedData/ArticleIdList/ArticleId"):
        if (el.get("IdType") or "").lower() == "doi" and _all_text(el):
            return _all_text(el)
    for el in article.iterfind(".//ELocationID"):
        if (el.get("EIdType") or "").lower() == "doi" and _all_text(el):
            return _all_text(el)
    return None


def _databanks(article: etree._Element) -> tuple[dict[str, list[str]], list[str]]:
    banks: dict[str, list[str]] = {}
    registry: list[str] = []
    for bank in article.iterfind(".//DataBankList/DataBank"):
        name = _all_text(bank.find("DataBankName"))
        numbers = _texts(bank, "./AccessionNumberList/AccessionNumber")
        banks.setdefault(name, []).extend(numbers)
        if name.lower() in _TRIAL_BANKS or any(_NCT.fullmatch(n) for n in numbers):
            registry.extend(n for n in numbers if n not in registry)
    return banks, registry


def _design_hint(types: list[str], mesh: list[str]) -> str | None:
    lowered = {t.lower() for t in types}
    for name, design in _DESIGN_BY_TYPE:
        if name in lowered:
            return design
    if "Animals" in mesh and "Humans" not in mesh:
        return "preclinical"
    return None


def _phase_hint(types: list[str]) -> str | None:
    phases = []
    for t in types:
        match = re.fullmatch(r"clinical trial, (phase [iv]+)", t.lower())
        if match and match.group(1) in _PHASE_BY_TYPE:
            phases.append(_PHASE_BY_TYPE[match.group(1)])
    return "/".join(sorted(set(phases))) or None


def _authors(article: etree._Element) -> list[str]:
    names = []
    for author in article.iterfind(".//AuthorList/Author"):
        collective = _all_text(author.find("CollectiveName"))
        last = _all_text(author.find("LastName"))
        initials = _all_text(author.find("Initials"))
        name = collective or " ".join(p for p in (last, initials) if p)
        if name:
            names.append(name)
    return names


def _version(pmid_el: etree._Element | None) -> int:
    raw = pmid_el.get("Version", "1") if pmid_el is not None else "1"
    return int(raw) if raw.strip().isdigit() else 1


@dataclasses.dataclass(frozen=True, slots=True)
class DeletedCitation:
    """A PMID withdrawn by an update file's ``<DeleteCitation>`` element."""

    pmid: str
    version: int


def _pmid_element(article: etree._Element) -> etree._Element | None:
    return _first(article, "MedlineCitation/PMID", "BookDocument/PMID")


def article_pmid(article: etree._Element) -> str | None:
    """The PMID of a ``PubmedArticle``/``PubmedBookArticle`` element (without reading the rest)."""
    return _all_text(_pmid_element(article)) or None


def article_document(article: etree._Element, *, sha256: str | None = None) -> Document:
    """Build the :class:`Document` of one ``PubmedArticle``/``PubmedBookArticle`` element."""
    cit = article.find("MedlineCitation")  # a journal article's record; a book's is BookDocument
    book = article.find("BookDocument") if cit is None else None
    art = cit.find("Article") if cit is not None else None
    pmid_el = _pmid_element(article)
    pmid = _all_text(pmid_el)
    title_el = art.find("ArticleTitle") if art is not None else None
    if title_el is None and book is not None:
        title_el = _first(book, "ArticleTitle", "Book/BookTitle")
    title = _all_text(title_el) or (_all_text(art.find("VernacularTitle")) if art is not None else "")
    parts: list[tuple[str | None, str | None, str]] = []
    body_el = art if art is not None else book
    abstract = body_el.find("Abstract") if body_el is not None else None
    if abstract is not None:
        for el in abstract.iterfind("AbstractText"):
            body = _all_text(el)
            if body:
                parts.append((el.get("Label"), el.get("NlmCategory"), body))
    text, sections = title, [Section("title", 0, len(title))] if title else []
    if parts:
        text += "\n\n" if text else ""
        abstract_start = len(text)
        for label, _category, body in parts:
            text += "\n" if len(text) > abstract_start else ""
            start = len(text)
            text += f"{label}: {body}" if label else body
            if label:
                sections.append(Section(f"abstract:{label}", start, len(text)))
        sections.append(Section("abstract", abstract_start, len(text)))
    mesh = _texts(cit, "MeshHeadingList/MeshHeading/DescriptorName") if cit is not None else []
    types = _texts(article, ".//PublicationTypeList/PublicationType")
    banks, registry = _databanks(article)
    journal = art.find("Journal") if art is not None else None
    structured: dict[str, Any] = {
        "pmid": pmid or None,
        "pmid_version": _version(pmid_el),
        "title": title or None,
        "abstract": "\n".join(f"{lb}: {b}" if lb else b for lb, _c, b in parts) or None,
        "abstract_sections": [{"label": lb, "category": c, "text": b} for lb, c, b in parts],
        "journal": (_all_text(journal.find("Title")) or None) if journal is not None else None,
        "journal_abbrev": (_all_text(journal.find("ISOAbbreviation")) or None) if journal is not None else None,
        "year": _year(art, book),
        "doi": _doi(article),
        "authors": _authors(article),
        "language": _texts(article, ".//Language"),
        "mesh": mesh,
        "keywords": _texts(article, ".//KeywordList/Keyword"),
        "publication_types": types,
        "design_hint": _design_hint(types, mesh),
        "phase_hint": _phase_hint(types),
        "registry_ids": registry,
        "databanks": banks,
    }
    warnings = [] if text else [f"PMID {pmid or '?'} has neither a title nor an abstract."]
    if sha256 is None:
        sha256 = sha256_hex(etree.tostring(article, with_tail=False))
    return Document(
        text=text,
        kind="pubmed_xml",
        sha256=sha256,
        source_id=f"PMID:{pmid}" if pmid else "PMID:?",
        title=title or None,
        sections=sections,
        structured=structured,
        warnings=warnings,
    )


def parse_pubmed_text(
    text: str, *, sha256: str, label: str, warnings: list[str], source_id: str | None = None
) -> Document:
    """Parse a whole PubMed XML text: one article -> its document; several -> a combined one."""
    check_xml_safe(text, label, complete=True)
    declaration = _XML_DECL.match(text)
    if declaration:  # lxml refuses str input with an encoding declaration; keep line/column numbers
        text = re.sub(r"[^\n]", " ", declaration.group(0)) + text[declaration.end() :]
    try:
        root = etree.fromstring(text, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label) from None
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(f"{label}: cannot parse the XML ({exc}); fix or re-export the file.") from None
    _check_tree(root.getroottree(), label)
    if not isinstance(root.tag, str) or root.tag not in _ROOT_TAGS:
        raise _root_error(str(root.tag), label)
    articles = [root] if root.tag in ARTICLE_TAGS else [el for el in root if el.tag in ARTICLE_TAGS]
    if not articles:
        raise InputError(f"{label} is empty: the PubMed XML has no PubmedArticle records; check the export.")
    if len(articles) == 1:
        doc = article_document(articles[0], sha256=sha256)
        return dataclasses.replace(doc, warnings=warnings + doc.warnings)
    records = [article_document(a) for a in articles]
    return combine_records(
        records, sha256=sha256, source_id=source_id or label, kind="pubmed_xml", warnings=warnings
    )


def iter_pubmed_stream(stream: IO[bytes], label: str) -> Iterator[Document]:
    """Parse PubMed XML incrementally and yield one document per article (constant memory)."""
    count = 0
    for item in _iter_stream(stream, label):
        if isinstance(item, Document):
            count += 1
            yield item
    if count == 0:
        raise InputError(f"{label} is empty: the PubMed XML has no PubmedArticle records; check the export.")


def iter_pubmed_updates(stream: IO[bytes], label: str) -> Iterator[Document | DeletedCitation]:
    """Like :func:`iter_pubmed_stream` for baseline and daily update files (NLM's annual baseline
    format): articles and ``<DeleteCitation>`` PMIDs, in document order."""
    count = 0
    for item in _iter_stream(stream, label):
        count += 1
        yield item
    if count == 0:
        raise InputError(
            f"{label} is empty: no PubmedArticle or DeleteCitation records; check the export."
        )


def _iter_stream(stream: IO[bytes], label: str) -> Iterator[Document | DeletedCitation]:
    head = stream.read(1 << 20)
    check_xml_safe(head.decode("latin-1"), label, complete=len(head) < 1 << 20)
    stream.seek(0)
    context = etree.iterparse(stream, events=("start", "end"), **_PARSER_OPTIONS)
    depth = 0
    try:
        for event, el in context:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_tree(el.getroottree(), label)
                    if el.tag not in _ROOT_TAGS:
                        raise _root_error(str(el.tag), label)
                continue
            depth -= 1
            if el.tag in ARTICLE_TAGS and depth <= 1:
                yield article_document(el)
            elif el.tag == "DeleteCitation" and depth == 1:
                for pmid in el.iterfind("PMID"):
                    if _all_text(pmid):
                        yield DeletedCitation(_all_text(pmid), _version(pmid))
            else:
                continue
            el.clear(keep_tail=True)
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, label) from None
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(f"{label}: cannot parse the XML ({exc}); fix or re-export the file.") from None
