"""Loading landing files into the `raw` schema of the warehouse.

Guarantees:
- every data row of a file ends up in its raw table, in `raw.quarantine` with a reason, or held back in
  `raw.held_back` because its order was quarantined (rows in = rows loaded + rows quarantined + rows held back,
  recorded per file in `raw.ingest_log`; see `holdback.py`);
- a file is loaded in one transaction: a load killed half-way leaves nothing of that file visible;
- a file whose content (SHA-256) was already loaded is not loaded again, whatever its name;
- every file of the landing folder is accounted for: a file that is no export (unknown type or header, empty,
  unreadable header) is not loaded and is logged with its reason (status `not_loaded`), and the others load;
  `.zip` archives are opened and each member is a landing file of its own (`archive.zip/inner/path.csv`).

How a file loads: a thread streams it through an incremental decoder into a named pipe as UTF-8 (readers.StreamedCopy)
while DuckDB's `read_csv` parses the other end, numbering records as it goes; one set-based `insert … select` trims
and unwraps the cells, checks every row (key columns present, numeric ids not mangled) and writes all non-empty rows
to the raw table, those failing a check marked with their reason; the marked rows are then moved to
`raw.quarantine`. Records the reader refuses (wrong field count, broken quoting) come back from DuckDB's reject
table and are re-read in Python, one by one. All of it inside the file's transaction.

Values that parse but break a business rule (a status outside its seed's vocabulary, a negative amount, a malformed
timestamp) load, with their file and row, and fail the blocking Great Expectations gate on the raw table
(`expectations/raw_*.json`, vocabularies read from the seeds): see `orchestration/quality/checks.py`.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.datasets import DATASETS, LINEAGE_COLUMNS, Dataset, recognise
from orchestration.ingest.raw_schema import RAW_SCHEMA, ensure_raw_tables, new_batch_id
from orchestration.ingest.readers import (
    ARCHIVE_SUFFIXES,
    INVALID_BYTES_MARKER,
    LONGEST_LINE_BYTES,
    SUPPORTED_SUFFIXES,
    UTF8_IN_GB18030_MARKER,
    StreamedCopy,
    TranscodedFile,
    UnreadableFileError,
    copy_delimiter,
    read_headers,
    source_encoding,
)
from orchestration.ingest.results import FileResult, IngestReport

logger = logging.getLogger(__name__)

class LandingError(Exception):
    """The landing folder cannot be ingested as it is; the message says which file and why."""


def quote_name(name: str) -> str:
    """A file name for a log line or a message: quoted like Python's repr, so a newline or a control character in it
    is shown escaped and can never split or forge a line."""
    return repr(name)




def landing_files(landing_dir: Path) -> list[Path]:
    """Every file in the landing folder (recursively), in a stable order; hidden files (`.DS_Store`, `.~lock…`,
    editors' temporary files) are ignored. Files that are no export are listed too: ingest logs them as not loaded."""
    if not landing_dir.exists():
        raise LandingError(
            f"landing folder {landing_dir} does not exist: create it and drop Tmall/ERP exports in it, "
            "or run `make run` to generate demo data (LANDING_DIR sets the folder)"
        )
    if not landing_dir.is_dir():
        raise LandingError(f"landing folder {landing_dir} is not a folder")
    files = sorted(
        p
        for p in landing_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(landing_dir).parts)
    )
    if not files:
        raise LandingError(
            f"landing folder {landing_dir} holds no export files ({', '.join(SUPPORTED_SUFFIXES + ARCHIVE_SUFFIXES)}): "
            "drop Tmall/ERP exports in it, or run `make run` to generate demo data"
        )
    return files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Plan:
    path: Path
    relative: str
    sha256: str
    dataset: Dataset


