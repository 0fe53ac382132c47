"""A real pipeline run (Dagster job -> DuckDB -> dbt -> MetricFlow -> Evidence) on a small generated data set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT, Settings

SMALL_DEMO_ORDERS = 3000


@dataclass
class PipelineRun:
    settings: Settings
    outcome: object
    generation: object


@contextmanager
def pipeline_environment(root: Path) -> Iterator[None]:
    """Point every setting at `root` for the duration, and restore the caller's environment afterwards."""
    keys = ["WAREHOUSE_PATH", "LANDING_DIR", "REPORTS_DIR", "DAGSTER_HOME", "QUALITY_DOCS_DIR"]
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def small_settings(root: Path, reports_dir: Path) -> Settings:
    return Settings(
        landing_dir=root / "landing",
        warehouse_path=root / "warehouse" / "analytics.duckdb",
        reports_dir=reports_dir,
        quality_docs_dir=root / "quality_docs",
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[PipelineRun]:
    """The whole job, once per test session, on a small demo data set; the report is built in a private copy."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from orchestration.run import run_pipeline
    from tests.support.reports_project import stage_reports_project

    root = tmp_path_factory.mktemp("demo_run")
    ensure_node_modules(PROJECT_ROOT / "reports")
    settings = small_settings(root, stage_reports_project(root / "reports"))
    generation = generate(settings.landing_dir, DemoConfig(orders=SMALL_DEMO_ORDERS))
    with pipeline_environment(root):
        outcome = run_pipeline(settings)
        yield PipelineRun(settings=settings, outcome=outcome, generation=generation)
