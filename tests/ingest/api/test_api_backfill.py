"""Backfills of the daily API partitions are reproducible: fetching a range of days once, then again as an overlapping
sub-range and day by day in reverse order, leaves raw and every API staging model exactly as they were, and every
fetched window's rows are accounted for in `raw.ingest_log`.

Real Dagster runs of the API job (single-run backfills of partition ranges) against the local TOP and 聚水潭 servers,
serving the demo data set's records; `dbt build` of the API staging models after each backfill.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.ingest.api.conftest import use_gateways
from tests.support.protocol_servers.jushuitan_gateway import JushuitanGateway
from tests.support.protocol_servers.top_gateway import TopGateway

DAYS = [f"2025-01-0{day}" for day in range(1, 9)]
STAGING_MODELS = (
    "stg_top__trades",
    "stg_top__trade_orders",
    "stg_top__refunds",
    "stg_erp__api_orders",
    "stg_erp__api_order_items",
    "stg_erp__api_shipments",
    "stg_erp__api_inventory_snapshots",
    "stg_erp__api_skus",
)
RAW_TABLES = ("top_trades", "top_refunds", "jst_orders", "jst_sales_outbound", "jst_inventory", "jst_skus")


def serve_demo_days(landing: Path, top: TopGateway, jst: JushuitanGateway) -> None:
    """The demo's API records modified on DAYS (a week of orders, their refunds, ERP orders, outbound, stock, SKUs)."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.demo_data.api_records import api_records_from_landing

    generate(landing, DemoConfig(orders=300, days=7, sub_order_months=0))
    records = api_records_from_landing(landing)

    def on_days(rows: list[dict]) -> list[dict]:
        return [r for r in rows if DAYS[0] <= str(r.get("modified"))[:10] <= DAYS[-1]]

    top.trades, top.refunds = on_days(records.trades), on_days(records.refunds)
    jst.records.update(
        {
            "orders": on_days(records.jst_orders),
            "outbound": on_days(records.jst_outbound),
            "inventory": on_days(records.jst_inventory),
            "skus": on_days(records.jst_skus),
        }
    )
    assert top.trades and top.refunds and all(jst.records[k] for k in ("orders", "outbound", "inventory", "skus"))


def build_staging(warehouse: Path, target: Path) -> dict[str, list[tuple]]:
    """`dbt build` the API staging models (and the seeds they read), then every row of each, in a stable order."""
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--quiet",
            "--select",
            *(f"+{model}" for model in STAGING_MODELS),
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: con.execute(f"select * from staging.{m} order by all").fetchall() for m in STAGING_MODELS}


def raw_state(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(f"select * from raw.{table} order by all").fetchall() for table in RAW_TABLES}


@pytest.mark.timeout(900)
def test_backfilling_days_again_in_any_split_changes_nothing(
    tmp_path: Path,
    no_credentials: None,
    monkeypatch: pytest.MonkeyPatch,
    top_gateway: TopGateway,
    jst_gateway: JushuitanGateway,
) -> None:
    from orchestration.ingest.api.assets import api_asset_keys, build_api_assets
    from orchestration.ingest.api.schedules import API_JOB_NAME, build_api_job
    from orchestration.resources import WarehouseResource
    from orchestration.run import backfill_api_job

    serve_demo_days(tmp_path / "landing", top_gateway, jst_gateway)
    use_gateways(monkeypatch, top_gateway, jst_gateway)
    warehouse = tmp_path / "analytics.duckdb"
    assets = build_api_assets(materialize_when_unconfigured=True)
    definitions = dg.Definitions(
        assets=assets,
        jobs=[build_api_job(api_asset_keys(assets))],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    instance = dg.DagsterInstance.ephemeral()

    def backfill(first_day: str, last_day: str) -> None:
        result = backfill_api_job(definitions, instance, first_day, last_day)
        assert result.success, f"{API_JOB_NAME} {first_day}..{last_day} failed"

    backfill(DAYS[0], DAYS[-1])
    raw_once = raw_state(warehouse)
    staging_once = build_staging(warehouse, tmp_path / "target")

    backfill(DAYS[2], DAYS[5])  # an overlapping sub-range, as one run
    raw_twice = raw_state(warehouse)
    staging_twice = build_staging(warehouse, tmp_path / "target")

    for day in reversed(DAYS):  # the whole range again, split day by day, newest first
        backfill(day, day)
    raw_thrice = raw_state(warehouse)
    staging_thrice = build_staging(warehouse, tmp_path / "target")

    assert all(raw_once.values()) and all(staging_once.values())  # every table holds rows
    assert raw_twice == raw_once and raw_thrice == raw_once
    assert staging_twice == staging_once and staging_thrice == staging_once
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = con.execute(
            """select dataset, count(*) as windows,
                      count(*) filter (where rows_in <> rows_loaded + rows_quarantined + rows_unchanged) as unbalanced,
                      sum(rows_in), sum(rows_loaded), sum(rows_unchanged),
                      max(cast(regexp_extract(source_file, 'end=([0-9T:-]+)', 1) as timestamp)
                          - cast(regexp_extract(source_file, 'start=([0-9T:-]+)', 1) as timestamp)) as longest
               from raw.ingest_log group by dataset order by dataset"""
        ).fetchall()
    held = {table: len(rows) for table, rows in raw_once.items()}
    for dataset, windows, unbalanced, rows_in, rows_loaded, rows_unchanged, longest in log:
        assert unbalanced == 0, dataset
        assert rows_loaded == held.get(dataset, 0), dataset  # each record loaded once, by the first backfill
        assert rows_in == rows_loaded + rows_unchanged, dataset  # the later backfills fetched them again
        assert longest.days <= (1 if dataset.startswith("top_") else 7), dataset
        # TOP: a window per day in each of the 10 runs' days (8 + 4 + 8); 聚水潭: 2 + 1 + 8 windows
        assert windows == (20 if dataset.startswith("top_") else 11), dataset
    for key in api_asset_keys(assets):
        assert sorted(instance.get_materialized_partitions(key)) == DAYS, key.to_user_string()
