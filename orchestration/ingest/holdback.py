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

Sub-orders are their own parent: when a row of the sub-order export is quarantined, the other sub-orders of its
order in the same delivery (batch) are held back (alone they would publish the order with a line missing), until a
later delivery of the order loads; then they return as its earlier delivery, and staging keeps the latest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from orchestration.ingest.datasets import DATASETS
from orchestration.ingest.results import IngestReport

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
    siblings: bool = False
    """The parent is a row of the same dataset sharing the key (the sub-orders of one order): when one is quarantined,
    the others of the same delivery (batch) are held back with it, until a later delivery of the key loads."""


DEPENDENCIES: tuple[Dependency, ...] = (
    Dependency(
        "tmall_order_items", "order_id", (("tmall_orders", "order_id"), ("tmall_sub_orders", "order_id")), "order"
    ),
    Dependency("erp_shipments", "erp_order_id", (("erp_sales_orders", "erp_order_id"),), "ERP order"),
    # the refund export's rows of a quarantined order: published alone they would refund an order no mart holds
    Dependency(
        "tmall_refunds", "order_id", (("tmall_orders", "order_id"), ("tmall_sub_orders", "order_id")), "order"
    ),
    # the other sub-orders of an order one of whose sub-order rows was quarantined: alone they would publish the
    # order with a line (and its money) missing
    Dependency("tmall_sub_orders", "order_id", (("tmall_sub_orders", "order_id"),), "order", siblings=True),
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
    batch_id: str = ""
    loaded_at: dt.datetime | None = None

    def describe(self, what: str) -> str:
        return f"its {what} was quarantined ({self.source_file!r} row {self.row}: {self.reason})"

    def describe_sibling(self, what: str) -> str:
        return f"another line of its {what} was quarantined ({self.source_file!r} row {self.row}: {self.reason})"


def _quarantined_parents(con: duckdb.DuckDBPyConnection, dependency: Dependency) -> list[_Quarantined]:
    by_name = {d.name: d for d in DATASETS}
    found: list[_Quarantined] = []
    for parent, column in dependency.parents:
        if parent not in by_name:
            continue
        headers = by_name[parent].columns[column]
        for source_file, row, reason, record, batch_id, loaded_at in con.execute(
            f"select _source_file, _source_row_number, reason, raw_record, _batch_id, _loaded_at "
            f"from {RAW_SCHEMA}.quarantine "
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
                found.append(_Quarantined(_unwrapped(value), source_file, int(row), reason, batch_id, loaded_at))
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
        if dependency.siblings:
            _release_siblings(con, dependency, report)
            _hold_siblings(con, dependency, report)
        else:
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
    """Put held rows back once their parent (an order that was quarantined) has loaded."""
    parents = _parents_sql(dependency, present)
    arrived = f"h.dataset = $dataset and h.waiting_for in (select k from ({parents}) where k is not null)"
    _put_back(con, dependency, arrived, report)


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
    _move_to_held_back(con, dependency, [(key, reason, None) for key, reason in holds], report)


def _move_to_held_back(
    con: duckdb.DuckDBPyConnection,
    dependency: Dependency,
    holds: list[tuple[str, str, str | None]],
    report: IngestReport | None,
) -> None:
    """Move the rows whose key is in `holds` (key, reason, and the batch they must come from, or None for any) from
    their raw table to raw.held_back, and count them as held back in the ingest log."""
    if not holds:
        return
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    column = f'"{dependency.column}"'
    match = f"t.{column} = h.k and (h.batch is null or t._batch_id = h.batch)"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.begin()
    try:
        con.execute("create or replace temp table _landing_holds (k varchar, reason varchar, batch varchar)")
        con.executemany("insert into temp._landing_holds values (?, ?, ?)", holds)
        counts = con.execute(
            f"select t._batch_id, count(*) from {table} as t where exists "
            f"(select 1 from temp._landing_holds as h where {match}) group by 1"
        ).fetchall()
        con.execute(
            f"insert into {HELD_BACK_TABLE} select ?, t._source_file, t._source_row_number, h.reason, h.k, "
            f"to_json(t)::varchar, t._batch_id, t._loaded_at, ? from {table} as t "
            f"join temp._landing_holds as h on {match}",
            [dependency.dataset, now],
        )
        con.execute(f"delete from {table} as t where exists (select 1 from temp._landing_holds as h where {match})")
        con.execute("drop table temp._landing_holds")
        _adjust_log(con, counts, 1, report)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _hold_siblings(con: duckdb.DuckDBPyConnection, dependency: Dependency, report: IngestReport | None) -> None:
    """Hold back the rows of the quarantined row's delivery (batch) that share its key, unless a later delivery of
    the key has loaded since (then that one is the key's latest version and publishes)."""
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    column = f'"{dependency.column}"'
    holds: list[tuple[str, str, str | None]] = []
    for q in _quarantined_parents(con, dependency):
        if q.loaded_at is None:
            continue
        keys = [
            key
            for (key,) in con.execute(
                f"select distinct {column} from {table} where _batch_id = ? and {column} is not null",
                [q.batch_id],
            ).fetchall()
            if key == q.key or (_SCIENTIFIC.fullmatch(q.key) and matches_mangled(key, q.key))
        ]
        for key in keys:
            later = con.execute(
                f"select count(*) from {table} where {column} = ? and _loaded_at > ?", [key, q.loaded_at]
            ).fetchone()[0]  # type: ignore[index]
            if not later:
                holds.append((key, q.describe_sibling(dependency.what), q.batch_id))
    _move_to_held_back(con, dependency, list(dict.fromkeys(holds)), report)


def _release_siblings(con: duckdb.DuckDBPyConnection, dependency: Dependency, report: IngestReport | None) -> None:
    """Put held rows back once a later delivery of their key has loaded."""
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    column = f'"{dependency.column}"'
    arrived = (
        f"h.dataset = $dataset and exists (select 1 from {table} as t "
        f"where t.{column} = h.waiting_for and t._loaded_at > h._loaded_at)"
    )
    _put_back(con, dependency, arrived, report)


def _put_back(
    con: duckdb.DuckDBPyConnection, dependency: Dependency, arrived: str, report: IngestReport | None
) -> None:
    """Move the held rows of `dependency.dataset` that match `arrived` (a predicate on `h`, the held-back table)
    back into their raw table, in one transaction, and count them as loaded again. The matching rows are fixed
    first (a temp table of row ids), since `arrived` may read the raw table the rows go back into."""
    table = f"{RAW_SCHEMA}.{dependency.dataset}"
    params = {"dataset": dependency.dataset}
    counts = con.execute(
        f"select h._batch_id, count(*) from {HELD_BACK_TABLE} as h where {arrived} group by 1", params
    ).fetchall()
    if not counts:
        return
    columns = _columns(con, dependency.dataset)
    names = ", ".join(f'"{name}"' for name, _ in columns)
    values = ", ".join(f"cast(json_extract_string(row_data, '$.\"{name}\"') as {kind})" for name, kind in columns)
    con.begin()
    try:
        con.execute(
            "create or replace temp table _landing_release as select h.rowid as r from "
            f"{HELD_BACK_TABLE} as h where {arrived}",
            params,
        )
        con.execute(
            f"insert into {table} ({names}) select {values} from {HELD_BACK_TABLE} "
            "where rowid in (select r from temp._landing_release)"
        )
        con.execute(f"delete from {HELD_BACK_TABLE} where rowid in (select r from temp._landing_release)")
        con.execute("drop table temp._landing_release")
        _adjust_log(con, counts, -1, report)
        con.commit()
    except BaseException:
        con.rollback()
        raise
