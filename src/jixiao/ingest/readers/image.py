"""Images (scans, photos of reports): only with OCR, which is the optional `jixiao[ocr]` extra."""

from __future__ import annotations

from pathlib import Path

from jixiao.errors import ReaderError

from ..document import Document, Location, assemble
from ..limits import DEFAULT_LIMITS, Limits
from ..normalize import MText, lines_to_blocks
from ._common import block_from_spec, check_size

OCR_MISSING = "已请求 OCR，但未安装 OCR 组件；请运行 pip install jixiao[ocr]"


def ocr_engine(path: str):  # type: ignore[no-untyped-def]
    """The RapidOCR engine, created once; a clear error when the extra is not installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]
    except ImportError as e:
        raise ReaderError(OCR_MISSING, file=path) from e
    if "engine" not in ocr_engine.__dict__:  # setdefault would build a new engine (seconds) on every call
        ocr_engine.__dict__["engine"] = RapidOCR()
    return ocr_engine.__dict__["engine"]


def ocr_lines(image, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    import numpy as np

    result, _ = ocr_engine(path)(np.asarray(image.convert("RGB")))
    return [r[1] for r in (result or [])]


def read_image(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    name = str(path)
    check_size(path, limits)
    ocr_engine(name)  # fail fast, before decoding the image
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = 100_000_000  # decompression-bomb guard
    try:
        with Image.open(path) as im:
            lines = ocr_lines(im, name)
    except ReaderError:
        raise
    except Exception as e:
        raise ReaderError(f"图片无法解码：{type(e).__name__}: {e}", file=name) from e
    locs = [Location(name, line=i + 1) for i in range(len(lines))]
    specs = lines_to_blocks([MText.of(s, i) for i, s in enumerate(lines)])
    blocks = [block_from_spec(sp, locs) for sp in specs]
    warnings = ["内容由 OCR 识别，数字和文字请与原件核对"]
    if not blocks:
        warnings.append("OCR 未识别到任何文字")
    return assemble(name, "image", blocks, warnings)