def _unpack_archive(path: Path, relative: str, scratch: Path) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """Members of a .zip as (extracted file, `archive.zip/inner/path`); unreadable archives and members are listed.

    Members are extracted under numbered names (never their own paths, so `../` in a member name cannot write
    outside the scratch folder); folders inside the archive are kept in the member's landing name. Hidden members
    (`__MACOSX/`, `.DS_Store`) are skipped like hidden files of the folder.
    """
    members: list[tuple[Path, str]] = []
    listed: list[FileResult] = []
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            target = scratch / f"archive-{len(list(scratch.iterdir()))}"
            target.mkdir()
            for number, info in enumerate(sorted(infos, key=lambda i: i.filename)):
                name = info.filename.replace("\\", "/")
                if any(part.startswith(".") or part == "__MACOSX" for part in name.split("/")):
                    continue
                inner = f"{relative}/{name.lstrip('/')}"
                try:
                    extracted = target / f"{number}{Path(name).suffix.lower()}"
                    with archive.open(info) as source, extracted.open("wb") as out:
                        while chunk := source.read(1 << 20):
                            out.write(chunk)
                except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as exc:
                    reason = f"cannot be extracted from the archive: {exc}"
                    listed.append(FileResult(inner, "", "not_loaded", reason=reason))
                    continue
                members.append((extracted, inner))
    except (zipfile.BadZipFile, OSError) as exc:
        return [], [FileResult(relative, "", "not_loaded", reason=f"not a readable .zip archive: {exc}")]
    if not members and not listed:
        return [], [FileResult(relative, "", "not_loaded", reason="the .zip archive holds no files")]
    listed.insert(0, FileResult(relative, "", "archive", reason=f"archive of {len(members) + len(listed)} file(s)"))
    return members, listed


def survey_landing(landing_dir: Path, scratch: Path | None) -> tuple[list[_Plan], list[tuple[Path, FileResult]]]:
    """Recognise every file before loading any: the plans to load, and the files that will not load, with why.

    `.zip` archives are unpacked into `scratch` (when given; else they are treated as any other file).
    """
    plans: list[_Plan] = []
    others: list[tuple[Path, FileResult]] = []
    candidates: list[tuple[Path, str]] = []
    for path in landing_files(landing_dir):
        relative = path.relative_to(landing_dir).as_posix()
        if path.suffix.lower() in ARCHIVE_SUFFIXES and scratch is not None:
            members, listed = _unpack_archive(path, relative, scratch)
            candidates.extend(members)
            others.extend((path, result) for result in listed)
            continue
        candidates.append((path, relative))
    for path, relative in candidates:
        try:
            headers = read_headers(path)
        except UnreadableFileError as exc:
            others.append((path, FileResult(relative, "", "not_loaded", reason=str(exc))))
            continue
        except OSError as exc:
            others.append((path, FileResult(relative, "", "not_loaded", reason=f"cannot be read: {exc}")))
            continue
        recognition = recognise(headers)
        if recognition.dataset is None:
            others.append((path, FileResult(relative, "", "not_loaded", reason=recognition.explanation)))
            continue
        plans.append(_Plan(path, relative, file_sha256(path), recognition.dataset))
    return plans, others


def plan_landing(landing_dir: Path) -> list[_Plan]:
    """The files of the landing folder that load, recognised (archives are not opened here)."""
    return survey_landing(landing_dir, None)[0]


# --- row checks -------------------------------------------------------------------------------------------------


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Applied in DuckDB to every cell: trim spaces and tabs, unwrap Excel's `="…"` text escape, empty -> null.
# Most cells need none of it: cheap prefix/suffix tests send only the others down the slow path.
_CELL_MACRO = """create or replace temp macro _landing_cell(v) as case
    when prefix(v, '="') and suffix(v, '"') and length(v) >= 3
        then nullif(trim(substr(v, 3, length(v) - 3), ' \t'), '')
    when prefix(v, '=') or prefix(v, ' ') or suffix(v, ' ') or prefix(v, '\t') or suffix(v, '\t')
        then nullif(trim(case when trim(v, ' \t') like '="%"'
                              then substr(trim(v, ' \t'), 3, length(trim(v, ' \t')) - 3)
                              else v end, ' \t'), '')
    else v end"""


def _quoted(expression: str) -> str:
    """SQL for `'<value>'` in a reason, like Python's repr of a plain string."""
    return "chr(39) || " + expression + " || chr(39)"


