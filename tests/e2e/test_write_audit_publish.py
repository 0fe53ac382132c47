"""Write–audit–publish (docs/publishing.md): a run builds in a copy of the warehouse and publishes it in one step
only when every gate passed; a second run on the same warehouse is refused; the report is switched in one step.

One published warehouse (a copy of the session's `demo_run`: no extra pipeline run to set it up) goes through, in
order: a run that fails a dbt test, a run killed with `kill -9` in the middle of dbt while a second run is started
beside it, and a run that succeeds with the corrected export while a server of the report is polled.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration import publish
from orchestration.settings import PROJECT_ROOT, Settings
from tests.e2e.conftest import PipelineRun, pipeline_environment, small_settings
from tests.e2e.test_idempotent_loads import mart_differences
from tests.e2e.test_incremental_facts import dbt_build

pytestmark = pytest.mark.e2e

BUILT_SCHEMAS = ("seeds", "staging", "intermediate", "marts", "metrics")
NEW_ORDER_IDS = [f"{9980000000000000001 + n}" for n in range(3)]
"""Orders whose item lines arrive before the orders (the failing run) and the orders after (the corrected run)."""
KILLED_RUN_IDS = [f"{9970000000000000001 + n}" for n in range(3)]
"""Good new orders delivered to the run that is killed in the middle of dbt."""


def built_state(warehouse: Path) -> dict[str, str]:
    """A digest of every table the build writes (all rows, in order) and of every view's definition."""
    schemas = ", ".join(f"'{s}'" for s in BUILT_SCHEMAS)
    state: dict[str, str] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            f"select schema_name, table_name from duckdb_tables() where schema_name in ({schemas}) order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}" order by all').fetchall()
            state[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
        for schema, view, sql in con.execute(
            f"select schema_name, view_name, sql from duckdb_views() where schema_name in ({schemas}) order by 1, 2"
        ).fetchall():
            state[f"{schema}.{view} (view)"] = hashlib.sha256(sql.encode()).hexdigest()
    assert len(state) > 50, state
    return state


def files_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rewrite_export(template_dir: Path, pattern: str, target: Path, ids: list[str], *, keep_lines: int) -> Path:
    """The first `keep_lines` data lines of the first export matching `pattern`, with 订单编号 set to `ids` (one per
    line, cycled): a re-delivery in the real format (GB18030, CRLF, `="…"` ids)."""
    source = sorted(template_dir.rglob(pattern))[0]
    header, *lines = [line for line in source.read_bytes().decode("gb18030").split("\r\n") if line]
    column = [name.strip() for name in header.split(",")].index("订单编号")
    rows = [line.split(",") for line in lines[:keep_lines]]
    for number, row in enumerate(rows):
        row[column] = f'="{ids[number % len(ids)]}"'
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(("\r\n".join([header, *(",".join(r) for r in rows)]) + "\r\n").encode("gb18030"))
    return target


@dataclass
class Published:
    settings: Settings
    root: Path
    template_landing: Path
    baseline: dict[str, str]
    report_database: str = ""
    report_site: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def published(demo_run: PipelineRun, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A published warehouse and report: copies of `demo_run`'s, with a fresh Dagster instance and landing folder."""
    from tests.support.reports_project import stage_reports_project

    assert demo_run.outcome.success, demo_run.outcome.failures
    root = tmp_path_factory.mktemp("write_audit_publish")
    settings = small_settings(root, stage_reports_project(root / "reports"))
    settings.warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(demo_run.settings.warehouse_path, settings.warehouse_path)
    shutil.copytree(demo_run.settings.reports_dir / "build", settings.reports_dir / "build")
    shutil.copyfile(demo_run.settings.report_database, settings.report_database)
    settings.landing_dir.mkdir()
    return Published(
        settings=settings,
        root=root,
        template_landing=demo_run.settings.landing_dir,
        baseline=built_state(settings.warehouse_path),
        report_database=hashlib.sha256(settings.report_database.read_bytes()).hexdigest(),
        report_site=files_digest(settings.reports_dir / "build"),
    )


@dataclass
class FailedRun:
    outcome: object
    state: dict[str, str]


@pytest.fixture(scope="module")
def failed_run(published: Published) -> FailedRun:
    """Item lines of three orders that are in no order export: the raw gate only warns, dbt's relationships test
    on fct_order_lines fails."""
    from orchestration.run import run_pipeline

    settings = published.settings
    rewrite_export(
        published.template_landing / "tmall",
        "ExportOrderDetailList*.csv",
        settings.landing_dir / "early" / "ExportOrderDetailList202601020800.csv",
        NEW_ORDER_IDS,
        keep_lines=3,
    )
    with pipeline_environment(published.root):
        outcome = run_pipeline(settings)
    return FailedRun(outcome=outcome, state=built_state(settings.warehouse_path))


def test_a_run_that_fails_a_dbt_test_leaves_every_published_table_as_it_was(
    published: Published, failed_run: FailedRun
) -> None:
    assert not failed_run.outcome.success
    assert any("fct_order_lines" in failure for failure in failed_run.outcome.failures), failed_run.outcome.failures
    changed = sorted(name for name in published.baseline if failed_run.state.get(name) != published.baseline[name])
    assert changed == [] and failed_run.state.keys() == published.baseline.keys()
    assert hashlib.sha256(published.settings.report_database.read_bytes()).hexdigest() == published.report_database
    assert files_digest(published.settings.reports_dir / "build") == published.report_site
    assert not publish.build_dir(published.settings.warehouse_path).exists(), "the unpublished build is discarded"


def test_what_a_failed_run_ingested_and_checked_stays_recorded(published: Published, failed_run: FailedRun) -> None:
    with duckdb.connect(str(published.settings.warehouse_path), read_only=True) as con:
        loaded = con.execute(
            "select rows_loaded from raw.ingest_log where source_file like '%ExportOrderDetailList202601020800.csv'"
        ).fetchall()
        results = con.execute(
            "select count(*) from quality.check_results where run_id = ?", [failed_run.outcome.run_id]
        ).fetchone()[0]
    assert loaded == [(3,)]
    assert results > 0, "the raw gates' results of the failed run are in the published warehouse"


@dataclass
class KilledRun:
    second: subprocess.CompletedProcess[str]
    second_seconds: float
    first_returncode: int
    state: dict[str, str]
    leftover: bool


def run_environment(settings: Settings, root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WAREHOUSE_PATH": str(settings.warehouse_path),
        "LANDING_DIR": str(settings.landing_dir),
        "REPORTS_DIR": str(settings.reports_dir),
        "QUALITY_DOCS_DIR": str(settings.quality_docs_dir),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def dbt_has_built_fct_orders(settings: Settings, since: float) -> bool:
    """dbt's log of this run (in the warehouse's target path, or dagster-dbt's default one) shows fct_orders built
    (the new orders are in it, wherever it was built), with models and tests still to come."""
    logs = [*settings.dbt_target_path.glob("dbt_models-*/dbt.log"), *(PROJECT_ROOT / "target").glob("*/dbt.log")]
    for log in logs:
        if log.stat().st_mtime >= since and MARKER in log.read_text(errors="replace"):
            return True
    return False


MARKER = "OK created sql incremental model marts.fct_orders "


@pytest.fixture(scope="module")
def killed_run(published: Published, failed_run: FailedRun) -> KilledRun:
    """`python -m orchestration.run` on new good orders, a second one started while it runs, then the first killed
    with SIGKILL (its process group: dbt too) once dbt has built fct_orders."""
    settings = published.settings
    rewrite_export(
        published.template_landing / "tmall",
        "ExportOrderList*.csv",
        settings.landing_dir / "killed" / "ExportOrderList202601030800.csv",
        KILLED_RUN_IDS,
        keep_lines=3,
    )
    env = run_environment(settings, published.root)
    command = [sys.executable, "-m", "orchestration.run", "--demo-data", "never"]
    started = time.time()
    log = (published.root / "killed_run.log").open("w")
    first = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        lock = publish.lock_file(settings.warehouse_path)
        wait_for(lambda: lock.exists() and lock.read_text().strip() != "", 120, "the first run to hold the lock")
        second_started = time.monotonic()
        second = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
        second_seconds = time.monotonic() - second_started
        assert first.poll() is None, "the first run was still running while the second was refused"
        wait_for(lambda: dbt_has_built_fct_orders(settings, started), 600, "dbt to build fct_orders in the first run")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=60)
        log.close()
    return KilledRun(
        second=second,
        second_seconds=second_seconds,
        first_returncode=first.returncode,
        state=built_state(settings.warehouse_path),
        leftover=publish.build_dir(settings.warehouse_path).exists(),
    )


def test_a_second_run_on_the_same_warehouse_is_refused_at_once(killed_run: KilledRun) -> None:
    assert killed_run.second.returncode == 2, killed_run.second.stderr[-3000:]
    assert "REFUSED" in killed_run.second.stderr and "is in use by another run" in killed_run.second.stderr
    assert "python -m orchestration.run, pid" in killed_run.second.stderr, "it names the run that holds the lock"
    assert killed_run.second_seconds < 120


def test_a_run_killed_in_the_middle_of_dbt_leaves_every_published_table_as_it_was(
    published: Published, killed_run: KilledRun
) -> None:
    assert killed_run.first_returncode == -signal.SIGKILL
    assert killed_run.leftover, "the killed run was building in the build file"
    changed = sorted(name for name in published.baseline if killed_run.state.get(name) != published.baseline[name])
    assert changed == [] and killed_run.state.keys() == published.baseline.keys()


@dataclass
class RecoveredRun:
    outcome: object
    statuses: list[int]


class ReportPoller(threading.Thread):
    """GETs the report's home page and a second page every 0.1 s and keeps the status of each answer (that each
    answer is the old or the new page byte for byte: tests/report/test_report_switch.py)."""

    def __init__(self, base_url: str, paths: list[str]) -> None:
        super().__init__(daemon=True)
        self.base_url, self.paths = base_url, paths
        self.statuses: list[int] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for path in self.paths:
                try:
                    with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
                        response.read()
                        self.statuses.append(response.status)
                except urllib.error.HTTPError as error:
                    self.statuses.append(error.code)
            time.sleep(0.1)


@pytest.fixture(scope="module")
def recovered_run(published: Published, killed_run: KilledRun) -> RecoveredRun:
    """The orders of the early item lines arrive; the next run succeeds, with the report served and polled."""
    from orchestration.reports.evidence import SYSTEM_ROUTES
    from orchestration.reports.serve import serving
    from orchestration.run import run_pipeline

    settings = published.settings
    rewrite_export(
        published.template_landing / "tmall",
        "ExportOrderList*.csv",
        settings.landing_dir / "corrected" / "ExportOrderList202601040800.csv",
        NEW_ORDER_IDS,
        keep_lines=3,
    )
    build = settings.reports_dir / "build"
    second_page = sorted(p.parent.name for p in build.glob("*/index.html") if p.parent.name not in SYSTEM_ROUTES)
    with serving(build) as url:
        poller = ReportPoller(url, ["", f"{second_page[0]}/"])
        poller.start()
        with pipeline_environment(published.root):
            outcome = run_pipeline(settings)
        time.sleep(0.5)
        poller.stopping.set()
        poller.join(timeout=30)
    return RecoveredRun(outcome=outcome, statuses=poller.statuses)


def test_a_good_run_after_a_killed_one_discards_its_leftover_and_publishes(
    published: Published, recovered_run: RecoveredRun
) -> None:
    assert recovered_run.outcome.success, recovered_run.outcome.failures
    assert not publish.build_dir(published.settings.warehouse_path).exists()
    with duckdb.connect(str(published.settings.warehouse_path), read_only=True) as con:
        new_orders = con.execute(
            "select count(*) from marts.fct_orders where order_id in (select unnest(?::varchar[]))",
            [NEW_ORDER_IDS + KILLED_RUN_IDS],
        ).fetchone()[0]
    assert new_orders == 6
    with duckdb.connect(str(published.settings.report_database), read_only=True) as con:
        tables = con.execute("select count(*) from duckdb_tables()").fetchone()[0]
    assert tables > 0
    assert hashlib.sha256(published.settings.report_database.read_bytes()).hexdigest() != published.report_database


def test_the_served_report_never_goes_missing_during_the_run_that_rebuilds_it(recovered_run: RecoveredRun) -> None:
    assert len(recovered_run.statuses) > 50, "the server was polled throughout the run"
    assert set(recovered_run.statuses) == {200}


def test_incremental_facts_built_through_publishes_equal_a_full_refresh(
    published: Published, recovered_run: RecoveredRun, dbt_manifest: Path
) -> None:
    assert recovered_run.outcome.success
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    incremental = sorted(
        f"{n['schema']}.{n['name']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    )
    full = published.root / "full_refresh" / "analytics.duckdb"
    full.parent.mkdir()
    shutil.copyfile(published.settings.warehouse_path, full)
    dbt_build(full, published.root / "target_full", "--full-refresh")  # the incremental models and their parents

    assert mart_differences(published.settings.warehouse_path, full, incremental) == {}
