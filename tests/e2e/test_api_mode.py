"""SOURCE_MODE=api: the whole job with the demo data also served by the local TOP and 聚水潭 simulators.

On a small data set: one run of the API job backfills every day of the demo period (a single-run backfill of the
daily partitions) through the real clients (signed requests, paging), the rows land in raw with their ingest log, the
pipeline job follows, and the API staging models carry the same orders, lines, customer keys and amounts as the file
staging models built from the same demo data. A copy of the warehouse without the ERP exports, rebuilt from the ERP
staging on, shows that the 聚水潭 API alone gives the same ERP marts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.e2e.conftest import PipelineRun, pipeline_environment, small_settings

pytestmark = pytest.mark.e2e

API_DEMO_ORDERS = 2000
API_DEMO_DAYS = 92
API_TABLES = (
    "top_trades",
    "top_refunds",
    "jst_orders",
    "jst_sales_outbound",
    "jst_inventory",
    "jst_skus",
    "jst_purchase_receipts",
)
CREDENTIALS = ("TOP_APP_KEY", "TOP_APP_SECRET", "TOP_SESSION", "JST_APP_SECRET", "JST_ACCESS_TOKEN", "TOP_BASE_URL")


@dataclass
class ApiRun(PipelineRun):
    environment_before: dict[str, str | None] = field(default_factory=dict)


@pytest.fixture(scope="module")
def api_run(tmp_path_factory: pytest.TempPathFactory, dbt_manifest) -> Iterator[ApiRun]:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from orchestration.run import run_pipeline
    from tests.support.reports_project import stage_reports_project

    root = tmp_path_factory.mktemp("api_run")
    ensure_node_modules(PROJECT_ROOT / "reports")
    settings = replace(small_settings(root, stage_reports_project(root / "reports")), source_mode="api")
    # the simulators serve the orders of the classic order and item reports; the sub-order XLSX export is a file-only
    # channel, so the demo here delivers every month in the classic export and both channels hold the same orders
    generation = generate(
        # and without the demo's planted bad input: an Excel-mangled id or a cut download is a file-only accident
        settings.landing_dir,
        DemoConfig(orders=API_DEMO_ORDERS, days=API_DEMO_DAYS, sub_order_months=0, bad_input=False),
    )
    before = {name: os.environ.get(name) for name in CREDENTIALS}
    with pipeline_environment(root):
        outcome = run_pipeline(settings)
        yield ApiRun(settings=settings, outcome=outcome, generation=generation, environment_before=before)


def warehouse(run: PipelineRun) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(run.settings.warehouse_path), read_only=True)


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(sql).fetchone()[0]  # type: ignore[index]


def test_the_job_succeeds_in_api_mode(api_run) -> None:
    assert api_run.outcome.success, "\n".join(api_run.outcome.failures)


def test_one_api_run_backfills_every_day_of_the_demo_period_before_the_pipeline_runs(api_run) -> None:
    import dagster as dg

    outcome = api_run.outcome
    first_day, last_day = outcome.api_days.split("..")
    with dg.DagsterInstance.get() as instance:
        api = instance.get_run_by_id(outcome.api_run_id)
        pipeline = instance.get_run_by_id(outcome.run_id)
        days = instance.get_materialized_partitions(dg.AssetKey(["raw", "top_trades"]))
    assert api.job_name == "tmall_api_ingest" and api.status == dg.DagsterRunStatus.SUCCESS
    assert api.tags["dagster/asset_partition_range_start"] == first_day
    assert api.tags["dagster/asset_partition_range_end"] == last_day
    assert pipeline.job_name == "tmall_daily_pipeline"
    assert min(days) == first_day and max(days) == last_day and len(days) > API_DEMO_DAYS


def test_every_demo_order_arrives_through_the_apis_with_rows_accounted_for(api_run) -> None:
    generated = api_run.generation.datasets
    with warehouse(api_run) as con:
        counts = {table: scalar(con, f"select count(*) from raw.{table}") for table in API_TABLES}
        refunded = scalar(
            con,
            "select count(*) from raw.tmall_orders where paid_at is not null and refund_amount is not null "
            "and try_cast(refund_amount as decimal(18, 2)) > 0",
        )
        log = con.execute(
            "select dataset, sum(rows_in), sum(rows_loaded), sum(rows_quarantined), sum(rows_unchanged), count(*) "
            "from raw.ingest_log where source_file like 'api:%' group by dataset"
        ).fetchall()
    assert counts["top_trades"] == generated["tmall_orders"]
    assert counts["top_refunds"] == refunded > 0
    assert counts["jst_orders"] == generated["erp_sales_orders"]
    assert counts["jst_skus"] == generated["erp_skus"]
    assert counts["jst_inventory"] == generated["erp_inventory"]
    assert counts["jst_purchase_receipts"] == 0  # the demo data has no purchase receipts
    for dataset, rows_in, loaded, quarantined, unchanged, windows in log:
        assert rows_in == loaded + quarantined + unchanged, dataset
        assert loaded == counts[dataset] and unchanged == 0, dataset  # one fetch of each day: nothing seen twice
        if rows_in:
            assert windows > 1, f"{dataset} came in one window: the run did not page through time"


def test_api_staging_has_the_same_orders_keys_and_amounts_as_the_file_staging(api_run) -> None:
    with warehouse(api_run) as con:
        files = scalar(con, "select count(*) from staging.stg_tmall__orders")
        via_api = scalar(con, "select count(*) from staging.stg_top__trades")
        mismatches = scalar(
            con,
            """select count(*) from staging.stg_tmall__orders f
               full join staging.stg_top__trades a using (order_id)
               where f.order_id is null or a.order_id is null
                  or f.customer_key is distinct from a.customer_key
                  or f.order_status is distinct from a.order_status
                  or f.total_amount is distinct from a.total_amount
                  or f.paid_at is distinct from a.paid_at
                  or f.receiver_province is distinct from a.receiver_province
                  or f.receiver_mobile_hash is distinct from a.receiver_mobile_hash
                  or f.receiver_address_hash is distinct from a.receiver_address_hash""",
        )
        line_mismatches = scalar(
            con,
            """select count(*) from staging.stg_tmall__order_items f
               full join staging.stg_top__trade_orders a using (order_line_id)
               where f.order_line_id is null or a.order_line_id is null
                  or f.merchant_sku_code is distinct from a.merchant_sku_code
                  or f.quantity is distinct from a.quantity
                  or f.unit_price is distinct from a.unit_price
                  or f.sku_properties is distinct from a.sku_properties""",
        )
        refunds = con.execute(
            """select count(*), count(*) filter (where t.order_id is null),
                      sum(r.refund_amount) = (select sum(refund_amount) from staging.stg_tmall__orders
                                              where paid_at is not null)
               from staging.stg_top__refunds r left join staging.stg_top__trades t using (order_id)"""
        ).fetchone()
        erp_mismatches = scalar(
            con,
            """select count(*) from staging.stg_erp__sales_orders f
               full join staging.stg_erp__api_orders a using (erp_order_id)
               where f.erp_order_id is null or a.erp_order_id is null
                  or f.tmall_order_ids is distinct from a.tmall_order_ids
                  or f.erp_status is distinct from a.erp_status
                  or f.paid_amount is distinct from a.paid_amount
                  or f.receiver_name_hash is distinct from a.receiver_name_hash""",
        )
        erp_lines = scalar(con, "select count(*) from staging.stg_erp__api_order_items")
    assert via_api == files > 0
    assert mismatches == 0
    assert line_mismatches == 0
    assert refunds[0] > 0 and refunds[1] == 0 and refunds[2]
    assert erp_mismatches == 0
    assert erp_lines > 0


def test_erp_outbound_stock_and_skus_from_the_api_match_the_file_staging(api_run) -> None:
    with warehouse(api_run) as con:
        shipments = con.execute(
            """select count(*) filter (where f.shipment_line_id is null or a.shipment_line_id is null),
                      count(*) filter (where f.sku_id is distinct from a.sku_id
                                       or f.quantity is distinct from a.quantity
                                       or f.outbound_status is distinct from a.outbound_status),
                      count(*)
               from staging.stg_erp__shipments f
               full join staging.stg_erp__api_shipments a using (shipment_line_id)"""
        ).fetchone()
        skus = scalar(
            con,
            """select count(*) from staging.stg_erp__skus f full join staging.stg_erp__api_skus a using (sku_id)
               where f.sku_id is null or a.sku_id is null or f.cost_price is distinct from a.cost_price""",
        )
        stock = con.execute(
            """select count(*), count(*) filter (where f.on_hand_qty is distinct from a.on_hand_qty)
               from staging.stg_erp__inventory_snapshots f
               full join staging.stg_erp__api_inventory_snapshots a
                 on f.snapshot_at = a.snapshot_at and f.sku_id = a.sku_id and f.warehouse_name = a.warehouse_name"""
        ).fetchone()
    assert shipments[2] > 0 and shipments[:2] == (0, 0)
    assert skus == 0
    assert stock[0] > 0 and stock[1] == 0


# union model -> (key, file staging, API staging); the demo's two channels carry the same ERP records
ERP_UNIONS = {
    "int_erp_sales_orders_unioned": ("erp_order_id", "stg_erp__sales_orders", "stg_erp__api_orders"),
    "int_erp_shipments_unioned": ("shipment_line_id", "stg_erp__shipments", "stg_erp__api_shipments"),
    "int_erp_inventory_snapshots_unioned": (
        "inventory_snapshot_id",
        "stg_erp__inventory_snapshots",
        "stg_erp__api_inventory_snapshots",
    ),
    "int_erp_skus_unioned": ("sku_id", "stg_erp__skus", "stg_erp__api_skus"),
    "int_erp_sku_versions_unioned": ("sku_version_id", "stg_erp__sku_versions", "stg_erp__api_sku_versions"),
}
# the ERP exports the API-only copy goes without. The purchase receipts stay: the demo's 聚水潭 simulator serves no
# purchase receipts (orchestration/demo_data/simulators/demo.py), and since the replenishment plan measures supplier
# lead times from them, inventory_health would differ for that reason alone
ERP_EXPORT_TABLES = ("erp_sales_orders", "erp_shipments", "erp_inventory", "erp_skus")
ERP_FILE_STAGING = (
    "stg_erp__sales_orders",
    "stg_erp__shipments",
    "stg_erp__inventory_snapshots",
    "stg_erp__skus",
    "stg_erp__sku_versions",
    "stg_erp__purchase_receipts",
)
# mart -> its rows as compared; fct_shipments leaves out tmall_order_id: a merged outbound's API record carries one
# so_id for all its lines, where the export names each line's own Tmall order (docs/api-sources.md)
ERP_MARTS = {
    "fct_shipments": "select * exclude (tmall_order_id) from {db}.marts.fct_shipments",
    "fct_inventory_snapshots": "select * from {db}.marts.fct_inventory_snapshots",
    "dim_products": "select * from {db}.marts.dim_products",
    "dim_product_cost_history": "select * from {db}.marts.dim_product_cost_history",
    "dim_warehouses": "select * from {db}.marts.dim_warehouses",
    "dim_shops": "select * from {db}.marts.dim_shops",
    "fct_order_reconciliation": "select * from {db}.marts.fct_order_reconciliation",
    "fct_order_lines": "select * from {db}.marts.fct_order_lines",
    "inventory_health": "select * from {db}.marts.inventory_health",
}


@pytest.fixture(scope="module")
def erp_from_the_api_only(api_run: ApiRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the API-mode warehouse without the ERP exports: their raw rows deleted and every model downstream
    of the ERP file staging rebuilt from scratch (`--full-refresh`: an incremental run re-processes what was loaded
    and never sees a deletion), so the ERP side of the marts comes from the 聚水潭 API alone."""
    root = tmp_path_factory.mktemp("erp_api_only")
    copy = root / "analytics.duckdb"  # the same file stem: the views name their database
    shutil.copyfile(api_run.settings.warehouse_path, copy)
    with duckdb.connect(str(copy)) as con:
        for table in ERP_EXPORT_TABLES:
            con.execute(f"delete from raw.{table}")
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "run",
            "--quiet",
            "--full-refresh",
            "--select",
            *(f"{model}+" for model in ERP_FILE_STAGING),
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(root / "target"),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(copy), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    return copy


