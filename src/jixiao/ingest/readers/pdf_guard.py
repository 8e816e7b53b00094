"""PDF decompression-bomb guard: bound the decoded size of a PDF's streams before pdfium opens it.

pdfium inflates a stream into one buffer with no size bound, and pypdfium2 offers no allocator hook, so
a 0.5 MB file whose content stream inflates to 1 GB costs ~1 GB of RAM. This module reads the raw bytes
the way pdfium's parser finds streams (every ``stream`` keyword, data from the next line on) and adds up
what each stream's declared filters (``/Filter`` as a name, an array or an indirect reference) decode to,
never holding more than a chunk of output. Every stage of a chain counts, since pdfium keeps each
intermediate buffer: ``[/FlateDecode /FlateDecode]`` counts both layers.

Inflating everything would cost 10–30 % of pdfium's own text extraction of a report, so the work is cut
by a bound: no filter chain here turns a raw byte into more than R bytes (deflate: 1032), so the streams
from position p to the end of the file decode to at most R × (file size − p). Streams are decoded in
file order, chunk by chunk, and the scan stops as soon as (decoded so far + that bound) is under the
limit, or raises once decoded so far is over it. With the default limit a report PDF under ~250 KB is
cleared without decoding anything; a larger one has only its first (size − 250 KB) decoded.

Image XObjects are not decoded by text extraction (measured: a page drawing a 500 MB image reads in
38 MB), but a stream labelled an image is still decoded when it is reached as page content, a font or a
glyph. So without ``render`` (OCR renders pages, which decodes their images) an image is left out only
when every ``N G R`` naming it, in the raw bytes and in object streams, is an entry of an inline
/XObject dictionary or a mask; otherwise it counts like any stream.

Decoded here: FlateDecode, ASCIIHexDecode, ASCII85Decode, in any chain. LZWDecode and RunLengthDecode
(which no current producer writes) count at their worst-case expansion. An image filter (DCT, JPX,
JBIG2, CCITT), Crypt or an unknown name ends a chain: text extraction does not decode past it. A
``/Filter`` that cannot be read from the raw bytes (defined in an object stream, given twice) is followed
as Flate layers for as long as each layer's output starts with a zlib header. Limits of the model: each
stream counts once (pdfium decodes a content stream shared by many pages once per page, so that work is
bounded by ``max_pdf_pages`` × this limit), and encrypted files (``/Encrypt``) hold ciphertext, which
this guard cannot see into.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from jixiao.errors import ReaderError

from ..limits import Limits

_CHUNK = 1 << 14  # raw bytes fed per step: the granularity of the early stop
_OUT = 1 << 20  # most output any decoder hands back at once: bounds memory whatever the ratio
# raw bytes' worth of output a decoder may owe for input it has taken (a match cut short by the output
# cap, a partial group); a stream not started yet owes nothing: zlib's header and checksum yield no output
_SLACK = 64
_SNIFF_LAYERS = 4  # Flate layers followed when the filter chain is unknown

_FLATE = {b"FlateDecode", b"Fl"}
_HEX = {b"ASCIIHexDecode", b"AHx"}
_A85 = {b"ASCII85Decode", b"A85"}
# filters not decoded here, with their worst output/input ratio (LZW: a 12-bit code for a 3839-byte string)
_BOUND_ONLY = {b"LZWDecode": 2560.0, b"LZW": 2560.0, b"RunLengthDecode": 64.0, b"RL": 64.0}
_RATIO = {"flate": 1032.0, "hex": 0.5, "a85": 4.0}  # deflate: 258 bytes per 2 bits; a85: "z" is 4 zeros

_STREAM_KW = re.compile(rb"stream")
_OBJ_KW = re.compile(rb"obj")
_MAX_OBJ_KEYWORDS = 1_000_000  # "obj" and "endobj" of 500,000 objects
_MAX_HEADER_TRIES = 1000  # "obj" that are not object headers, looked at per keyword
_MAX_IMAGE_REFS = 100_000  # references to image candidates checked; more and no image is spared
_MAX_STREAMS = 200_000  # a 1000-page report has a few thousand; more only costs time here and in pdfium
_WS = rb"(?:\s|%[^\r\n]*[\r\n])*"  # whitespace and comments, which pdfium skips between tokens
_END_NAME = rb"(?![^\s/\[\]<>()%{}])"  # "/Length" but not "/Length1"
_INT = rb"\d{1,15}(?!\d)"  # object numbers and lengths; longer ones are nonsense (and slow to convert)
_FILTER_RE = re.compile(
    rb"/Filter" + _END_NAME + _WS + rb"(\[[^\]]*\]|/[^\s/\[\]<>()%{}]*|" + _INT + rb"\s+" + _INT + rb"\s+R)"
)
_LENGTH_RE = re.compile(rb"/Length" + _END_NAME + _WS + rb"(" + _INT + rb")(?:\s+(" + _INT + rb")\s+R)?")
_OBJ_NUMS = re.compile(rb"(?<!\d)(\d+)\s+(\d+)\s+$")
_NAME_ESC = re.compile(rb"#([0-9A-Fa-f]{2})")
_NAMES_RE = re.compile(rb"/([^\s/\[\]<>()%{}]*)")
_ARRAY_JUNK = re.compile(rb"/[^\s/\[\]<>()%{}]*|%[^\r\n]*|[\s\[\]]")
_SUBTYPE_RE = re.compile(rb"/Subtype" + _END_NAME + _WS + rb"/([^\s/\[\]<>()%{}]*)")
_OBJSTM_RE = re.compile(rb"/Type" + _END_NAME + _WS + rb"/ObjStm" + _END_NAME)
_WS_TO_SPACE = bytes.maketrans(b"\x00\t\n\x0c\r", b"     ")
_TOKEN_END = {b"", b" ", b"/", b"[", b"]", b"<", b">", b"(", b")", b"%", b"{", b"}"}  # what may follow "R"
_REF_NUMS = re.compile(rb"(?<![\d.+-])(\d+)\s+(\d+)\s$")
_KEY_BEFORE = re.compile(rb"/([^\s/\[\]<>()%{}]+)\s*$")
_DICT_ENTRIES = re.compile(rb"(?:\s|/[^\s/\[\]<>()%{}]*|\d+|R)*")
_XOBJECT_KEY = re.compile(rb"/XObject\s*$")
_MASK_KEYS = {
    b"SMask",
    b"Mask",
    b"Thumb",
}  # an image's masks and a page's thumbnail: only rendering reads them
_REF_SCAN_CAP = 64 << 20  # object-stream text searched for references, at most
_A85_GROUPS = re.compile(rb"(?:z|[!-u]{5})*")
_A85_SKIP = re.compile(rb"[\s\x00]+")
_HEX_SKIP = re.compile(rb"[^0-9A-Fa-f>]+")


class _Chain(NamedTuple):
    stages: list[str] | None  # decodable stages in order; None: unknown, sniff Flate layers
    ratio: float  # worst decoded bytes (all stages together) per raw byte
    bound_only: bool = False  # a filter not decoded here: counted at ratio × its length


_RAW = _Chain([], 0.0)  # nothing text extraction decodes: no filter, or an image filter first
_NONE = _Chain([], 0.0)  # no /Filter at all (a distinct object: a following keyword inherits then)


def check_pdf_streams(data: bytes, path: str, limits: Limits, *, render: bool = False) -> None:
    """Raise `ReaderError` if the streams of `data` would decode to more than `limits.max_pdf_inflated_mb`.

    With `render` false (no OCR) image XObjects that text extraction provably never decodes are left out.
    """
    starts = _stream_starts(data)
    if len(starts) > _MAX_STREAMS:
        raise ReaderError(
            f"PDF 中的数据流（stream）超过 {_MAX_STREAMS} 个，结构异常，疑似恶意文件，已拒绝读取", file=path
        )
    if not starts:
        return
    objs = _Objects(data)
    heads = _heads(data, starts)
    chains: list[_Chain] = []
    for head in heads:
        chain = _chain(head.text, objs)
        # a second keyword after one object header: the first was inside that dictionary (a string, a
        # comment), so the filters named before it still apply
        chains.append(chains[-1] if head.follows and chain is _NONE else chain)
    limit = limits.max_pdf_inflated_bytes
    if max(c.ratio for c in chains) * (len(data) - starts[0][1] + _SLACK) <= limit:
        return  # the bound alone clears it: nothing to decode
    if not render:
        spared = _images_never_decoded(data, starts, heads, chains)
        chains = [_RAW if i in spared else c for i, c in enumerate(chains)]
    if _over(data, starts, [h.text for h in heads], chains, objs, limit):
        _refuse(path, limits)


def _over(
    data: bytes,
    starts: list[tuple[int, int]],
    heads: list[bytes],
    chains: list[_Chain],
    objs: _Objects,
    limit: int,
) -> bool:
    """Whether the streams decode to more than `limit` bytes; decodes no more than it needs to."""
    worst = max(c.ratio for c in chains)
    size = len(data)

    def clear(used: float, pos: int) -> bool:
        """Whether `used` plus the most the bytes from `pos` on can decode to fits under the limit."""
        return used <= limit if worst == 0 else used + worst * (size - pos + _SLACK) <= limit

    if clear(0, starts[0][1]):
        return False
    view = memoryview(data)
    ends = (_Next(data, b"endstream"), _Next(data, b"endobj"))
    used = 0.0
    for i, ((_, start), head, chain) in enumerate(zip(starts, heads, chains, strict=True)):
        following = starts[i + 1][1] if i + 1 < len(starts) else size
        if chain.bound_only:
            extent = max(_stream_end(data, start, head, objs, ends), following) - start
            used += chain.ratio * (extent + _SLACK)
        elif chain.stages != []:
            # one stage reports exactly what it consumed: a hex/ASCII85 stage holds back at most 4
            # bytes, well within the slack; a later stage may hold a whole chunk of undecoded input
            single = chain.stages is not None and len(chain.stages) == 1
            for decoded, consumed in _decode(view, start, chain.stages):
                used += decoded
                if used > limit:
                    return True
                # a stream starting inside what was consumed (objects may overlap) is not done yet
                if single and clear(used, min(start + consumed, following)):
                    return False
        if used > limit:
            return True
        if clear(used, following):
            return False
    return False


def _refuse(path: str, limits: Limits) -> None:
    raise ReaderError(
        f"PDF 中压缩数据流解压后的总大小超过上限 {limits.max_pdf_inflated_mb:g} MB"
        "（JIXIAO_MAX_PDF_INFLATED_MB），疑似“压缩炸弹”，已拒绝读取",
        file=path,
    )


# ---------------------------------------------------------------------------------------------
# Finding streams, their dictionaries, extent and filters the way pdfium's syntax parser does


def _stream_starts(data: bytes) -> list[tuple[int, int]]:
    """(keyword position, first data byte) of every `stream` keyword, in file order; stops counting past
    `_MAX_STREAMS`. The data starts after pdfium's ToNextLine: anything up to the first LF, or CR (with
    an LF after it), is skipped. The next LF/CR are found once for all keywords before them."""
    out: list[tuple[int, int]] = []
    size = len(data)
    lf = cr = -2  # -2: not looked for yet; -1: none left
    for m in _STREAM_KW.finditer(data):  # a literal regex scans about twice as fast as bytes.find here
        kw = m.start()
        if data[kw - 3 : kw] == b"end":
            continue
        pos = kw + 6
        if lf != -1 and lf < pos:
            lf = data.find(b"\n", pos)
        if cr != -1 and cr < pos:
            cr = data.find(b"\r", pos)
        if cr >= 0 and (lf < 0 or cr < lf):
            start = cr + 2 if data[cr + 1 : cr + 2] == b"\n" else cr + 1
        else:
            start = lf + 1 if lf >= 0 else size
        if start >= size:
            break  # no line end left: no later keyword has data either
        out.append((kw, start))
        if len(out) > _MAX_STREAMS:
            break
    return out


class _Head(NamedTuple):
    text: bytes  # the dictionary text read for this keyword, name escapes decoded
    ident: tuple[int, int] | None  # (N, G) of the object whose dictionary this is
    follows: bool  # no object header since the previous keyword


def _heads(data: bytes, starts: list[tuple[int, int]]) -> list[_Head]:
    """Each keyword's dictionary: the text from the last `N G obj` before it. A keyword with no header
    since the previous one gets only the text since that keyword, so no byte is read twice."""
    out: list[_Head] = []
    lo = 0
    for kw, _ in starts:
        pos = kw
        text, ident = None, None
        for _ in range(_MAX_HEADER_TRIES):
            i = data.rfind(b"obj", lo, pos)
            if i < 0:
                break
            nums = _OBJ_NUMS.search(data, max(0, i - 24), i) if data[i - 3 : i] != b"end" else None
            if nums:
                text, ident = data[i + 3 : kw], (int(nums.group(1)), int(nums.group(2)))
                break
            pos = i
        follows = text is None and bool(out)
        if text is None:
            text = data[lo:kw]
        if b"#" in text:
            text = _NAME_ESC.sub(lambda e: bytes([int(e.group(1), 16)]), text)
        out.append(_Head(text, ident, follows))
        lo = kw + 6
    return out


class _Objects:
    """Indirect objects found in the raw bytes (not those inside object streams), the last definition
    winning as after an incremental update. Indexed on the first lookup, in one pass."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.index: dict[tuple[int, int], int] | None = None

    def get(self, num: int, gen: int) -> bytes | None:
        if self.index is None:
            self.index = {}
            data = self.data
            for n, m in enumerate(_OBJ_KW.finditer(data)):
                if n > _MAX_OBJ_KEYWORDS:
                    self.index = {}  # not a real file; a partial index could miss the last definition
                    break
                i = m.start()
                head = _OBJ_NUMS.search(data, max(0, i - 24), i) if data[i - 3 : i] != b"end" else None
                if head:
                    self.index[(int(head.group(1)), int(head.group(2)))] = i + 3
        at = self.index.get((num, gen))
        if at is None:
            return None
        end = self.data.find(b"endobj", at, at + 4096)
        return self.data[at : end if end >= 0 else at + 4096].strip()


