"""Sending a run's alerts: each alert to each channel at most once per run, retried with back-off, recorded.

The delivery log is the SQLite table `alert_deliveries` in `$DAGSTER_HOME/alert_deliveries.sqlite`, beside the run
history it refers to. SQLite, not the DuckDB warehouse, because the sender may be the daemon's sensor while a run
holds the warehouse's single write lock; and because SQLite lets `make run` and that sensor claim a delivery
atomically (the row `(run_id, event, channel)` is inserted before anything is sent), so the same alert is never sent
twice for the same run. A row is `sending` while it is tried, then `sent` or `failed` with the attempts and the last
error (secrets redacted). A `sending` row older than STALE_CLAIM_SECONDS (its sender died) is claimed again.

Nothing here raises into the pipeline: `notify_run` catches and logs every error.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.alerts.channels import SENDERS, DeliveryError, describe_destination, redact
from orchestration.alerts.config import AlertSettings, ChannelSettings
from orchestration.alerts.events import WarehouseBusy, run_alerts
from orchestration.alerts.messages import Alert

if TYPE_CHECKING:
    import dagster as dg

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "alert_deliveries.sqlite"
STALE_CLAIM_SECONDS = 600
SCHEMA = """
create table if not exists alert_deliveries (
    run_id text not null,
    event text not null,
    channel text not null,
    job_name text not null,
    title text not null,
    status text not null check (status in ('sending', 'sent', 'failed')),
    attempts integer not null default 0,
    last_error text,
    claimed_at text not null,
    finished_at text,
    primary key (run_id, event, channel)
)
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def delivery_log_path(instance: dg.DagsterInstance | None = None) -> Path:
    """`alert_deliveries.sqlite` in the Dagster instance's directory (DAGSTER_HOME)."""
    root = getattr(instance, "root_directory", None) if instance is not None else None
    root = root or os.environ.get("DAGSTER_HOME") or ".dagster_home"
    return Path(root) / LOG_FILE_NAME


@dataclass(frozen=True)
class Delivery:
    run_id: str
    event: str
    channel: str
    status: str
    attempts: int
    last_error: str | None


class DeliveryLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("pragma busy_timeout = 30000")
        con.execute(SCHEMA)
        return con

    def claim(self, alert: Alert, channel: str) -> bool:
        """True if this process may send `alert` to `channel` (nobody sent or is sending it for this run)."""
        with closing(self._connect()) as con:
            inserted = con.execute(
                "insert into alert_deliveries (run_id, event, channel, job_name, title, status, claimed_at) "
                "values (?, ?, ?, ?, ?, 'sending', ?) on conflict do nothing",
                [alert.run_id, alert.event, channel, alert.job_name, alert.title, _now()],
            ).rowcount
            if inserted:
                return True
            stale = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=STALE_CLAIM_SECONDS)).isoformat()
            return bool(
                con.execute(
                    "update alert_deliveries set claimed_at = ? where run_id = ? and event = ? and channel = ? "
                    "and status = 'sending' and claimed_at < ?",
                    [_now(), alert.run_id, alert.event, channel, stale],
                ).rowcount
            )

    def finish(self, alert: Alert, channel: str, status: str, attempts: int, error: str | None) -> None:
        with closing(self._connect()) as con:
            con.execute(
                "update alert_deliveries set status = ?, attempts = ?, last_error = ?, finished_at = ? "
                "where run_id = ? and event = ? and channel = ?",
                [status, attempts, error, _now(), alert.run_id, alert.event, channel],
            )

    def deliveries(self, run_id: str | None = None) -> list[Delivery]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            rows = con.execute(
                "select run_id, event, channel, status, attempts, last_error from alert_deliveries "
                + ("where run_id = ? " if run_id else "")
                + "order by claimed_at, event, channel",
                [run_id] if run_id else [],
            ).fetchall()
        return [Delivery(*row) for row in rows]


def deliver(
    alert: Alert,
    channel: ChannelSettings,
    settings: AlertSettings,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, int, str | None]:
    """Send with retries: up to settings.attempts tries, waiting backoff, 2×backoff, ... between them; a
    non-retryable answer (bad token, bad signature) stops at once. Returns (status, attempts, redacted last error)."""
    send = SENDERS[channel.kind]
    error: str | None = None
    for attempt in range(1, settings.attempts + 1):
        try:
            send(channel, alert, settings.timeout_seconds)
        except DeliveryError as exc:
            error = redact(str(exc), channel)
            retry = exc.retryable and attempt < settings.attempts
            logger.warning(
                "alert %s of run %s to %s: attempt %d of %d failed (%s)%s",
                alert.event,
                alert.run_id,
                describe_destination(channel),
                attempt,
                settings.attempts,
                error,
                ", retrying" if retry else "",
            )
            if not retry:
                return "failed", attempt, error
            sleep(settings.backoff_seconds * 2 ** (attempt - 1))
        except Exception as exc:  # an adapter bug must not escape either
            error = redact(f"{type(exc).__name__}: {exc}", channel)
            logger.warning("alert %s to %s failed: %s", alert.event, describe_destination(channel), error)
            return "failed", attempt, error
        else:
            logger.info(
                "alert %s of run %s sent to %s (attempt %d)",
                alert.event,
                alert.run_id,
                describe_destination(channel),
                attempt,
            )
            return "sent", attempt, None
    return "failed", settings.attempts, error


def send_alerts(alerts: list[Alert], settings: AlertSettings, log: DeliveryLog) -> list[Delivery]:
    """Each alert to each channel, the channels in parallel (a slow one does not hold up the others)."""
    jobs = [(alert, channel) for alert in alerts for channel in settings.channels if log.claim(alert, channel.kind)]
    skipped = len(alerts) * len(settings.channels) - len(jobs)
    if skipped:
        logger.info("%d alert deliveries were already sent (or are being sent) for this run: not sent again", skipped)

    def run(job: tuple[Alert, ChannelSettings]) -> Delivery:
        alert, channel = job
        status, attempts, error = deliver(alert, channel, settings)
        log.finish(alert, channel.kind, status, attempts, error)
        return Delivery(alert.run_id, alert.event, channel.kind, status, attempts, error)

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(jobs)), thread_name_prefix="alert") as pool:
        return list(pool.map(run, jobs))


def notify_run(
    instance: dg.DagsterInstance,
    run_id: str,
    warehouse_path: Path,
    settings: AlertSettings | None = None,
) -> list[Delivery]:
    """Compose and send the alerts of a finished run. Raises only WarehouseBusy (the caller may try again later);
    with no channel configured it reads nothing and sends nothing."""
    settings = settings or AlertSettings.from_env()
    if not settings.enabled:
        return []
    alerts = run_alerts(instance, run_id, warehouse_path, settings)
    if not alerts:
        return []
    return send_alerts(alerts, settings, DeliveryLog(delivery_log_path(instance)))


def notify_run_safely(instance: dg.DagsterInstance, run_id: str, warehouse_path: Path) -> list[Delivery]:
    """notify_run for `make run`: a problem with the alerts is logged, never raised (the pipeline's outcome stands)."""
    try:
        return notify_run(instance, run_id, warehouse_path)
    except WarehouseBusy as exc:
        logger.warning("alerts of run %s not sent: %s", run_id, exc)
    except Exception as exc:  # a misconfiguration or a bug in the alerts never fails the pipeline
        logger.warning("alerts of run %s not sent: %s: %s", run_id, type(exc).__name__, exc)
    return []
