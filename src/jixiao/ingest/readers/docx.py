"""Word .docx: body paragraphs and tables in order, heading levels, merged cells expanded, text boxes.

The zip and its XML parts are checked (limits, DTDs) before python-docx parses anything. Tables are read
from the XML grid directly (gridSpan, gridBefore, vMerge) so that a merged value is repeated in every
grid position it covers, independent of python-docx version quirks.
"""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.errors import ReaderError

from ..document import Block, Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, lines_to_blocks
from ._common import check_size, guard_zip, normalize_cell, paragraph_kind, table_block

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _outline_level(ppr) -> int | None:  # type: ignore[no-untyped-def]
    """Heading level from a <w:pPr>'s outline level (0–8; 9 and anything else is body text)."""
    ol = ppr.find(W + "outlineLvl") if ppr is not None else None
    v = ol.get(W + "val", "") if ol is not None else ""
    return int(v) + 1 if v.isdigit() and int(v) < 9 else None


def _style_level(p, styles_cache: dict[str, int | None]) -> int | None:  # type: ignore[no-untyped-def]
    """Heading level from the paragraph's outline level or its style (Heading N / 标题 N)."""
    ppr = p.find(W + "pPr")
    if ppr is not None:
        level = _outline_level(ppr)
        if level is not None:
            return level
        ps = ppr.find(W + "pStyle")
        if ps is not None:
            return styles_cache.get(ps.get(W + "val", ""))
    return None


_CN = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, r in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= v:
            out += r
            n -= v
    return out


def _format_number(n: int, fmt: str) -> str:
    if (
        fmt.startswith("chinese")
        or fmt.startswith("ideograph")
        or fmt in ("japaneseCounting", "taiwaneseCounting")
    ):
        return _cn_number(n)
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "upperLetter":
        return chr(64 + (n - 1) % 26 + 1)
    if fmt == "lowerLetter":
        return chr(96 + (n - 1) % 26 + 1)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    return str(n)  # decimal, and decimalFullWidth (normalised to ASCII anyway)


