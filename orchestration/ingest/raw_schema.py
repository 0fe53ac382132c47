"""The `raw` schema's tables, created in one place: a table per file dataset (`orchestration/ingest/datasets.py`) and
per API dataset (`orchestration/ingest/api/datasets.py`), each with the lineage columns; `raw.quarantine`,
`raw.ingest_log` and `raw.held_back`; and the forecast step's tables, so every dbt source resolves on a new warehouse.
Also the batch ids every load (file or API window) stamps on its rows.

The loaders (`orchestration/ingest/loader.py` for files, `orchestration/ingest/api/landing.py` for API windows) both
import this module; neither imports the other.
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb

from orchestration.ingest.api.datasets import API_DATASETS
from orchestration.ingest.datasets import DATASETS

RAW_SCHEMA = "raw"

LINEAGE_DDL = (
    "_source_file varchar not null, _source_row_number bigint not null, "
    "_loaded_at timestamp not null, _batch_id varchar not null"
)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set enable_progress_bar = false")
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for dataset in DATASETS:
        columns = ", ".join(f'"{c}" varchar' for c in dataset.raw_columns)
        con.execute(f"create table if not exists {RAW_SCHEMA}.{dataset.name} ({columns}, {LINEAGE_DDL})")
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
    # API windows fetched again hold records raw already has: rows in = loaded + quarantined + unchanged
    # (always 0 for files, which are skipped whole when already loaded); added in place to older warehouses
    con.execute(f"alter table {RAW_SCHEMA}.ingest_log add column if not exists rows_unchanged bigint default 0")
    # files that were not loaded say why; a cut export says so; rows held back with a quarantined order are counted
    # (rows in = loaded + quarantined + held back); each landing ingest run's entries share `ingest_run`
    for column, kind in (
        ("reason", "varchar"),
        ("truncated", "varchar"),
        ("rows_held_back", "bigint default 0"),
        ("ingest_run", "varchar"),
    ):
        con.execute(f"alter table {RAW_SCHEMA}.ingest_log add column if not exists {column} {kind}")
    from orchestration.ingest.holdback import create_held_back_table

    create_held_back_table(con)
    # the purchase receipts' optional 采购日期 (supplier lead times), added in place to older warehouses
    con.execute(f"alter table {RAW_SCHEMA}.erp_purchase_receipts add column if not exists purchase_ordered_at varchar")
    # the API sources' raw tables too (empty until an API is configured), so every dbt source resolves
    create_api_tables(con)
    # the forecast step's tables (empty until it first runs), so dbt's source `forecast` resolves too
    from orchestration.forecast_tables import ensure_forecast_tables

    ensure_forecast_tables(con)


def ensure_api_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw tables of every source and the API tables."""
    ensure_raw_tables(con)
    create_api_tables(con)


def create_api_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The API raw tables (empty when no API is configured, so the dbt sources over them always resolve)."""
    for dataset in API_DATASETS:
        columns = ", ".join(f'"{c}" varchar' for c in dataset.columns)
        con.execute(f"create table if not exists {RAW_SCHEMA}.{dataset.name} ({columns}, {LINEAGE_DDL})")


def new_batch_id(loaded_at: dt.datetime) -> str:
    """Batch ids sort by load time, so "the latest delivery" is well defined even within one ingest run."""
    return f"{loaded_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"
