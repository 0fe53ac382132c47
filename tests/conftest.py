"""Shared test set-up: every test runs against its own warehouse, landing folder and Dagster instance."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# a developer's own alert channels never get the test suite's runs: tests/alerts/ sets its local receivers itself
for _name in [name for name in os.environ if name.startswith("ALERT_") or name == "REPORT_BASE_URL"]:
    del os.environ[_name]

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and other outputs a person should look at (git-ignored)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`dbt parse` once per session, so the Dagster definitions can load."""
    from orchestration.transform.project import prepare_manifest

    return prepare_manifest()


METRICS_DEMO_ORDERS = 2000


@pytest.fixture(scope="session")
def metrics_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[Path]:
    """Generated landing data (2,000 orders) ingested and built with `dbt build`; WAREHOUSE_PATH points at it.

    Shared by tests/metrics and tests/ask (built once per session)."""
    from tests.support.warehouses import build_generated_warehouse

    root = tmp_path_factory.mktemp("metrics_warehouse")
    saved = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(root / "analytics.duckdb")
    try:
        warehouse = build_generated_warehouse(root, METRICS_DEMO_ORDERS)
        # this warehouse's own dbt and MetricFlow artefacts (target/warehouses/<slug>/), as a run on it would parse:
        # the WAREHOUSE_PATH set here stays for the rest of the session, and whatever builds the definitions or asks
        # MetricFlow after it reads that warehouse's target path
        from orchestration.transform.project import prepare_manifest

        prepare_manifest()
        yield warehouse
    finally:
        if saved is None:
            os.environ.pop("WAREHOUSE_PATH", None)
        else:
            os.environ["WAREHOUSE_PATH"] = saved
