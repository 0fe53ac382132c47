"""The raw tables for the Spark target: each `raw.*` table of a DuckDB warehouse exported to Parquet.

The ingest writes DuckDB. To build the dbt project on Spark (`--target spark`), export the raw schema to one
Parquet folder per table, then register the folders as Spark tables in database `raw`:

    .venv/bin/python -m orchestration.transform.spark_raw --warehouse warehouse/analytics.duckdb --out target/spark/raw
    .venv/bin/dbt run-operation register_raw_tables_on_spark --args "{parquet_dir: $PWD/target/spark/raw}" \\
        --target spark --profiles-dir .

On a real cluster, put the folders where the cluster reads (object storage) and pass that location instead.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import duckdb

from orchestration.ingest.loader import RAW_SCHEMA

logger = logging.getLogger(__name__)


def export_raw_to_parquet(warehouse_path: Path, out_dir: Path) -> dict[str, int]:
    """Write `<out_dir>/<table>/data.parquet` for every table of schema `raw`; returns rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by table_name",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        for table in tables:
            folder = out_dir / table
            folder.mkdir(exist_ok=True)
            target = (folder / "data.parquet").as_posix().replace("'", "''")
            con.execute(f"copy {RAW_SCHEMA}.\"{table}\" to '{target}' (format parquet)")
            (count,) = con.execute(f'select count(*) from {RAW_SCHEMA}."{table}"').fetchone()
            rows[table] = count
            logger.info("exported %s.%s: %d rows", RAW_SCHEMA, table, count)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB warehouse file")
    parser.add_argument("--out", type=Path, required=True, help="folder for one Parquet folder per raw table")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    export_raw_to_parquet(args.warehouse, args.out)


if __name__ == "__main__":
    main()
