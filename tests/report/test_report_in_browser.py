"""The built report, opened in headless Chromium from a localhost server, shows the fixture's numbers the way a
Chinese reader expects them, with no errors and no request leaving the machine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.report.report_fixture import ReportFixture
from tests.support.browser import PageProblems, StaticServer, canvas_ink, chromium, screenshot, watch
from tests.support.report_page import (
    EMPTY_STATES,
    ERROR_TEXTS,
    KPI_TITLES,
    REPORT_PAGES,
    format_amount,
    format_count,
    format_metric_change,
    format_value,
    format_wan,
    table_with_headers,
    visible_kpi_cards,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1500)]

TABS = {"last_30d": "近30天", "last_7d": "近7天", "last_1d": "昨日"}


@dataclass
class OpenReport:
    page: object  # playwright Page
    problems: PageProblems
    server: StaticServer


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium for the module: Playwright's sync API cannot run two at once in one thread."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def report(browser, served_report: StaticServer, artifacts_dir: Path) -> Iterator[OpenReport]:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems = watch(page)
    page.goto(served_report.url, wait_until="networkidle")
    page.locator("text=净销售额").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)  # let the chart finish its animation before screenshots
    screenshot(page, artifacts_dir / "report-overview.png")
    yield OpenReport(page=page, problems=problems, server=served_report)


def show_tab(report: OpenReport, period_key: str) -> None:
    report.page.locator("nav").get_by_text(TABS[period_key], exact=True).click()
    report.page.locator("text=统计").first.wait_for(state="visible")
    report.page.wait_for_timeout(300)


def test_page_opens_without_errors_failed_queries_or_requests_leaving_the_machine(report: OpenReport) -> None:
    assert report.problems.errors() == []
    body = report.page.inner_text("body")
    for text in ERROR_TEXTS:
        assert text not in body, f"{text!r} on the page"


def test_page_is_in_chinese_with_its_title_and_data_date(report: OpenReport, report_fixture: ReportFixture) -> None:
    page = report.page
    assert page.title() == "经营概览"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").first.inner_text().strip() == "经营概览"
    assert page.locator("#data-as-of").inner_text().strip() == "2025年3月31日"
    for english in ("Home", "Built with Evidence", "On this page", "Show Queries"):
        assert english not in page.inner_text("body")


@pytest.mark.parametrize("period_key", ["last_30d", "last_7d", "last_1d"])
def test_headline_kpis_show_the_fixture_values_and_change_on_the_previous_period(
    report: OpenReport, report_fixture: ReportFixture, artifacts_dir: Path, period_key: str
) -> None:
    show_tab(report, period_key)
    cards = visible_kpi_cards(report.page)
    assert list(cards) == list(KPI_TITLES)
    for title, metric in KPI_TITLES.items():
        value, previous, _ = report_fixture.comparisons[(period_key, metric)]
        if value is None:  # no ERP costs in the fixture: the margin card is empty, not a made-up zero
            assert cards[title]["value"] in ("-", "–", "—", ""), (title, cards[title])
            continue
        assert cards[title]["value"] == format_value(metric, value), title
        expected_change = format_metric_change(metric, value, previous)
        assert cards[title]["comparison"].startswith(expected_change), (title, cards[title]["comparison"])
        assert cards[title]["comparison"].endswith("较前一日" if period_key == "last_1d" else "较上期")
    screenshot(report.page, artifacts_dir / f"report-kpis-{period_key}.png")
    show_tab(report, "last_30d")


def test_comparison_table_sets_each_metric_against_the_previous_period(
    report: OpenReport, report_fixture: ReportFixture
) -> None:
    table = table_with_headers(report.page, "指标", "本期", "上期", "环比", "去年同期", "同比")
    shown = {row[0]: row for row in table["rows"]}
    net_sales, previous_net_sales, _ = report_fixture.comparisons[("last_30d", "net_sales")]
    assert shown["净销售额"][1:3] == [format_amount(net_sales), format_amount(previous_net_sales)]
    orders, previous_orders, _ = report_fixture.comparisons[("last_30d", "orders")]
    assert shown["订单数"][1:3] == [format_count(orders), format_count(previous_orders)]
    assert shown["订单数"][3].startswith(f"{(orders - previous_orders) / previous_orders * 100:+.1f}%")


def test_shop_table_sums_the_last_30_days_per_shop(report: OpenReport, report_fixture: ReportFixture) -> None:
    rows = table_with_headers(report.page, "店铺", "净销售额")["rows"]
    expected = sorted(report_fixture.shops_last_30d.items(), key=lambda item: item[1]["net_sales"], reverse=True)
    assert [row[0] for row in rows] == [shop for shop, _ in expected]
    for row, (_, metrics) in zip(rows, expected, strict=True):
        assert row[1:] == [
            format_wan(metrics["net_sales"]),
            format_wan(metrics["paid_gmv"]),
            format_count(metrics["orders"]),
            format_count(metrics["paid_orders"]),
            format_wan(metrics["refund_amount"]),
            format_count(metrics["refunded_orders"]),
        ]


def test_trend_chart_is_drawn(report: OpenReport) -> None:
    page = report.page
    chart = page.locator(".chart-container").first
    chart.scroll_into_view_if_needed()
    assert chart.locator("canvas").count() >= 1
    assert max(canvas_ink(page, ".chart-container canvas")) > 2000, "the trend chart is empty"


def test_built_site_routes_and_query_files_are_served(report: OpenReport) -> None:
    page = report.page
    for route in ("", "index.html", "?tab=x"):
        response = page.request.get(report.server.page_url(route))
        assert response.status == 200, route
    manifest = page.request.get(report.server.page_url("data/manifest.json")).json()
    assert set(manifest["renderedFiles"]) == {"warehouse"}
    queries = page.request.get(
        report.server.page_url("api/6666cd76f96956469e7be39d750cc7d9/d41d8cd98f00b204e9800998ecf8427e/all-queries.json")
    ).json()
    for query_hash in set(queries.values()):
        response = page.request.get(report.server.page_url(f"api/prerendered_queries/{query_hash}.arrow"))
        assert response.status == 200
        assert len(response.body()) > 0


@pytest.mark.parametrize("route", list(REPORT_PAGES))
def test_every_page_opens_without_errors_and_shows_an_empty_state_where_data_is_absent(
    browser, served_report: StaticServer, artifacts_dir: Path, route: str
) -> None:
    """The fixture is a shop with only Tmall order reports: pages without their data say so, in Chinese."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems = watch(page)
    page.goto(served_report.page_url(route), wait_until="networkidle")
    page.locator("h1").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(500)
    name = route.strip("/") or "overview"
    screenshot(page, artifacts_dir / f"report-empty-{name}.png")
    body = page.inner_text("article")
    assert page.title() == REPORT_PAGES[route]
    assert problems.errors() == []
    for text in ERROR_TEXTS:
        assert text not in body, f"{text!r} on {route}"
    if route in EMPTY_STATES:
        assert page.locator(f"#{EMPTY_STATES[route]}").is_visible(), f"{route} shows no empty-state message"


def test_without_product_sales_the_only_product_page_says_there_is_no_data(
    browser, served_report: StaticServer
) -> None:
    page = browser.new_page(locale="zh-CN")
    problems = watch(page)
    page.goto(served_report.page_url("/products/none"), wait_until="networkidle")
    page.locator("#empty-product").wait_for(state="visible", timeout=30_000)
    assert problems.errors() == []
    assert page.locator("a.sku-link").count() == 0
