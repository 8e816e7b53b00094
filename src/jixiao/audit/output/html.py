"""The document with every finding highlighted in place: one self-contained HTML page (no external files)."""

from __future__ import annotations

import html
from typing import Any

from jixiao.audit.output.text import SEVERITY_CN, where
from jixiao.audit.runner import AuditResult

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC",sans-serif;margin:0;display:flex;color:#222}
main{flex:3;min-width:0;padding:1.5em 2em;max-width:60em;line-height:1.8}
aside{flex:2;min-width:22em;padding:1em;background:#f6f6f4;height:100vh;overflow:auto;position:sticky;top:0}
p{margin:.4em 0}.wide{overflow-x:auto;margin:.6em 0;border:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;line-height:1.5}
td{border:1px solid #bbb;padding:2px 6px;vertical-align:top;min-width:4em;max-width:22em}
td.n{min-width:0;white-space:nowrap}td.l{min-width:14em}
.path{color:#777;font-size:.8em;word-break:break-all}
mark{padding:0 1px;border-radius:2px;cursor:pointer;scroll-margin-top:30vh}
mark.error{background:#ffc9c9;border-bottom:2px solid #c00}
mark.warning{background:#ffe8a3;border-bottom:2px solid #c80}
mark.info{background:#d6ecff;border-bottom:2px solid #37c}
.f{margin:.6em 0;padding:.5em;border-left:4px solid #999;background:#fff}
.f.error{border-color:#c00}.f.warning{border-color:#c80}.f.info{border-color:#37c}
.code{font-family:monospace;color:#555;font-size:.85em}.sug{color:#363}
h1{font-size:1.2em}.sum span{margin-right:1em}
"""


def _spans(result: AuditResult) -> list[tuple[int, int, int, str]]:
    out: list[tuple[int, int, int, str]] = []
    for i, f in enumerate(result.findings):
        for e in f.evidence:
            a, b = e.location.start, e.location.end
            if a is not None and b is not None and b > a:
                out.append((a, b, i, f.severity))
    return out


def _marked(text: str, offset: int, spans: list[tuple[int, int, int, str]]) -> str:
    """`text` (starting at document offset `offset`) with the findings' spans wrapped in <mark>."""
    end = offset + len(text)
    cuts = sorted((max(a, offset), min(b, end), i, sev) for a, b, i, sev in spans if a < end and b > offset)
    out: list[str] = []
    pos = offset
    for a, b, i, sev in cuts:
        if a < pos:
            continue  # overlapping evidence: the first finding keeps the mark
        out.append(html.escape(text[pos - offset : a - offset]))
        out.append(
            f'<mark class="{sev}" id="m{i}-{a}" title="{html.escape(SEVERITY_CN[sev])} #{i + 1}" '
            f'onclick="location.hash=\'f{i}\'">{html.escape(text[a - offset : b - offset])}</mark>'
        )
        pos = b
    out.append(html.escape(text[pos - offset :]))
    return "".join(out)


def render_html(result: AuditResult, doc: Any) -> str:
    spans = _spans(result)
    body: list[str] = []
    for b in doc.blocks:
        if b.kind == "table" and b.rows:
            lines = [line.split("\t") for line in b.text.split("\n")]
            width = max(len(cells) for cells in lines)
            # columns empty in every row (merged cells flattened away) would only squeeze the others
            keep = [c for c in range(width) if any(c < len(cells) and cells[c].strip() for cells in lines)]
            rows = []
            pos = b.start
            for cells_text in lines:
                starts, cpos = [], pos
                for cell in cells_text:
                    starts.append(cpos)
                    cpos += len(cell) + 1
                cells = []
                for c in keep:
                    cell = cells_text[c] if c < len(cells_text) else ""
                    size = len(cell.strip())
                    short = ' class="n"' if size <= 8 else ' class="l"' if size > 40 else ""
                    cells.append(f"<td{short}>{_marked(cell, starts[c], spans) if c < len(cells_text) else ''}</td>")
                rows.append("<tr>" + "".join(cells) + "</tr>")
                pos += sum(len(x) + 1 for x in cells_text)
            body.append('<div class="wide"><table>' + "".join(rows) + "</table></div>")
        elif b.kind == "heading":
            body.append(f"<p><b>{_marked(b.text, b.start, spans)}</b></p>")
        else:
            body.append(f"<p>{_marked(b.text, b.start, spans)}</p>")
    items = []
    for i, f in enumerate(result.findings):
        first = next((e for e in f.evidence if e.location.start is not None), None)
        jump = f' <a href="#m{i}-{first.location.start}">定位</a>' if first else ""
        sug = f'<div class="sug">建议：{html.escape(f.suggestion)}</div>' if f.suggestion else ""
        places = "；".join(html.escape(where(e.location)) for e in f.evidence)
        items.append(
            f'<div class="f {f.severity}" id="f{i}"><b>{i + 1}. {SEVERITY_CN[f.severity]}</b> '
            f'<span class="code">{f.code}</span>{jump}<div>{html.escape(f.message)}</div>'
            f'<div class="code">{places}</div>{sug}</div>'
        )
    s = result.summary
    title = html.escape(result.file)
    name = html.escape(result.file.replace("\\", "/").rsplit("/", 1)[-1])
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>核查：{name}</title>'
        f'<style>{_CSS}</style></head><body><main><h1>{name}</h1><div class="path">{title}</div>{"".join(body)}</main>'
        f'<aside><h1>核查结果</h1><div class="sum"><span>错误 {s.get("error", 0)}</span>'
        f'<span>警告 {s.get("warning", 0)}</span><span>提示 {s.get("info", 0)}</span></div>'
        f"{''.join(items) or '<p>未发现问题。</p>'}</aside></body></html>"
    )
