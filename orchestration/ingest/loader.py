"""Loading landing files into the `raw` schema of the warehouse.

Guarantees:
- every data row of a file ends up either in its raw table or in `raw.quarantine` with a reason
  (rows in = rows loaded + rows quarantined, recorded per file in `raw.ingest_log`);
- a file is loaded in one transaction: a load killed half-way leaves nothing of that file visible;
- a file whose content (SHA-256) was already loaded is not loaded again, whatever its name;
- a landing folder holding a file of unknown format fails before anything is loaded, naming the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.datasets import DATASETS, LINEAGE_COLUMNS, Dataset, recognise
from orchestration.ingest.readers import (
    SUPPORTED_SUFFIXES,
    UnreadableFileError,
    read_file,
    read_headers,
    unescape_cell,
)

logger = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
_SCIENTIFIC_NOTATION = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
_DIGITS = re.compile(r"^[0-9]+$")
_INSERT_CHUNK_ROWS = 200_000


class LandingError(Exception):
    """The landing folder cannot be ingested as it is; the message says which file and why."""


@dataclass
class FileResult:
    source_file: str
    dataset: str
    status: str
    """`loaded`, `already_loaded` (same path and content seen before) or `duplicate` (same content, other name)."""
    batch_id: str | None = None
    encoding: str | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    ignored_headers: tuple[str, ...] = ()
    duplicate_of: str | None = None


@dataclass
class IngestReport:
    landing_dir: Path
    files: list[FileResult] = field(default_factory=list)

    def for_dataset(self, name: str) -> list[FileResult]:
        return [f for f in self.files if f.dataset == name]

    def totals(self, name: str) -> dict[str, int]:
        results = self.for_dataset(name)
        return {
            "files_loaded": sum(1 for f in results if f.status == "loaded"),
            "files_skipped": sum(1 for f in results if f.status != "loaded"),
            "rows_in": sum(f.rows_in for f in results),
            "rows_loaded": sum(f.rows_loaded for f in results),
            "rows_quarantined": sum(f.rows_quarantined for f in results),
        }


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set enable_progress_bar = false")
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for dataset in DATASETS:
        columns = ", ".join(f'"{c}" varchar' for c in dataset.raw_columns)
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{dataset.name} ({columns}, "
            "_source_file varchar not null, _source_row_number bigint not null, "
            "_loaded_at timestamp not null, _batch_id varchar not null)"
        )
    con.execute(
        f"""create table if not exists {RAW_SCHEMA}.quarantine (
            dataset varchar not null, _source_file varchar not null, _source_row_number bigint not null,
            reason varchar not null, raw_record varchar, _batch_id varchar not null, _loaded_at timestamp not null)"""
    )
    con.execute(
        f"""create table if not exists {RAW_SCHEMA}.ingest_log (
            batch_id varchar primary key, dataset varchar not null, source_file varchar not null,
            file_size_bytes bigint not null, file_sha256 varchar not null, encoding varchar,
            rows_in bigint not null, rows_loaded bigint not null, rows_quarantined bigint not null,
            status varchar not null, ignored_headers varchar, duplicate_of varchar,
            started_at timestamp not null, finished_at timestamp not null)"""
    )
    # the API sources' raw tables too (empty until an API is configured), so every dbt source resolves
    from orchestration.ingest.api.landing import create_api_tables

    create_api_tables(con)


def landing_files(landing_dir: Path) -> list[Path]:
    """Data files in the landing folder (recursively), in a stable order. Hidden files are ignored."""
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
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(landing_dir).parts)
        and p.suffix.lower() in SUPPORTED_SUFFIXES
    )
    if not files:
        raise LandingError(
            f"landing folder {landing_dir} holds no export files ({', '.join(SUPPORTED_SUFFIXES)}): "
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


def plan_landing(landing_dir: Path) -> list[_Plan]:
    """Recognise every file before loading any; unknown or unreadable files fail the whole ingest."""
    plans: list[_Plan] = []
    problems: list[str] = []
    for path in landing_files(landing_dir):
        relative = path.relative_to(landing_dir).as_posix()
        try:
            headers = read_headers(path)
        except UnreadableFileError as exc:
            problems.append(f"{relative}: {exc}")
            continue
        recognition = recognise(headers)
        if recognition.dataset is None:
            problems.append(f"{relative}: {recognition.explanation}")
            continue
        plans.append(_Plan(path, relative, file_sha256(path), recognition.dataset))
    if problems:
        raise LandingError(
            "nothing was loaded, because these landing files cannot be ingested:\n  " + "\n  ".join(problems)
        )
    return plans


def _check_row(
    dataset: Dataset,
    cells: list[str],
    key_positions: list[tuple[str, int]],
    id_positions: list[tuple[str, int]],
) -> str | None:
    for column, position in key_positions:
        if not unescape_cell(cells[position]):
            return f"missing {dataset.canonical_header(column)} ({column})"
    for column, position in id_positions:
        value = unescape_cell(cells[position])
        if _SCIENTIFIC_NOTATION.match(value):
            return (
                f"{dataset.canonical_header(column)} {value!r} was turned into scientific notation by Excel; "
                "the real id cannot be recovered (re-export the file and do not re-save it in Excel)"
            )
        if not _DIGITS.match(value):
            return f"{dataset.canonical_header(column)} {value!r} is not a numeric id"
    return None


def new_batch_id(loaded_at: dt.datetime) -> str:
    """Batch ids sort by load time, so "the latest delivery" is well defined even within one ingest run."""
    return f"{loaded_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# Applied in DuckDB to every loaded cell: trim, unwrap Excel's `="…"` text escape, empty -> null.
_CELL_MACRO = """create or replace temp macro _landing_cell(v) as nullif(trim(
    case when trim(v, ' \t') like '="%"' then substr(trim(v, ' \t'), 3, length(trim(v, ' \t')) - 3)
         else v end, ' \t'), '')"""


def load_file(con: duckdb.DuckDBPyConnection, plan: _Plan, loaded_at: dt.datetime) -> FileResult:
    dataset = plan.dataset
    parsed = read_file(plan.path)
    recognition = recognise(parsed.headers)
    width = len(parsed.headers)
    batch_id = new_batch_id(loaded_at)
    started_at = _utc_now()

    # where each raw column sits in this file (None: the export does not carry it)
    position_of = {column: position for position, column in recognition.column_map.items()}
    file_columns = [c for c in dataset.columns if c in position_of]
    key_positions = [(c, position_of[c]) for c in dataset.key_columns]
    id_positions = [(c, position_of[c]) for c in dataset.numeric_id_columns]
    numbers_lines = "line_number" in dataset.derived_columns
    order_position = position_of.get("order_id")

    good_rows: list[list[str]] = []
    row_numbers: list[int] = []
    line_numbers: list[str] = []
    quarantined: list[tuple[str, str, int, str, str, str, dt.datetime]] = []
    line_counters: dict[str, int] = {}
    rows_in = rows_loaded = 0
    column_list = ", ".join(f'"{c}"' for c in [*file_columns, *dataset.derived_columns, *LINEAGE_COLUMNS])

    def flush() -> None:
        if not row_numbers:
            return
        count = len(row_numbers)
        transposed = list(zip(*good_rows, strict=True))
        arrays = {c: pa.array(transposed[position_of[c]], type=pa.string()) for c in file_columns}
        if numbers_lines:
            arrays["line_number"] = pa.array(line_numbers, type=pa.string())
        table = pa.table(
            {
                **arrays,
                "_source_file": pa.array([plan.relative] * count, type=pa.string()),
                "_source_row_number": pa.array(row_numbers, type=pa.int64()),
                "_loaded_at": pa.array([loaded_at] * count, type=pa.timestamp("us")),
                "_batch_id": pa.array([batch_id] * count, type=pa.string()),
            }
        )
        con.register("_ingest_chunk", table)
        cleaned = ", ".join(
            [f'_landing_cell("{c}")' for c in file_columns]
            + [f'"{c}"' for c in dataset.derived_columns]
            + list(LINEAGE_COLUMNS)
        )
        con.execute(f"insert into {RAW_SCHEMA}.{dataset.name} ({column_list}) select {cleaned} from _ingest_chunk")
        con.unregister("_ingest_chunk")
        good_rows.clear()
        row_numbers.clear()
        line_numbers.clear()

    con.execute(_CELL_MACRO)
    con.begin()
    try:
        for row in parsed.rows:
            rows_in += 1
            reason = row.problem
            cells = row.cells
            if reason is None and len(cells) != width:
                if len(cells) > width and not "".join(cells[width:]).strip():
                    cells = cells[:width]  # trailing empty fields (a trailing comma) are harmless
                else:
                    reason = f"expected {width} fields as in the header, found {len(cells)}"
            if reason is None:
                reason = _check_row(dataset, cells, key_positions, id_positions)
            if reason is not None:
                record = json.dumps(
                    dict(zip([h.strip() for h in parsed.headers], cells, strict=False)) if cells else row.raw_text,
                    ensure_ascii=False,
                )
                quarantined.append((dataset.name, plan.relative, row.row_number, reason, record, batch_id, loaded_at))
                continue
            if numbers_lines and order_position is not None:
                order_id = unescape_cell(cells[order_position])
                line_counters[order_id] = line_counters.get(order_id, 0) + 1
                line_numbers.append(str(line_counters[order_id]))
            good_rows.append(cells)
            row_numbers.append(row.row_number)
            rows_loaded += 1
            if len(row_numbers) >= _INSERT_CHUNK_ROWS:
                flush()
        flush()
        if quarantined:
            con.executemany(f"insert into {RAW_SCHEMA}.quarantine values (?, ?, ?, ?, ?, ?, ?)", quarantined)
        result = FileResult(
            source_file=plan.relative,
            dataset=dataset.name,
            status="loaded",
            batch_id=batch_id,
            encoding=parsed.encoding,
            rows_in=rows_in,
            rows_loaded=rows_loaded,
            rows_quarantined=len(quarantined),
            ignored_headers=recognition.unknown_headers,
        )
        if result.rows_in != result.rows_loaded + result.rows_quarantined:  # pragma: no cover - invariant
            raise AssertionError(f"row accounting broken for {plan.relative}")
        _log(con, plan, result, started_at)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    logger.info(
        "loaded %s as %s: %d rows in, %d loaded, %d quarantined",
        plan.relative,
        dataset.name,
        result.rows_in,
        result.rows_loaded,
        result.rows_quarantined,
    )
    return result


def _log(con: duckdb.DuckDBPyConnection, plan: _Plan, result: FileResult, started_at: dt.datetime) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.batch_id,
            result.dataset,
            result.source_file,
            plan.path.stat().st_size,
            plan.sha256,
            result.encoding,
            result.rows_in,
            result.rows_loaded,
            result.rows_quarantined,
            result.status,
            json.dumps(list(result.ignored_headers), ensure_ascii=False) if result.ignored_headers else None,
            result.duplicate_of,
            started_at,
            _utc_now(),
        ],
    )


def ingest_landing(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> IngestReport:
    """Load every new file of the landing folder into `raw`. Safe to run again: loaded files are skipped."""
    ensure_raw_tables(con)
    plans = plan_landing(landing_dir)
    already = {
        sha: source
        for sha, source in con.execute(
            f"select file_sha256, min(source_file) from {RAW_SCHEMA}.ingest_log "
            "where status = 'loaded' group by file_sha256"
        ).fetchall()
    }
    report = IngestReport(landing_dir=landing_dir)
    # Each file commits to the write-ahead log (durable, so a killed load loses nothing committed); checkpointing
    # once at the end instead of after every few files avoids rewriting half-full row groups again and again.
    con.execute("set checkpoint_threshold = '4GB'")
    try:
        _load_plans(con, plans, already, report)
    finally:
        con.execute("reset checkpoint_threshold")
    con.execute("checkpoint")
    return report


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
                logger.warning("%s has the same content as %s, already loaded: skipped", plan.relative, first_source)
                report.files.append(result)
            continue
        result = load_file(con, plan, loaded_at)
        already[plan.sha256] = plan.relative
        report.files.append(result)


def raw_row_counts(con: duckdb.DuckDBPyConnection, datasets: Iterable[Dataset] = DATASETS) -> dict[str, int]:
    return {
        d.name: con.execute(f"select count(*) from {RAW_SCHEMA}.{d.name}").fetchone()[0]  # type: ignore[index]
        for d in datasets
    }
