"""PDFs read in a child process, so that pdfium cannot take the calling process (or the machine) down.

No static scan bounds what pdfium builds from a small file: form XObjects nested to fan out, one content
stream drawn by every page, an encrypted bomb the stream guard sees only as ciphertext. So the guard and
pdfium's part of `read_pdf` run in a worker process whose address space may grow by `Limits.max_pdf_memory_mb` while it
reads (`RLIMIT_AS`, soft limit, set per file), and which the parent kills after
`Limits.max_pdf_seconds` × max(1, pages / 100) seconds. A worker that dies (pdfium aborts when an
allocation fails, Python raises MemoryError, the parent kills it at the deadline) costs only that file:
a Chinese `ReaderError` names the file and the limit, and the next PDF gets a fresh worker.

Choices, measured (see benchmarks/bench_pdf.py for the per-file overhead):

* Workers are persistent (one per concurrent reader, at most one per CPU, lazily started, reused), not
  one process per file: starting one costs 160 ms (interpreter and imports, measured to the first
  message), paid on a process's first PDF and after a worker is killed or retired.
* They are started by `subprocess` (fork+exec), safe from a multi-threaded parent such as the web app's
  thread pool, where a bare `fork` may copy a lock held by another thread. multiprocessing's `spawn`
  would re-import the parent's ``__main__``, and with `forkserver` a worker is a grandchild, so a dead
  worker's peak memory would not show in the parent's ``RUSAGE_CHILDREN``.
* The worker gets the file's name (and the caller's working directory, so that a relative name means
  the same file and the Document names it the same way) and reads the file itself: piping the bytes
  cost ~0.1 ms more per 70 KB file (the pipe holds 64 KB: more wake-ups), and the worker is the one
  that must not trust them.
* The worker runs pdfium's part (`pdf.read_pdf_pages`: lines, their geometry, tables, as plain data)
  and the caller builds the Document (`pdf.assemble_pdf`): a seed report's Document holds ~850
  Location objects, whose pickling round trip cost 1.6 ms (more than building them), the plain data
  ~0.2 ms.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from jixiao.errors import ReaderError

try:
    import resource
except ImportError:  # not POSIX (Windows): no address-space limit, so no sandbox
    resource = None  # type: ignore[assignment]

from ..document import Document
from ..limits import Limits
from ._common import check_size

_START_SECONDS = 60.0  # imports of a cold worker on a loaded machine; not charged to the file
_RETIRE_GROWTH = 256 << 20  # a worker whose address space grew this much since start is replaced
_MAX_WORKERS = max(1, os.cpu_count() or 1)
_SRC = str(Path(__file__).resolve().parents[3])  # the directory holding the jixiao package


def read_pdf_bytes(path: Path, data: bytes, limits: Limits, *, ocr: bool = False) -> Document:
    """The guard, then `read_pdf`, in this process."""
    from .pdf import read_pdf

    _guard(path, data, limits, ocr)
    return read_pdf(path, limits, ocr=ocr, data=data)


def _guard(path: Path, data: bytes, limits: Limits, ocr: bool) -> None:
    from .pdf_guard import check_pdf_streams

    # pdfium inflates streams without a bound: bombs are refused before it opens the file; OCR renders
    # pages, which decodes their images too
    check_pdf_streams(data, str(path), limits, render=ocr)


def read_pdf_file(
    path: Path, data: bytes, limits: Limits, *, ocr: bool = False, sandbox: bool = True
) -> Document:
    """`read_pdf_bytes` in a sandboxed worker (or in this process when ``sandbox`` is false).

    OCR reads stay in this process: the OCR engine (onnxruntime) is an opt-in of the command line, not
    used by the web app, and its memory under an address-space cap has not been measured here (it is
    not installed); its page render is bounded by `pdf.ocr_scale` instead."""
    if not sandbox or ocr or resource is None:
        return read_pdf_bytes(path, data, limits, ocr=ocr)
    return _POOL.read(path, limits, ocr)


def memory_message(limits: Limits) -> str:
    return (
        f"读取 PDF 超过内存上限 {limits.max_pdf_memory_mb:g} MB（JIXIAO_MAX_PDF_MEMORY_MB），已停止读取；"
        "文件结构异常（如层层嵌套的表单、被每页重复解压的内容、加密的压缩炸弹），疑似恶意文件"
    )


def live_worker_pids() -> list[int]:
    """Process ids of this process's idle and busy workers (for measuring their memory)."""
    return _POOL.pids()


