"""The committed deployment files are what the docs say: the instance settings (storage in DAGSTER_HOME, a run queue
of one, run retries, the API job's retry tag) and a systemd unit that starts deploy/serve.sh and restarts it."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest
import yaml

from orchestration.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_the_instance_settings_keep_history_in_dagster_home_queue_one_run_and_retry() -> None:
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["storage"] == {"sqlite": {"base_dir": {"env": "DAGSTER_HOME"}}}
    assert config["run_queue"]["max_concurrent_runs"] == 1
    assert config["run_retries"]["enabled"] is True and config["run_retries"]["max_retries"] == 0
    assert config["telemetry"] == {"enabled": False}


def test_the_api_job_asks_for_run_retries_and_the_pipeline_job_does_not(dbt_manifest) -> None:
    from orchestration.alerts import events
    from orchestration.definitions import PIPELINE_JOB_NAME, build_definitions
    from orchestration.ingest.api.schedules import API_JOB_NAME

    assert events.PIPELINE_JOB_NAME == PIPELINE_JOB_NAME, "the alerts know which job rebuilds the marts"
    definitions = build_definitions()
    assert definitions.resolve_job_def(API_JOB_NAME).tags.get("dagster/max_retries") == "2"
    assert "dagster/max_retries" not in definitions.resolve_job_def(PIPELINE_JOB_NAME).tags
    sensors = {sensor.name for sensor in definitions.sensors}
    assert {"pipeline_alerts", "landing_folder_sensor", "pipeline_after_api_ingest"} <= sensors


def test_the_systemd_unit_runs_serve_sh_and_restarts_on_failure() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "systemd" / "tmall-analytics.service")
    assert unit["Service"]["ExecStart"].endswith("/deploy/serve.sh")
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["EnvironmentFile"] == "/etc/tmall-analytics.env"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit_file() -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(DEPLOY / "systemd" / "tmall-analytics.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # systemd-analyze complains about what this machine lacks (the user, the checkout), not about the syntax
    syntax = [line for line in result.stderr.splitlines() if "Unknown" in line or "Invalid" in line or "bad" in line]
    assert syntax == [], result.stderr
