"""Decoding, detection, size limits and plain-text reading."""

from __future__ import annotations

import codecs
import hashlib
import time
from pathlib import Path

import pytest

from jakatlas.errors import InputError
from jakatlas.ingest import (
    Document,
    detect_kind,
    iter_documents,
    main_text_span,
    read_document,
    read_documents,
)

PROSE = (
    "Tofacitinib 5 mg twice daily was given to three patients with erosive lichen planus, and all of them "
    "improved within twelve weeks of treatment without serious adverse events being reported by anyone."
)


# -- detect_kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "kind"),
    [
        (b"Plain words about baricitinib.", None, "text"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", None, "html"),
        (b"  <html lang='en'><p>x</p></html>", "page.txt", "html"),
        (b"<div><p>fragment</p></div>", None, "html"),
        (b"<p>fragment</p>", "saved.htm", "html"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', None, "html"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "x" "y">\n<PubmedArticleSet/>',
            None,
            "pubmed_xml",
        ),
        (b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", "export", "pubmed_xml"),
        (b'<?xml version="1.0"?><rss/>', None, "pubmed_xml"),
        (b'{"protocolSection": {}}', None, "ctgov_json"),
        (b'  {"studies": []}', "page.txt", "ctgov_json"),
        (b'[{"protocolSection": {}}]', None, "ctgov_json"),
        (b"[1, 2, 3]", None, "ctgov_json"),
        (b"not json at all", "study.json", "ctgov_json"),
        (b"[1] Smith J. A reference list.\n[2] Doe A. Another.", None, "text"),
        (b"<b>bold</b> claims in a text file", "notes.txt", "text"),
        (codecs.BOM_UTF8 + b"<html><body>x</body></html>", None, "html"),
        ("<html><body>x</body></html>".encode("utf-16"), None, "html"),
    ],
)
def test_detect_kind_sniffs_content_and_uses_the_extension_as_a_hint(
    raw: bytes, name: str | None, kind: str
) -> None:
    assert detect_kind(raw, name) == kind


@pytest.mark.parametrize("raw", [b"", b"   \n\t  ", codecs.BOM_UTF8 + b"\n"])
def test_detect_kind_rejects_empty_input(raw: bytes) -> None:
    with pytest.raises(InputError, match="is empty"):
        detect_kind(raw, "blank.txt")


def test_detect_kind_rejects_binary_input() -> None:
    with pytest.raises(InputError, match="looks like a binary file"):
        detect_kind(b"\x00\x01\x02\x03" * 50, "blob.bin")


# -- decoding ------------------------------------------------------------------------------------


def test_path_and_bytes_give_the_same_document(tmp_path: Path) -> None:
    raw = f"Title line\n\n{PROSE}\n".encode()
    path = tmp_path / "note.txt"
    path.write_bytes(raw)
    from_path = read_document(path)
    from_bytes = read_document(raw, name="note.txt")
    assert from_path.text == from_bytes.text == raw.decode()
    assert from_path.sha256 == from_bytes.sha256 == hashlib.sha256(raw).hexdigest()
    assert from_path.source_id == "note.txt"
    assert from_path.kind == "text"
    assert from_path.title == "Title line"


def test_bytes_without_a_name_get_a_hash_id() -> None:
    doc = read_document(PROSE.encode())
    assert doc.source_id.startswith("sha256:")
    assert doc.sha256.startswith(doc.source_id.removeprefix("sha256:"))


def test_newlines_become_lf_and_text_is_nfc() -> None:
    doc = read_document("Cafe\u0301 one\r\ntwo\rthree\n".encode())
    assert doc.text == "Caf\u00e9 one\ntwo\nthree\n"


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + "Ruxolitinib 1.5% cream – vitiligo".encode(),
        "\ufeffRuxolitinib 1.5% cream – vitiligo".encode("utf-16-le"),
        "\ufeffRuxolitinib 1.5% cream – vitiligo".encode("utf-16-be"),
        "Ruxolitinib 1.5% cream – vitiligo".encode("utf-32"),
    ],
)
def test_boms_select_the_encoding_and_are_not_part_of_the_text(raw: bytes) -> None:
    doc = read_document(raw)
    assert doc.text == "Ruxolitinib 1.5% cream – vitiligo"
    assert doc.warnings == []


def test_invalid_utf8_is_replaced_with_a_warning_naming_the_byte_offset() -> None:
    raw = b"Baricitinib 4 mg " + b"\xff\xfe" + b" daily, then \xc3 more text"
    doc = read_document(raw, name="bad.txt")
    assert doc.text.startswith("Baricitinib 4 mg \ufffd\ufffd daily")
    assert doc.text.endswith("more text")
    assert len(doc.warnings) == 1
    assert "byte offset 17" in doc.warnings[0]
    assert "bad.txt" in doc.warnings[0]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"abc\x00def" + b"x" * 100, "NUL bytes"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (bytes(range(1, 32)) * 20, "control characters"),
    ],
)
def test_binary_files_are_refused(raw: bytes, detail: str) -> None:
    with pytest.raises(InputError, match="looks like a binary file") as info:
        read_document(raw, name="upload.bin")
    assert detail in str(info.value)


@pytest.mark.parametrize("raw", [b"", b" \n \r\n\t ", codecs.BOM_UTF8])
def test_empty_files_are_refused(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=r"empty\.txt is empty"):
        read_document(path)