def _reason_sql(dataset: Dataset, value_of: dict[str, str]) -> str:
    """A SQL expression: why a row (its cleaned cells, `value_of[column]`) cannot load, or null when it can.

    (Bytes the file's encoding cannot decode are looked for afterwards, and only when the file had some:
    see `_quarantine_invalid_bytes`.)
    """
    whens: list[tuple[str, str]] = []
    for column in dataset.key_columns:
        header = dataset.canonical_header(column)
        value = value_of.get(column, "null")
        whens.append((f"{value} is null", _sql_text(f"missing {header} ({column})")))
    for column in dataset.numeric_id_columns:
        if column not in value_of:
            continue
        header, value = dataset.canonical_header(column), value_of[column]
        whens.append(
            (
                f"(contains({value}, 'E') or contains({value}, 'e')) "
                f"and regexp_full_match({value}, '[0-9](\\.[0-9]+)?[eE]\\+?[0-9]+')",
                f"{_sql_text(header + ' ')} || {_quoted(value)} || "
                + _sql_text(
                    " was turned into scientific notation by Excel; the real id cannot be recovered "
                    "(re-export the file and do not re-save it in Excel)"
                ),
            )
        )
        whens.append(
            (
                f"not regexp_full_match({value}, '[0-9]+')",
                f"{_sql_text(header + ' ')} || {_quoted(value)} || {_sql_text(' is not a numeric id')}",
            )
        )
    if not whens:
        return "cast(null as varchar)"
    return "case " + " ".join(f"when {condition} then {reason}" for condition, reason in whens) + " end"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- loading one file ---------------------------------------------------------------------------------------------


MAX_LINE_BYTES = LONGEST_LINE_BYTES
"""The longest record DuckDB's reader accepts: 8 MiB (its default is 2 MiB), with its default 32 MiB buffer."""

_REJECTS = "_landing_rejects"
_REJECT_SCANS = "_landing_reject_scans"
_RECORDS = "_landing_records"


@dataclass
class _FileLoad:
    """How one file maps onto its raw table, and the SQL that loads it."""

    con: duckdb.DuckDBPyConnection
    plan: _Plan
    headers: list[str]
    position_of: dict[str, int]
    batch_id: str
    loaded_at: dt.datetime
    encoding: str
    copy_path: Path
    delimiter: str = ","
    transcoded: TranscodedFile | None = None
    """Known once the UTF-8 copy has been read to its end."""

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def file_columns(self) -> list[str]:
        return [c for c in self.plan.dataset.columns if c in self.position_of]

    def insert_rows(self, source_sql: str, row_number_sql: str) -> int:
        """Insert every non-empty record of `source_sql` (columns c0..cN) into the raw table; returns the count.

        A row that fails a check is inserted with `_batch_id` = `<batch>#<reason>`: `move_quarantined_rows` moves
        it to `raw.quarantine` before the transaction commits, so no reader ever sees it in the raw table.
        """
        dataset = self.plan.dataset
        cells = [f"c{i}" for i in range(self.width)]
        value_of = {column: f"v{position}" for column, position in self.position_of.items()}
        reason = _reason_sql(dataset, value_of)
        columns = ", ".join(f'"{c}"' for c in [*self.file_columns, *LINEAGE_COLUMNS])
        inner = (
            f"select {row_number_sql} as _rn, "
            + ", ".join(f"_landing_cell({c}) as v{i}" for i, c in enumerate(cells))
            + f" from {source_sql}"
        )
        values = ", ".join(f"v{self.position_of[c]}" for c in self.file_columns)
        non_empty = f"coalesce({', '.join(f'v{i}' for i in range(self.width))}) is not null"
        sql = (
            f"insert into {RAW_SCHEMA}.{dataset.name} ({columns}) "
            f"select {values}, $file, _rn, $loaded_at, "
            f"case when _reason is null then $batch else $batch || '#' || _reason end "
            f"from (select *, {reason} as _reason from ({inner}) where {non_empty})"
        )
        params = {"file": self.plan.relative, "loaded_at": self.loaded_at, "batch": self.batch_id}
        return int(self.con.execute(sql, params).fetchone()[0])  # type: ignore[index]

    def csv_source(self) -> str:
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(self.width)) + "}"
        return (
            f"read_csv({_sql_text(str(self.copy_path))}, columns = {columns}, header = true, "
            f"max_line_size = {MAX_LINE_BYTES}, buffer_size = {4 * MAX_LINE_BYTES}, "
            f"auto_detect = false, delim = {_sql_text(self.delimiter)}, quote = '\"', escape = '\"', "
            f"store_rejects = true, rejects_table = '{_REJECTS}', rejects_scan = '{_REJECT_SCANS}')"
        )

    def stage_csv(self) -> tuple[str, str]:
        """Parse the UTF-8 copy into a temporary table; returns its name and the SQL of each record's number.

        The records are numbered by their row id in that table, not by `row_number() over ()` on the reader: DuckDB
        keeps the file's order when it inserts (insertion order is preserved), and a window with no partition would
        run the parse, the cleaning and the checks on one core. Row ids count 0, 1, 2... only in a committed table
        (rows inserted within a transaction get provisional ids), so this runs before the file's transaction; the
        table is temporary, seen by this connection only, and nothing in the raw schema changes here.
        """
        con = self.con
        con.execute("set preserve_insertion_order = true")
        con.execute(f"create or replace temp table {_RECORDS} as select * from {self.csv_source()}")
        first, last, count = con.execute(f"select min(rowid), max(rowid), count(*) from temp.{_RECORDS}").fetchone()  # type: ignore[misc]
        if count and (first != 0 or last != count - 1):  # pragma: no cover - invariant
            raise AssertionError(f"row ids of the parsed records are not 0..{count - 1}: {first}..{last}")
        return f"temp.{_RECORDS}", "rowid + 1"

    def record_json(self, cells: list[str] | None, raw_text: str) -> str:
        if cells:
            shown: object = dict(zip([h.strip() for h in self.headers], cells, strict=False))
        else:
            shown = raw_text
        return _shown(json.dumps(shown, ensure_ascii=False))


