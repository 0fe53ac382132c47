"""The published report switches to a new build in one step (orchestration/reports/evidence.py, `publish_site`): a
server of `reports/build` polled during a whole build answers every request with the old page or the new one, byte for
byte, never a 404 or a half-written page (before: `build` was renamed away for the whole build)."""

from __future__ import annotations

import hashlib
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.reports.evidence import build_report, ensure_node_modules
from orchestration.reports.serve import serving
from tests.report.conftest import REPORTS_DIR
from tests.report.report_fixture import ReportFixture
from tests.support.reports_project import stage_reports_project

PAGES = {"": "index.html", "sales/": "sales/index.html"}
"""URL path -> file of the site, for the pages the poller asks for."""


class Poller(threading.Thread):
    """GETs each page every 0.05 s and keeps (path, status, sha256 of the body) of every answer."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.answers: list[tuple[str, int, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for path in PAGES:
                try:
                    with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
                        body = response.read()
                        self.answers.append((path, response.status, hashlib.sha256(body).hexdigest()))
                except urllib.error.HTTPError as error:
                    self.answers.append((path, error.code, ""))
            time.sleep(0.05)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.timeout(1500)
def test_a_server_polled_during_a_build_always_gets_the_old_or_the_new_page_whole(
    tmp_path: Path, report_fixture: ReportFixture
) -> None:
    ensure_node_modules(REPORTS_DIR)
    project = stage_reports_project(tmp_path / "reports")
    build = project / "build"
    # the report published before: a plain folder, as builds before this change left it
    (build / "sales").mkdir(parents=True)
    (build / "index.html").write_text("<html><body>旧的经营概览</body></html>", encoding="utf-8")
    (build / "sales" / "index.html").write_text("<html><body>旧的销售分析</body></html>", encoding="utf-8")
    old = {path: digest(build / name) for path, name in PAGES.items()}

    with serving(build) as url:
        poller = Poller(url)
        poller.start()
        result = build_report(project, database=report_fixture.database, install=False)
        time.sleep(0.5)
        poller.stopping.set()
        poller.join(timeout=30)

    new = {path: digest(build / name) for path, name in PAGES.items()}
    assert new != old
    assert len(poller.answers) > 100, "the server was polled throughout the build"
    wrong = [(path, status) for path, status, body in poller.answers if body not in {old[path], new[path]}]
    assert wrong == [], "every answer is 200 with the old or the new page, byte for byte"
    assert {status for _, status, _ in poller.answers} == {200}
    assert {body for path, _, body in poller.answers[-2:]} == set(new.values()), "the new report is served at the end"
    assert build.is_symlink() and result.build_dir == build
    assert [p.name for p in project.iterdir() if p.name.startswith(".build-")] == [".build-workspace"]
