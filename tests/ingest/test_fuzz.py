"""Property tests: whatever the bytes, readers return a Document or raise InputError, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jakatlas.errors import InputError
from jakatlas.ingest import Document, detect_kind, iter_documents, main_text_span, read_document
from jakatlas.ingest.ctgov import render_study

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"<?xml version='1.0'?>",
    b"<!DOCTYPE html><html><body>",
    b"<PubmedArticleSet>",
    b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>",
    b"{",
    b'{"protocolSection": ',
    b'{"studies": [',
    b"[",
    b"<p>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
]
_PUBMED_TAGS = [
    "PubmedArticleSet",
    "PubmedArticle",
    "MedlineCitation",
    "PMID",
    "Article",
    "ArticleTitle",
    "Abstract",
    "AbstractText",
    "Journal",
    "PubDate",
    "Year",
    "MedlineDate",
    "DataBankList",
    "DataBank",
    "DataBankName",
    "AccessionNumberList",
    "AccessionNumber",
    "PublicationTypeList",
    "PublicationType",
    "MeshHeadingList",
    "MeshHeading",
    "DescriptorName",
    "PubmedData",
    "ArticleIdList",
    "ArticleId",
]
_CTGOV_KEYS = [
    "protocolSection",
    "resultsSection",
    "identificationModule",
    "nctId",
    "briefTitle",
    "officialTitle",
    "conditionsModule",
    "conditions",
    "designModule",
    "studyType",
    "phases",
    "designInfo",
    "allocation",
    "maskingInfo",
    "masking",
    "enrollmentInfo",
    "count",
    "armsInterventionsModule",
    "armGroups",
    "label",
    "type",
    "interventionNames",
    "interventions",
    "name",
    "armGroupLabels",
    "outcomesModule",
    "primaryOutcomes",
    "timeFrame",
    "measure",
    "outcomeMeasuresModule",
    "outcomeMeasures",
    "groups",
    "id",
    "title",
    "denoms",
    "counts",
    "groupId",
    "value",
    "classes",
    "categories",
    "measurements",
    "analyses",
    "groupIds",
    "pValue",
    "paramType",
    "unitOfMeasure",
    "adverseEventsModule",
    "eventGroups",
    "seriousEvents",
    "otherEvents",
    "stats",
    "numAffected",
    "numAtRisk",
    "seriousNumAffected",
    "seriousNumAtRisk",
    "term",
    "secondaryIdInfos",
    "studies",
]
_CTGOV_VALUES = [
    "INTERVENTIONAL",
    "OBSERVATIONAL",
    "RANDOMIZED",
    "NA",
    "PHASE2",
    "EXPERIMENTAL",
    "PLACEBO_COMPARATOR",
    "COUNT_OF_PARTICIPANTS",
    "OG000",
    "EG000",
    "Week 16",
    "Placebo",
    "Drug: X",
]


def _read_or_input_error(raw: bytes, name: str | None = None) -> Document | None:
    try:
        return read_document(raw, name=name)
    except InputError:
        return None


def _offsets_hold(doc: Document) -> None:
    for record in doc.iter_records():
        for section in record.sections:
            assert 0 <= section.start <= section.end <= len(record.text)
        start, end = main_text_span(record.text)
        assert 0 <= start <= end <= len(record.text)


@FUZZ
@given(raw=st.binary(max_size=2048), name=st.sampled_from([None, "a.txt", "a.html", "a.xml", "a.json", "a"]))
def test_arbitrary_bytes_only_raise_input_error(raw: bytes, name: str | None) -> None:
    try:
        assert detect_kind(raw, name) in {"text", "html", "pubmed_xml", "ctgov_json"}
    except InputError:
        pass
    doc = _read_or_input_error(raw, name)
    if doc is not None:
        _offsets_hold(doc)


@FUZZ
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=1024))
def test_format_prefixed_bytes_only_raise_input_error(prefix: bytes, body: bytes) -> None:
    doc = _read_or_input_error(prefix + body)
    if doc is not None:
        _offsets_hold(doc)
    try:
        list(iter_documents(prefix + body))
    except InputError:
        pass


_xml_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30).map(
    lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
)
_xml = st.recursive(
    _xml_text,
    lambda inner: st.builds(
        lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
        st.sampled_from(_PUBMED_TAGS),
        st.lists(inner, max_size=4),
    ),
    max_leaves=25,
)


@FUZZ
@given(body=_xml, closed=st.booleans())
def test_pubmed_shaped_xml_only_raises_input_error(body: str, closed: bool) -> None:
    raw = f"<PubmedArticleSet><PubmedArticle>{body}</PubmedArticle>{'</PubmedArticleSet>' if closed else ''}"
    doc = _read_or_input_error(raw.encode("utf-8"))
    if doc is not None:
        _offsets_hold(doc)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(_CTGOV_VALUES),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_CTGOV_KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


@FUZZ
@given(
    protocol=st.dictionaries(st.sampled_from(_CTGOV_KEYS), _json, max_size=6),
    results=st.dictionaries(st.sampled_from(_CTGOV_KEYS), _json, max_size=6),
)
def test_ctgov_shaped_json_only_raises_input_error(protocol: dict[str, Any], results: dict[str, Any]) -> None:
    record = {"protocolSection": protocol, "resultsSection": results}
    try:
        rendering = render_study(record)
    except InputError:
        return
    assert rendering.study.spans[0].end == len(rendering.text)
    for outcome in rendering.study.outcomes:
        for span in outcome.spans:
            assert 0 <= span.start <= span.end <= len(rendering.text)
    doc = _read_or_input_error(json.dumps(record, allow_nan=True).encode())
    if doc is not None:
        _offsets_hold(doc)