def _shown(text: str) -> str:
    """Record text for `raw.quarantine`: undecodable bytes as U+FFFD, the UTF-8 cell marker dropped."""
    return text.replace(INVALID_BYTES_MARKER, "\ufffd").replace(UTF8_IN_GB18030_MARKER, "")


def load_file(con: duckdb.DuckDBPyConnection, plan: _Plan, loaded_at: dt.datetime) -> FileResult:
    dataset = plan.dataset
    headers = read_headers(plan.path)
    recognition = recognise(headers)
    batch_id = new_batch_id(loaded_at)
    started_at = _utc_now()
    encoding = source_encoding(plan.path)
    with tempfile.TemporaryDirectory(prefix="landing-") as scratch, StreamedCopy(plan.path, Path(scratch)) as copy:
        load = _FileLoad(
            con=con,
            plan=plan,
            headers=headers,
            # where each raw column sits in this file (absent: the export does not carry it)
            position_of={column: position for position, column in recognition.column_map.items()},
            batch_id=batch_id,
            loaded_at=loaded_at,
            encoding=encoding,
            copy_path=copy.path,
            delimiter=copy_delimiter(plan.path),
        )
        con.execute(_CELL_MACRO)
        con.execute(f"drop table if exists temp.{_REJECTS}")
        con.execute(f"drop table if exists temp.{_REJECT_SCANS}")
        records = load.stage_csv()
        con.begin()
        try:
            rows_in = load.insert_rows(*records)
            con.execute(f"drop table temp.{_RECORDS}")
            load.transcoded = copy.result()
            if load.transcoded.has_invalid_bytes:
                _quarantine_invalid_bytes(load)
            rows_in += _handle_rejects(load)
            if load.transcoded.utf8_cells:
                _quarantine_utf8_cells(load)
            truncated = _truncation(load)
            rows_loaded, rows_quarantined = _move_quarantined_rows(load)
            _number_lines(load)
            result = FileResult(
                source_file=plan.relative,
                dataset=dataset.name,
                status="loaded",
                batch_id=batch_id,
                encoding=encoding,
                rows_in=rows_in,
                rows_loaded=rows_loaded,
                rows_quarantined=rows_quarantined,
                ignored_headers=recognition.unknown_headers,
                truncated=truncated,
            )
            if result.rows_in != result.rows_loaded + result.rows_quarantined:  # pragma: no cover - invariant
                raise AssertionError(f"row accounting broken for {plan.relative}: {result}")
            _log(con, plan, result, started_at)
            con.commit()
        except BaseException:
            con.rollback()
            con.execute(f"drop table if exists temp.{_RECORDS}")
            raise
    logger.info(
        "loaded %s as %s: %d rows in, %d loaded, %d quarantined",
        quote_name(plan.relative),
        dataset.name,
        result.rows_in,
        result.rows_loaded,
        result.rows_quarantined,
    )
    if truncated:
        logger.warning("%s is truncated: %s", quote_name(plan.relative), truncated)
    return result


