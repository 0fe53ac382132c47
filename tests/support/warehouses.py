"""Warehouses built from generated data for tests: ingest + `dbt build` (no Dagster, no report)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_ROOT


def dbt_build(warehouse_path: Path, target_path: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [
            str(dbt),
            "build",
            "--quiet",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target_path),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


def build_generated_warehouse(root: Path, orders: int) -> Path:
    """Generated landing data ingested and built into `root/analytics.duckdb` (the catalog name MetricFlow's SQL
    uses is the file's stem: keep `analytics`)."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.ingest.loader import ingest_landing

    landing, warehouse_path = root / "landing", root / "analytics.duckdb"
    generate(landing, DemoConfig(orders=orders))
    with duckdb.connect(str(warehouse_path)) as con:
        ingest_landing(con, landing)
    dbt_build(warehouse_path, root / "target")
    return warehouse_path
