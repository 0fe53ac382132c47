"""Landing API results in `raw`, one window at a time, with the same guarantees as landing files.

- every record of a window ends up in its raw table, in `raw.quarantine` with a reason, or is recognised as already
  held (rows in = rows loaded + rows quarantined + rows unchanged, recorded per window in `raw.ingest_log`);
- a window is loaded in one transaction together with its ingest log entry: a load killed half-way leaves nothing
  visible;
- a window fetched again (a backfill of its days) is fetched and logged again, but a record identical to one raw
  already holds (same id and payload; in quarantine: same payload and reason) is not appended again: it counts as
  `rows_unchanged`. Raw stays append-only history without piling up copies, and re-running changes nothing.

Which days are fetched is Dagster's business (the API assets are partitioned by China-time day, see
`orchestration.partitions`): `sync` fetches whatever range it is given, window by window.

A window's `_source_file` reads like `api:taobao.trades.sold.increment.get?shop=<nick>&start=...&end=...`, and
`_source_row_number` is the record's position in the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from orchestration.ingest.api.datasets import ApiDataset
from orchestration.ingest.raw_schema import RAW_SCHEMA, ensure_api_tables, new_batch_id

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"^[0-9]+$")
Fetch = Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]


@dataclass
class WindowResult:
    dataset: str
    source_file: str
    start: dt.datetime
    end: dt.datetime
    batch_id: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_unchanged: int = 0
    """Records identical to one raw already held (or to an earlier record of the same window): not appended."""


@dataclass
class SyncReport:
    dataset: str
    shop: str
    start: dt.datetime
    end: dt.datetime
    windows: list[WindowResult] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {
            "windows": len(self.windows),
            "rows_in": sum(w.rows_in for w in self.windows),
            "rows_loaded": sum(w.rows_loaded for w in self.windows),
            "rows_quarantined": sum(w.rows_quarantined for w in self.windows),
            "rows_unchanged": sum(w.rows_unchanged for w in self.windows),
        }


def source_file(dataset: ApiDataset, shop: str, start: dt.datetime, end: dt.datetime) -> str:
    return f"api:{dataset.api_method}?shop={shop}&start={start:%Y-%m-%dT%H:%M:%S}&end={end:%Y-%m-%dT%H:%M:%S}"


def plan_windows(start: dt.datetime, end: dt.datetime, longest: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut into consecutive windows of at most `longest`, oldest first.

    Windows of a day or less never cross a midnight, so each lies within one partition (China-time day).
    """
    windows = []
    while start < end:
        stop = min(start + longest, end)
        if longest <= dt.timedelta(days=1):
            stop = min(stop, dt.datetime.combine(start.date(), dt.time()) + dt.timedelta(days=1))
        windows.append((start, stop))
        start = stop
    return windows


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _problem(dataset: ApiDataset, record: Any) -> str | None:
    if not isinstance(record, dict):
        return f"record is a JSON {type(record).__name__}, not an object"
    value = next((record[f] for f in dataset.id_fields if record.get(f) not in (None, "")), None)
    label = "/".join(dataset.id_fields)
    if value is None:
        return f"missing {dataset.id_column} ({label})"
    if isinstance(value, bool) or isinstance(value, dict | list):
        return f"{dataset.id_column} {value!r} ({label}) is not an id"
    if dataset.numeric_id and not _DIGITS.match(str(value)):
        return f"{dataset.id_column} {value!r} ({label}) is not a numeric id"
    return None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _held_versions(con: duckdb.DuckDBPyConnection, dataset: ApiDataset, ids: list[str]) -> set[tuple[str, str]]:
    """(id, payload) of the versions raw already holds for these ids."""
    if not ids:
        return set()
    rows = con.execute(
        f'select "{dataset.id_column}", payload from {RAW_SCHEMA}.{dataset.name} '
        f'where "{dataset.id_column}" in (select unnest(?::varchar[]))',
        [sorted(set(ids))],
    ).fetchall()
    return {(row[0], row[1]) for row in rows}


def _held_quarantine(con: duckdb.DuckDBPyConnection, dataset: ApiDataset, records: list[str]) -> set[tuple[str, str]]:
    """(reason, raw_record) of the records `raw.quarantine` already holds for this dataset."""
    if not records:
        return set()
    rows = con.execute(
        f"select reason, raw_record from {RAW_SCHEMA}.quarantine "
        "where dataset = ? and raw_record in (select unnest(?::varchar[]))",
        [dataset.name, sorted(set(records))],
    ).fetchall()
    return {(row[0], row[1]) for row in rows}


