"""The semantic layer's configuration is valid and its saved queries become tables in schema `metrics`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.tables import write_metric_tables
from orchestration.settings import PROJECT_ROOT

NEW_METRICS = {
    "units_sold",
    "paying_customers",
    "new_customers",
    "average_order_value",
    "refund_rate",
    "repeat_purchase_rate",
    "cogs",
    "gross_margin",
    "gross_margin_rate",
    "ship_within_48h_rate",
    "avg_pay_to_ship_hours",
    "reconciliation_match_rate",
    "stockout_sku_rate",
}


def test_mf_validate_configs_passes(metrics_warehouse: Path) -> None:
    mf = Path(sys.executable).with_name("mf")
    completed = subprocess.run(
        [str(mf), "validate-configs"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(metrics_warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "ERRORS: 0" in completed.stdout


def test_every_metric_has_a_label_and_a_chinese_and_english_description(metrics_warehouse: Path) -> None:
    with SemanticLayer() as layer:
        metrics = {m.name: m for m in layer.metrics()}
    assert NEW_METRICS <= set(metrics)
    for metric in metrics.values():
        assert metric.label and metric.label != metric.name, metric.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in metric.description), metric.name
        assert any(ch.isascii() and ch.isalpha() for ch in metric.description), metric.name


def test_saved_queries_are_written_as_metric_tables(metrics_warehouse: Path, tmp_path: Path) -> None:
    # a copy, so the shared warehouse stays read-only; same file name, because MetricFlow's SQL names the catalog
    copy = tmp_path / metrics_warehouse.name
    copy.write_bytes(metrics_warehouse.read_bytes())
    with SemanticLayer() as layer, duckdb.connect(str(copy)) as con:
        saved_queries = [q.name for q in layer.saved_queries()]
        counts = write_metric_tables(con, layer, run_id="test")
        by_category = con.execute(
            "select sum(reconciliation_items) from metrics.monthly_reconciliation_by_category"
        ).fetchone()[0]
        reconciled = con.execute("select count(*) from marts.fct_order_reconciliation").fetchone()[0]
        columns = {
            row[0]: row[1]
            for row in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'metrics' and table_name = 'monthly_sales_by_category'"
            ).fetchall()
        }
    assert {"daily_kpis", "daily_kpis_by_shop", "kpi_periods", "metric_definitions", "report_meta"} <= set(counts)
    assert set(saved_queries) <= set(counts)
    assert all(counts[name] > 0 for name in saved_queries)
    assert by_category == reconciled
    assert columns["metric_month"] == "DATE"
    assert columns["category"] == "VARCHAR"
    assert columns["cogs"] == "DECIMAL(18,2)"
    assert columns["units_sold"] == "BIGINT"