class _Next:
    """The next occurrence of a needle at or after a position, for positions that never go back: each
    byte is searched once however many streams ask."""

    def __init__(self, data: bytes, needle: bytes) -> None:
        self.data, self.needle, self.at = data, needle, -2

    def after(self, pos: int) -> int:
        if self.at != -1 and self.at < pos:
            self.at = self.data.find(self.needle, pos)
        return self.at


def _stream_end(data: bytes, start: int, head: bytes, objs: _Objects, ends: tuple[_Next, _Next]) -> int:
    """Where pdfium stops reading: /Length if `endstream` follows it, else the first `endstream`/`endobj`.
    A /Length that cannot be read here (in an object stream, or given twice) could be anything, so then
    the file's end is assumed."""
    found = _LENGTH_RE.findall(head)
    n: int | None = None
    if len(set(found)) == 1:
        num, gen = found[0]
        if not gen:
            n = int(num)
        else:
            body = objs.get(int(num), int(gen))
            n = int(body) if body is not None and body.isdigit() else None
    if n is not None and start + n < len(data):
        after = data[start + n : start + n + 64].lstrip(b" \t\r\n\x00\x0c")
        if after.startswith(b"endstream"):
            return start + n
    if n is None and found:
        return len(data)
    found_ends = [i for i in (ends[0].after(start), ends[1].after(start)) if i >= 0]
    return min(found_ends) if found_ends else len(data)


