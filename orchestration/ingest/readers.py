"""Reading landing files: header rows, encoding detection, and a UTF-8 CSV copy of each file for DuckDB.

Text exports (`.csv`, `.txt`, `.tsv`, and `.xls` files that are really text) are streamed through an incremental
decoder in large chunks (GBK/GB18030, UTF-8, UTF-8 with BOM, UTF-16, comma- or tab-separated); workbooks (`.xlsx`,
real `.xls`, read with python-calamine) and `.xls` files that are really an HTML table are written out row by row.
DuckDB's CSV reader then parses the copy (see `loader.py`). Everything stays text. Casting belongs to dbt staging,
where it is tested.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xls", ".xlsx")
"""File types read as exports; `.zip` archives are opened and their members read (see `loader.py`)."""
ARCHIVE_SUFFIXES = (".zip",)


class UnreadableFileError(Exception):
    """The file cannot be read at all (not an export file type, empty, corrupt)."""


INVALID_BYTES_MARKER = "\ufdd0"
"""Written in place of each byte sequence the file's encoding cannot decode.

U+FDD0 is a Unicode noncharacter: it never stands for text, so a cell holding it is known to have held bytes
that are not valid in the file's encoding, and its row is quarantined. The marker keeps the record structure
(commas, quotes, line ends around the bad bytes are untouched), so the row can still be numbered and shown.
"""
_ERROR_HANDLER = "landing-invalid-bytes"


def _mark_invalid_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):  # pragma: no cover - registered for decoding only
        raise error
    return INVALID_BYTES_MARKER, error.end


codecs.register_error(_ERROR_HANDLER, _mark_invalid_bytes)

UTF8_IN_GB18030_MARKER = "\ufdd1"
"""Written at the start of a cell of a GB18030 file whose bytes are really UTF-8 text (张伟 read as 寮犱紵).

Another noncharacter, so it never stands for text: the cell's row is quarantined with that reason (`loader.py`).
"""

TRANSCODE_CHUNK_BYTES = 1 << 24
LONGEST_LINE_BYTES = 1 << 23
"""The longest line (in UTF-8) a text file may hold: 8 MiB, the record size DuckDB's reader is given (`loader.py`).

A longer line would make DuckDB fail on it with an unrelated error, so the transcoder stops there with a clear one.
"""
ENCODING_PROBE_BYTES = 1 << 20
HEADER_PROBE_BYTES = 1 << 16


def sniff_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-16 (Excel's "Unicode text"), UTF-8, else GB18030 (a superset of GBK, which Tmall uses).

    UTF-16 is known by its byte-order mark or, without one, by the NUL byte every ASCII character carries in it.
    Otherwise decided on the first MiB of the file that holds non-ASCII bytes (headers of every known export are
    Chinese, so that is the header itself): the whole file is never read for this.
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        if head and head.count(b"\x00") * 4 >= len(head):
            even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
            return "utf-16-le" if odd > even else "utf-16-be"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        while True:
            block = handle.read(ENCODING_PROBE_BYTES)
            if not block:
                return "utf-8"
            try:
                decoder.decode(block, final=len(block) < ENCODING_PROBE_BYTES)
            except UnicodeDecodeError:
                return "gb18030"
            if not block.isascii():
                return "utf-8"


@dataclass
class TranscodedFile:
    """A landing file rewritten as UTF-8 CSV for DuckDB's reader."""

    path: Path
    encoding: str
    """The source encoding (`utf-8`, `utf-8-sig`, `utf-16`, `gb18030`; `xlsx`/`xls` for workbooks; `html:<enc>`)."""
    has_invalid_bytes: bool
    """Some bytes could not be decoded: they are marked with `INVALID_BYTES_MARKER`."""
    blank_line_offsets: list[int] = field(default_factory=list)
    """Byte offsets (in the UTF-8 file) of empty lines: they are not records, but DuckDB counts them as lines."""
    utf8_cells: dict[str, str] = field(default_factory=dict)
    """Cells of a GB18030 file that are really UTF-8 text (marked with `UTF8_IN_GB18030_MARKER`):
    their GB18030 reading -> their UTF-8 reading."""
    ends_mid_line: bool = False
    """The last line of a text file has no line ending (a file cut short ends so)."""


def _blank_lines(block: bytes, base: int, previous: bytes) -> Iterator[int]:
    """Offsets of the empty lines starting in `block` (`previous`: the bytes just before it)."""
    window = previous + block
    shift = base - len(previous)
    for pattern in (b"\n\n", b"\n\r\n"):
        position = window.find(pattern)
        while position >= 0:
            if position + len(pattern) > len(previous):  # not already seen with the previous block
                yield shift + position + 1
            position = window.find(pattern, position + 1)


