"""Report tests: a report database with known values (report_fixture.py), one Evidence build per session
(in a private copy of the project, so `reports/build` is never touched), and the built site served on localhost."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # for `tests.support`, whichever way pytest was started
    sys.path.insert(0, str(REPO_ROOT))

from orchestration.reports.evidence import ReportBuild, build_report, ensure_node_modules  # noqa: E402
from tests.report.report_fixture import ReportFixture, write_report_database  # noqa: E402
from tests.support.browser import StaticServer, serve_directory  # noqa: E402
from tests.support.reports_project import stage_reports_project  # noqa: E402

REPORTS_DIR = REPO_ROOT / "reports"


@pytest.fixture(scope="session")
def report_fixture(tmp_path_factory: pytest.TempPathFactory) -> ReportFixture:
    return write_report_database(tmp_path_factory.mktemp("report_db") / "report.duckdb")


@pytest.fixture(scope="session")
def report_build(tmp_path_factory: pytest.TempPathFactory, report_fixture: ReportFixture) -> ReportBuild:
    """`evidence sources` + `evidence build` once per session, on the fixture database, in a private copy."""
    ensure_node_modules(REPORTS_DIR)
    project = stage_reports_project(tmp_path_factory.mktemp("evidence") / "reports")
    result = build_report(project, database=report_fixture.database, install=False)
    # Evidence's working copy (~180 MB), not needed now; it is in the build workspace (publish_site)
    shutil.rmtree(project / ".build-workspace" / ".evidence", ignore_errors=True)
    return result


@pytest.fixture(scope="session")
def served_report(report_build: ReportBuild) -> Iterator[StaticServer]:
    with serve_directory(report_build.build_dir) as server:
        yield server
