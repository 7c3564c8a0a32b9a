"""HTML pages: keep the article, drop the furniture, keep paragraph breaks and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakatlas.errors import InputError
from jakatlas.ingest import Document, read_document


@pytest.fixture
def page(fixtures: Path) -> Document:
    return read_document(fixtures / "article.html")


def test_title_comes_from_the_title_element(page: Document) -> None:
    assert page.kind == "html"
    assert page.title == "Baricitinib in eosinophilic fasciitis: a case series | Example Derm News"


def test_article_text_is_kept_with_paragraph_breaks(page: Document) -> None:
    assert page.text.startswith("Baricitinib in eosinophilic fasciitis: a case series\n\nBy A. Writer\n\n")
    assert (
        "Four patients with eosinophilic fasciitis refractory to methotrexate received baricitinib 4 mg "
        "once daily for 6 months.\n\nResults\n\n" in page.text
    )
    assert "three of four patients.\nOne patient stopped" in page.text  # <br>
    assert "Patient\tResponse\n1\tComplete\n2\tPartial" in page.text  # table rows and cells
    assert "fails — controlled trials are needed." in page.text  # HTML entities
    assert "\n\n\n" not in page.text and page.text == page.text.strip()


@pytest.mark.parametrize(
    "furniture",
    [
        "Skip to content",
        "About us",
        "Home",
        "Related articles",
        "Dupilumab in prurigo",
        "Subscribe",
        "All rights reserved",
        "uses cookies",
        "Share on social media",
        "Great article",
        "tracker",
        "display",
        "Example Derm News",
    ],
)
def test_page_furniture_is_dropped(page: Document, furniture: str) -> None:
    assert furniture not in page.text


def test_heading_sections_index_the_text(page: Document) -> None:
    names = [s.name for s in page.sections]
    assert names == ["Baricitinib in eosinophilic fasciitis: a case series", "Results", "Conclusion"]
    for section in page.sections:
        assert page.text[section.start : section.end].startswith(section.name)
    results = page.section("Results")
    assert results is not None
    assert page.text[results.start : results.end].endswith("2\tPartial")
    assert page.sections[0] == ("Baricitinib in eosinophilic fasciitis: a case series", 0, len(page.text))


def _html(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_title_falls_back_to_the_first_h1() -> None:
    doc = read_document(_html("<h1>Upadacitinib   in AD</h1><p>Text.</p>"))
    assert doc.title == "Upadacitinib in AD"


def test_role_main_is_preferred_when_there_is_no_article() -> None:
    body = (
        "<div class='top'>Site banner words here</div>"
        "<div role='main'><p>Main content about abrocitinib in prurigo nodularis.</p></div>"
        "<div>Unrelated footer-ish text that is not marked.</div>"
    )
    assert read_document(_html(body)).text == "Main content about abrocitinib in prurigo nodularis."


def test_largest_article_wins_over_teaser_articles() -> None:
    body = (
        "<article><p>Teaser one.</p></article>"
        "<article><h1>Full story</h1><p>"
        + "Deucravacitinib data were presented in detail. "
        * 5
        + "</p></article>"
        "<article><p>Teaser two.</p></article>"
    )
    doc = read_document(_html(body))
    assert doc.text.startswith("Full story\n\nDeucravacitinib")
    assert "Teaser" not in doc.text


def test_a_form_wrapping_the_whole_page_is_not_dropped() -> None:
    body = "<form id='aspnetForm'><div class='content'><p>Ritlecitinib in alopecia areata.</p></div></form>"
    assert read_document(_html(body)).text == "Ritlecitinib in alopecia areata."


def test_hidden_elements_are_dropped() -> None:
    body = "<p>Visible.</p><p hidden>Hidden one.</p><div style='display: none'>Hidden two.</div>"
    assert read_document(_html(body)).text == "Visible."


def test_preformatted_text_keeps_its_whitespace() -> None:
    doc = read_document(_html("<p>Before.</p><pre>col1   col2\n  a      b</pre><p>After.</p>"))
    assert doc.text == "Before.\n\ncol1   col2\n  a      b\n\nAfter."


def test_a_page_of_only_furniture_keeps_its_text_rather_than_nothing() -> None:
    doc = read_document(_html("<nav><a href='/'>Only navigation here</a></nav>"))
    assert doc.text == "Only navigation here"


def test_a_page_without_text_is_empty() -> None:
    with pytest.raises(InputError, match="is empty: the HTML has no readable text"):
        read_document(_html("<script>var a = 1;</script><img src='x.png'>"), name="blank.html")


def test_declared_entities_are_not_expanded() -> None:
    raw = b'<!DOCTYPE html [<!ENTITY secret "LEAKED">]><html><body><p>a &secret; b &amp; c</p></body></html>'
    doc = read_document(raw)
    assert "LEAKED" not in doc.text
    assert "& c" in doc.text


def test_xhtml_with_an_encoding_declaration_is_read() -> None:
    raw = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head>'
        "<body><p>Caf\u00e9 au lait macules.</p></body></html>"
    ).encode()
    doc = read_document(raw, name="page.xhtml")
    assert doc.kind == "html"
    assert doc.text == "Caf\u00e9 au lait macules."


def test_control_characters_do_not_break_the_parser() -> None:
    raw = _html("<p>Odd\x0bbytes\x0c in\x01 text.</p>")
    assert read_document(raw).text == "Oddbytes in text."
