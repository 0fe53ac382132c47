"""The Dagster code location: every asset, check, resource, job and schedule of the pipeline.

Loaded by `dagster dev` (make dev) and by `python -m orchestration.run` (make run). The dbt manifest must exist
before this module loads: `make` runs `dbt parse` first.
"""

from __future__ import annotations

import dagster as dg

from orchestration.ingest.api.assets import build_api_assets
from orchestration.ingest.assets import raw_landing_files
from orchestration.ingest.sensors import build_landing_sensor
from orchestration.metrics.assets import metric_tables
from orchestration.quality.checks import QUALITY_CHECKS
from orchestration.reports.assets import ReportConfig, evidence_report, report_database
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import Settings
from orchestration.transform.dbt import dbt_models, dbt_resource

PIPELINE_JOB_NAME = "tmall_daily_pipeline"

tmall_daily_pipeline = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Landing files -> raw (+ quality gate) -> dbt staging/marts (+ tests) -> metric tables -> report.",
    # DuckDB allows one writer at a time: steps run one after another in one process.
    executor_def=dg.in_process_executor,
)

daily_schedule = dg.ScheduleDefinition(
    name="tmall_daily_0200_shanghai",
    job=tmall_daily_pipeline,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="Every day at 02:00 China time, after the seller center and the ERP have closed the day.",
)


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        assets=[
            raw_landing_files,
            # dbt's staging reads the API tables: without credentials the API assets materialise them empty
            *build_api_assets(materialize_when_unconfigured=True),
            dbt_models,
            metric_tables,
            report_database,
            evidence_report,
        ],
        asset_checks=QUALITY_CHECKS,
        jobs=[tmall_daily_pipeline],
        schedules=[daily_schedule],
        sensors=[build_landing_sensor(PIPELINE_JOB_NAME)],
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
            "landing": LandingResource(path=str(settings.landing_dir)),
            "report": ReportConfig(reports_dir=str(settings.reports_dir)),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions()
