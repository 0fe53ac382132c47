"""`python -m orchestration.run` (what `make run` calls): run the whole pipeline job through Dagster, once.

1. If the landing folder is missing or empty and demo data is allowed (`--demo-data auto`, the default), generate
   the deterministic demo data set into it.
2. `dbt parse`, so the asset graph matches the models.
3. Execute the job `tmall_daily_pipeline` (the job that follows the 02:00 API ingest, and that new landing files
   start) on the Dagster instance in DAGSTER_HOME (default `.dagster_home`), so the run shows up in `make dev`.
4. Send the run's alerts (orchestration/alerts/: a failure or a blocking gate, or the daily digest, KPI anomalies
   and stock-out risk) to the channels the ALERT_* settings name; none set, none sent.
5. Print a summary: rows per layer, key metrics, where the report is; or, on failure, which step or check failed.

With SOURCE_MODE=api the API job `tmall_api_ingest` runs first: the landing folder's demo data is served by the local
TOP and 聚水潭 simulators (credentials set for this run only) and the API assets are backfilled over every day of the
demo period in one run (a single-run backfill of the partition range); the pipeline job follows if it succeeded, and
the summary states how many rows came via the APIs (docs/api-sources.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from orchestration.ingest.summary import landing_summary
from orchestration.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # dagster is imported when a run starts, not when this module loads
    import dagster as dg

logger = logging.getLogger(__name__)


@dataclass
class PipelineOutcome:
    success: bool
    run_id: str
    """The pipeline job's run (with SOURCE_MODE=api, the API run's when that failed and the pipeline did not run)."""
    duration_seconds: float
    failures: list[str]
    api_run_id: str | None = None
    """With SOURCE_MODE=api: the API job's run, a backfill of `api_days`."""
    api_days: str | None = None


def export_settings(settings: Settings) -> None:
    """Subprocesses (dbt, Evidence) must see the same absolute paths as this process."""
    os.environ["WAREHOUSE_PATH"] = str(settings.warehouse_path)
    os.environ["LANDING_DIR"] = str(settings.landing_dir)
    os.environ["REPORTS_DIR"] = str(settings.reports_dir)
    os.environ["QUALITY_DOCS_DIR"] = str(settings.quality_docs_dir)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)


def landing_is_empty(landing_dir: Path) -> bool:
    return not landing_dir.exists() or not any(p.is_file() for p in landing_dir.rglob("*"))


def ensure_demo_data(landing_dir: Path, orders: int | None = None) -> bool:
    """Generate the demo data set when the landing folder is missing or empty. Returns True if it generated."""
    if not landing_is_empty(landing_dir):
        return False
    from orchestration.demo_data import DemoConfig, generate

    config = DemoConfig() if orders is None else DemoConfig(orders=orders)
    logger.info("landing folder %s is empty: generating demo data (%s)", landing_dir, config)
    generate(landing_dir, config)
    return True


def run_pipeline(settings: Settings) -> PipelineOutcome:
    """Execute the pipeline job in process on the persistent Dagster instance (after the API job, in api mode).

    Holds the warehouse's run lock throughout: raises `orchestration.publish.WarehouseBusy` at once, before anything
    runs, when another run has it. A build the run did not publish (it failed) is discarded at the end."""
    from orchestration import publish

    with publish.run_lock(settings.warehouse_path, holder="python -m orchestration.run"):
        try:
            return _run_pipeline(settings)
        finally:
            publish.discard_build(settings.warehouse_path)


