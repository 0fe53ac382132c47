"""The Great Expectations gate on raw orders is blocking: bad data never reaches marts, metrics or the report."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.e2e.conftest import pipeline_environment, small_settings

pytestmark = pytest.mark.e2e


def fingerprint(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_broken_order_report(landing: Path) -> str:
    """A re-export of three real orders with new ids: one with a negative 总金额, one with an unknown status."""
    source = sorted(landing.rglob("ExportOrderList*.csv"))[0]
    lines = source.read_bytes().decode("gb18030").split("\r\n")
    header = lines[0].split(",")
    names = [h.strip() for h in header]
    rows = [line.split(",") for line in lines[1:4]]
    for number, row in enumerate(rows):
        row[names.index("订单编号")] = f'="{9990000000000000001 + number}"'
    rows[0][names.index("总金额")] = "-128.00"
    rows[1][names.index("订单状态")] = "卖家已发货，等待火星确认"
    broken = landing / "broken" / "ExportOrderList202512312359.csv"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("gb18030"))
    return "broken/ExportOrderList202512312359.csv"


def test_a_broken_order_report_stops_everything_downstream_and_says_why(tmp_path: Path, dbt_manifest: Path) -> None:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.run import run_pipeline

    settings = small_settings(tmp_path, PROJECT_ROOT / "reports")
    generate(settings.landing_dir, DemoConfig(orders=300))
    broken_file = write_broken_order_report(settings.landing_dir)
    report_before = fingerprint(PROJECT_ROOT / "reports" / "build")
    report_db_before = fingerprint(PROJECT_ROOT / "reports" / "sources" / "warehouse")

    with pipeline_environment(tmp_path):
        outcome = run_pipeline(settings)
        with dg.DagsterInstance.get() as instance:
            materialized = {
                r.event_log_entry.dagster_event.asset_key.to_user_string()
                for r in instance.get_records_for_run(
                    outcome.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
                ).records
            }

    assert not outcome.success
    message = "\n".join(outcome.failures)
    assert "check gx_raw_tmall_orders on raw/tmall_orders failed" in message
    assert "expect_column_values_to_match_regex on total_amount: 1 of" in message
    assert "expect_column_values_to_be_in_set on order_status: 1 of" in message
    assert broken_file in message  # the examples name the file and the row
    assert "_source_row_number=1" in message

    assert materialized == {
        f"raw/{name}"
        for name in (
            "tmall_orders",
            "tmall_order_items",
            "erp_skus",
            "erp_sales_orders",
            "erp_shipments",
            "erp_inventory",
        )
    }
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        built = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts', 'metrics')"
        ).fetchall()
    assert built == []
    assert fingerprint(PROJECT_ROOT / "reports" / "build") == report_before
    assert fingerprint(PROJECT_ROOT / "reports" / "sources" / "warehouse") == report_db_before
