"""`make serve` runs by itself: the daemon and the webserver (deploy/serve.sh, what `make serve` and the systemd unit
start) on a fresh DAGSTER_HOME with the committed dagster.yaml; a sensor tick launches the pipeline through the run
queue, the run succeeds, the alert sensor delivers its daily digest, and after a restart the run history is still
there and nothing is sent again.

Bounded in time: each wait has a deadline, and the deployment's process group is stopped with SIGTERM, then SIGKILL
(dagster processes do not always exit on SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from orchestration.settings import PROJECT_ROOT
from tests.support.alert_receivers import serve_receivers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

PIPELINE_JOB = "tmall_daily_pipeline"
RUN_DEADLINE_SECONDS = 1200
"""A sensor-launched pipeline run on the small data set takes a few minutes; on a busy 2-core machine more."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def deployment(env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen]:
    """deploy/serve.sh in its own process group, stopped (TERM, then KILL) whatever happens."""
    logs.parent.mkdir(parents=True, exist_ok=True)
    with logs.open("ab") as out:
        process = subprocess.Popen(
            ["bash", str(PROJECT_ROOT / "deploy" / "serve.sh")],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    try:  # the script's children (daemon, webserver, run workers) too, if any is left
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def wait_for_webserver(port: int, process: subprocess.Popen, logs: Path, deadline_seconds: float = 300) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve.sh exited with {process.returncode}:\n{logs.read_text()[-4000:]}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise AssertionError(f"the webserver did not answer within {deadline_seconds}s:\n{logs.read_text()[-4000:]}")


def graphql_runs(port: int) -> list[dict]:
    query = "{ runsOrError { ... on Runs { results { runId jobName status tags { key value } } } } }"
    answer = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30)
    answer.raise_for_status()
    return answer.json()["data"]["runsOrError"]["results"]


def wait_for_finished_pipeline_run(instance, process: subprocess.Popen, logs: Path):  # type: ignore[no-untyped-def]
    import dagster as dg

    deadline = time.monotonic() + RUN_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve.sh exited with {process.returncode}:\n{logs.read_text()[-4000:]}"
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=PIPELINE_JOB))
        if runs and runs[0].is_finished:
            return runs[0]
        time.sleep(5)
    raise AssertionError(f"no finished pipeline run within {RUN_DEADLINE_SECONDS}s:\n{logs.read_text()[-4000:]}")


def test_the_deployment_runs_a_sensor_launched_pipeline_to_success_and_keeps_history_across_a_restart(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from tests.support.reports_project import stage_reports_project

    ensure_node_modules(PROJECT_ROOT / "reports")
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # deploy/dagster.yaml reads it (storage: base_dir)
    generate(tmp_path / "landing", DemoConfig(orders=400, days=60, skus=60))
    port = free_port()
    logs = tmp_path / "serve.log"

    with serve_receivers() as receivers:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ALERT_")},
            "DAGSTER_HOME": str(home),
            "DAGSTER_PORT": str(port),
            "LANDING_DIR": str(tmp_path / "landing"),
            "WAREHOUSE_PATH": str(tmp_path / "warehouse" / "analytics.duckdb"),
            "REPORTS_DIR": str(stage_reports_project(tmp_path / "reports")),
            "QUALITY_DOCS_DIR": str(tmp_path / "quality_docs"),
            "ALERT_WEBHOOK_URL": f"{receivers.base}/webhook",
            "ALERT_EVENTS": "run_failure,gate_blocked,daily_digest",
            "PIPELINE_LOG_LEVEL": "WARNING",
        }
        # the landing sensor is off by default (docs/architecture.md): switch it on, as an operator would in the UI
        home.mkdir()
        (home / "dagster.yaml").write_text((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())
        started = subprocess.run(
            [
                str(PROJECT_ROOT / ".venv" / "bin" / "dagster"),
                "sensor",
                "start",
                "landing_folder_sensor",
                "-m",
                "orchestration.definitions",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert started.returncode == 0, started.stderr[-3000:]

        with deployment(env, logs) as process:
            wait_for_webserver(port, process, logs)
            with dg.DagsterInstance.from_config(str(home)) as instance:
                run = wait_for_finished_pipeline_run(instance, process, logs)
                assert run.status == dg.DagsterRunStatus.SUCCESS, logs.read_text()[-4000:]
                assert run.tags.get("dagster/sensor_name") == "landing_folder_sensor"
                queued = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED)
                assert queued, "the run went through the run queue (dagster.yaml run_queue)"
                assert instance.run_retries_enabled
            digests = receivers.wait_for(1, "webhook", timeout=180)
            assert [r.payload["event"] for r in digests] == ["daily_digest"], logs.read_text()[-4000:]
            assert digests[0].payload["run_id"] == run.run_id
            assert "每日经营简报" in digests[0].payload["title"]

        assert (home / "dagster.yaml").read_text() == (PROJECT_ROOT / "deploy" / "dagster.yaml").read_text()

        # a restart: the same history, served by the new webserver; the alert is not sent again
        with deployment(env, logs) as process:
            wait_for_webserver(port, process, logs)
            runs = {r["runId"]: r for r in graphql_runs(port)}
            assert runs[run.run_id]["status"] == "SUCCESS" and runs[run.run_id]["jobName"] == PIPELINE_JOB
            time.sleep(40)  # one alert-sensor tick (every 30 s) after the restart
            assert process.poll() is None, logs.read_text()[-4000:]
        assert len(receivers.accepted("webhook")) == 1, [json.dumps(r.payload)[:200] for r in receivers.received]
