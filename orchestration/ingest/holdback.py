"""Rows held back because the row they depend on was quarantined: quarantine isolates a bad order.

An item line whose order was quarantined (an order id Excel turned into `5.11861E+18`, a cut row) would load without
its order and fail dbt's `relationships` test, which blocks every mart. Instead, after each landing ingest, such rows
are moved from their raw table to `raw.held_back` with the reason `its order was quarantined (…)`, so the rest of
the delivery publishes; the file's `raw.ingest_log` entry counts them (rows in = loaded + quarantined + held back).
When a later delivery loads the order, the held rows are put back into their raw table as they were (same file,
row, batch and load time) and the log counts them as loaded again.

A row is held back only when its key is missing from every loaded parent row *and* matches a quarantined parent
row: the same id, or the id Excel's scientific notation was made from (`5.11861E+18` stands for the 19-digit ids
that round to 5.11861 × 10^18). An orphan with no quarantined parent is left alone: dbt's test still reports it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import duckdb

from orchestration.ingest.datasets import DATASETS

if TYPE_CHECKING:
    from orchestration.ingest.loader import IngestReport

RAW_SCHEMA = "raw"
HELD_BACK_TABLE = f"{RAW_SCHEMA}.held_back"


@dataclass(frozen=True)
class Dependency:
    """Rows of `dataset` need a row of one of `parents` with the same key (`column` here, the parent's column)."""

    dataset: str
    column: str
    parents: tuple[tuple[str, str], ...]
    what: str
    """The parent, in words (`order`): the reason reads `its order was quarantined`."""


DEPENDENCIES: tuple[Dependency, ...] = (
    Dependency(
        "tmall_order_items", "order_id", (("tmall_orders", "order_id"), ("tmall_sub_orders", "order_id")), "order"
    ),
    Dependency("erp_shipments", "erp_order_id", (("erp_sales_orders", "erp_order_id"),), "ERP order"),
)


def create_held_back_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""create table if not exists {HELD_BACK_TABLE} (
            dataset varchar not null, _source_file varchar not null, _source_row_number bigint not null,
            reason varchar not null, waiting_for varchar not null, row_data varchar not null,
            _batch_id varchar not null, _loaded_at timestamp not null, held_at timestamp not null)"""
    )


_SCIENTIFIC = re.compile(r"([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]+)")


def _unwrapped(value: str) -> str:
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1].strip()
    return value


def matches_mangled(key: str, mangled: str) -> bool:
    """Whether the digit id `key` is one Excel could have shown as `mangled` (e.g. `5.11861E+18`)."""
    match = _SCIENTIFIC.fullmatch(mangled)
    if match is None or not key.isdigit():
        return False
    digits = match.group(1) + (match.group(2) or "")
    exponent = int(match.group(3))
    if len(key) != exponent + 1 or len(digits) > len(key):
        return False
    rounded = (Decimal(key).scaleb(len(digits) - len(key))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return rounded == Decimal(digits)


@dataclass
class _Quarantined:
    key: str
    source_file: str
    row: int
    reason: str

    def describe(self, what: str) -> str:
        return f"its {what} was quarantined ({self.source_file!r} row {self.row}: {self.reason})"


def _quarantined_parents(con: duckdb.DuckDBPyConnection, dependency: Dependency) -> list[_Quarantined]:
    by_name = {d.name: d for d in DATASETS}
    found: list[_Quarantined] = []
    for parent, column in dependency.parents:
        if parent not in by_name:
            continue
        headers = by_name[parent].columns[column]
        for source_file, row, reason, record in con.execute(
            f"select _source_file, _source_row_number, reason, raw_record from {RAW_SCHEMA}.quarantine "
            "where dataset = ? order by _loaded_at, _source_row_number",
            [parent],
        ).fetchall():
            try:
                cells = json.loads(record or "")
            except ValueError:
                continue
            if not isinstance(cells, dict):
                continue
            value = next((cells[h] for h in headers if isinstance(cells.get(h), str)), None)
            if value:
                found.append(_Quarantined(_unwrapped(value), source_file, int(row), reason))
    return found


def _parents_sql(dependency: Dependency, present: set[str]) -> str:
    return " union all ".join(
        f'select "{column}" as k from {RAW_SCHEMA}.{parent}'
        for parent, column in dependency.parents
        if parent in present
    )


def hold_back_dependents(con: duckdb.DuckDBPyConnection, report: IngestReport | None = None) -> None:
    """Release held rows whose parent has arrived, then hold back the rows whose parent was quarantined."""
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [RAW_SCHEMA]
        ).fetchall()
    }
    for dependency in DEPENDENCIES:
        if dependency.dataset not in present or not any(p in present for p, _ in dependency.parents):
            continue
        _release(con, dependency, present, report)
        _hold(con, dependency, present, report)


def _columns(con: duckdb.DuckDBPyConnection, dataset: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [RAW_SCHEMA, dataset],
    ).fetchall()


def _adjust_log(
    con: duckdb.DuckDBPyConnection, counts: list[tuple[str, int]], held: int, report: IngestReport | None
) -> None:
    """Move `n` rows of each batch from loaded to held back (`held` = 1) or back (`held` = -1) in the ingest log."""
    for batch_id, n in counts:
        con.execute(
            f"update {RAW_SCHEMA}.ingest_log set rows_loaded = rows_loaded - ?, "
            "rows_held_back = coalesce(rows_held_back, 0) + ? where batch_id = ?",
            [held * n, held * n, batch_id],
        )
        if report is not None:
            for result in report.files:
                if result.batch_id == batch_id:
                    result.rows_loaded -= held * n
                    result.rows_held_back += held * n


def _release(
    con: duckdb.DuckDBPyConnection, dependency: Dependency, present: set[str], report: IngestReport | None
) -> None:
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    parents = _parents_sql(dependency, present)
    arrived = f"dataset = $dataset and waiting_for in (select k from ({parents}) where k is not null)"
    params = {"dataset": dependency.dataset}
    counts = con.execute(
        f"select _batch_id, count(*) from {HELD_BACK_TABLE} where {arrived} group by 1", params
    ).fetchall()
    if not counts:
        return
    columns = _columns(con, dependency.dataset)
    names = ", ".join(f'"{name}"' for name, _ in columns)
    values = ", ".join(f"cast(json_extract_string(row_data, '$.\"{name}\"') as {kind})" for name, kind in columns)
    con.begin()
    try:
        con.execute(f"insert into {table} ({names}) select {values} from {HELD_BACK_TABLE} where {arrived}", params)
        con.execute(f"delete from {HELD_BACK_TABLE} where {arrived}", params)
        _adjust_log(con, counts, -1, report)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _hold(
    con: duckdb.DuckDBPyConnection, dependency: Dependency, present: set[str], report: IngestReport | None
) -> None:
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    column = f'"{dependency.column}"'
    quarantined = _quarantined_parents(con, dependency)
    if not quarantined:
        return
    orphans = [
        key
        for (key,) in con.execute(
            f"select distinct {column} from {table} where {column} is not null and {column} not in "
            f"(select k from ({_parents_sql(dependency, present)}) where k is not null)"
        ).fetchall()
    ]
    if not orphans:
        return
    exact = {q.key: q for q in quarantined}
    mangled = [q for q in quarantined if _SCIENTIFIC.fullmatch(q.key)]
    holds: list[tuple[str, str]] = []
    for key in orphans:
        parent = exact.get(key) or next((q for q in mangled if matches_mangled(key, q.key)), None)
        if parent is not None:
            holds.append((key, parent.describe(dependency.what)))
    if not holds:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.begin()
    try:
        con.execute("create or replace temp table _landing_holds (k varchar, reason varchar)")
        con.executemany("insert into temp._landing_holds values (?, ?)", holds)
        counts = con.execute(
            f"select _batch_id, count(*) from {table} where {column} in (select k from temp._landing_holds) group by 1"
        ).fetchall()
        con.execute(
            f"insert into {HELD_BACK_TABLE} select ?, t._source_file, t._source_row_number, h.reason, h.k, "
            f"to_json(t)::varchar, t._batch_id, t._loaded_at, ? from {table} as t "
            f"join temp._landing_holds as h on t.{column} = h.k",
            [dependency.dataset, now],
        )
        con.execute(f"delete from {table} where {column} in (select k from temp._landing_holds)")
        con.execute("drop table temp._landing_holds")
        _adjust_log(con, counts, 1, report)
        con.commit()
    except BaseException:
        con.rollback()
        raise