def _quarantine_utf8_cells(load: _FileLoad) -> None:
    """Quarantine the rows of a GB18030 file holding a cell that is really UTF-8 text (marked by the transcoder).

    The reason quotes the cell both ways (张伟 read as 寮犱紵), so the person fixing the export sees what happened.
    """
    assert load.transcoded is not None
    table = f"{RAW_SCHEMA}.{load.plan.dataset.name}"
    readings = load.transcoded.utf8_cells
    cells = ", ".join(f'"{c}"' for c in load.file_columns)
    marked = load.con.execute(
        f"select _source_row_number, {cells} from {table} "
        f"where _batch_id = $batch and contains(concat_ws(chr(1), {cells}), $marker)",
        {"batch": load.batch_id, "marker": UTF8_IN_GB18030_MARKER},
    ).fetchall()
    updates = []
    for record, *cells in marked:
        for column, cell in zip(load.file_columns, cells, strict=True):
            if cell is None or UTF8_IN_GB18030_MARKER not in cell:
                continue
            shown = cell.replace(UTF8_IN_GB18030_MARKER, "")
            utf8 = next((readings[k] for k in readings if k and k in shown), None)
            header = load.headers[load.position_of[column]].strip()
            reason = (
                f"{header} {shown!r} is UTF-8 text in a {load.encoding} file"
                + (f" (it reads {utf8!r})" if utf8 else "")
                + ": the file mixes encodings; re-export it"
            )
            updates.append((reason, record))
            break
    if not updates:
        return
    load.con.executemany(
        f"update {table} set _batch_id = $batch || '#' || $reason "
        "where _batch_id = $batch and _source_row_number = $row",
        [{"batch": load.batch_id, "reason": reason, "row": record} for reason, record in updates],
    )


TRUNCATED_PREFIX = "the file ends mid-row (a truncated export): "


def _truncation(load: _FileLoad) -> str | None:
    """What shows the file was cut short, or None: its last record lacks fields, or ends inside a character, and the
    file has no final line ending. That record's quarantine reason is prefixed to say so."""
    assert load.transcoded is not None
    if not load.transcoded.ends_mid_line:
        return None
    con, batch = load.con, load.batch_id
    table = f"{RAW_SCHEMA}.{load.plan.dataset.name}"
    last = con.execute(
        f"select max(n) from (select max(_source_row_number) as n from {table} where starts_with(_batch_id, $batch) "
        f"union all select max(_source_row_number) from {RAW_SCHEMA}.quarantine where _batch_id = $batch)",
        {"batch": batch},
    ).fetchone()[0]  # type: ignore[index]
    if last is None:
        return None
    cut = con.execute(
        f"select reason from {RAW_SCHEMA}.quarantine where _batch_id = $batch and _source_row_number = $row "
        f"and (starts_with(reason, 'expected ') or starts_with(reason, 'bytes that are not valid') "
        f"or starts_with(reason, 'not valid CSV'))",
        {"batch": batch, "row": last},
    ).fetchone()
    if cut is None:
        failed = con.execute(
            f"select substr(_batch_id, length($batch) + 2) from {table} where starts_with(_batch_id, $batch || '#') "
            f"and _source_row_number = $row and contains(_batch_id, 'bytes that are not valid')",
            {"batch": batch, "row": last},
        ).fetchone()
        if failed is None:
            return None
        con.execute(
            f"update {table} set _batch_id = $batch || '#' || $prefix || substr(_batch_id, length($batch) + 2) "
            f"where starts_with(_batch_id, $batch || '#') and _source_row_number = $row",
            {"batch": batch, "row": last, "prefix": TRUNCATED_PREFIX},
        )
        reason = failed[0]
    else:
        con.execute(
            f"update {RAW_SCHEMA}.quarantine set reason = $prefix || reason "
            "where _batch_id = $batch and _source_row_number = $row",
            {"batch": batch, "row": last, "prefix": TRUNCATED_PREFIX},
        )
        reason = cut[0]
    return f"its last record (row {last}) has no line ending and {reason}"


