"""Safety limits for reading untrusted documents.

Every reader checks these before doing expensive work, and raises `ReaderError` naming the file and the
limit. Defaults can be overridden with environment variables (read when `Limits.from_env()` is called,
which `DEFAULT_LIMITS` does once at import):

| field                | default     | environment variable        | what it bounds                                 |
|----------------------|-------------|-----------------------------|------------------------------------------------|
| max_file_mb          | 50          | JIXIAO_MAX_FILE_MB          | size of the file on disk                       |
| max_unzipped_mb      | 200         | JIXIAO_MAX_UNZIPPED_MB      | total uncompressed size of a .docx/.xlsx zip   |
| max_zip_ratio        | 100         | JIXIAO_MAX_ZIP_RATIO        | uncompressed/compressed ratio of any member    |
| max_zip_members      | 5000        | JIXIAO_MAX_ZIP_MEMBERS      | number of parts in a .docx/.xlsx zip           |
| max_pdf_pages        | 1000        | JIXIAO_MAX_PDF_PAGES        | pages in a PDF                                 |
| max_pdf_inflated_mb  | 256         | JIXIAO_MAX_PDF_INFLATED_MB  | decoded size of all streams of a PDF, summed   |
| max_rows             | 200000      | JIXIAO_MAX_ROWS             | rows read from all sheets of a workbook        |
| max_cells            | 2000000     | JIXIAO_MAX_CELLS            | cells read from all sheets of a workbook       |
| max_text_chars       | 20000000    | JIXIAO_MAX_TEXT_CHARS       | characters of text in one document             |

XML parts of .docx/.xlsx files are always scanned for DTDs and entity declarations (billion laughs,
external entities) before python-docx/openpyxl parse them; there is no switch to turn that off.

`max_pdf_inflated_mb` is checked on the raw bytes before pdfium opens the file (`readers/pdf_guard.py`),
since pdfium inflates a stream with no bound. The text, fonts and page contents of a report PDF decode to
about 1.3× its file size (the five seed reports exported by LibreOffice: 0.3–0.4 MB), so even a 50 MB file
stays far below 256 MB; images that pages only draw are not counted unless OCR renders the pages (text
extraction never decodes them). 256 MB also keeps pdfium, which holds about twice a stream's size while
inflating it, under the 600 MB peak the hostile-file tests allow.
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
        kw: dict[str, float | int] = {}
        for f in fields(cls):
            raw = env.get("JIXIAO_" + f.name.upper())
            if raw is None or not raw.strip():
                continue
            try:
                kw[f.name] = int(raw) if f.type in ("int", int) else float(raw)
            except ValueError:
                continue  # a bad override keeps the safe default
        return cls(**kw)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits.from_env()
