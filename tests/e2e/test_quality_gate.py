"""The Great Expectations gates are blocking: bad data never reaches marts, metrics or the report, the last good
report stays published, and a corrected re-export unblocks the next run. A warning-severity gate (a soft threshold)
alerts and is recorded, and everything downstream of it is still built in the same run: so does a daily KPI anomaly."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
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
ANOMALY_CHECK = "marts/daily_kpi_anomalies:gx_marts_daily_kpi_anomalies"
GOOD_RUN_ANOMALIES = {
    ("2025-12-25", "paid_gmv", "up"),
    ("2025-12-25", "net_sales", "up"),
    ("2025-12-28", "paid_gmv", "up"),
    ("2025-12-28", "net_sales", "up"),
}
"""What the small demo data set itself flags in its latest 7 days (2025-12-25 to 31, ordinary days, one paid order
each): the 636.00 order of Thursday the 25th against a median of 119.00 (MAD 65.00) of the previous ordinary Thursdays,
and the 516.00 order of Sunday the 28th against 199.00 (MAD 45.00), as paid GMV and as net sales (no refunds)."""
ANOMALY_COPIES = 9
"""The anomalous day gets 9 more copies of each of its orders: 10 times its paid GMV and net sales. Few enough that
December stays under the 50 reconciliation items from which its match rate (the copies are not in the ERP) is gated."""


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


def write_anomalous_day_report(landing: Path, name: str, day: date, copies: int) -> tuple[int, float]:
    """A re-export of `copies` copies, under new ids, of every order paid on `day` in the classic exports (a burst of
    orders on one day). Returns that day's paid orders and 总金额 (paid GMV) before the copies."""
    day_rows: list[list[str]] = []
    for source in sorted((landing / "tmall").rglob("ExportOrderList*.csv")):
        lines = [line for line in source.read_bytes().decode("gb18030").split("\r\n") if line]
        header = lines[0].split(",")
        names = [h.strip() for h in header]
        paid_at = names.index("订单付款时间")
        day_rows += [row for row in (line.split(",") for line in lines[1:]) if row[paid_at][:10] == str(day)]
    assert day_rows, f"no order paid on {day}"
    rows = [list(row) for _ in range(copies) for row in day_rows]
    for n, row in enumerate(rows):
        row[names.index("订单编号")] = f'="{9990000000000001001 + n}"'
    path = landing / "redelivered" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("gb18030"))
    return len(day_rows), sum(float(row[names.index("总金额")]) for row in day_rows)


def flagged_anomalies(settings) -> set[tuple[str, str, str]]:
    """(day, KPI, direction) of the anomalies flagged in the latest 7 days of marts.daily_kpi_anomalies"""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select cast(metric_date as varchar), kpi_name, direction from marts.daily_kpi_anomalies "
            "where is_anomaly and metric_date > (select max(metric_date) from marts.daily_kpi_anomalies) - 7"
        ).fetchall()
    return set(rows)


