"""A warehouse built from generated data (ingest + dbt build, no Dagster, no report) for the metric-layer tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT

METRICS_DEMO_ORDERS = 2000


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


@pytest.fixture(scope="session")
def metrics_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[Path]:
    """Generated landing data (2,000 orders) ingested and built with `dbt build`; WAREHOUSE_PATH points at it."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.ingest.loader import ingest_landing

    root = tmp_path_factory.mktemp("metrics_warehouse")
    landing, warehouse_path = root / "landing", root / "analytics.duckdb"
    generate(landing, DemoConfig(orders=METRICS_DEMO_ORDERS))
    with duckdb.connect(str(warehouse_path)) as con:
        ingest_landing(con, landing)
    saved = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(warehouse_path)
    try:
        dbt_build(warehouse_path, root / "target")
        yield warehouse_path
    finally:
        if saved is None:
            os.environ.pop("WAREHOUSE_PATH", None)
        else:
            os.environ["WAREHOUSE_PATH"] = saved


@pytest.fixture(scope="session")
def tmall_only_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    """A landing folder holding only Tmall order reports (no item report, no ERP export), ingested and built."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.ingest.loader import ingest_landing

    root = tmp_path_factory.mktemp("tmall_only")
    generated, landing = root / "generated", root / "landing"
    generate(generated, DemoConfig(orders=500))
    landing.mkdir()
    for report in generated.rglob("ExportOrderList*.csv"):
        shutil.copy(report, landing / report.name)
    # the catalog name MetricFlow's SQL uses is the file's stem: keep `analytics`
    warehouse_path = root / "analytics.duckdb"
    with duckdb.connect(str(warehouse_path)) as con:
        ingest_landing(con, landing)
    dbt_build(warehouse_path, root / "target")
    return warehouse_path
