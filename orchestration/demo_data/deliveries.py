"""Replay a loaded demo warehouse as a nightly delivery history, for incremental runs in tests and benchmarks.

The demo exports are written as of one morning, so loading them stamps every raw row with the same `_loaded_at`.
A warehouse kept by a daily pipeline has seen each row arrive the night after its day instead. `stage_deliveries`
gives every raw row of a source warehouse the day it would have been delivered on (its created, ordered, shipped,
snapshot, received or traffic day; an order-report line comes with its order), and `deliver` loads the rows of a
range of days into the raw tables, stamped as loaded at 02:00 China time the night after the range's last day.
"""

from __future__ import annotations

import datetime as dt

import duckdb

DELIVERY_DAY = {
    "tmall_orders": "created_at",
    "tmall_sub_orders": "created_at",
    "erp_sales_orders": "ordered_at",
    "erp_shipments": "shipped_at",
    "erp_inventory": "snapshot_at",
    "erp_purchase_receipts": "received_at",
    "tmall_traffic_items": "traffic_date",
    "tmall_traffic_shop": "traffic_date",
}
"""The raw text column whose day a row is delivered on (raw tables not named here: see stage_deliveries)."""

NIGHTLY_LOAD_TIME = dt.time(2)
"""China time of the nightly load (the pipeline's schedule)."""


def as_day(column: str) -> str:
    """SQL: the day of a raw text timestamp or date (`2025-03-14 10:23:45`, `2025-03-14`), null if it is not one."""
    return f"try_cast(left(trim({column}), 10) as date)"


def loaded_at_utc(last_day: dt.date) -> dt.datetime:
    """When the rows of `last_day` are loaded: 02:00 China time the next night, as the naive UTC time the ingest
    stamps (China time is UTC+8 all year)."""
    return dt.datetime.combine(last_day + dt.timedelta(days=1), NIGHTLY_LOAD_TIME) - dt.timedelta(hours=8)


def stage_deliveries(con: duckdb.DuckDBPyConnection, source: str, first_day: dt.date, last_day: dt.date) -> list[str]:
    """Schema `delivery`: every raw row of the attached warehouse `source`, with its `_delivery_day` clamped to
    [first_day, last_day]; the SKU master arrives on the first day. Creates the raw tables, empty, in schema `raw`.
    Returns the tables staged."""
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = 'raw' order by 1",
            [source],
        ).fetchall()
    ]
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists delivery")
    clamp = f"least(greatest(coalesce({{}}, date '{last_day}'), date '{first_day}'), date '{last_day}')"
    for table in tables:
        con.execute(f"create table raw.{table} as select * from {source}.raw.{table} limit 0")
        if table in DELIVERY_DAY:
            day = clamp.format(as_day(DELIVERY_DAY[table]))
            con.execute(f"create table delivery.{table} as select *, {day} as _delivery_day from {source}.raw.{table}")
    if "tmall_order_items" in tables:  # lines come with their order report
        con.execute(
            f"create table delivery.tmall_order_items as select items.*, {clamp.format('orders.day')} as _delivery_day "
            f"from {source}.raw.tmall_order_items as items left join (select order_id, "
            f"min({as_day('created_at')}) as day from {source}.raw.tmall_orders group by 1) as orders "
            "on items.order_id = orders.order_id"
        )
    if "erp_skus" in tables:
        con.execute(
            f"create table delivery.erp_skus as select *, date '{first_day}' as _delivery_day "
            f"from {source}.raw.erp_skus"
        )
    return tables


def deliver(con: duckdb.DuckDBPyConnection, first_day: dt.date, last_day: dt.date) -> int:
    """Load the staged rows delivered on [first_day, last_day], stamped as loaded the night after last_day.
    Returns the rows loaded."""
    stamp = loaded_at_utc(last_day)
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'delivery' order by 1"
        ).fetchall()
    ]
    rows = 0
    for table in tables:
        rows += con.execute(
            f"insert into raw.{table} by name select * exclude (_delivery_day) replace "
            f"(timestamp '{stamp:%Y-%m-%d %H:%M:%S}' as _loaded_at) from delivery.{table} "
            f"where _delivery_day between date '{first_day}' and date '{last_day}'"
        ).fetchone()[0]  # type: ignore[index]
    return rows
