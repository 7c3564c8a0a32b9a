"""Update-file records in the stream parser: PMID versions and DeleteCitation, in document order."""

from __future__ import annotations

import io

import pytest

from jakatlas.errors import InputError
from jakatlas.ingest.document import Document
from jakatlas.ingest.pubmed import DeletedCitation, iter_pubmed_stream, iter_pubmed_updates

UPDATE = (b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="2">111'
          b"</PMID><Article><ArticleTitle>Revised title.</ArticleTitle></Article></MedlineCitation>"
          b'</PubmedArticle><DeleteCitation><PMID Version="1">222</PMID><PMID Version="3">333</PMID>'
          b"</DeleteCitation></PubmedArticleSet>")


def test_update_items_in_document_order() -> None:
    items = list(iter_pubmed_updates(io.BytesIO(UPDATE), "u.xml"))
    assert isinstance(items[0], Document)
    assert items[0].structured is not None and items[0].structured["pmid_version"] == 2
    assert items[1:] == [DeletedCitation("222", 1), DeletedCitation("333", 3)]
    assert [d.source_id for d in iter_pubmed_stream(io.BytesIO(UPDATE), "u.xml")] == ["PMID:111"]


def test_deletions_alone_are_an_update_not_an_empty_file() -> None:
    only = b'<PubmedArticleSet><DeleteCitation><PMID Version="1">5</PMID></DeleteCitation></PubmedArticleSet>'
    assert list(iter_pubmed_updates(io.BytesIO(only), "d.xml")) == [DeletedCitation("5", 1)]
    with pytest.raises(InputError, match=r"^d.xml is empty: no PubmedArticle or DeleteCitation records"):
        list(iter_pubmed_updates(io.BytesIO(b"<PubmedArticleSet></PubmedArticleSet>"), "d.xml"))