def _chain(head: bytes, objs: _Objects) -> _Chain:
    """A stream's filter chain, from its dictionary."""
    found = _FILTER_RE.findall(head)
    mentions = head.count(b"/Filter")
    if not mentions:
        return _NONE  # pdfium hands the raw bytes on
    if mentions > len(found) or len(set(found)) > 1:  # a /Filter whose value is not here, or two
        return _Chain(None, float("inf"))
    value = found[0]
    ref = re.fullmatch(rb"(\d+)\s+(\d+)\s+R", value)
    if ref:
        body = objs.get(int(ref.group(1)), int(ref.group(2))) or b""
        close = body.find(b"]")
        name = _NAMES_RE.match(body)
        if body.startswith(b"[") and close > 0:
            value = body[: close + 1]
        elif name:
            value = name.group(0)
        else:
            return _Chain(None, float("inf"))
    if value.startswith(b"["):
        if _ARRAY_JUNK.sub(b"", value):  # references or other objects inside the array
            return _Chain(None, float("inf"))
        names = _NAMES_RE.findall(value)
    else:
        names = [value[1:]]
    stages: list[str] = []
    ratio, product = 0.0, 1.0
    for name in names:
        if name in _BOUND_ONLY:
            return _Chain(stages, ratio + product * _BOUND_ONLY[name], True)
        stage = "flate" if name in _FLATE else "hex" if name in _HEX else "a85" if name in _A85 else None
        if stage is None:
            break  # an image filter, Crypt or an unknown one: text extraction decodes no further
        product *= _RATIO[stage]
        ratio += product
        stages.append(stage)
    return _Chain(stages, ratio) if stages else _RAW


