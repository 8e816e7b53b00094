"""The PDF sandbox (src/jixiao/ingest/readers/pdf_sandbox.py): PDFs read in a worker process under a
memory cap and a deadline; a worker that dies costs only its file; threads share the workers; the switch
reads in-process; and the OCR render is bounded."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jixiao.errors import ReaderError
from jixiao.ingest import Limits, read_document
from jixiao.ingest.readers import pdf_sandbox
from jixiao.ingest.readers.pdf_sandbox import live_worker_pids
from test_fuzz_readers import REPO, minimal_pdf
from test_hostile_files import form_fanout_pdf, shared_content_pdf


@pytest.fixture
def small_pdf(tmp_path: Path) -> Path:
    p = tmp_path / "ok.pdf"
    p.write_bytes(minimal_pdf([["Budget 1,234.56", "Output 98%"], ["Page two 7,000"]]))
    return p


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert (a.path, a.format, a.text, a.blocks, a.warnings) == (
        b.path,
        b.format,
        b.text,
        b.blocks,
        b.warnings,
    )


def test_sandbox_reads_the_same_document_as_in_process(small_pdf: Path) -> None:
    boxed = read_document(small_pdf)
    assert live_worker_pids(), "the default reads in a worker"
    _same(boxed, read_document(small_pdf, sandbox=False))
    assert "Budget 1,234.56" in boxed.text and boxed.blocks[0].location.page == 1


def test_errors_from_the_worker_are_the_in_process_errors(tmp_path: Path) -> None:
    data = minimal_pdf([["Budget"]] * 3)
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(ReaderError) as boxed:
        read_document(p)
    with pytest.raises(ReaderError) as plain:
        read_document(p, sandbox=False)
    assert str(boxed.value) == str(plain.value) and "cut.pdf" in str(boxed.value)
    # the worker answered, so it is reused
    assert live_worker_pids()


def test_memory_cap_kills_the_worker_and_the_next_pdf_reads(tmp_path: Path, small_pdf: Path) -> None:
    bomb = tmp_path / "fanout.pdf"
    bomb.write_bytes(form_fanout_pdf(4, 10))  # 2 KB; ~1.2 GB in pdfium without a cap
    read_document(small_pdf)
    before = set(live_worker_pids())
    with pytest.raises(ReaderError) as e:
        read_document(bomb, limits=Limits(max_pdf_memory_mb=128))
    msg = str(e.value)
    assert "fanout.pdf" in msg and "内存上限 128 MB" in msg and "JIXIAO_MAX_PDF_MEMORY_MB" in msg
    assert len(before & set(live_worker_pids())) == len(before) - 1  # the worker that read it is gone
    doc = read_document(small_pdf)
    assert "Budget 1,234.56" in doc.text


def test_a_worker_killed_while_idle_is_replaced_without_blaming_the_file(small_pdf: Path) -> None:
    import signal
    import time

    read_document(small_pdf)
    killed = live_worker_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)  # dead, not yet reaped: the pool finds out when it writes the request
    assert "Budget 1,234.56" in read_document(small_pdf).text
    assert not set(killed) & set(live_worker_pids())


def test_deadline_kills_the_worker_and_the_next_pdf_reads(tmp_path: Path, small_pdf: Path) -> None:
    slow = tmp_path / "shared.pdf"
    slow.write_bytes(shared_content_pdf(20, 100))  # every page inflates the same 100 MB stream
    with pytest.raises(ReaderError) as e:
        read_document(slow, limits=Limits(max_pdf_seconds=0.3))
    msg = str(e.value)
    assert "shared.pdf" in msg and re.search(r"时间上限 0\.3 秒", msg) and "JIXIAO_MAX_PDF_SECONDS" in msg
    assert "Budget 1,234.56" in read_document(small_pdf).text


def test_deadline_grows_with_the_page_count() -> None:
    """The parent learns the page count from the worker: 1000 pages get 10 × the per-100-page seconds."""
    seconds: list[float] = []

    class Clock:
        def __init__(self) -> None:
            self.msgs = [("pages", 1000), ("error", "坏了", "x.pdf", False)]

        def __call__(self, timeout: float):  # type: ignore[no-untyped-def]
            seconds.append(timeout)
            return self.msgs.pop(0)

    w = object.__new__(pdf_sandbox._Worker)
    w.ready, w.retire = True, False
    w.send = type("S", (), {"send_bytes": lambda self, b: None})()
    w._message = Clock()  # type: ignore[method-assign]
    with pytest.raises(ReaderError, match="坏了"):
        w.read(Path("x.pdf"), Limits(max_pdf_seconds=2), False)
    assert seconds[0] <= 2 and 19 < seconds[1] <= 20


def test_threads_read_concurrently_with_a_bomb_among_them(tmp_path: Path) -> None:
    files = []
    for i in range(6):
        p = tmp_path / f"t{i}.pdf"
        p.write_bytes(minimal_pdf([[f"Thread file {i} amount {i},000.50"]] * (i + 1)))
        files.append(p)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(form_fanout_pdf(4, 10))
    expected = {p: read_document(p, sandbox=False) for p in files}
    errors: list[BaseException] = []
    got: dict[tuple[int, Path], object] = {}

    def reader(k: int) -> None:
        try:
            for p in files[k % 2 :: 2]:
                got[(k, p)] = read_document(p)
            if k == 0:
                try:
                    read_document(bomb, limits=Limits(max_pdf_memory_mb=128))
                except ReaderError as e:
                    got[(k, bomb)] = str(e)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert "内存上限 128 MB" in str(got[(0, bomb)])
    for (_k, p), doc in got.items():
        if p != bomb:
            _same(doc, expected[p])
    assert len(got) == 4 * 3 + 1
    assert len(live_worker_pids()) <= pdf_sandbox._MAX_WORKERS


def test_switch_off_reads_in_process(small_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_env({"JIXIAO_PDF_SANDBOX": "0"}).pdf_sandbox is False
    assert Limits.from_env({"JIXIAO_PDF_SANDBOX": "off"}).pdf_sandbox is False
    assert Limits.from_env({"JIXIAO_PDF_SANDBOX": "1"}).pdf_sandbox is True
    assert Limits.from_env({}).pdf_sandbox is True
    env = Limits.from_env({"JIXIAO_MAX_PDF_MEMORY_MB": "300", "JIXIAO_MAX_PDF_SECONDS": "2.5"})
    assert (env.max_pdf_memory_mb, env.max_pdf_seconds) == (300, 2.5)

    def no_worker(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("a worker was asked")

    monkeypatch.setattr(pdf_sandbox._POOL, "read", no_worker)
    assert "Budget" in read_document(small_pdf, limits=Limits(pdf_sandbox=False)).text
    assert "Budget" in read_document(small_pdf, sandbox=False).text
    with pytest.raises(ReaderError, match="a worker was asked"):
        read_document(small_pdf)


def test_environment_switch_starts_no_worker(small_pdf: Path) -> None:
    code = (
        "import sys\nfrom jixiao.ingest import read_document\n"
        "from jixiao.ingest.readers.pdf_sandbox import live_worker_pids\n"
        "print(len(read_document(sys.argv[1]).text), len(live_worker_pids()))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), JIXIAO_PDF_SANDBOX="0")
    out = subprocess.run(
        [sys.executable, "-c", code, str(small_pdf)], capture_output=True, text=True, env=env
    )
    chars, workers = map(int, out.stdout.split())
    assert chars > 0 and workers == 0, out.stderr


def test_a_killed_workers_memory_counts_in_the_parents_children(tmp_path: Path) -> None:
    """What tests/test_hostile_files.py relies on: the worker is a direct child, reaped, so its peak is in
    RUSAGE_CHILDREN, and the cap holds it near idle + cap."""
    bomb = tmp_path / "fanout.pdf"
    bomb.write_bytes(form_fanout_pdf(4, 10))
    code = (
        "import json, resource, sys\nfrom jixiao.ingest import Limits, read_document\n"
        "from jixiao.errors import ReaderError\n"
        "try:\n    read_document(sys.argv[1], limits=Limits(max_pdf_memory_mb=200)); err = ''\n"
        "except ReaderError as e:\n    err = str(e)\n"
        "print(json.dumps([err, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run(
        [sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, env=env, timeout=60
    )
    err, children_mb = json.loads(out.stdout)
    assert "内存上限 200 MB" in err
    assert 150 < children_mb < 200 + 100, children_mb


def test_forked_child_does_not_use_the_parents_worker(small_pdf: Path) -> None:
    read_document(small_pdf)
    mine = live_worker_pids()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        ok = live_worker_pids() == [] and "Budget" in read_document(small_pdf).text
        os._exit(0 if ok and live_worker_pids() and not set(mine) & set(live_worker_pids()) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert live_worker_pids() == mine and "Budget" in read_document(small_pdf).text


# ---------------------------------------------------------------------------------------------------
# OCR: no render before the engine, and none larger than 16 Mpx


def test_ocr_scale_bounds_the_bitmap() -> None:
    from jixiao.ingest.readers.pdf import ocr_scale

    assert ocr_scale(595, 842) == 2.0  # A4 at 144 dpi
    assert ocr_scale(14400, 10) == 2.0  # a long strip is small enough
    for w, h in ((5000, 5000), (14400, 14400), (14400, 1200)):
        s = ocr_scale(w, h)
        assert 0 < s < 2 and (w * s) * (h * s) <= 16_000_000 * 1.0001


def test_ocr_asks_for_the_engine_before_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.ingest.readers import image, pdf

    class Page:
        def get_width(self) -> float:
            return 5000.0

        def get_height(self) -> float:
            return 5000.0

        def render(self, scale: float):  # type: ignore[no-untyped-def]
            raise AssertionError(f"rendered at scale {scale} without an engine")

    def missing(path: str):  # type: ignore[no-untyped-def]
        raise ReaderError(image.OCR_MISSING, file=path)

    monkeypatch.delitem(image.ocr_engine.__dict__, "engine", raising=False)
    monkeypatch.setattr(image, "ocr_engine", missing)
    with pytest.raises(ReaderError, match="OCR"):
        pdf._ocr_page(Page(), "scan.pdf")

    scales: list[float] = []

    class Rendered(Page):
        def render(self, scale: float):  # type: ignore[no-untyped-def]
            scales.append(scale)
            return type("B", (), {"to_pil": lambda self: "bitmap"})()

    monkeypatch.setattr(image, "ocr_engine", lambda path: object())
    monkeypatch.setattr(image, "ocr_lines", lambda img, path: ["第一行", "第二行"])
    assert pdf._ocr_page(Rendered(), "scan.pdf") == "第一行\n第二行"
    assert scales and (5000 * scales[0]) ** 2 <= 16_000_000 * 1.0001
