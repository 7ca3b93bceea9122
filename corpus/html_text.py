"""Main-text extraction from an HTML page with the standard library's parser.

Scripts, styles, navigation, headers, footers, forms and asides are dropped.
When the page has an ``<article>`` (or ``<main>``) only its text is kept,
which is where news sites put the story.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "head",
}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figcaption",
    "dd",
    "dt",
    "hr",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "source", "wbr"}


@dataclass
class HtmlPage:
    text: str
    title: str | None
    date: str | None
    url: str | None
    author: str | None


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.stack: list[str] = []
        self.all_parts: list[str] = []
        self.main_parts: list[str] = []
        self.main_depth = 0
        self.title_parts: list[str] = []
        self.h1: str | None = None
        self.h1_parts: list[str] | None = None
        self.meta: dict[str, str] = {}
        self.time_datetime: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (attr.get("property") or attr.get("name") or "").lower()
            if key:
                self.meta[key] = attr.get("content", "")
            return
        if tag == "time" and attr.get("datetime") and not self.time_datetime:
            self.time_datetime = attr["datetime"]
        if tag in _VOID:
            self._newline(tag)
            return
        self.stack.append(tag)
        if tag in _SKIP and tag != "head":
            self.skip_depth += 1
        if tag in ("article", "main"):
            self.main_depth += 1
        if tag == "h1" and self.h1 is None:
            self.h1_parts = []
        self._newline(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _SKIP and open_tag != "head":
                self.skip_depth -= 1
            if open_tag in ("article", "main"):
                self.main_depth -= 1
            if open_tag == "h1" and self.h1_parts is not None:
                self.h1 = " ".join("".join(self.h1_parts).split()) or None
                self.h1_parts = None
            if open_tag == tag:
                break
        self._newline(tag)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title_parts.append(data)
            return
        if self.skip_depth or "head" in self.stack:
            return
        if self.h1_parts is not None:
            self.h1_parts.append(data)
        self.all_parts.append(data)
        if self.main_depth:
            self.main_parts.append(data)

    def _newline(self, tag: str) -> None:
        if tag in _BLOCK:
            self.all_parts.append("\n")
            if self.main_depth:
                self.main_parts.append("\n")


def _join(parts: list[str]) -> str:
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def extract_html(html: str) -> HtmlPage:
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    main = _join(parser.main_parts)
    meta = parser.meta
    title = meta.get("og:title") or " ".join("".join(parser.title_parts).split()) or parser.h1
    return HtmlPage(
        text=main if len(main) >= 200 else _join(parser.all_parts),
        title=title or None,
        date=meta.get("article:published_time") or meta.get("date") or parser.time_datetime,
        url=meta.get("og:url") or None,
        author=meta.get("author") or None,
    )