# ---------------------------------------------------------------------------------------------
# Images that text extraction never decodes


def _images_never_decoded(
    data: bytes, starts: list[tuple[int, int]], heads: list[_Head], chains: list[_Chain]
) -> set[int]:
    """Indices of the image streams pdfium would not decode without rendering: ``/Subtype /Image``, and
    every ``N G R`` naming them anywhere in the file (raw bytes and object streams) sits in an inline
    ``/XObject`` dictionary or under /SMask, /Mask or /Thumb. A label alone proves nothing: pdfium decodes
    a stream reached through /Contents, a font or a Type 3 glyph whatever its /Subtype says."""
    images: dict[tuple[int, int], list[int]] = {}
    for i, head in enumerate(heads):
        if head.ident and chains[i].stages != [] and set(_SUBTYPE_RE.findall(head.text)) == {b"Image"}:
            images.setdefault(head.ident, []).append(i)
    if not images or b"/Encrypt" in data:  # encrypted object streams could hide references
        return set()
    texts = [data]
    budget = _REF_SCAN_CAP
    view = memoryview(data)
    for (_, start), head, chain in zip(starts, heads, chains, strict=True):
        # object streams, and any stream whose dictionary could not be read whole
        if chain.stages == [] or not (head.follows or _OBJSTM_RE.search(head.text)):
            continue
        if chain.stages is None or chain.bound_only:
            return set()
        out = bytearray()
        for piece in _pieces(view, start, chain.stages):
            out += piece
            if len(out) > budget:
                return set()
        budget -= len(out)
        texts.append(bytes(out))
    checked = 0
    for text in texts:
        # every "N G R" has whitespace before the R: with all whitespace made a space, one fast search
        flat = text.translate(_WS_TO_SPACE)
        r = flat.find(b" R")
        while r >= 0:
            after = flat[r + 2 : r + 3]
            ref = _REF_NUMS.search(flat, max(0, r - 40), r + 1) if after in _TOKEN_END else None
            if ref:
                key = (int(ref.group(1)), int(ref.group(2)))
                if key in images:
                    checked += 1
                    if checked > _MAX_IMAGE_REFS:
                        return set()
                    if not _image_role(text, ref.start()):
                        del images[key]
            r = flat.find(b" R", r + 2)
    return {i for idx in images.values() for i in idx}


