"""Warehouses for the metric-layer tests; `metrics_warehouse` (2,000 generated orders) is in tests/conftest.py, shared
with tests/ask."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.support.warehouses import dbt_build


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