def _quarantine_invalid_bytes(load: _FileLoad) -> None:
    """Give the rows holding undecodable bytes (marked by the transcoder) that reason, whatever else they had."""
    cells = ", ".join(f'"{c}"' for c in load.file_columns)
    load.con.execute(
        f"update {RAW_SCHEMA}.{load.plan.dataset.name} set _batch_id = $batch || '#' || $reason "
        f"where starts_with(_batch_id, $batch) and contains(concat_ws(chr(1), {cells}), $marker)",
        {
            "batch": load.batch_id,
            "reason": f"bytes that are not valid {load.encoding}",
            "marker": INVALID_BYTES_MARKER,
        },
    )


def _handle_rejects(load: _FileLoad) -> int:
    """Records DuckDB's reader refused (wrong field count, broken quoting): renumber, re-read, quarantine.

    Returns how many of them are rows (an all-blank record is not a row).
    DuckDB numbers the rows it returns in order; the records it refused are missing from that sequence, so the rows
    after each refused record are shifted up to their true record number first.
    """
    con = load.con
    rejects = con.execute(
        f"select line, min(byte_position), arg_min(error_type::varchar, byte_position), "
        f"arg_min(csv_line, byte_position), arg_min(error_message, byte_position) "
        f"from temp.{_REJECTS} group by line order by line"
    ).fetchall()
    if not rejects:
        return 0
    assert load.transcoded is not None
    blanks = sorted(load.transcoded.blank_line_offsets)
    # DuckDB's `line` counts the header and empty lines; record numbers count neither
    records = [(int(line) - 1 - bisect.bisect_left(blanks, int(position)), *rest) for line, position, *rest in rejects]
    befores = [record - index for index, (record, *_) in enumerate(records, start=1)]
    batch_rows = f"starts_with(_batch_id, {_sql_text(load.batch_id)})"
    con.execute(
        f"update {RAW_SCHEMA}.{load.plan.dataset.name} set _source_row_number = _source_row_number + "
        f"(select count(*) from unnest(?::bigint[]) as gaps(before) where gaps.before < _source_row_number) "
        f"where {batch_rows} and _source_row_number > ?",
        [befores, min(befores)],
    )
    good: list[tuple[int, list[str]]] = []
    quarantined: list[tuple[object, ...]] = []
    rows = 0
    for record, error_type, csv_line, message in records:
        text = (csv_line or "").lstrip("\r\n")
        try:
            parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=load.delimiter))
        except csv.Error:
            parsed = []
        cells = [cell for row in parsed[:1] for cell in row] if len(parsed) == 1 else None
        if cells is not None and not "".join(cells).strip():
            continue  # an all-blank record (white space only) is not a row
        rows += 1
        reason: str | None
        if INVALID_BYTES_MARKER in text:
            reason = f"bytes that are not valid {load.encoding}"
        elif error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS") and cells is not None:
            if len(cells) > load.width and not "".join(cells[load.width :]).strip():
                good.append((record, cells[: load.width]))  # trailing empty fields (trailing commas) are harmless
                continue
            reason = f"expected {load.width} fields as in the header, found {len(cells)}"
        else:
            reason = f"not valid CSV: {message}"
        quarantined.append(
            (
                load.plan.dataset.name,
                load.plan.relative,
                record,
                reason,
                load.record_json(cells, text),
                load.batch_id,
                load.loaded_at,
            )
        )
    if quarantined:
        con.executemany(f"insert into {RAW_SCHEMA}.quarantine values (?, ?, ?, ?, ?, ?, ?)", quarantined)
    if good:
        table = pa.table(
            {
                "_record": pa.array([record for record, _ in good], type=pa.int64()),
                **{f"c{i}": pa.array([cells[i] for _, cells in good], type=pa.string()) for i in range(load.width)},
            }
        )
        con.register("_landing_reread", table)
        try:
            load.insert_rows("_landing_reread", "_record")
        finally:
            con.unregister("_landing_reread")
    return rows


