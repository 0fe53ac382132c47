"""Runs on different warehouses from one checkout keep their dbt and MetricFlow artefacts apart: each parses into
its warehouse's target path and MetricFlow reads that one, so one run's `dbt parse` never changes the catalog the
other's metric SQL names (before: `Binder Error: Catalog "wh" does not exist!`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_TARGET_DIR, DEFAULT_WAREHOUSE, PROJECT_ROOT, dbt_target_path_for

PARSE = "from orchestration.transform.project import prepare_manifest; print(prepare_manifest())"
METRIC_SQL = (
    "from orchestration.metrics.metricflow import SemanticLayer\n"
    "with SemanticLayer() as layer:\n"
    "    print(layer.sql_for(['orders'], ['metric_time__day']))\n"
)


def in_warehouse(warehouse: Path, code: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_each_warehouse_has_its_own_target_path(tmp_path: Path) -> None:
    assert dbt_target_path_for(DEFAULT_WAREHOUSE) == DBT_TARGET_DIR
    one, two = dbt_target_path_for(tmp_path / "a" / "shop.duckdb"), dbt_target_path_for(tmp_path / "b" / "shop.duckdb")
    assert one != two and one.parent == two.parent == DBT_TARGET_DIR / "warehouses"
    assert one.name.startswith("shop-")


def catalogs(semantic_manifest: Path) -> set[str]:
    manifest = json.loads(semantic_manifest.read_text(encoding="utf-8"))
    return {model["node_relation"]["database"] for model in manifest["semantic_models"]}


def test_two_warehouses_parsed_in_turn_each_keep_their_own_catalog_in_metricflow_sql(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "wh.duckdb", tmp_path / "two" / "shop2.duckdb"
    for warehouse in (first, second):
        warehouse.parent.mkdir()
    # the first run parses, the second parses while the first is still running, then the first asks MetricFlow
    first_manifest = Path(in_warehouse(first, PARSE).strip())
    second_manifest = Path(in_warehouse(second, PARSE).strip())
    first_sql = in_warehouse(first, METRIC_SQL)

    assert '"wh"' in first_sql or " wh." in first_sql, first_sql
    assert "shop2" not in first_sql
    assert catalogs(first_manifest.with_name("semantic_manifest.json")) == {"wh"}
    assert catalogs(second_manifest.with_name("semantic_manifest.json")) == {"shop2"}
