"""A warehouse kept up to date by incremental runs holds the same facts as one built from scratch.

The demo data is delivered to one warehouse as a history: week by week, each week's raw rows loaded (stamped
`_loaded_at` the night after the week's last day, 02:00 China time), then the incremental dbt run that the daily
pipeline would start for that day. The history includes what makes incremental runs hard:

- late updates: some finished orders are refunded and closed 20 days after they were created, some shipped
  orders are confirmed 10 days later (a re-export of the order row, as `test_idempotent_loads` builds them);
- master data arriving after the facts that depend on it: half of the ERP SKU master comes three weeks in, so
  order lines sold earlier are re-mapped and costed, and stock snapshots get their category and cost;
- a night the pipeline did not run: the week after it must catch up, which the default look-back has to cover.

Then a copy of the final warehouse is rebuilt with `--full-refresh`. Every incremental model (the facts and the
staging and intermediate tables they read) must be identical, row for row and column for column, in both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.demo_data import deliveries
from orchestration.settings import PROJECT_ROOT
from tests.e2e.test_idempotent_loads import mart_differences

INCREMENTAL_FACTS = ["fct_orders", "fct_order_lines", "fct_shipments", "fct_inventory_snapshots"]
INCREMENTAL_UPSTREAM = [
    "stg_tmall__orders",
    "stg_tmall__order_items",
    "stg_erp__sales_orders",
    "stg_erp__shipments",
    "int_tmall_orders_unioned",
    "int_tmall_order_items_unioned",
    "int_erp_sales_orders_unioned",
    "int_erp_shipments_unioned",
]
"""The staging and intermediate tables the facts read, incremental too (they keep one version of each entity)."""
SELECTION = ["+fct_order_lines", "+fct_shipments", "+fct_inventory_snapshots"]
START, DAYS, SLICE_DAYS = dt.date(2025, 1, 1), 56, 7
SKIPPED_SLICE = 4
"""The pipeline does not run after this week's load (a failed night): the next run must pick its rows up."""
LATE_SKUS_DAY = START + dt.timedelta(days=21)


def stage_deliveries(con: duckdb.DuckDBPyConnection) -> None:
    """`delivery`: every raw row of the source warehouse (`src`), with the day it is delivered on; half of the SKU
    master three weeks in; plus the later versions of some orders (refunded 20 days on, confirmed 10 days on)."""
    last = START + dt.timedelta(days=DAYS - 1)
    deliveries.stage_deliveries(con, "src", START, last)
    con.execute(f"update delivery.erp_skus set _delivery_day = date '{LATE_SKUS_DAY}' where hash(sku_id) % 2 = 1")
    # later versions of orders: every 5th finished order refunded in full and closed 20 days after it was created,
    # every 2nd shipped order confirmed 10 days after
    as_day = deliveries.as_day
    late = f"least({as_day('created_at')} + interval {{}} day, date '{last}')::date"
    con.execute(
        f"insert into delivery.tmall_orders by name select * replace ("
        f"'交易关闭' as order_status, total_amount as refund_amount, '买家申请退款' as close_reason, "
        f"_source_file || '#refunded' as _source_file, 'refunded-' || _batch_id as _batch_id), "
        f"{late.format(20)} as _delivery_day from src.raw.tmall_orders "
        f"where order_status = '交易成功' and hash(order_id) % 5 = 0"
    )
    con.execute(
        f"insert into delivery.tmall_orders by name select * replace ("
        f"'交易成功' as order_status, strftime(try_cast(shipped_at as timestamp) + interval 5 day, '%Y-%m-%d %H:%M:%S')"
        f" as confirmed_at, _source_file || '#confirmed' as _source_file, 'confirmed-' || _batch_id as _batch_id), "
        f"{late.format(10)} as _delivery_day from src.raw.tmall_orders "
        f"where order_status = '卖家已发货，等待买家确认' and hash(order_id) % 2 = 0"
    )


def dbt_build(warehouse: Path, target_path: Path, *args: str) -> None:
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--quiet",
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--select",
            *SELECTION,
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target_path),
            *args,
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


@pytest.mark.e2e
def test_daily_incremental_runs_give_the_same_facts_as_a_full_refresh(tmp_path: Path, dbt_manifest: Path) -> None:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.ingest.loader import ingest_landing

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    incremental_models = {
        n["name"]: f"{n['schema']}.{n['name']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    }
    assert set(INCREMENTAL_FACTS) | set(INCREMENTAL_UPSTREAM) <= set(incremental_models)

    landing, source = tmp_path / "landing", tmp_path / "source.duckdb"
    generate(landing, DemoConfig(orders=2_000, start=START, days=DAYS, skus=60))
    with duckdb.connect(str(source)) as con:
        ingest_landing(con, landing)

    warehouse_dir = tmp_path / "incremental"
    warehouse_dir.mkdir()
    incremental = warehouse_dir / "analytics.duckdb"
    with duckdb.connect(str(incremental)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        stage_deliveries(con)
    loaded = 0
    for week in range(DAYS // SLICE_DAYS):
        first_day = START + dt.timedelta(days=week * SLICE_DAYS)
        last_day = first_day + dt.timedelta(days=SLICE_DAYS - 1)
        with duckdb.connect(str(incremental)) as con:
            loaded += deliveries.deliver(con, first_day, last_day)
        if week != SKIPPED_SLICE:
            # the daily pipeline's run for partition `last_day`, with the project's default look-back
            dbt_build(
                incremental,
                tmp_path / "target_incremental",
                "--vars",
                json.dumps({"incremental_window_start": last_day.isoformat()}),
            )
    with duckdb.connect(str(incremental)) as con:
        tables = [
            r[0]
            for r in con.execute("select table_name from duckdb_tables() where schema_name = 'delivery'").fetchall()
        ]
        expected = sum(con.execute(f"select count(*) from delivery.{table}").fetchone()[0] for table in tables)
        assert loaded == expected, "every delivered row was loaded once"
        refunded_late = con.execute(
            "select count(*) from marts.fct_orders where is_refunded and close_reason = '买家申请退款'"
        ).fetchone()[0]
        assert refunded_late > 0, "the late refunds reached the incremental warehouse"

    full_dir = tmp_path / "full"
    full_dir.mkdir()
    full = full_dir / "analytics.duckdb"
    shutil.copy(incremental, full)
    dbt_build(full, tmp_path / "target_full", "--full-refresh")

    assert mart_differences(incremental, full, sorted(incremental_models.values())) == {}