def recorded_anomaly_check(settings, run_id: str) -> tuple[list[tuple], list[tuple[str, str, str]]]:
    """The anomaly check's rows of quality.check_results in a run (expectation, column, severity, success,
    unexpected count), and the (day, KPI, direction) of the flagged rows its examples show."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select expectation, column_name, severity, success, unexpected_count, examples from quality.check_results "
            "where run_id = ? and check_name = 'gx_marts_daily_kpi_anomalies'",
            [run_id],
        ).fetchall()
    examples = [json.loads(row[5]) for row in rows if row[5]]
    shown = [(str(e["metric_date"])[:10], e["kpi_name"], e["direction"]) for found in examples for e in found]
    return [row[:5] for row in rows], shown


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
    # every month in the classic exports: the unmapped re-export below must cover the last 30 days; without the
    # demo's planted bad input: this test plants its own, and GOOD_RUN_ANOMALIES are the clean trade's
    config = DemoConfig(orders=300, sub_order_months=0, bad_input=False)
    generate(settings.landing_dir, config)
    # an ordinary Tuesday (no sales festival, no holiday) among the latest 7 days of the demo period
    anomaly_day = config.end - timedelta(days=1)
    assert anomaly_day == date(2025, 12, 30)
    published = settings.reports_dir / "build"

    with pipeline_environment(tmp_path):
        good = run_pipeline(settings)
        assert good.success, "\n".join(good.failures)
        good_report = fingerprint(published)
        assert "index.html" in good_report
        # the demo data's own anomalies warn; the day made anomalous below is not among them
        assert flagged_anomalies(settings) == GOOD_RUN_ANOMALIES
        assert not any(day == str(anomaly_day) for day, _, _ in GOOD_RUN_ANOMALIES)
        good_anomalies = check_evaluations(good.run_id)[ANOMALY_CHECK]
        assert not good_anomalies.passed and good_anomalies.severity == dg.AssetCheckSeverity.WARN
        good_recorded, good_shown = recorded_anomaly_check(settings, good.run_id)
        assert good_recorded == [("expect_column_values_to_be_in_set", "is_anomaly", "warning", False, 4)]
        assert sorted(good_shown) == sorted(GOOD_RUN_ANOMALIES)

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
        # and a daily KPI anomaly: a burst of orders on one day, ten times that day's paid GMV
        day_orders, day_gmv = write_anomalous_day_report(
            settings.landing_dir, "ExportOrderList202601021100.csv", anomaly_day, ANOMALY_COPIES
        )
        fixed = run_pipeline(settings)

        assert fixed.success, "\n".join(fixed.failures)
        evaluations = check_evaluations(fixed.run_id)
        assert evaluations["metrics/metric_tables:metric_tables_contract"].passed
        assert evaluations["raw/tmall_orders:dbt_source_freshness"].passed  # just loaded
        # the anomaly check warned about the burst: paid GMV and net sales up on that day, besides the demo data's own
        # (paid orders, up tenfold too, are not judged: every baseline day had one paid order, a MAD of 0)
        anomalies = evaluations[ANOMALY_CHECK]
        assert not anomalies.passed and anomalies.severity == dg.AssetCheckSeverity.WARN
        expected = GOOD_RUN_ANOMALIES | {(str(anomaly_day), "paid_gmv", "up"), (str(anomaly_day), "net_sales", "up")}
        assert flagged_anomalies(settings) == expected
        failed = anomalies.metadata["failed_expectations"].value
        # one failed expectation, the is_anomaly one: 6 of the latest 7 days x 3 KPIs
        assert failed.startswith("- [warning] expect_column_values_to_be_in_set on is_anomaly: 6 of 21 rows"), failed
        assert "\n" not in failed
        recorded, shown = recorded_anomaly_check(settings, fixed.run_id)
        assert recorded == [("expect_column_values_to_be_in_set", "is_anomaly", "warning", False, 6)]
        assert len(shown) == 5 and set(shown) <= expected, shown  # the first 5 of the 6 flagged rows
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            day_kpis = {
                kpi: (value, robust_z, is_anomaly)
                for kpi, value, robust_z, is_anomaly in con.execute(
                    "select kpi_name, kpi_value, robust_z, is_anomaly from marts.daily_kpi_anomalies "
                    "where metric_date = ?",
                    [anomaly_day],
                ).fetchall()
            }
        assert day_kpis["paid_gmv"][0] == pytest.approx((ANOMALY_COPIES + 1) * day_gmv)
        assert day_kpis["paid_gmv"][1] >= 3.5
        assert day_kpis["paid_orders"] == ((ANOMALY_COPIES + 1) * day_orders, None, False)
        warned = evaluations["marts/fct_order_lines:gx_marts_fct_order_lines"]
        assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
        assert "_unmapped_revenue_share_30d" in warned.metadata["failed_expectations"].value
        # downstream of the warned marts, the metric tables and the report were still built in that run
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