def _move_quarantined_rows(load: _FileLoad) -> tuple[int, int]:
    """Move the rows inserted with a reason to `raw.quarantine`; returns (rows loaded, rows quarantined)."""
    con, dataset = load.con, load.plan.dataset
    table = f"{RAW_SCHEMA}.{dataset.name}"
    failed = f"starts_with(_batch_id, {_sql_text(load.batch_id + '#')})"
    record = ", ".join(f'{_sql_text(load.headers[load.position_of[c]].strip())}, "{c}"' for c in load.file_columns)
    con.execute(
        f"insert into {RAW_SCHEMA}.quarantine select $dataset, _source_file, _source_row_number, "
        f"substr(_batch_id, length($batch) + 2), "
        f"replace(replace(json_object({record})::varchar, {_sql_text(INVALID_BYTES_MARKER)}, '\ufffd'), "
        f"{_sql_text(UTF8_IN_GB18030_MARKER)}, ''), "
        f"$batch, _loaded_at from {table} where {failed}",
        {"dataset": dataset.name, "batch": load.batch_id},
    )
    con.execute(f"delete from {table} where {failed}")
    loaded = con.execute(f"select count(*) from {table} where _batch_id = ?", [load.batch_id]).fetchone()[0]  # type: ignore[index]
    quarantined = con.execute(
        f"select count(*) from {RAW_SCHEMA}.quarantine where _batch_id = ?", [load.batch_id]
    ).fetchone()[0]  # type: ignore[index]
    return int(loaded), int(quarantined)


def _number_lines(load: _FileLoad) -> None:
    """Derived `line_number`: the position of each loaded line among its order's lines in the file."""
    dataset = load.plan.dataset
    if "line_number" not in dataset.derived_columns or "order_id" not in load.position_of:
        return
    table = f"{RAW_SCHEMA}.{dataset.name}"
    load.con.execute(
        f"update {table} set line_number = numbered.line_number from ("
        f"  select _source_row_number as record, "
        f"    cast(row_number() over (partition by order_id order by _source_row_number) as varchar) as line_number "
        f"  from {table} where _batch_id = $batch) as numbered "
        f"where {table}._batch_id = $batch and {table}._source_row_number = numbered.record",
        {"batch": load.batch_id},
    )


_INGEST_RUN: dict[int, str] = {}
"""The id of the landing ingest run a connection is in (set by `ingest_landing`), for `raw.ingest_log.ingest_run`."""


def _log(con: duckdb.DuckDBPyConnection, plan: _Plan, result: FileResult, started_at: dt.datetime) -> None:
    _log_entry(con, plan.path, plan.sha256, result, started_at)


