"""The Evidence report builds on a machine without internet, quickly, with every query result prerendered."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.ipc
import pytest

from orchestration.reports.evidence import (
    EvidenceBuildError,
    ReportBuild,
    _run_step,
    build_report,
    evidence_environment,
    offline_client_installed,
)
from tests.report.report_fixture import ReportFixture

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
CLIENT_DIR = REPORTS_DIR / "node_modules/@evidence-dev/universal-sql/src/client-duckdb"

PAGE_QUERIES = (
    "report_meta",
    "kpi_cards",
    "kpi_last_30d",
    "kpi_last_7d",
    "kpi_last_1d",
    "comparisons",
    "comparisons_last_30d",
    "comparisons_last_7d",
    "comparisons_last_1d",
    "anomalies",
    "daily_trend",
    "shops_last_30d",
)
REPORT_PAGE_COUNT = 10
"""The nine pages, and, as the fixture has no product sales, the one product page that says so (/products/none)."""


def prerendered_queries(build_dir: Path, route: str = "/") -> dict[str, str]:
    """query name -> result hash, as the page's +layout.js reads them in the browser."""
    route_hash = hashlib.md5(route.encode()).hexdigest()
    params_hash = hashlib.md5(b"").hexdigest()
    return json.loads((build_dir / "api" / route_hash / params_hash / "all-queries.json").read_text())


def read_prerendered(build_dir: Path, query_hash: str) -> pyarrow.Table:
    data = (build_dir / "api" / "prerendered_queries" / f"{query_hash}.arrow").read_bytes()
    return pyarrow.ipc.open_stream(data).read_all()


def test_npm_install_puts_the_offline_duckdb_client_into_node_modules() -> None:
    assert offline_client_installed(REPORTS_DIR)
    assert (CLIENT_DIR / "node.original.js").is_file(), "the original duckdb-wasm client is kept for comparison"


@pytest.mark.timeout(300)
def test_offline_client_answers_like_the_original_duckdb_wasm_client() -> None:
    completed = subprocess.run(
        ["node", "scripts/compare-duckdb-clients.mjs"],
        cwd=REPORTS_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:] + completed.stdout[-3000:]
    report = json.loads(completed.stdout)
    assert report["compared"] >= 10
    assert report["differences"] == []
    settings = json.loads(report["offline"]["settings"]["firstRows"][0])
    assert settings == {"old_implicit_casting": True, "ieee_floating_point_ops": False}


@pytest.mark.timeout(1200)
def test_sources_and_build_finish_offline_well_within_their_timeouts(report_build: ReportBuild) -> None:
    assert report_build.step_seconds["sources"] < 120
    assert report_build.step_seconds["build"] < 600
    assert (report_build.build_dir / "index.html").is_file()
    assert report_build.page_count == REPORT_PAGE_COUNT
    assert report_build.size_bytes > 1_000_000


@pytest.mark.timeout(1200)
def test_every_query_of_the_overview_page_is_prerendered(report_build: ReportBuild) -> None:
    queries = prerendered_queries(report_build.build_dir)
    for name in PAGE_QUERIES:
        for part in ("data", "columns", "length"):
            query_hash = queries[f"{name}_{part}"]
            assert (report_build.build_dir / "api" / "prerendered_queries" / f"{query_hash}.arrow").is_file()


@pytest.mark.timeout(1200)
def test_prerendered_results_carry_the_fixture_values_with_evidence_types(
    report_build: ReportBuild, report_fixture: ReportFixture
) -> None:
    table = read_prerendered(report_build.build_dir, prerendered_queries(report_build.build_dir)["kpi_last_30d_data"])
    assert table.num_rows == 1
    types = {field.name: str(field.type) for field in table.schema}
    assert types["period_key"] == "string"
    assert types["net_sales"] == "double"
    assert types["start_date"] == "date64[ms]"  # timestamps arrive as Date64, as castTimestampToDate does
    row = table.to_pylist()[0]
    expected = report_fixture.periods["last_30d"]
    assert row["period_key"] == "last_30d"
    assert Decimal(str(row["net_sales"])) == expected["net_sales"]
    assert row["orders"] == expected["orders"]
    assert row["start_date"] == expected["start_date"]
    shops = read_prerendered(report_build.build_dir, prerendered_queries(report_build.build_dir)["shops_last_30d_data"])
    # sum(BIGINT) arrives as a double, as duckdb-wasm's castBigIntToDouble does
    assert {field.name: str(field.type) for field in shops.schema}["orders"] == "double"


@pytest.mark.timeout(1200)
def test_built_page_states_how_fresh_the_data_is_without_javascript(report_build: ReportBuild) -> None:
    html = (report_build.build_dir / "index.html").read_text(encoding="utf-8")
    assert "经营概览" in html
    assert "数据截至" in html and "2025年3月31日" in html


def test_another_report_database_is_passed_to_evidence_as_a_relative_path(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere" / "report.duckdb"
    env = evidence_environment(REPORTS_DIR, database)
    relative = env["EVIDENCE_SOURCE__warehouse__filename"]
    assert not os.path.isabs(relative)
    assert (REPORTS_DIR / "sources" / "warehouse" / relative).resolve() == database.resolve()
    assert env["SEND_ANONYMOUS_USAGE_STATS"] == "no"


def test_a_missing_report_database_fails_the_sources_step_by_name(tmp_path: Path) -> None:
    with pytest.raises(EvidenceBuildError) as failure:
        build_report(REPORTS_DIR, database=tmp_path / "missing.duckdb", install=False)
    assert failure.value.step == "sources"
    assert "missing.duckdb" in str(failure.value)


def test_a_step_that_runs_too_long_is_killed_and_named(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(60)"]
    with pytest.raises(EvidenceBuildError) as failure:
        _run_step("build", command, cwd=tmp_path, env=os.environ, timeout=2)
    assert failure.value.step == "build"
    assert failure.value.timed_out
    assert "started" in failure.value.stdout


def test_a_failing_step_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('bad sql', file=sys.stderr); sys.exit(3)"]
    with pytest.raises(EvidenceBuildError) as failure:
        _run_step("sources", command, cwd=tmp_path, env=os.environ, timeout=30)
    assert failure.value.returncode == 3
    assert "bad sql" in failure.value.output_tail()
    assert "'sources'" in str(failure.value)
