"""Reading landing files: encoding detection, CSV and XLSX parsing, and cell unescaping.

Everything is returned as text. Casting belongs to dbt staging, where it is tested.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".csv", ".xlsx")

_EXCEL_TEXT_ESCAPE = re.compile(r'^="(.*)"$', re.DOTALL)
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class UnreadableFileError(Exception):
    """The file cannot be read at all (not a CSV/XLSX, empty, corrupt)."""


@dataclass
class ParsedRow:
    row_number: int
    """1-based data row number in the file (the header is row 0)."""
    cells: list[str]
    """The cells as written in the file (Excel escapes and white space included: see `unescape_cell`)."""
    raw_text: str = ""
    problem: str | None = None
    """Set when the row could not be decoded; the row then goes to quarantine."""


@dataclass
class ParsedFile:
    encoding: str
    headers: list[str]
    rows: Iterator[ParsedRow]


def detect_encoding(data: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK, which Tmall exports use)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def unescape_cell(value: str) -> str:
    """Strip the Excel text escape `="…"` and the surrounding white space (tabs included)."""
    value = value.strip()
    match = _EXCEL_TEXT_ESCAPE.match(value)
    if match:
        value = match.group(1).strip()
    return value


def read_csv(path: Path) -> ParsedFile:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFileError("the file is empty")
    encoding = detect_encoding(data)
    # surrogateescape keeps undecodable bytes visible, so the rows that hold them can be quarantined
    # while the rest of the file loads.
    text = data.decode(encoding, errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration as exc:
        raise UnreadableFileError("the file has no header row") from exc
    except csv.Error as exc:
        raise UnreadableFileError(f"the header row is not valid CSV: {exc}") from exc
    if any(_UNDECODABLE.search(h) for h in headers):
        raise UnreadableFileError(f"the header row has bytes that are not valid {encoding}")
    has_bad_bytes = _UNDECODABLE.search(text) is not None
    return ParsedFile(encoding=encoding, headers=headers, rows=_csv_rows(reader, encoding, has_bad_bytes))


def _csv_rows(reader: csv.reader, encoding: str, has_bad_bytes: bool) -> Iterator[ParsedRow]:  # type: ignore[valid-type]
    row_number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            yield ParsedRow(row_number, [], "", problem=f"not valid CSV: {exc}")
            continue
        if not "".join(cells).strip():
            continue  # blank lines (also `,,,,` lines left by Excel) are not rows
        row_number += 1
        if has_bad_bytes:
            raw_text = ",".join(cells)
            if _UNDECODABLE.search(raw_text):
                shown = raw_text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
                yield ParsedRow(row_number, [], shown, problem=f"bytes that are not valid {encoding}")
                continue
        yield ParsedRow(row_number, cells)


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


def read_xlsx(path: Path) -> ParsedFile:
    from openpyxl import load_workbook  # imported lazily: only XLSX landings need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for corrupt files
        raise UnreadableFileError(f"not a readable XLSX workbook: {exc}") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [_xlsx_cell_text(v) for v in next(rows)]
    except StopIteration as exc:
        raise UnreadableFileError("the first sheet is empty") from exc

    def data_rows() -> Iterator[ParsedRow]:
        row_number = 0
        for values in rows:
            cells = [_xlsx_cell_text(v) for v in values]
            if all(not c.strip() for c in cells):
                continue
            row_number += 1
            yield ParsedRow(row_number, cells)
        workbook.close()

    return ParsedFile(encoding="xlsx", headers=headers, rows=data_rows())


def read_file(path: Path) -> ParsedFile:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise UnreadableFileError(f"unsupported file type {suffix!r} (expected one of {', '.join(SUPPORTED_SUFFIXES)})")


HEADER_PROBE_BYTES = 1 << 16


def read_headers(path: Path) -> list[str]:
    """The header row only, for recognising the format before loading (reads the head of a CSV, not all of it)."""
    if path.suffix.lower() != ".csv":
        return read_file(path).headers
    with path.open("rb") as handle:
        head = handle.read(HEADER_PROBE_BYTES)
    if not head.strip():
        raise UnreadableFileError("the file is empty")
    first_line_end = head.find(b"\n")
    if first_line_end < 0 and len(head) == HEADER_PROBE_BYTES:
        return read_file(path).headers  # a header longer than the probe: read it all
    header_bytes = head if first_line_end < 0 else head[:first_line_end]
    encoding = detect_encoding(header_bytes)
    text = header_bytes.decode(encoding, errors="surrogateescape")
    if _UNDECODABLE.search(text):
        raise UnreadableFileError(f"the header row has bytes that are not valid {encoding}")
    try:
        return next(csv.reader([text.rstrip("\r")]))
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFileError(f"the header row is not valid CSV: {exc}") from exc