def _image_role(text: bytes, at: int) -> bool:
    """Whether the reference at `at` is a mask/thumbnail entry or an entry of an inline /XObject dict.
    Strings, comments and nesting between make it unprovable, so they count as not."""
    before = text[max(0, at - 4096) : at]
    key = _KEY_BEFORE.search(before)
    if not key:
        return False
    if key.group(1) in _MASK_KEYS:
        return True
    opened = before.rfind(b"<<")
    if opened < 0 or not _DICT_ENTRIES.fullmatch(before, opened + 2, key.start()):
        return False
    prefix = before[:opened]
    xobject = _XOBJECT_KEY.search(prefix)
    if not xobject:
        return False
    line = max(prefix.rfind(b"\n"), prefix.rfind(b"\r")) + 1
    return b"%" not in prefix[line : xobject.start()] and b"(" not in prefix[line : xobject.start()]


# ---------------------------------------------------------------------------------------------
# Streaming decoders: each takes an iterable of byte chunks and yields chunks of at most _OUT bytes


def _inflate(pieces: Iterable[bytes]) -> Iterator[bytes]:
    d = zlib.decompressobj()
    try:
        for piece in pieces:
            buf = piece
            while buf:
                out = d.decompress(buf, _OUT)
                buf = d.unconsumed_tail
                if out:
                    yield out
                if d.eof:
                    return
        while out := d.flush(_OUT):
            yield out
            if d.eof:
                return
    except zlib.error:
        return  # pdfium keeps what it had inflated; so was it counted here


def _inflate_file(view: memoryview, start: int) -> Iterator[tuple[int, int]]:
    """A single Flate stage straight from the file (most streams): (bytes out, raw bytes zlib has
    really taken) — input waiting in zlib's tail, or past the end of its data, is not taken."""
    d = zlib.decompressobj()
    pos = start
    try:
        while pos < len(view):
            buf: bytes | memoryview = view[pos : pos + _CHUNK]
            pos += len(buf)
            while buf:
                out = d.decompress(buf, _OUT)
                buf = d.unconsumed_tail
                if d.eof:
                    yield len(out), pos - start - len(d.unused_data)
                    return
                yield len(out), pos - start - len(buf)
        while out := d.flush(_OUT):
            yield len(out), pos - start
    except zlib.error:
        return


