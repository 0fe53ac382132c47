"""The Great Expectations gates are blocking: bad data never reaches marts, metrics or the report, the last good
report stays published, and a corrected re-export unblocks the next run. A warning-severity gate (a soft threshold)
alerts and is recorded, and everything downstream of it is still built in the same run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.ingest.datasets import DATASETS
from orchestration.settings import PROJECT_ROOT
from tests.e2e.conftest import pipeline_environment, small_settings

pytestmark = pytest.mark.e2e

BROKEN_IDS = [f"{9990000000000000001 + n}" for n in range(3)]
RAW_ASSETS = {f"raw/{dataset.name}" for dataset in DATASETS}


def fingerprint(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_order_report(landing: Path, name: str, *, broken: bool) -> str:
    """A re-export of three real orders under new ids; `broken`: one negative 总金额 and one unknown status."""
    source = sorted((landing / "tmall").rglob("ExportOrderList*.csv"))[0]
    lines = source.read_bytes().decode("gb18030").split("\r\n")
    header = lines[0].split(",")
    names = [h.strip() for h in header]
    rows = [line.split(",") for line in lines[1:4]]
    for order_id, row in zip(BROKEN_IDS, rows, strict=True):
        row[names.index("订单编号")] = f'="{order_id}"'
    if broken:
        rows[0][names.index("总金额")] = "-128.00"
        rows[1][names.index("订单状态")] = "卖家已发货，等待火星确认"
    path = landing / "redelivered" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("gb18030"))
    return path.relative_to(landing).as_posix()


def write_unmapped_item_report(landing: Path, name: str) -> None:
    """A re-export of the latest item report whose 商家编码 the ERP does not know (the last column of the report)."""
    source = max((landing / "tmall").rglob("ExportOrderDetailList*.csv"), key=lambda p: p.name)
    header, *lines = [line for line in source.read_bytes().decode("gb18030").split("\r\n") if line]
    assert header.split(",")[-1].strip() == "商家编码"
    rows = [f"{line.rsplit(',', 1)[0]},UNMAPPED-{line.rsplit(',', 1)[1]}" for line in lines]
    path = landing / "redelivered" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("gb18030"))


def check_evaluations(run_id: str) -> dict[str, dg.AssetCheckEvaluation]:
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e for e in evaluations}


def materialized_in(run_id: str) -> set[str]:
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    return {r.event_log_entry.dagster_event.asset_key.to_user_string() for r in records}


def metric_tables_run_id(settings) -> str:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute("select run_id from metrics.report_meta").fetchone()[0]


def test_a_broken_export_blocks_everything_downstream_until_a_corrected_export_arrives(
    tmp_path: Path, dbt_manifest: Path
) -> None:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from orchestration.run import run_pipeline
    from tests.support.reports_project import stage_reports_project

    ensure_node_modules(PROJECT_ROOT / "reports")
    settings = small_settings(tmp_path, stage_reports_project(tmp_path / "reports"))
    # every month in the classic exports: the unmapped re-export below must cover the last 30 days
    generate(settings.landing_dir, DemoConfig(orders=300, sub_order_months=0))
    published = settings.reports_dir / "build"

    with pipeline_environment(tmp_path):
        good = run_pipeline(settings)
        assert good.success, "\n".join(good.failures)
        good_report = fingerprint(published)
        assert "index.html" in good_report

        broken_file = write_order_report(settings.landing_dir, "ExportOrderList202601020800.csv", broken=True)
        blocked = run_pipeline(settings)

        assert not blocked.success
        message = "\n".join(blocked.failures)
        assert "check gx_raw_tmall_orders on raw/tmall_orders failed" in message
        assert "expect_column_values_to_match_regex on total_amount: 1 of" in message
        assert "expect_column_values_to_be_in_set on order_status: 1 of" in message
        assert f"_source_file={broken_file}" in message  # the examples name the file and the row
        assert "_source_row_number=1" in message
        rebuilt = materialized_in(blocked.run_id)
        # the landing files' raw tables and nothing downstream of raw (the API raw tables belong to the API job)
        assert RAW_ASSETS <= rebuilt and all(key.startswith("raw/") for key in rebuilt), rebuilt
        assert metric_tables_run_id(settings) == good.run_id
        assert fingerprint(published) == good_report  # the last good report stays published, unchanged
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            recorded = con.execute(
                "select expectation, column_name, unexpected_count from quality.check_results "
                "where run_id = ? and not success and severity = 'error' order by column_name",
                [blocked.run_id],
            ).fetchall()
        assert recorded == [
            ("expect_column_values_to_be_in_set", "order_status", 1),
            ("expect_column_values_to_match_regex", "total_amount", 1),
        ]

        write_order_report(settings.landing_dir, "ExportOrderList202601020900.csv", broken=False)
        # and, in the same run, a soft threshold breached: the latest item report's 商家编码 are unknown to the ERP
        write_unmapped_item_report(settings.landing_dir, "ExportOrderDetailList202601021000.csv")
        fixed = run_pipeline(settings)

        assert fixed.success, "\n".join(fixed.failures)
        evaluations = check_evaluations(fixed.run_id)
        assert evaluations["metrics/metric_tables:metric_tables_contract"].passed
        assert evaluations["raw/tmall_orders:dbt_source_freshness"].passed  # just loaded
        anomalies = evaluations["marts/daily_kpi_anomalies:gx_marts_daily_kpi_anomalies"]
        assert anomalies.passed or anomalies.severity == dg.AssetCheckSeverity.WARN  # anomalies only ever warn
        warned = evaluations["marts/fct_order_lines:gx_marts_fct_order_lines"]
        assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
        assert "_unmapped_revenue_share_30d" in warned.metadata["failed_expectations"].value
        # downstream of the warned mart, the metric tables and the report were still built in that run
        assert {"metrics/metric_tables", "reports/report_database", "reports/evidence_report"} <= materialized_in(
            fixed.run_id
        )
        assert metric_tables_run_id(settings) == fixed.run_id
        assert fingerprint(published) != good_report
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            warnings = con.execute(
                "select check_name, column_name, severity from quality.check_results "
                "where run_id = ? and not success and severity = 'warning' and check_name = 'gx_marts_fct_order_lines'",
                [fixed.run_id],
            ).fetchall()
        assert warnings == [("gx_marts_fct_order_lines", "_unmapped_revenue_share_30d", "warning")]
        assert "observed_value=" in warned.metadata["failed_expectations"].value
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            corrected = con.execute(
                "select count(*) from marts.fct_orders where order_id in (?, ?, ?) and total_amount >= 0", BROKEN_IDS
            ).fetchone()[0]
        assert corrected == 3