# ---------------------------------------------------------------------------------------------------
# Parent side


class _Died(Exception):
    """The worker is gone (pipe closed or broken)."""


class _Stale(Exception):
    """The worker was gone before it got the request (killed while idle): the file is not to blame."""


class _Worker:
    def __init__(self) -> None:
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_SRC, env.get("PYTHONPATH", "")) if p)
        code = f"from jixiao.ingest.readers.pdf_sandbox import serve; serve({req_r}, {rep_w})"
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(req_r, rep_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # pdfium's abort message is not the user's business
                env=env,
            )
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.send = Connection(req_w, readable=False)
        self.recv = Connection(rep_r, writable=False)
        # one poll object for the worker's life: Connection.poll builds a selector per call
        self.poller = select.poll()
        self.poller.register(rep_r, select.POLLIN)
        self.ready = False
        self.retire = False

    def _message(self, timeout: float) -> tuple | None:  # type: ignore[type-arg]
        """The next message, or None when none came within ``timeout`` seconds."""
        try:
            if not self.poller.poll(max(int(timeout * 1000), 0)):
                return None
            return pickle.loads(self.recv.recv_bytes())
        except (EOFError, OSError) as e:
            raise _Died from e

    def read(self, path: Path, limits: Limits, ocr: bool) -> Document:
        name = str(path)
        if not self.ready:
            if self._message(_START_SECONDS) is None:
                self.retire = True
                raise ReaderError("PDF 读取进程未能启动（超时），请稍后重试", file=name)
            self.ready = True
        try:
            self.send.send_bytes(
                pickle.dumps((name, os.getcwd(), limits, ocr), protocol=pickle.HIGHEST_PROTOCOL)
            )
        except OSError as e:
            raise _Stale from e
        start = time.monotonic()
        seconds = limits.max_pdf_seconds
        while True:
            msg = self._message(start + seconds - time.monotonic())
            if msg is None:
                self.kill()
                raise ReaderError(
                    f"读取 PDF 超过时间上限 {seconds:g} 秒（JIXIAO_MAX_PDF_SECONDS：每 100 页 "
                    f"{limits.max_pdf_seconds:g} 秒），已停止读取；文件可能结构异常或过于复杂",
                    file=name,
                )
            if msg[0] == "pages":  # the file is open: the deadline grows with its page count
                seconds = limits.max_pdf_seconds * max(1.0, min(msg[1], limits.max_pdf_pages) / 100)
                continue
            self.retire = msg[-1]
            if msg[0] == "ok":
                from .pdf import assemble_pdf

                return assemble_pdf(path, msg[1])
            raise ReaderError(msg[1], file=msg[2])

    def died_error(self, path: Path, limits: Limits) -> ReaderError:
        """Why the worker died, once it is reaped."""
        code = self.kill()
        if code in (-signal.SIGABRT, -signal.SIGKILL):  # pdfium's failed allocation, the OOM killer
            return ReaderError(memory_message(limits), file=str(path))
        what = f"信号 {signal.Signals(-code).name}" if code and code < 0 else f"退出码 {code}"
        return ReaderError(
            f"读取 PDF 时读取进程异常终止（{what}），文件可能已损坏或为恶意构造，已停止读取", file=str(path)
        )

    def kill(self) -> int | None:
        self.send.close()
        self.recv.close()
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait()  # reaped: its peak memory shows in RUSAGE_CHILDREN

    def close(self) -> None:
        """Let an idle worker exit on its own (end of input), killing it if it does not."""
        self.send.close()
        self.recv.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Pool:
    """Idle workers, and a bound on how many read at once (one per CPU: each may use the memory cap)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(_MAX_WORKERS)
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()

    def read(self, path: Path, limits: Limits, ocr: bool) -> Document:
        with self.slots:
            try:
                return self._read_once(path, limits, ocr)
            except _Stale:  # an idle worker died (not of this file): once more with a fresh one
                return self._read_once(path, limits, ocr, fresh=True)

    def _read_once(self, path: Path, limits: Limits, ocr: bool, fresh: bool = False) -> Document:
        with self.lock:
            w = self.idle.pop() if self.idle and not fresh else None
            if w is None:
                w = _Worker()
            self.busy.add(w)
        ok = False
        try:
            doc = w.read(path, limits, ocr)
            ok = True
            return doc
        except _Died:
            raise w.died_error(path, limits) from None
        except ReaderError:
            ok = w.proc.poll() is None  # a worker killed at the deadline is not reused
            raise
        finally:
            with self.lock:
                self.busy.discard(w)
                keep = ok and not w.retire and w.proc.poll() is None
                if keep:
                    self.idle.append(w)
            if not keep:
                w.kill()

    def pids(self) -> list[int]:
        with self.lock:
            return [w.proc.pid for w in (*self.idle, *self.busy) if w.proc.poll() is None]

    def shutdown(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for w in idle:
            w.close()

    def forget(self) -> None:
        """In a forked child: the workers belong to the parent; close only this process's copies of the pipes."""
        for w in (*self.idle, *self.busy):
            w.send.close()
            w.recv.close()
        self.__init__()  # type: ignore[misc]