def _run_pipeline(settings: Settings) -> PipelineOutcome:
    import dagster as dg

    from orchestration.transform.project import prepare_manifest

    export_settings(settings)
    prepare_manifest()
    from orchestration.definitions import PIPELINE_JOB_NAME, build_definitions

    definitions = build_definitions(settings)
    log_level = os.environ.get("PIPELINE_LOG_LEVEL", "INFO")
    # the console shows progress and problems; every event is still in the run's log in `make dev`
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    started = time.monotonic()
    api_run_id = api_days = None
    with ExitStack() as stack, dg.DagsterInstance.get() as instance:
        if settings.source_mode == "api":
            from orchestration.demo_data.simulators.demo import serve_demo_apis

            demo = stack.enter_context(serve_demo_apis(settings.landing_dir))
            api_days = f"{demo.first_day}..{demo.last_day}"
            api_result = backfill_api_job(definitions, instance, demo.first_day, demo.last_day, run_config)
            api_run_id = api_result.run_id
            failures = describe_failures(api_result)
            if not api_result.success or failures:
                send_alerts(instance, api_result.run_id, settings)
                return PipelineOutcome(
                    success=False,
                    run_id=api_result.run_id,
                    duration_seconds=time.monotonic() - started,
                    failures=failures or [f"API run {api_result.run_id} failed"],
                    api_run_id=api_run_id,
                    api_days=api_days,
                )
        job = definitions.resolve_job_def(PIPELINE_JOB_NAME)
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
        failures = describe_failures(result)
        send_alerts(instance, result.run_id, settings)
    return PipelineOutcome(
        success=result.success and not failures,
        run_id=result.run_id,
        duration_seconds=time.monotonic() - started,
        failures=failures,
        api_run_id=api_run_id,
        api_days=api_days,
    )


def send_alerts(instance: dg.DagsterInstance, run_id: str, settings: Settings) -> None:
    """The run's alerts (ALERT_* settings; nothing without them): a run in process has no daemon, so no sensor
    sends them. Never raises: a failed delivery is retried, recorded and logged, and the run's outcome stands."""
    from orchestration.alerts.delivery import notify_run_safely

    notify_run_safely(instance, run_id, settings.warehouse_path)


def backfill_api_job(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    first_day: str,
    last_day: str,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """One run of the API job over the partitions first_day..last_day (inclusive), as a single-run backfill does."""
    from orchestration.ingest.api.schedules import API_JOB_NAME, RANGE_END_TAG, RANGE_START_TAG

    job = definitions.resolve_job_def(API_JOB_NAME)
    keys = job.partitions_def.get_partition_keys()
    missing = [day for day in (first_day, last_day) if day not in keys]
    if missing:
        raise ValueError(
            f"day(s) {', '.join(missing)} are not partitions of {API_JOB_NAME} ({keys[0]} .. {keys[-1]}): set "
            "API_PARTITIONS_START_DATE to an earlier day, or wait until the day is complete in China time"
        )
    return job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=run_config,
        tags={RANGE_START_TAG: first_day, RANGE_END_TAG: last_day},
    )