def land_window(
    con: duckdb.DuckDBPyConnection,
    dataset: ApiDataset,
    shop: str,
    start: dt.datetime,
    end: dt.datetime,
    records: Sequence[Any],
    *,
    tables_ready: bool = False,
) -> WindowResult:
    """Load one fetched window and log it, in one transaction.

    A record identical to a version raw already holds is counted as unchanged instead of appended, so fetching a
    window again (a backfill) adds only what changed. `tables_ready=True` skips creating the tables (the caller did,
    as `sync` does once for all its windows).
    """
    if not tables_ready:
        ensure_api_tables(con)
    name = source_file(dataset, shop, start, end)
    started_at = loaded_at = _utc_now()
    batch_id = new_batch_id(loaded_at)
    candidates: list[tuple[int, str, dict[str, Any], str]] = []
    """(position, id, record, payload) of the records with a usable id."""
    rejected: list[tuple[int, str, str]] = []
    """(position, reason, payload) of the records without one."""
    for position, record in enumerate(records, start=1):
        reason = _problem(dataset, record)
        payload = json.dumps(record, ensure_ascii=False, sort_keys=True)
        if reason is not None:
            rejected.append((position, reason, payload))
            continue
        record_id = str(next(record[f] for f in dataset.id_fields if record.get(f) not in (None, "")))
        candidates.append((position, record_id, record, payload))
    canonical = json.dumps(list(records), ensure_ascii=False, sort_keys=True).encode("utf-8")
    con.begin()
    try:
        held = _held_versions(con, dataset, [c[1] for c in candidates])
        held_rejects = _held_quarantine(con, dataset, [r[2] for r in rejected])
        rows: dict[str, list[Any]] = {c: [] for c in dataset.columns}
        row_numbers: list[int] = []
        for position, record_id, record, payload in candidates:
            if (record_id, payload) in held:
                continue
            held.add((record_id, payload))
            rows[dataset.id_column].append(record_id)
            for column, source_field in dataset.extra_columns.items():
                rows[column].append(_text(record.get(source_field)))
            rows["payload"].append(payload)
            row_numbers.append(position)
        quarantined: list[tuple[Any, ...]] = []
        for position, reason, payload in rejected:
            if (reason, payload) in held_rejects:
                continue
            held_rejects.add((reason, payload))
            quarantined.append((dataset.name, name, position, reason, payload, batch_id, loaded_at))
        result = WindowResult(
            dataset=dataset.name,
            source_file=name,
            start=start,
            end=end,
            batch_id=batch_id,
            rows_in=len(records),
            rows_loaded=len(row_numbers),
            rows_quarantined=len(quarantined),
            rows_unchanged=len(records) - len(row_numbers) - len(quarantined),
        )
        if row_numbers:
            count = len(row_numbers)
            table = pa.table(
                {
                    **{c: pa.array(values, type=pa.string()) for c, values in rows.items()},
                    "_source_file": pa.array([name] * count, type=pa.string()),
                    "_source_row_number": pa.array(row_numbers, type=pa.int64()),
                    "_loaded_at": pa.array([loaded_at] * count, type=pa.timestamp("us")),
                    "_batch_id": pa.array([batch_id] * count, type=pa.string()),
                }
            )
            con.register("_api_window", table)
            column_list = ", ".join(f'"{c}"' for c in table.column_names)
            con.execute(
                f"insert into {RAW_SCHEMA}.{dataset.name} ({column_list}) select {column_list} from _api_window"
            )
            con.unregister("_api_window")
        if quarantined:
            con.executemany(
                f"insert into {RAW_SCHEMA}.quarantine (dataset, _source_file, _source_row_number, reason, raw_record, "
                "_batch_id, _loaded_at) values (?, ?, ?, ?, ?, ?, ?)",
                quarantined,
            )
        con.execute(
            f"""insert into {RAW_SCHEMA}.ingest_log (batch_id, dataset, source_file, file_size_bytes, file_sha256,
                encoding, rows_in, rows_loaded, rows_quarantined, rows_unchanged, status, ignored_headers,
                duplicate_of, started_at, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, ?)""",
            [
                batch_id,
                dataset.name,
                name,
                len(canonical),
                hashlib.sha256(canonical).hexdigest(),
                "utf-8",
                result.rows_in,
                result.rows_loaded,
                result.rows_quarantined,
                result.rows_unchanged,
                "loaded",
                started_at,
                _utc_now(),
            ],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    logger.info(
        "loaded %s: %d rows in, %d loaded, %d quarantined, %d unchanged",
        name,
        result.rows_in,
        result.rows_loaded,
        result.rows_quarantined,
        result.rows_unchanged,
    )
    return result


def sync(
    con: duckdb.DuckDBPyConnection,
    dataset: ApiDataset,
    shop: str,
    fetch: Fetch,
    start: dt.datetime,
    end: dt.datetime,
    window: dt.timedelta | None = None,
) -> SyncReport:
    """Fetch and land every window of [start, end) (China time), oldest first, each in its own transaction.

    Every window is fetched, also one fetched before: the data may have changed since (a refund). A window that fails
    raises after the earlier windows are committed; fetching the range again completes it and changes nothing else.
    """
    ensure_api_tables(con)
    longest = min(window or dataset.max_window, dataset.max_window)
    report = SyncReport(dataset.name, shop, start, end)
    for window_start, window_end in plan_windows(start, end, longest):
        records = fetch(window_start, window_end)
        report.windows.append(land_window(con, dataset, shop, window_start, window_end, records, tables_ready=True))
    return report