def _unhex(pieces: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for piece in pieces:
        end = piece.find(b">")  # only the bytes before the end marker are looked at
        buf = carry + _HEX_SKIP.sub(b"", piece if end < 0 else piece[:end] + b">")
        gt = buf.find(b">")
        if gt >= 0:
            buf = buf[:gt] + (b"0" if gt % 2 else b"")
        even = len(buf) - len(buf) % 2
        carry = buf[even:]
        if even:
            yield binascii.unhexlify(buf[:even])
        if gt >= 0:
            return


def _un85(pieces: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for piece in pieces:
        end = piece.find(b"~")  # only the bytes before the end marker are looked at
        buf = carry + _A85_SKIP.sub(b"", piece if end < 0 else piece[: end + 1])
        tilde = buf.find(b"~")
        if tilde >= 0:
            buf = buf[:tilde]
        groups = _A85_GROUPS.match(buf)
        cut = groups.end() if groups else 0
        carry = buf[cut:]
        if cut:
            out = base64.a85decode(buf[:cut])
            for i in range(0, len(out), _OUT):
                yield out[i : i + _OUT]
        if tilde >= 0 or len(carry) >= 5:  # the end marker, or a character ASCII85 does not have
            if tilde >= 0 and re.fullmatch(rb"[!-u]{2,4}", carry):
                yield base64.a85decode(carry)  # a short last group
            return


_DECODERS: dict[str, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    "flate": _inflate,
    "hex": _unhex,
    "a85": _un85,
}


def _drained(
    decoder: Callable[[Iterable[bytes]], Iterator[bytes]], pieces: Iterable[bytes]
) -> Iterator[bytes]:
    """A decoder stage that, once it stops (end of data, error), still pulls the rest of its input: pdfium
    decodes every stage in full before the next one sees it, so what an earlier stage yields all counts.
    The empty pieces keep the caller checking the count while it drains."""
    it = iter(pieces)
    yield from decoder(it)
    for _ in it:
        yield b""


def _counting(pieces: Iterable[bytes], counted: list[int]) -> Iterator[bytes]:
    for piece in pieces:
        counted[0] += len(piece)
        yield piece


def _decode(view: memoryview, start: int, stages: list[str] | None) -> Iterator[tuple[int, int]]:
    """(bytes decoded by all stages since the last report, raw bytes consumed so far), step by step. The
    raw bytes run to the end of the file: each decoder stops at its own end (zlib's, ``>``, ``~>``) or
    error. Consumption is exact for a single stage; later stages may hold input not yet decoded, so with
    more than one stage only the total at the end is a bound for the rest."""
    if stages == ["flate"]:
        yield from _inflate_file(view, start)
        return
    fed = [0]
    counted = [0]
    for _ in _pieces(view, start, stages, fed, counted):
        yield counted[0], fed[0]
        counted[0] = 0
    if counted[0]:
        yield counted[0], fed[0]


def _pieces(
    view: memoryview,
    start: int,
    stages: list[str] | None,
    fed: list[int] | None = None,
    counted: list[int] | None = None,
) -> Iterator[bytes]:
    """The output of the last stage (or of the last sniffed Flate layer), piece by piece; `fed` follows
    the raw bytes taken, `counted` the bytes every stage has yielded."""
    fed = fed if fed is not None else [0]
    counted = counted if counted is not None else [0]

    def raw() -> Iterator[bytes]:
        pos, step = start, 1024  # small first pieces: most streams are short
        while pos < len(view):
            piece = bytes(view[pos : pos + step])
            pos += len(piece)
            fed[0] = pos - start
            yield piece
            step = min(step * 2, _CHUNK)

    if stages is None:
        return _sniffed(raw(), counted, 0)
    pipe = _counting(_DECODERS[stages[0]](raw()), counted)
    for name in stages[1:]:
        pipe = _counting(_drained(_DECODERS[name], pipe), counted)
    return pipe


def _sniffed(pieces: Iterator[bytes], counted: list[int], depth: int) -> Iterator[bytes]:
    """An unknown filter chain: follow Flate layers as long as each output starts with a zlib header."""
    first = b""
    while len(first) < 2 and (more := next(pieces, None)) is not None:
        first += more  # a header split over pieces
    if depth == 0 and not _zlib_header(first):
        return  # not Flate data: nothing that pdfium could inflate
    if depth >= _SNIFF_LAYERS or not _zlib_header(first):
        yield first
        yield from pieces  # drains the layer above, whose output all counts
        return
    layer = _counting(_drained(_inflate, _prepend(first, pieces)), counted)
    yield from _sniffed(layer, counted, depth + 1)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _zlib_header(b: bytes) -> bool:
    return len(b) >= 2 and b[0] & 0x0F == 8 and b[0] >> 4 <= 7 and ((b[0] << 8) | b[1]) % 31 == 0