def test_each_erp_record_delivered_by_both_channels_is_one_row_of_its_union(api_run) -> None:
    with warehouse(api_run) as con:
        for union, (key, file_model, api_model) in ERP_UNIONS.items():
            rows, keys = con.execute(f"select count(*), count(distinct {key}) from intermediate.{union}").fetchone()
            file_rows = scalar(con, f"select count(*) from staging.{file_model}")
            api_rows = scalar(con, f"select count(*) from staging.{api_model}")
            assert rows == keys == file_rows == api_rows > 0, union


def test_without_the_erp_exports_the_api_alone_gives_the_same_erp_marts(api_run, erp_from_the_api_only) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach '{api_run.settings.warehouse_path}' as both_channels (read_only)")
        con.execute(f"attach '{erp_from_the_api_only}' as api_only (read_only)")
        exported = {t: scalar(con, f"select count(*) from api_only.raw.{t}") for t in ERP_EXPORT_TABLES}
        channels = {
            union: {
                r[0]
                for r in con.execute(f"select distinct source_channel from api_only.intermediate.{union}").fetchall()
            }
            for union in ERP_UNIONS
        }
        rows, differences = {}, {}
        for mart, query in ERP_MARTS.items():
            both, api_only = query.format(db="both_channels"), query.format(db="api_only")
            rows[mart] = scalar(con, f"select count(*) from ({api_only})")
            differences[mart] = scalar(
                con,
                f"select (select count(*) from ({both} except all {api_only})) "
                f"+ (select count(*) from ({api_only} except all {both}))",
            )
        # the merged outbounds' lines name a Tmall order of their ERP order
        foreign_tmall_orders = scalar(
            con,
            """select count(*) from api_only.marts.fct_shipments s
               join api_only.intermediate.int_erp_sales_orders_unioned o using (erp_order_id)
               where not list_contains(string_split(o.tmall_order_ids, ','), s.tmall_order_id)""",
        )
        reconciliation = con.execute(
            """select count(*) filter (where reconciliation_category = 'matched'),
                      count(*) filter (where reconciliation_category in ('missing_in_erp', 'missing_in_tmall'))
               from api_only.marts.fct_order_reconciliation"""
        ).fetchone()
        skus_in_products = scalar(
            con,
            """select count(*) from api_only.marts.dim_products
               where mapping_status = 'mapped' and cost_price is not null""",
        )
        api_skus = scalar(con, "select count(*) from api_only.intermediate.int_erp_skus_unioned")  # API SKUs only
    assert set(exported.values()) == {0}
    assert channels == {union: {"api"} for union in ERP_UNIONS}
    assert all(count > 0 for count in rows.values()), rows
    assert differences == dict.fromkeys(ERP_MARTS, 0)
    assert foreign_tmall_orders == 0
    matched, missing = reconciliation
    assert matched > 0 and missing < matched / 10
    assert skus_in_products == api_skus > 0


def test_the_summary_states_how_many_rows_came_via_api(api_run) -> None:
    from orchestration.run import summary

    text = summary(api_run.settings)

    with warehouse(api_run) as con:
        total = scalar(con, "select sum(rows_loaded) from raw.ingest_log where source_file like 'api:%'")
    assert f"Rows via API (TOP, 聚水潭): {total:,} in total" in text
    assert "raw.top_trades" in text.split("Rows via API")[1]


def test_the_api_credentials_were_set_for_the_run_only(api_run) -> None:
    assert api_run.outcome.success
    assert {name: os.environ.get(name) for name in CREDENTIALS} == api_run.environment_before