def _log_entry(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, result: FileResult, started_at: dt.datetime
) -> None:
    con.execute(
        f"""insert into {RAW_SCHEMA}.ingest_log (batch_id, dataset, source_file, file_size_bytes, file_sha256,
            encoding, rows_in, rows_loaded, rows_quarantined, status, ignored_headers, duplicate_of, started_at,
            finished_at, reason, truncated, rows_held_back, ingest_run)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            result.batch_id,
            result.dataset,
            result.source_file,
            path.stat().st_size,
            sha256,
            result.encoding,
            result.rows_in,
            result.rows_loaded,
            result.rows_quarantined,
            result.status,
            json.dumps(list(result.ignored_headers), ensure_ascii=False) if result.ignored_headers else None,
            result.duplicate_of,
            started_at,
            _utc_now(),
            result.reason,
            result.truncated,
            result.rows_held_back,
            _INGEST_RUN.get(id(con)),
        ],
    )


def ingest_landing(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> IngestReport:
    """Load every new file of the landing folder into `raw`. Safe to run again: loaded files are skipped.

    Files that are no export are logged as `not_loaded` with their reason (on every run that sees them) and the
    others load. Then rows whose order was quarantined are held back, and held rows whose order has arrived are
    released (`holdback.py`).
    """
    from orchestration.ingest.holdback import hold_back_dependents

    ensure_raw_tables(con)
    run_started = _utc_now()
    _INGEST_RUN[id(con)] = new_batch_id(run_started)
    report = IngestReport(landing_dir=landing_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="landing-archives-") as scratch:
            plans, others = survey_landing(landing_dir, Path(scratch))
            already = {
                sha: source
                for sha, source in con.execute(
                    f"select file_sha256, min(source_file) from {RAW_SCHEMA}.ingest_log "
                    "where status = 'loaded' group by file_sha256"
                ).fetchall()
            }
            _log_others(con, others, report)
            # Each file commits to the write-ahead log (durable, so a killed load loses nothing committed);
            # checkpointing once at the end instead of after every few files avoids rewriting half-full row groups.
            con.execute("set checkpoint_threshold = '4GB'")
            try:
                _load_plans(con, plans, already, report)
            finally:
                con.execute("reset checkpoint_threshold")
        _check_last_order_complete(con, report)
        hold_back_dependents(con, report)
    finally:
        _INGEST_RUN.pop(id(con), None)
    con.execute("checkpoint")
    if not plans and report.not_loaded():
        raise LandingError(
            f"nothing in the landing folder {landing_dir} can be loaded (listed in raw.ingest_log as not_loaded):\n  "
            + "\n  ".join(f"{quote_name(f.source_file)}: {f.reason}" for f in report.not_loaded())
        )
    return report


def _check_last_order_complete(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    """An item report whose last order has fewer lines than the order's 宝贝种类 was cut short: say so.

    (A cut that falls exactly between two lines leaves every row whole: only the count shows it.)
    """
    for result in report.files:
        if result.status != "loaded" or result.dataset != "tmall_order_items" or result.truncated:
            continue
        found = con.execute(
            f"""with last as (select order_id from {RAW_SCHEMA}.tmall_order_items where _batch_id = $batch
                    order by _source_row_number desc limit 1)
                select last.order_id,
                    (select count(*) from {RAW_SCHEMA}.tmall_order_items i
                     where i._batch_id = $batch and i.order_id = last.order_id),
                    (select max(try_cast(o.item_kinds as integer)) from {RAW_SCHEMA}.tmall_orders o
                     where o.order_id = last.order_id)
                from last""",
            {"batch": result.batch_id},
        ).fetchone()
        if found is None or found[2] is None or found[1] >= found[2]:
            continue
        order_id, lines, kinds = found
        result.truncated = (
            f"its last order {order_id} has {lines} of the {kinds} item lines its order report gives (宝贝种类)"
        )
        con.execute(
            f"update {RAW_SCHEMA}.ingest_log set truncated = ? where batch_id = ?", [result.truncated, result.batch_id]
        )
        logger.warning("%s is truncated: %s", quote_name(result.source_file), result.truncated)


def _log_others(con: duckdb.DuckDBPyConnection, others: list[tuple[Path, FileResult]], report: IngestReport) -> None:
    """Log the files that do not load (and the archives that were opened), each with its reason."""
    for path, result in others:
        now = _utc_now()
        result.batch_id = new_batch_id(now)
        result.dataset = result.dataset or "(none)"
        con.begin()
        _log_entry(con, path, file_sha256(path), result, now)
        con.commit()
        if result.status == "not_loaded":
            logger.warning("%s was not loaded: %s", quote_name(result.source_file), result.reason)
        report.files.append(result)


def _load_plans(
    con: duckdb.DuckDBPyConnection, plans: list[_Plan], already: dict[str, str], report: IngestReport
) -> None:
    for plan in plans:
        # each file gets its own load time: files load in path order, and exports are named by export time
        loaded_at = _utc_now()
        first_source = already.get(plan.sha256)
        if first_source is not None:
            if first_source == plan.relative:
                report.files.append(FileResult(plan.relative, plan.dataset.name, "already_loaded"))
            else:
                result = FileResult(
                    plan.relative,
                    plan.dataset.name,
                    "duplicate",
                    batch_id=new_batch_id(loaded_at),
                    duplicate_of=first_source,
                )
                con.begin()
                _log(con, plan, result, loaded_at)
                con.commit()
                logger.warning(
                    "%s has the same content as %s, already loaded: skipped",
                    quote_name(plan.relative),
                    quote_name(first_source),
                )
                report.files.append(result)
            continue
        try:
            result = load_file(con, plan, loaded_at)
        except UnreadableFileError as exc:  # recognised by its header, but unreadable further on: nothing of it loads
            result = FileResult(plan.relative, plan.dataset.name, "not_loaded", batch_id=new_batch_id(loaded_at))
            result.reason = f"recognised as {plan.dataset.name}, but {exc}"
            con.begin()
            _log(con, plan, result, loaded_at)
            con.commit()
            logger.warning("%s was not loaded: %s", quote_name(plan.relative), result.reason)
            report.files.append(result)
            continue
        already[plan.sha256] = plan.relative
        report.files.append(result)


def raw_row_counts(con: duckdb.DuckDBPyConnection, datasets: Iterable[Dataset] = DATASETS) -> dict[str, int]:
    return {
        d.name: con.execute(f"select count(*) from {RAW_SCHEMA}.{d.name}").fetchone()[0]  # type: ignore[index]
        for d in datasets
    }
