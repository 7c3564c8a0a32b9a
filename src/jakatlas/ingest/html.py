"""HTML to plain text: keep the article, drop page furniture, keep paragraph breaks.

Parsing uses lxml's HTML parser with network access off; only HTML's own character entities are
expanded. The content root is the largest ``<article>``, else ``<main>``/``[role=main]``, else
``<body>``. Inside it, scripts, navigation, headers, footers, asides, forms and elements whose
class or id names navigation, menus, sidebars, related links, sharing, cookies or comments are
removed. Block elements end lines; paragraphs, headings, lists and tables are separated by a
blank line; table cells by a tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from jakatlas.errors import InputError
from jakatlas.ingest._text import normalize_text
from jakatlas.ingest.document import Section

__all__ = ["HtmlText", "html_to_text"]

_ALWAYS_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "canvas",
        "iframe",
        "object",
        "embed",
        "head",
        "button",
        "select",
        "input",
        "textarea",
        "option",
        "link",
        "meta",
    }
)
_FURNITURE = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})
_NOISE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menus|related|sidebar|side-bar|footer|breadcrumbs?"
    r"|share|sharing|social|cookies?|consent|comments?|disqus|advert\w*|ads|promo|newsletter|subscribe"
    r"|skip-link|toolbar|masthead|banner)(?:$|[\s_-])",
    re.IGNORECASE,
)
_PARAGRAPH = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dl",
        "figure",
        "section",
        "article",
        "main",
        "hr",
        "address",
        "details",
        "fieldset",
        "header",
        "footer",
    }
)
_LINE = frozenset(
    {
        "div",
        "li",
        "tr",
        "dt",
        "dd",
        "br",
        "caption",
        "figcaption",
        "summary",
        "body",
        "html",
        "center",
        "thead",
        "tbody",
        "tfoot",
        "legend",
        "hgroup",
    }
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_ROOT_SHARE = 0.2  # an <article>/<main> must hold this share of the body's text to be the root
_WRAPPER_SHARE = 0.5  # never drop an element holding more than this share of the root's text
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


@dataclass
class HtmlText:
    """Text of an HTML page with its title and heading sections."""

    text: str
    title: str | None
    sections: list[Section] = field(default_factory=list)


class _Builder:
    """Accumulate text chunks; collapse whitespace; merge line and paragraph breaks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.newlines = 0
        self.pending_break = 0
        self.pending_sep = ""

    def _emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length += len(chunk)

    def block(self, level: int) -> None:
        self.pending_break = max(self.pending_break, level)
        self.pending_sep = ""

    def sep(self, chunk: str) -> None:
        if not self.pending_break and self.pending_sep != "\t":
            self.pending_sep = chunk

    def flush(self) -> None:
        if self.length and self.pending_break:
            need = self.pending_break - self.newlines
            if need > 0:
                self._emit("\n" * need)
                self.newlines += need
        elif self.length and self.pending_sep and not self.newlines:
            self._emit(self.pending_sep)
        self.pending_break, self.pending_sep = 0, ""

    def write(self, chunk: str | None, *, pre: bool = False) -> None:
        if not chunk:
            return
        chunk = normalize_text(chunk)
        if pre:
            self.flush()
            self._emit(chunk)
            stripped = chunk.rstrip("\n")
            self.newlines = (self.newlines if not stripped else 0) + len(chunk) - len(stripped)
            return
        core = " ".join(chunk.split())
        if not core:
            self.sep(" ")
            return
        if chunk[0].isspace():
            self.sep(" ")
        self.flush()
        self._emit(core)
        self.newlines = 0
        if chunk[-1].isspace():
            self.sep(" ")

    def text(self) -> str:
        return "".join(self.parts).rstrip()


def _text_len(el: lxml.html.HtmlElement) -> int:
    return len("".join(el.itertext()).strip())


def _is_noise(el: lxml.html.HtmlElement) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _FURNITURE and not (tag == "header" and el.find(".//h1") is not None):
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if re.search(r"display\s*:\s*none", el.get("style") or "", re.IGNORECASE):
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''}"
    return bool(_NOISE.search(names)) or (el.get("role") or "") in {"navigation", "banner", "contentinfo"}


