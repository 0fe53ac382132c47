"""The report built by the pipeline run, opened in headless Chromium, shows the metric layer's numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support.browser import chromium, screenshot, serve_directory, watch
from tests.support.report_page import KPI_TITLES, format_value, visible_kpi_cards

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_built_report_shows_the_metric_tables_numbers(demo_run, artifacts_dir: Path) -> None:
    assert demo_run.outcome.success, "\n".join(demo_run.outcome.failures)
    with duckdb.connect(str(demo_run.settings.warehouse_path), read_only=True) as con:
        names = ", ".join(KPI_TITLES.values())
        row = con.execute(f"select {names} from metrics.kpi_periods where period_key = 'last_30d'").fetchone()
    expected = {
        title: format_value(metric, Decimal(str(value)))
        for (title, metric), value in zip(KPI_TITLES.items(), row, strict=True)
    }

    with serve_directory(demo_run.settings.reports_dir / "build") as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        problems = watch(page)
        page.goto(server.url, wait_until="networkidle")
        page.locator("text=净销售额").first.wait_for(state="visible", timeout=30_000)
        page.wait_for_timeout(1500)
        screenshot(page, artifacts_dir / "e2e-report-overview.png")
        shown = {title: card["value"] for title, card in visible_kpi_cards(page).items()}
        body = page.inner_text("body")

    assert problems.errors() == []
    assert "Dataset is empty" not in body
    assert shown == expected