_BYTE_CLASSES = bytes(
    ord("A") if 0xE4 <= byte <= 0xE9 else ord("B") if 0x80 <= byte <= 0xBF else ord("x") for byte in range(256)
)
"""Each byte as its class: `A` a UTF-8 lead byte of a CJK ideograph, `B` a continuation byte, `x` any other."""
_TWO_CJK = b"ABBABB"
"""Two UTF-8 encoded CJK ideographs in a row, in classes: where UTF-8 text inside a GB18030 file may be. Found with
`bytes.translate` + `bytes.find` (C speed, about 1 GB/s) rather than a regular expression (about 40 MB/s here)."""


def utf8_reading(cell: bytes) -> str | None:
    """The UTF-8 reading of a GB18030 file's cell when that is what the cell really is, else None.

    The bytes must be valid UTF-8 whose non-ASCII characters are CJK text, and charset-normalizer must prefer UTF-8
    to GB18030 for them (the GB18030 reading of such bytes is rare characters: 张伟 -> 寮犱紵). Real GBK text is
    almost never valid UTF-8, and when it is, its UTF-8 reading is Latin or Cyrillic letters, not CJK.
    """
    try:
        text = cell.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not all(c.isascii() or "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text):
        return None
    from charset_normalizer import from_bytes  # imported lazily: only suspicious cells need it

    best = from_bytes(cell, cp_isolation=["utf_8", "gb18030"]).best()
    return text if best is not None and best.encoding == "utf_8" else None


def _mark_utf8_cells(block: bytes, delimiter: bytes, found: dict[str, str]) -> bytes:
    """Put the (GB18030-encoded) marker before each cell of a GB18030 block that is really UTF-8 text."""
    marks: list[int] = []
    stops = (delimiter, b"\r", b'"')
    classes = block.translate(_BYTE_CLASSES)
    position = classes.find(_TWO_CJK)
    while position >= 0:
        # the cell around the hit, looked for within its line only (a search to the block's ends for a quote that
        # is not there would make the scan quadratic)
        line_start = block.rfind(b"\n", 0, position) + 1
        line_end = block.find(b"\n", position)
        line_end = len(block) if line_end < 0 else line_end
        start = max(max(block.rfind(stop, line_start, position) + 1 for stop in stops), line_start)
        ends = [end for end in (block.find(stop, position, line_end) for stop in stops) if end >= 0]
        end = min(ends) if ends else line_end
        cell = block[start:end]
        text = utf8_reading(cell)
        if text is not None and (not marks or marks[-1] != start):
            marks.append(start)
            found[cell.decode("gb18030", errors="replace")] = text
        position = classes.find(_TWO_CJK, max(end, position + 1))
    if not marks:
        return block
    marker = UTF8_IN_GB18030_MARKER.encode("gb18030")
    parts, previous = [], 0
    for start in marks:
        parts += [block[previous:start], marker]
        previous = start
    parts.append(block[previous:])
    return b"".join(parts)


def transcode_csv(path: Path, target: Path) -> TranscodedFile:
    """Stream a text export of any supported encoding into a UTF-8 copy at `target`, in large chunks.

    Bytes the encoding cannot decode (including a multi-byte character cut by a truncated file) become
    `INVALID_BYTES_MARKER`; in a GB18030 file, cells that are really UTF-8 text get `UTF8_IN_GB18030_MARKER`.
    Decoding runs in C over whole chunks, never line by line in Python; the delimiter (comma or tab) is kept.
    Memory stays bounded by the chunk size, whatever the size of the file.
    """
    encoding = sniff_encoding(path)
    gb18030 = encoding == "gb18030"
    delimiter = sniff_delimiter(path).encode("ascii")
    decoder = codecs.getincrementaldecoder(encoding)(_ERROR_HANDLER)
    has_invalid = False
    blanks: list[int] = []
    utf8_cells: dict[str, str] = {}
    written = 0
    tail = b""
    carry = b""
    last_char = ""
    longest = line_length = 0
    with path.open("rb") as source, target.open("wb") as out:
        while True:
            block = source.read(TRANSCODE_CHUNK_BYTES)
            final = not block
            if gb18030:  # UTF-8 cells are looked for in whole lines: the last partial line waits for the next block
                block = carry + block
                cut = len(block) if final else block.rfind(b"\n") + 1
                block, carry = block[:cut], block[cut:]
                block = _mark_utf8_cells(block, delimiter, utf8_cells)
            text = decoder.decode(block, final=final)
            if not text:
                if final:
                    break
                continue
            last_char = text[-1]
            if not has_invalid and INVALID_BYTES_MARKER in text:
                has_invalid = True
            data = text.encode("utf-8")
            lines = data.split(b"\n")
            line_length += len(lines[0])
            if len(lines) > 1:
                longest = max(longest, line_length, *map(len, lines[1:-1]))
                line_length = len(lines[-1])
            if max(longest, line_length) > LONGEST_LINE_BYTES:
                raise UnreadableFileError(
                    f"a line longer than {LONGEST_LINE_BYTES >> 20} MiB (near byte {written + len(data)} of the UTF-8 "
                    "text): no export row is that long; the file is not loaded"
                )
            blanks.extend(_blank_lines(data, written, tail))
            out.write(data)
            written += len(data)
            tail = data[-2:]
            if final:
                break
    return TranscodedFile(
        target,
        encoding,
        has_invalid,
        blanks,
        utf8_cells=utf8_cells,
        ends_mid_line=bool(last_char) and last_char != "\n",
    )


def _xlsx_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _open_workbook_rows(path: Path) -> tuple[Any, Iterator[list[object]]]:
    from python_calamine import CalamineWorkbook  # imported lazily: only workbook landings need it

    try:
        with path.open("rb") as handle:
            zipped = handle.read(4) == b"PK\x03\x04"
        if zipped and path.suffix.lower() != ".xlsx":  # an .xlsx saved under another name: calamine goes by content
            with path.open("rb") as handle:
                workbook = CalamineWorkbook.from_filelike(handle)
        else:
            workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        raise UnreadableFileError(f"not a readable {path.suffix.lower()} workbook: {exc}") from exc
    return workbook, rows


class _HtmlTableRows(HTMLParser):
    """The rows of the first `<table>` of an HTML document (what some `.xls` "exports" really are)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._tables = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._tables += 1
        elif self._tables != 1:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._tables != 1:
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
            if tag == "table":
                self._tables += 1  # only the first table is read

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None


def _html_rows(path: Path) -> Iterator[list[str]]:
    """Rows of the first HTML table of the file, parsed as it streams in."""
    parser = _HtmlTableRows()
    decoder = codecs.getincrementaldecoder(sniff_encoding(path))("replace")
    with path.open("rb") as handle:
        while True:
            block = handle.read(TRANSCODE_CHUNK_BYTES)
            parser.feed(decoder.decode(block, final=not block))
            if not block:
                parser.close()
            yield from parser.rows
            parser.rows.clear()
            if not block:
                return


def _table_rows(path: Path, kind: str) -> tuple[Any, Iterator[list[object]]]:
    """(workbook to close, or None; rows) of a workbook or an HTML table."""
    if kind == "html":
        return None, _html_rows(path)
    return _open_workbook_rows(path)


def _empty_table(kind: str) -> str:
    return "the HTML file holds no table rows" if kind == "html" else "the first sheet is empty"


def transcode_table(path: Path, target: Path, kind: str) -> TranscodedFile:
    """Write the first sheet of a workbook (python-calamine, row by row), or an HTML table, as a UTF-8 CSV.

    Rows whose cells are all empty are not records and are left out, so record numbers count data rows.
    """
    workbook, rows = _table_rows(path, kind)
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            try:
                writer.writerow([_xlsx_cell_text(v) for v in next(rows)])
            except StopIteration as exc:
                raise UnreadableFileError(_empty_table(kind)) from exc
            for values in rows:
                cells = [_xlsx_cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    writer.writerow(cells)
    except (UnreadableFileError, OSError):
        raise
    except Exception as exc:  # calamine's errors for a sheet corrupt past its header
        raise UnreadableFileError(f"the {path.suffix.lower()} file cannot be read to its end: {exc}") from exc
    finally:
        if workbook is not None:
            workbook.close()
    return TranscodedFile(target, source_encoding(path), has_invalid_bytes=False)


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def file_kind(path: Path) -> str:
    """`text` (CSV/TSV in some encoding), `workbook` (.xlsx, real .xls) or `html` (an .xls that is a web page).

    `.xls` exports are often no Excel file at all: the seller center and ERPs hand out HTML tables and tab-separated
    text under that name. The bytes decide, not the name.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFileError(
            f"not an export file type ({suffix or 'no extension'}): "
            f"only {', '.join(SUPPORTED_SUFFIXES + ARCHIVE_SUFFIXES)} files are read"
        )
    if suffix == ".xlsx":
        return "workbook"
    if suffix != ".xls":
        return "text"
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((_OLE2_MAGIC, b"PK\x03\x04")):
        return "workbook"
    if not head.strip():
        return "text"  # empty: read_headers says so
    text = head.decode(sniff_encoding(path), errors="replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<") and any(tag in text for tag in ("<table", "<html", "<!doctype", "<?xml")):
        return "html"
    return "text"


def source_encoding(path: Path) -> str:
    """The encoding `transcode` will read the file with (`xlsx`/`xls` for workbooks, `html:<enc>` for web pages)."""
    kind = file_kind(path)
    if kind == "workbook":
        return path.suffix.lower().lstrip(".")
    if kind == "html":
        return f"html:{sniff_encoding(path)}"
    return sniff_encoding(path)


def sniff_delimiter(path: Path) -> str:
    """Tab when the header row holds more tabs than commas (Excel's "Unicode text", many `.xls`), else comma."""
    header = _header_text(path)
    return "\t" if header.count("\t") > header.count(",") else ","


def copy_delimiter(path: Path) -> str:
    """The delimiter of the UTF-8 copy `transcode` writes (text files keep theirs; tables are written with commas)."""
    return sniff_delimiter(path) if file_kind(path) == "text" else ","


def transcode(path: Path, target: Path) -> TranscodedFile:
    """A UTF-8 copy of a landing file (text in any supported encoding, a workbook or an HTML table) for DuckDB."""
    kind = file_kind(path)
    if kind == "text":
        return transcode_csv(path, target)
    return transcode_table(path, target, kind)


class StreamedCopy:
    """`transcode` into a named pipe on a thread, while DuckDB reads the other end.

    Decoding (Python, holding the GIL) and parsing (DuckDB, which releases it) then run at the same time, and the
    UTF-8 copy never lands on disk. Where named pipes do not exist (Windows), the copy is written to a file first.
    Use as a context manager around the statement that reads `path`; `result()` joins the writer and raises its
    error, if any, so a copy that stopped early can never pass for a complete file.
    """

    def __init__(self, source: Path, scratch: Path) -> None:
        self.source = source
        self.path = scratch / "landing-utf8.csv"
        self._result: TranscodedFile | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StreamedCopy:
        if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
            self._result = transcode(self.source, self.path)
            return self
        os.mkfifo(self.path)
        self._thread = threading.Thread(target=self._write, name=f"transcode {self.source.name}", daemon=True)
        self._thread.start()
        return self

    def _write(self) -> None:
        try:
            self._result = transcode(self.source, self.path)
        except BaseException as exc:  # handed to the reading thread by result()
            self._error = exc

    def _stop_writer(self) -> None:
        """Unblock a writer whose reader went away (or never came): its next write fails, and it ends."""
        while self._thread is not None and self._thread.is_alive():
            try:
                descriptor = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError:
                pass
            else:
                os.close(descriptor)
            self._thread.join(timeout=0.2)

    def __exit__(self, *exc_info: object) -> None:
        self._stop_writer()

    def result(self) -> TranscodedFile:
        self._stop_writer()
        if self._error is not None:
            raise self._error
        if self._result is None:  # pragma: no cover - the writer always sets one or the other
            raise RuntimeError(f"the UTF-8 copy of {self.source} was not completed")
        return self._result


def _table_headers(path: Path, kind: str) -> list[str]:
    workbook, rows = _table_rows(path, kind)
    try:
        return [_xlsx_cell_text(v) for v in next(rows)]
    except StopIteration as exc:
        raise UnreadableFileError(_empty_table(kind)) from exc
    finally:
        if workbook is not None:
            workbook.close()


def _header_text(path: Path) -> str:
    """The first line of a text file, decoded (for its delimiter and its header names)."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_PROBE_BYTES)
        if not head.strip():
            raise UnreadableFileError("the file is empty" + ("" if head else " (0 bytes)"))
        while b"\n" not in head:  # a header longer than the probe: read on to its end
            more = handle.read(HEADER_PROBE_BYTES)
            if not more:
                break
            head += more
    encoding = sniff_encoding(path)
    if encoding.startswith("utf-16"):  # the line end is two bytes there: decode first, then split
        text = head.decode(encoding, errors=_ERROR_HANDLER).lstrip("\ufeff").split("\n", 1)[0]
        text = text.rstrip(INVALID_BYTES_MARKER)  # the probe may end inside a character of a long first line
    else:
        text = head.split(b"\n", 1)[0].decode(encoding, errors=_ERROR_HANDLER)
    if INVALID_BYTES_MARKER in text:
        raise UnreadableFileError(f"the header row has bytes that are not valid {encoding}")
    if not text.strip(" \t\r,"):
        raise UnreadableFileError("the file is empty")
    return text.rstrip("\r")


def read_headers(path: Path) -> list[str]:
    """The header row only, for recognising the format before loading (reads the head of the file, not all of it)."""
    kind = file_kind(path)
    if kind != "text":
        return _table_headers(path, kind)
    text = _header_text(path)
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    try:
        return next(csv.reader([text], delimiter=delimiter))
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFileError(f"the header row is not valid CSV: {exc}") from exc