def _content_root(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = doc.find("body")
    base = body if body is not None else doc
    base_len = max(_text_len(base), 1)
    articles = [a for a in base.iter("article") if isinstance(a.tag, str)]
    if articles:
        best = max(articles, key=_text_len)
        if _text_len(best) >= _ROOT_SHARE * base_len:
            return best
    for xpath in (".//main", ".//*[@role='main']"):
        found = base.xpath(xpath)
        if found and _text_len(found[0]) >= _ROOT_SHARE * base_len:
            return found[0]  # type: ignore[no-any-return]
    return base


def _strip_noise(root: lxml.html.HtmlElement) -> None:
    total = max(_text_len(root), 1)
    for el in [e for e in root.iterdescendants() if isinstance(e.tag, str)]:
        if _is_noise(el) and _text_len(el) <= _WRAPPER_SHARE * total:
            el.drop_tree()


def _render(root: lxml.html.HtmlElement) -> tuple[str, list[tuple[int, int, int]]]:
    """Walk ``root`` without recursion; return the text and ``(level, start, end)`` of headings."""
    out = _Builder()
    headings: list[tuple[int, int, int]] = []
    open_headings: list[tuple[int, int]] = []
    pre_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if not tag:
                continue
            if tag in _PARAGRAPH:
                out.block(2)
            elif tag in _LINE:
                out.block(1)
            elif tag in {"td", "th"} and el.getprevious() is not None:
                out.sep("\t")
            if tag in _HEADINGS:
                out.flush()
                open_headings.append((_HEADINGS[tag], out.length))
            if tag == "pre":
                pre_depth += 1
            out.write(el.text, pre=pre_depth > 0)
            continue
        if tag in _HEADINGS and open_headings:
            level, start = open_headings.pop()
            if out.length > start:
                headings.append((level, start, out.length))
        if tag == "pre":
            pre_depth -= 1
        if tag in _PARAGRAPH:
            out.block(2)
        elif tag in _LINE:
            out.block(1)
        if el is not root:
            out.write(el.tail, pre=pre_depth > 0)
    return out.text(), headings


def _sections(text: str, headings: list[tuple[int, int, int]]) -> list[Section]:
    sections: list[Section] = []
    for i, (level, start, end) in enumerate(headings):
        if end > len(text):
            continue
        stop = next((h[1] for h in headings[i + 1 :] if h[0] <= level), len(text))
        stop = min(stop, len(text))
        while stop > end and text[stop - 1].isspace():
            stop -= 1
        name = " ".join(text[start:end].split())[:120]
        sections.append(Section(name, start, stop))
    return sections


def _parse(text: str, label: str) -> lxml.html.HtmlElement:
    cleaned = _BAD_CHARS.sub("", _XML_DECL.sub("", text, count=1))
    parser = lxml.html.HTMLParser(
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        recover=True,
        huge_tree=False,
        default_doctype=False,
    )
    try:
        return lxml.html.document_fromstring(cleaned, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(
            f"{label}: cannot parse the HTML ({exc}); check that the file is a web page."
        ) from None


def _extract(text: str, label: str, *, strip: bool) -> tuple[str, str, list[tuple[int, int, int]]]:
    doc = _parse(text, label)
    title_el = doc.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    for el in [e for e in doc.iter() if not isinstance(e.tag, str) or e.tag in _ALWAYS_DROP]:
        if el.getparent() is not None:
            el.drop_tree()
    root = _content_root(doc)
    if strip:
        _strip_noise(root)
    body, headings = _render(root)
    return title, body, headings


def html_to_text(text: str, label: str = "input") -> HtmlText:
    """Extract the readable article text of an HTML page (see the module docstring).

    The title is the ``<title>`` text, else the first ``<h1>``.
    """
    title, body, headings = _extract(text, label, strip=True)
    if not body:  # everything looked like furniture: keep it all rather than nothing
        title, body, headings = _extract(text, label, strip=False)
    if not body:
        raise InputError(f"{label} is empty: the HTML has no readable text; give a page with content.")
    if not title:
        h1 = next((h for h in headings if h[0] == 1), None)
        title = " ".join(body[h1[1] : h1[2]].split()) if h1 else ""
    return HtmlText(text=body, title=normalize_text(title) or None, sections=_sections(body, headings))
