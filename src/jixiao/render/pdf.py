"""PDF through LibreOffice headless: .docx → .pdf (and .xlsx → .pdf to proof the 自评表).

Each conversion uses a private, throw-away LibreOffice profile (``-env:UserInstallation``) so parallel
runs and a user's open LibreOffice do not block each other, and a timeout so a hung converter cannot
hang the command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.errors import JixiaoError

DEFAULT_TIMEOUT = 180
INSTALL_HINT = "请安装 LibreOffice，例如 Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"


def find_soffice() -> str:
    for name in (os.environ.get("JIXIAO_SOFFICE", ""), "soffice", "libreoffice", "lowriter"):
        if name and (path := shutil.which(name)):
            return path
    raise JixiaoError(f"生成 PDF 需要 LibreOffice，但未找到 soffice 命令。{INSTALL_HINT}")


def convert_to_pdf(source: Path, out: Path, *, timeout: int = DEFAULT_TIMEOUT) -> Path:
    """Convert ``source`` (.docx/.xlsx) to the PDF file ``out``."""
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as tmp:
        tmp_path = Path(tmp)
        profile = (tmp_path / "profile").as_uri()
        outdir = tmp_path / "out"
        outdir.mkdir()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise JixiaoError(f"LibreOffice 转换 PDF 超时（{timeout} 秒）：{source.name}") from exc
        produced = outdir / f"{source.stem}.pdf"
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["无输出"]
            raise JixiaoError(f"LibreOffice 未能将 {source.name} 转换为 PDF（退出码 {proc.returncode}）：{detail[0]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), out)
    return out
