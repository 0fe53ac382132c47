"""Reading landing files: header rows, encoding detection, and a UTF-8 CSV copy of each file for DuckDB.

CSV files are streamed through an incremental decoder in large chunks (GBK/GB18030, UTF-8, UTF-8 with BOM) and
XLSX sheets are written out row by row; DuckDB's CSV reader then parses the copy (see `loader.py`). Everything
stays text. Casting belongs to dbt staging, where it is tested.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class UnreadableFileError(Exception):
    """The file cannot be read at all (not a CSV/XLSX, empty, corrupt)."""


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

TRANSCODE_CHUNK_BYTES = 1 << 24
ENCODING_PROBE_BYTES = 1 << 20


def sniff_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK, which Tmall exports use).

    Decided on the first MiB of the file that holds non-ASCII bytes (headers of every known export are
    Chinese, so that is the header itself): the whole file is never read for this.
    """
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == b"\xef\xbb\xbf":
            return "utf-8-sig"
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
    """The source encoding (`utf-8`, `utf-8-sig`, `gb18030`, or `xlsx`)."""
    has_invalid_bytes: bool
    """Some bytes could not be decoded: they are marked with `INVALID_BYTES_MARKER`."""
    blank_line_offsets: list[int] = field(default_factory=list)
    """Byte offsets (in the UTF-8 file) of empty lines: they are not records, but DuckDB counts them as lines."""


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


def transcode_csv(path: Path, target: Path) -> TranscodedFile:
    """Stream a CSV file of any supported encoding into a UTF-8 copy at `target`, in large chunks.

    Bytes the encoding cannot decode (including a multi-byte character cut by a truncated file) become
    `INVALID_BYTES_MARKER`; decoding runs in C over whole chunks, never line by line in Python.
    Memory stays bounded by the chunk size, whatever the size of the file.
    """
    encoding = sniff_encoding(path)
    decoder = codecs.getincrementaldecoder(encoding)(_ERROR_HANDLER)
    has_invalid = False
    blanks: list[int] = []
    written = 0
    tail = b""
    with path.open("rb") as source, target.open("wb") as out:
        while True:
            block = source.read(TRANSCODE_CHUNK_BYTES)
            final = not block
            text = decoder.decode(block, final=final)
            if not text:
                if final:
                    break
                continue
            if not has_invalid and INVALID_BYTES_MARKER in text:
                has_invalid = True
            data = text.encode("utf-8")
            blanks.extend(_blank_lines(data, written, tail))
            out.write(data)
            written += len(data)
            tail = data[-2:]
            if final:
                break
    return TranscodedFile(target, encoding, has_invalid, blanks)


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


def _open_xlsx_rows(path: Path) -> tuple[Any, Iterator[tuple[object, ...]]]:
    from openpyxl import load_workbook  # imported lazily: only XLSX landings need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for corrupt files
        raise UnreadableFileError(f"not a readable XLSX workbook: {exc}") from exc
    return workbook, workbook.worksheets[0].iter_rows(values_only=True)


def transcode_xlsx(path: Path, target: Path) -> TranscodedFile:
    """Write the first sheet of a workbook (openpyxl read-only, row by row) as a UTF-8 CSV at `target`.

    Rows whose cells are all empty are not records and are left out, so record numbers count data rows.
    """
    workbook, rows = _open_xlsx_rows(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            try:
                writer.writerow([_xlsx_cell_text(v) for v in next(rows)])
            except StopIteration as exc:
                raise UnreadableFileError("the first sheet is empty") from exc
            for values in rows:
                cells = [_xlsx_cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    writer.writerow(cells)
    finally:
        workbook.close()
    return TranscodedFile(target, "xlsx", has_invalid_bytes=False)


def source_encoding(path: Path) -> str:
    """The encoding `transcode` will read the file with (`xlsx` for workbooks)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return sniff_encoding(path)
    if suffix == ".xlsx":
        return "xlsx"
    raise UnreadableFileError(f"unsupported file type {suffix!r} (expected one of {', '.join(SUPPORTED_SUFFIXES)})")


def transcode(path: Path, target: Path) -> TranscodedFile:
    """A UTF-8 CSV copy of a landing file (CSV in any supported encoding, or XLSX), for DuckDB's reader."""
    if source_encoding(path) == "xlsx":
        return transcode_xlsx(path, target)
    return transcode_csv(path, target)


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


HEADER_PROBE_BYTES = 1 << 16


def _xlsx_headers(path: Path) -> list[str]:
    workbook, rows = _open_xlsx_rows(path)
    try:
        return [_xlsx_cell_text(v) for v in next(rows)]
    except StopIteration as exc:
        raise UnreadableFileError("the first sheet is empty") from exc
    finally:
        workbook.close()


def read_headers(path: Path) -> list[str]:
    """The header row only, for recognising the format before loading (reads the head of the file, not all of it)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_headers(path)
    if suffix != ".csv":
        raise UnreadableFileError(f"unsupported file type {suffix!r} (expected one of {', '.join(SUPPORTED_SUFFIXES)})")
    with path.open("rb") as handle:
        head = handle.read(HEADER_PROBE_BYTES)
        if not head.strip():
            raise UnreadableFileError("the file is empty")
        while b"\n" not in head:  # a header longer than the probe: read on to its end
            more = handle.read(HEADER_PROBE_BYTES)
            if not more:
                break
            head += more
    header_bytes = head.split(b"\n", 1)[0]
    encoding = sniff_encoding(path)
    text = header_bytes.decode(encoding, errors=_ERROR_HANDLER)
    if INVALID_BYTES_MARKER in text:
        raise UnreadableFileError(f"the header row has bytes that are not valid {encoding}")
    try:
        return next(csv.reader([text.rstrip("\r")]))
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFileError(f"the header row is not valid CSV: {exc}") from exc
