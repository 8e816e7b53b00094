"""Safety limits for reading untrusted documents.

Every reader checks these before doing expensive work, and raises `ReaderError` naming the file and the
limit. Defaults can be overridden with environment variables (read when `Limits.from_env()` is called,
which `DEFAULT_LIMITS` does once at import):

| field               | default  | environment variable       | what it bounds                                    |
|---------------------|----------|----------------------------|---------------------------------------------------|
| max_file_mb         | 50       | JIXIAO_MAX_FILE_MB         | size of the file on disk                          |
| max_unzipped_mb     | 200      | JIXIAO_MAX_UNZIPPED_MB     | total uncompressed size of a .docx/.xlsx zip      |
| max_zip_ratio       | 100      | JIXIAO_MAX_ZIP_RATIO       | uncompressed/compressed ratio of any member       |
| max_zip_members     | 5000     | JIXIAO_MAX_ZIP_MEMBERS     | number of parts in a .docx/.xlsx zip              |
| max_pdf_pages       | 1000     | JIXIAO_MAX_PDF_PAGES       | pages in a PDF                                    |
| max_pdf_inflated_mb | 256      | JIXIAO_MAX_PDF_INFLATED_MB | decoded size of all streams of a PDF, summed      |
| max_rows            | 200000   | JIXIAO_MAX_ROWS            | rows read from all sheets of a workbook           |
| max_cells           | 2000000  | JIXIAO_MAX_CELLS           | cells read from all sheets of a workbook          |
| max_text_chars      | 20000000 | JIXIAO_MAX_TEXT_CHARS      | characters of text in one document                |
| max_pdf_memory_mb   | 512      | JIXIAO_MAX_PDF_MEMORY_MB   | address space the PDF worker may add for one file |
| max_pdf_seconds     | 4        | JIXIAO_MAX_PDF_SECONDS     | wall-clock seconds per 100 pages (at least 1×)    |
| pdf_sandbox         | True     | JIXIAO_PDF_SANDBOX         | PDFs read in a capped worker (0/false/off: not)   |

XML parts of .docx/.xlsx files are always scanned for DTDs and entity declarations (billion laughs,
external entities) before python-docx/openpyxl parse them; there is no switch to turn that off.

`max_pdf_inflated_mb` is checked on the raw bytes before pdfium opens the file (`readers/pdf_guard.py`),
since pdfium inflates a stream with no bound. The text, fonts and page contents of a report PDF decode to
about 1.3× its file size (the five seed reports exported by LibreOffice: 0.3–0.4 MB), so even a 50 MB file
stays far below 256 MB; images that pages only draw are not counted unless OCR renders the pages (text
extraction never decodes them). 256 MB also keeps pdfium, which holds about twice a stream's size while
inflating it, under the 600 MB peak the hostile-file tests allow.

What no static scan can see (form XObjects nested to fan out, one content stream shared by every page,
an encrypted bomb) is bounded by reading PDFs in a worker process (`readers/pdf_sandbox.py`): its address
space may grow by `max_pdf_memory_mb` above its size before the file (idle: 49 MB) while it reads, and
it is killed after `max_pdf_seconds` × max(1, pages / 100) seconds of wall clock. Measured 2026-11-22: the
five seed reports grow the worker by 1–2 MB; the worst legitimate file built here, a 63 MB, 1000-page
LibreOffice export with its fonts embedded once per page, needs between 400 and 512 MB (read in 3.3 s);
the hostile cases die at the cap within 1 s (fan-out 10 × depth 4 or 5, encrypted 400 MB bomb), or at
the deadline (20 pages × 200 MB shared stream, 475 MB, 10 s uncapped). 512 MB keeps a killed worker under
the 600 MB peak the hostile-file tests allow. OCR reads (`ocr=True`) stay in-process (the OCR engine's
own memory under a cap is unmeasured); `pdf_sandbox=False` reads in-process too: for trusted batch runs
only, as neither bound then applies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 50
    max_unzipped_mb: float = 200
    max_zip_ratio: float = 100
    max_zip_members: int = 5000
    max_pdf_pages: int = 1000
    max_pdf_inflated_mb: float = 256
    max_rows: int = 200_000
    max_cells: int = 2_000_000
    max_text_chars: int = 20_000_000
    max_pdf_memory_mb: float = 512
    max_pdf_seconds: float = 4
    pdf_sandbox: bool = True

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * 1024 * 1024)

    @property
    def max_pdf_inflated_bytes(self) -> int:
        return int(self.max_pdf_inflated_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        kw: dict[str, float | int | bool] = {}
        for f in fields(cls):
            raw = env.get("JIXIAO_" + f.name.upper())
            if raw is None or not raw.strip():
                continue
            if f.type in ("bool", bool):
                kw[f.name] = raw.strip().lower() not in ("0", "false", "no", "off")
                continue
            try:
                kw[f.name] = int(raw) if f.type in ("int", int) else float(raw)
            except ValueError:
                continue  # a bad override keeps the safe default
        return cls(**kw)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits.from_env()