class _Numbering:
    """Renders Word's automatic list numbers ("一、", "（一）", "1.") so text reads as printed.

    Without this, a heading numbered by Word's list feature would lose its "一、" and with it its place
    in the outline.
    """

    def __init__(self, doc) -> None:  # type: ignore[no-untyped-def]
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (fmt, text, start)
        self.counters: dict[str, list[int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except Exception:
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(W + "abstractNum"):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(W + "lvl"):
                try:
                    ilvl = int(lvl.get(W + "ilvl", "0"))
                except ValueError:
                    continue
                fmt_el, text_el, start_el = (
                    lvl.find(W + "numFmt"),
                    lvl.find(W + "lvlText"),
                    lvl.find(W + "start"),
                )
                fmt = fmt_el.get(W + "val", "decimal") if fmt_el is not None else "decimal"
                text = text_el.get(W + "val", "") if text_el is not None else ""
                start = start_el.get(W + "val", "1") if start_el is not None else "1"
                lv[ilvl] = (fmt, text, int(start) if start.isdigit() else 1)
            abstract[an.get(W + "abstractNumId", "")] = lv
        for num in root.findall(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is not None:
                self.levels[num.get(W + "numId", "")] = abstract.get(ref.get(W + "val", ""), {})
        for st in getattr(doc, "styles", []):
            el = getattr(st, "element", None)
            npr = el.find(f"{W}pPr/{W}numPr") if el is not None else None
            if npr is not None:
                nid = npr.find(W + "numId")
                il = npr.find(W + "ilvl")
                if nid is not None:
                    lvl_val = il.get(W + "val", "0") if il is not None else "0"
                    self.style_num[st.style_id] = (
                        nid.get(W + "val", ""),
                        int(lvl_val) if lvl_val.isdigit() else 0,
                    )

    def label(self, p) -> str:  # type: ignore[no-untyped-def]
        """The number Word would print before paragraph `p`, advancing the counters; "" if none."""
        ppr = p.find(W + "pPr")
        num_id, ilvl = None, 0
        if ppr is not None:
            npr = ppr.find(W + "numPr")
            if npr is not None:
                nid, il = npr.find(W + "numId"), npr.find(W + "ilvl")
                num_id = nid.get(W + "val") if nid is not None else None
                v = il.get(W + "val", "0") if il is not None else "0"
                ilvl = int(v) if v.isdigit() else 0
            if num_id is None:
                ps = ppr.find(W + "pStyle")
                if ps is not None and ps.get(W + "val", "") in self.style_num:
                    num_id, ilvl = self.style_num[ps.get(W + "val", "")]
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        ilvl = min(ilvl, 8)
        fmt, text, start = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for k in range(ilvl + 1, 9):
            counters[k] = 0

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            return _format_number(counters[k] or levels[k][2], levels[k][0])

        return re.sub(r"%([1-9])", sub, text)


def _styles_levels(doc) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    out: dict[str, int | None] = {}
    try:
        styles = doc.styles
    except Exception:
        return out
    for st in styles:
        try:
            sid, name = st.style_id, st.name or ""
        except Exception:
            continue
        m = _HEADING_STYLE_RE.match(name.strip()) or _HEADING_STYLE_RE.match(sid or "")
        level = int(m.group(1)) if m else None
        if level is None:
            el = getattr(st, "element", None)
            level = _outline_level(el.find(W + "pPr") if el is not None else None)
        if level is not None:
            out[sid] = level
    return out


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _in_textbox(node, stop) -> bool:  # type: ignore[no-untyped-def]
    """Inside a text box (read separately) or an mc:Fallback (a duplicate of the mc:Choice)."""
    p = node.getparent()
    while p is not None and p is not stop:
        if p.tag in (W + "txbxContent", _MC_FALLBACK):
            return True
        p = p.getparent()
    return False


def _paragraph_text(p) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    for node in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        if _in_textbox(node, p):
            continue
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag == W + "tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _textboxes(p) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    for tb in p.iter(W + "txbxContent"):
        for q in tb.iter(W + "p"):
            t = _paragraph_text(q).strip()
            if t and t not in seen:  # mc:AlternateContent repeats the box in its fallback
                seen.append(t)
    return seen


def _cell_text(tc) -> str:  # type: ignore[no-untyped-def]
    """All text in a cell, nested tables flattened row by row."""
    out: list[str] = []
    for child in tc:
        if child.tag == W + "p":
            out.append(_paragraph_text(child))
        elif child.tag == W + "tbl":
            for tr in child.iter(W + "tr"):
                cells = [normalize_cell(_cell_text(c)) for c in tr.findall(W + "tc")]
                out.append(" ".join(c for c in cells if c))
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                out.append(_cell_text(content))
    return "\n".join(out)


def _grid(tbl) -> list[list[str]]:  # type: ignore[no-untyped-def]
    rows: list[list[str]] = []
    for tr in tbl.findall(W + "tr"):
        row: list[str] = []
        trpr = tr.find(W + "trPr")
        if trpr is not None:
            gb = trpr.find(W + "gridBefore")
            if gb is not None and gb.get(W + "val", "0").isdigit():
                row.extend([""] * int(gb.get(W + "val")))
        tcs = list(tr.findall(W + "tc"))
        for sdt in tr.findall(W + "sdt"):  # cells wrapped in content controls
            content = sdt.find(W + "sdtContent")
            if content is not None:
                tcs.extend(content.findall(W + "tc"))
        for tc in tcs:
            tcpr = tc.find(W + "tcPr")
            span = 1
            vmerge_continue = False
            if tcpr is not None:
                gs = tcpr.find(W + "gridSpan")
                if gs is not None and gs.get(W + "val", "1").isdigit():
                    span = max(1, min(int(gs.get(W + "val")), 1000))
                vm = tcpr.find(W + "vMerge")
                if vm is not None and vm.get(W + "val", "continue") != "restart":
                    vmerge_continue = True
            col = len(row)
            if vmerge_continue and rows and col < len(rows[-1]):
                text = rows[-1][col]
            else:
                text = normalize_cell(_cell_text(tc))
            row.extend([text] * span)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend([""] * (width - len(r)))
    return rows


def read_docx(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    name = str(path)
    check_size(path, limits)
    zf = guard_zip(path, limits, "docx")
    zf.close()
    try:
        import docx  # python-docx

        doc = docx.Document(str(path))
    except Exception as e:  # python-docx raises many kinds on damaged parts
        raise ReaderError(
            f"Word 文件已损坏或格式不受支持，无法打开：{type(e).__name__}: {e}", file=name
        ) from e
    levels = _styles_levels(doc)
    numbering = _Numbering(doc)
    body = doc.element.body
    blocks: list[Block] = []
    para_no = 0
    table_no = 0
    chars = 0

    def add_paragraph(text: str, level: int | None, loc: Location) -> None:
        nonlocal chars
        lines = [MText.of(s, 0) for s in text.split("\n")]
        # soft line breaks inside one Word paragraph are layout, not structure
        for sp in lines_to_blocks(lines, tables=False, width=None):
            kind, lvl = paragraph_kind(sp.text.text, level)
            blocks.append(Block(kind=kind, text=sp.text.text, location=loc, level=lvl))  # type: ignore[arg-type]
            chars += len(sp.text.text)

    def walk(parent) -> None:  # type: ignore[no-untyped-def]
        nonlocal para_no, table_no
        for el in parent.iterchildren():
            tag = el.tag
            if tag == W + "p":
                para_no += 1
                loc = Location(name, paragraph=para_no)
                text = _paragraph_text(el)
                label = numbering.label(el)  # empty numbered paragraphs count too, as in Word
                if text.strip():
                    if label and not text.lstrip().startswith(label):
                        text = label + text.lstrip()
                    add_paragraph(text, _style_level(el, levels), loc)
                for tb in _textboxes(el):
                    add_paragraph(tb, None, loc)
            elif tag == W + "tbl":
                table_no += 1
                rows = _grid(el)
                if not any(any(c for c in r) for r in rows):
                    continue
                locs = [
                    [Location(name, table=table_no, row=r + 1, col=c + 1) for c in range(len(row))]
                    for r, row in enumerate(rows)
                ]
                blocks.append(table_block(rows, locs, Location(name, table=table_no)))
            elif tag == W + "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    walk(content)
            if chars > limits.max_text_chars:
                raise ReaderError(
                    f"文本长度超过上限 {limits.max_text_chars} 字符（JIXIAO_MAX_TEXT_CHARS）", file=name
                )

    walk(body)
    warnings: list[str] = []
    if not blocks:
        warnings.append("Word 文件中没有找到文字内容")
    return assemble(name, "docx", blocks, warnings)
