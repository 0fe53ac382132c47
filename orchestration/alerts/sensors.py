"""The sensor that sends the alerts of finished runs under `make serve` (the daemon ticks it every 30 seconds).

Not a `run_status_sensor`: that one moves its cursor past a run whatever happens, and a run's success alerts read the
warehouse, which the next run may be holding (DuckDB allows one writer). This sensor looks at the runs of the
pipeline and API jobs that finished since its cursor; a run whose alerts cannot be composed yet (warehouse busy) keeps
the cursor before it and is tried again on the next tick. The delivery log makes each alert go out once per run,
whether `make run`, this sensor, or both saw the run. On its first tick the sensor starts from now: the history of an
instance does not produce alerts.

A failed run of a job that the daemon will retry (run retries, dagster.yaml; tag `dagster/max_retries`) is not
reported: its last retry is.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from orchestration.alerts.config import AlertSettings
from orchestration.alerts.delivery import notify_run
from orchestration.alerts.events import WarehouseBusy
from orchestration.resources import WarehouseResource

ALERT_SENSOR_NAME = "pipeline_alerts"
OVERLAP_SECONDS = 120
"""Runs updated this long before the cursor are looked at again (the run ids already handled are in the cursor)."""
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def will_be_retried(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """A failed run that the daemon's run retries will launch again."""
    if run.status != dg.DagsterRunStatus.FAILURE or not instance.run_retries_enabled:
        return False
    try:
        max_retries = int(run.tags.get("dagster/max_retries", instance.run_retries_max_retries))
        attempt = int(run.tags.get("dagster/retry_number", 0))
    except ValueError:
        return False
    return attempt < max_retries


def build_alert_sensor(job_names: list[str]) -> dg.SensorDefinition:
    @dg.sensor(
        name=ALERT_SENSOR_NAME,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Sends the alerts (DingTalk, WeCom, Feishu, email, webhook: ALERT_* settings) of every finished run of "
            f"{', '.join(job_names)}: failures and blocking gates, KPI anomalies, stock-out risk, the daily digest."
        ),
    )
    def pipeline_alerts(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SkipReason:
        now = dt.datetime.now(dt.UTC).timestamp()
        if context.cursor is None:
            context.update_cursor(json.dumps({"after": now, "done": []}))
            return dg.SkipReason("first tick: alerts are sent for runs that finish from now on")
        cursor = json.loads(context.cursor)
        settings = AlertSettings.from_env()
        if not settings.enabled:
            return dg.SkipReason("no alert channel configured (ALERT_* settings)")
        after, done = float(cursor["after"]), set(cursor.get("done", []))
        records = context.instance.get_run_records(
            filters=dg.RunsFilter(
                job_name=None,
                statuses=FINISHED,
                updated_after=dt.datetime.fromtimestamp(after - OVERLAP_SECONDS, tz=dt.UTC),
            ),
            order_by="update_timestamp",
            ascending=True,
        )
        handled: list[str] = []
        new_after = after
        pending = None
        for record in records:
            run = record.dagster_run
            if run.job_name not in job_names or run.run_id in done:
                continue
            if not will_be_retried(context.instance, run):
                try:
                    deliveries = notify_run(context.instance, run.run_id, Path(warehouse.path), settings)
                except WarehouseBusy:
                    pending = run.run_id
                    break
                sent = sum(d.status == "sent" for d in deliveries)
                context.log.info(f"run {run.run_id}: {sent} of {len(deliveries)} alert deliveries sent")
            handled.append(run.run_id)
            new_after = max(new_after, record.update_timestamp.timestamp())
        keep = {
            r.dagster_run.run_id
            for r in records
            if r.dagster_run.run_id in done | set(handled)
            and r.update_timestamp.timestamp() >= new_after - OVERLAP_SECONDS
        }
        context.update_cursor(json.dumps({"after": new_after, "done": sorted(keep)}))
        if pending:
            return dg.SkipReason(f"run {pending}: the warehouse is being written, its alerts wait for the next tick")
        return dg.SkipReason(f"alerts handled for {len(handled)} finished run(s)")

    return pipeline_alerts