_POOL = _Pool()
atexit.register(_POOL.shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL.forget)


# ---------------------------------------------------------------------------------------------------
# Worker side


def _address_space() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _cap(extra_bytes: int) -> None:
    """Let the address space grow by ``extra_bytes`` from now (soft limit: raised again after the file)."""
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    soft = _address_space() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _uncap() -> None:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _answer(path: str, limits: Limits, ocr: bool, send: Connection) -> tuple:  # type: ignore[type-arg]
    """The reply for one file: ("ok", PdfPages) or ("error", message, file); last item: retire."""
    from jixiao.ingest import as_reader_error

    from .pdf import read_pdf_pages

    def on_open(pages: int) -> None:
        if pages > 100:  # fewer keep the base deadline: no message, no extra wake-up of the parent
            send.send_bytes(pickle.dumps(("pages", pages)))

    _cap(int(limits.max_pdf_memory_mb * 1024 * 1024))
    try:
        p = Path(path)
        check_size(p, limits)  # before reading: the file may have grown since the caller's check
        try:
            data = p.read_bytes()
        except OSError as e:
            raise ReaderError(f"无法读取文件：{e.strerror or e}", file=path) from e
        _guard(p, data, limits, ocr)
        parts = read_pdf_pages(p, limits, ocr=ocr, data=data, on_open=on_open)
    except ReaderError as e:
        return ("error", e.message, e.file or path, False)
    except MemoryError:
        return ("error", memory_message(limits), path, True)  # pdfium's heap may be half-updated
    except Exception as e:
        err = as_reader_error(e, "pdf", path)
        return ("error", err.message, path, isinstance(e, RecursionError))
    finally:
        _uncap()
    return ("ok", parts, False)


def serve(req_fd: int, rep_fd: int) -> None:
    """The worker's loop: (path, working directory, limits, ocr) in, one reply out, until end of input."""
    recv = Connection(req_fd, writable=False)
    send = Connection(rep_fd, readable=False)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write a core of the cap's size
    import pypdfium2  # noqa: F401  imported before the first file, not charged to it

    from . import pdf, pdf_guard  # noqa: F401

    started = _address_space()
    send.send_bytes(pickle.dumps(("ready",)))
    while True:
        try:
            path, cwd, limits, ocr = pickle.loads(recv.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            if cwd != os.getcwd():
                os.chdir(cwd)
            reply = _answer(path, limits, ocr, send)
        except OSError as e:  # the caller's directory is gone
            reply = ("error", f"无法读取文件：{e.strerror or e}", path, False)
        retire = reply[-1] or _address_space() > started + _RETIRE_GROWTH
        send.send_bytes(pickle.dumps((*reply[:-1], retire), protocol=pickle.HIGHEST_PROTOCOL))
        if retire:
            return