def test_size_limit_says_how_to_raise_it() -> None:
    with pytest.raises(InputError, match="is 4,000 bytes, over the 1,048 bytes input limit") as info:
        read_document(b"x" * 4000, name="big.txt", max_bytes=1048)
    assert "JAKATLAS_MAX_INPUT_MB" in str(info.value)
    assert "max_bytes" in str(info.value)


def test_size_limit_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(PROSE.encode() * 10_000)  # about 2 MB
    monkeypatch.setenv("JAKATLAS_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match="over the 1 MB input limit"):
        read_document(path)
    monkeypatch.setenv("JAKATLAS_MAX_INPUT_MB", "4")
    assert read_document(path).kind == "text"
    monkeypatch.setenv("JAKATLAS_MAX_INPUT_MB", "lots")
    with pytest.raises(InputError, match="is not a number"):
        read_document(path)


def test_missing_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        list(iter_documents(tmp_path / "absent.txt"))


def test_unknown_kind_lists_the_accepted_kinds() -> None:
    with pytest.raises(InputError, match="use one of text, html, pubmed_xml, ctgov_json"):
        read_document(b"text", kind="pdf")


def test_kind_override_reads_markup_as_plain_text() -> None:
    raw = b"<p>Keep <b>tags</b> as written.</p>"
    assert read_document(raw, kind="text").text == raw.decode()
    assert read_document(raw).text == "Keep tags as written."


def test_iter_documents_on_text_yields_the_document(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(PROSE, encoding="utf-8")
    docs = list(iter_documents(path))
    assert len(docs) == 1 and docs[0] == read_document(path)
    assert list(read_documents(path)) == docs
    assert isinstance(docs[0], Document)


# -- JSON errors -----------------------------------------------------------------------------------


def test_malformed_json_reports_line_and_column() -> None:
    with pytest.raises(InputError, match="malformed JSON at line 3, column 1"):
        read_document(b'{"protocolSection": {\n  "a": [1, 2,\n}', name="study.json")


@pytest.mark.parametrize("raw", [b'{"foo": 1}', b'"just a string"', b"42"])
def test_json_that_is_not_a_study_lists_the_accepted_kinds(raw: bytes) -> None:
    with pytest.raises(InputError, match="not a ClinicalTrials.gov v2 study") as info:
        read_document(raw, name="data.json")
    assert "plain text, HTML, PubMed XML" in str(info.value)


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_deeply_nested_json_is_an_input_error(raw: bytes) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        read_document(raw, name="deep.json")


# -- plain-text web page dumps ------------------------------------------------------------------


def test_seed_report_is_read_exactly_and_its_trailing_furniture_is_located(seed_report: Path) -> None:
    doc = read_document(seed_report)
    assert doc.text == seed_report.read_bytes().decode("utf-8")  # offsets index the file as read
    start, end = main_text_span(doc.text)
    body, tail = doc.text[start:end], doc.text[end:]
    assert start == 0
    assert body.rstrip().endswith("6(2):99–102.")  # the reference list is part of the article
    assert tail.lstrip().startswith("Copyright ©2022")
    assert "Related Articles" in tail and "Related Articles" not in body
    assert doc.section("main") == (("main", start, end))
    boiler = doc.section("boilerplate")
    assert boiler is not None and doc.text[boiler.start :].startswith("Copyright")


def test_generic_dump_is_cut_at_the_copyright_line(fixtures: Path) -> None:
    doc = read_document(fixtures / "web_dump.txt")
    start, end = main_text_span(doc.text)
    assert doc.text[start:end].endswith("abstract 123.")
    assert doc.text[end:].lstrip().startswith("(c) 2024 Example Medical Media")
    assert doc.title == "Ruxolitinib cream in vitiligo: two-year data"


def test_run_of_headlines_without_any_marker_is_cut() -> None:
    headlines = "\n".join(
        [
            "Lebrikizumab in atopic dermatitis",
            "Vitiligo therapy news",
            "Psoriasis comorbidity update",
            "Hyperhidrosis treatment options",
            "Prurigo nodularis and dupilumab",
            "Fungal infections in children",
        ]
    )
    text = f"{PROSE}\n{PROSE}\n{headlines}\n"
    start, end = main_text_span(text)
    assert text[start:end] == f"{PROSE}\n{PROSE}"


def test_short_heading_list_and_references_are_kept() -> None:
    text = f"Background\n{PROSE}\nResults\n{PROSE}\nReferences\n- Doe J, et al. J Example. 2020;1:1-2.\n"
    assert main_text_span(text) == (0, len(text) - 1)


def test_marker_before_the_last_paragraph_does_not_cut() -> None:
    text = f"Related Articles\n{PROSE}\nCopyright is discussed below.\n{PROSE}"
    assert main_text_span(text) == (0, len(text))


def test_text_without_prose_is_kept_whole() -> None:
    text = "\n  Short note\n© 2024 Someone\n"
    assert main_text_span(text) == (3, len(text) - 1)
    assert main_text_span("") == (0, 0)


@pytest.mark.slow
def test_fifty_megabyte_text_reads_quickly(tmp_path: Path) -> None:
    line = (PROSE + "\r\n").encode()
    path = tmp_path / "large.txt"
    with path.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    started = time.perf_counter()
    doc = read_document(path)
    elapsed = time.perf_counter() - started
    assert len(doc.text) > 50_000_000 - 1_000_000
    assert "\r" not in doc.text[-10_000:]
    assert doc.section("main") is not None
    assert elapsed < 20, f"reading 50 MB took {elapsed:.1f} s"