def describe_failures(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Failed steps, failed error-severity checks and the assets they kept from being built, in words."""
    import dagster as dg

    failures: list[str] = []
    for event in result.all_events:
        if event.is_step_failure:
            failures.append(f"step {event.step_key} failed: {_root_cause(event.step_failure_data.error)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            # a warning-severity check (anomalies, soft thresholds) alerts in Dagster and quality.check_results;
            # it does not fail the run
            if not evaluation.passed and evaluation.severity != dg.AssetCheckSeverity.WARN:
                detail = evaluation.metadata.get("failed_expectations")
                text = detail.value if detail is not None else (evaluation.description or "")
                failures.append(
                    f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed"
                    + (f":\n{text}" if text else "")
                )
        elif event.event_type_value == "STEP_SKIPPED":
            failures.append(f"step {event.step_key} was not run because an upstream step or blocking check failed")
    return failures


def _root_cause(error) -> str:  # type: ignore[no-untyped-def]
    """The innermost error message: Dagster wraps the real exception in its own step error."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def api_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows loaded from API windows per raw table (ingest log entries whose source is `api:...`)."""
    rows = con.execute(
        "select dataset, sum(rows_loaded) from raw.ingest_log where source_file like 'api:%' and status = 'loaded' "
        "group by dataset order by dataset"
    ).fetchall()
    return {dataset: int(count) for dataset, count in rows if count}


def summary(settings: Settings, own_data: bool = False) -> str:
    """`own_data`: the landing folder holds the merchant's own exports; the summary ends with a first look at them."""
    lines: list[str] = []
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        lines.extend(landing_summary(con))  # leads: what was quarantined, held back, cut short or not loaded
        tables = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'metrics') "
            "order by case table_schema when 'raw' then 1 when 'staging' then 2 when 'intermediate' then 3 "
            "when 'marts' then 4 else 5 end, table_name"
        ).fetchall()
        lines.append("Rows per layer:")
        for schema, name, _ in tables:
            count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            lines.append(f"  {schema + '.' + name:<48} {count:>12,}")
        via_api = api_rows(con)
        if via_api:
            lines.append(f"Rows via API (TOP, 聚水潭): {sum(via_api.values()):,} in total")
            lines.extend(f"  raw.{dataset:<44} {rows:>12,}" for dataset, rows in via_api.items())
        periods = con.execute(
            "select period_label, start_date, end_date, orders, paid_orders, paid_gmv, refund_amount, net_sales "
            "from metrics.kpi_periods order by period_order"
        ).fetchall()
        totals = con.execute(
            "select min(metric_date), max(metric_date), sum(orders), sum(paid_gmv), sum(refund_amount), "
            "sum(net_sales) from metrics.daily_kpis"
        ).fetchone()
    lines.append("Key metrics (MetricFlow):")
    if totals and totals[0] is not None:
        lines.append(
            f"  {totals[0]} .. {totals[1]}: orders {totals[2]:,}, paid GMV ¥{totals[3]:,.2f}, "
            f"refunds ¥{totals[4]:,.2f}, net sales ¥{totals[5]:,.2f}"
        )
    for label, start, end, orders, paid_orders, paid_gmv, refunds, net in periods:
        lines.append(
            f"  {label} ({start} .. {end}): orders {orders:,}, paid orders {paid_orders:,}, "
            f"paid GMV ¥{paid_gmv:,.2f}, refunds ¥{refunds:,.2f}, net sales ¥{net:,.2f}"
        )
    build = settings.reports_dir / "build"
    lines.append(f"Report: {build / 'index.html'}  (serve it with `make report`)")
    lines.append(f"Warehouse: {settings.warehouse_path}")
    if own_data:
        from orchestration.quality.first_look import first_look_of

        lines.append(first_look_of(settings.warehouse_path))
    return "\n".join(lines)


def failed_run_landing_summary(warehouse_path: Path) -> list[str]:
    """What the landing folder gave a failed run (quarantined, held back, cut short, not loaded): often its cause."""
    if not warehouse_path.exists():
        return []
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            return landing_summary(con)
    except duckdb.Error as error:  # a warehouse the run never got to write (no raw tables yet)
        return [f"(no landing summary: {error})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole pipeline once through Dagster.")
    parser.add_argument(
        "--demo-data",
        choices=["auto", "never"],
        default=os.environ.get("DEMO_DATA", "auto"),
        help="auto: generate demo data when the landing folder is missing or empty (default); never: fail instead",
    )
    parser.add_argument("--demo-orders", type=int, default=None, help="orders in the generated demo data")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    from orchestration.publish import WarehouseBusy

    generated = args.demo_data == "auto" and ensure_demo_data(settings.landing_dir, args.demo_orders)
    try:
        outcome = run_pipeline(settings)
    except WarehouseBusy as busy:
        print(f"\nPipeline run REFUSED: {busy}", file=sys.stderr)
        return 2
    if not outcome.success:
        print(f"\nPipeline run {outcome.run_id} FAILED after {outcome.duration_seconds:.0f}s:", file=sys.stderr)
        for failure in outcome.failures:
            print(f"- {failure}", file=sys.stderr)
        print("The report was not rebuilt; the last good report (if any) is unchanged.", file=sys.stderr)
        print("\n".join(failed_run_landing_summary(settings.warehouse_path)), file=sys.stderr)
        from orchestration.quality.first_look import first_look_of, is_own_landing

        if is_own_landing(settings.landing_dir, generated):
            print(first_look_of(settings.warehouse_path), file=sys.stderr)
        return 1
    if outcome.api_run_id:
        print(f"\nAPI ingest run {outcome.api_run_id} fetched the days {outcome.api_days}.")
    print(f"\nPipeline run {outcome.run_id} succeeded in {outcome.duration_seconds:.0f}s.")
    from orchestration.quality.first_look import is_own_landing

    print(summary(settings, own_data=is_own_landing(settings.landing_dir, generated)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
