"""Reports written as HTML or Markdown, read as the text a reader of the page sees.

The team's readers take .md and .html as plain text, so a Markdown pipe table stays a run of "| a | b |"
prose lines and an HTML page is read with its markup. Here both become text the checker can use: a
paragraph per block element, a heading per line, a table row as tab-separated cells (which the text
reader turns into a table). Markdown keeps its line numbers; HTML gets the lines of its visible text.
Kept in the checker until the readers do this themselves.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "section", "article", "header", "footer", "li", "blockquote", "caption", "figcaption",
          "h1", "h2", "h3", "h4", "h5", "h6", "br", "pre", "dt", "dd"}
_SKIP = {"style", "script", "head", "title", "template", "noscript"}
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.skip = 0

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", "".join(self.cur)).strip()
        if text:
            self.lines.extend((text, ""))
        self.cur = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag in _BLOCK and self.cell is None:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if any(self.row):
                self.lines.append("\t".join(self.row))
            self.row = None
        elif tag == "table":
            self.lines.append("")
        elif tag in _BLOCK and self.cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is None:
            self.cur.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines) + "\n"


_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def markdown_to_text(md: str) -> str:
    """Pipe tables → tab rows (the "| --- |" rule becomes a blank cell row, so line numbers stay)."""
    out: list[str] = []
    for line in md.split("\n"):
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            if _MD_RULE.match(s):
                out.append("\t".join("" for _ in s.strip("|").split("|")))
                continue
            cells = [_MD_ESCAPE.sub(r"\1", c.strip()).replace("**", "") for c in s[1:-1].split("|")]
            out.append("\t".join(cells))
        else:
            out.append(_MD_ESCAPE.sub(r"\1", line).replace("**", ""))
    return "\n".join(out)


def is_html(head: str) -> bool:
    return bool(re.match(r"\s*(<!doctype\s+html|<html[\s>])", head[:500], re.IGNORECASE))
