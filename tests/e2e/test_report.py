"""The report built by the pipeline run, every page opened in headless Chromium: no errors, and each page's key
numbers equal the metric layer's tables (and, for lists, the marts) in the warehouse the run wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.export import PERSONAL_COLUMNS
from orchestration.reports.page_aggregates import PAY_TO_SHIP_HOUR_BINS_MOST, RECONCILIATION_LIST_LENGTH
from orchestration.settings import PROJECT_ROOT
from tests.report.report_fixture import EMPTY_TABLES
from tests.support.browser import chromium, screenshot, serve_directory, watch
from tests.support.report_page import (
    ERROR_TEXTS,
    KPI_TITLES,
    REPORT_PAGES,
    format_count,
    format_metric_change,
    format_percent,
    format_price,
    format_value,
    format_wan,
    visible_kpi_cards,
    visible_tables,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TOP_SKU_PAGES = 20


@dataclass
class ShownPage:
    route: str
    title: str
    body: str
    errors: list[str]
    cards: dict[str, dict[str, str]]
    tables: list[dict[str, list]]
    sku_links: list[str] = field(default_factory=list)

    def table(self, *headers: str) -> list[list[str]]:
        for table in self.tables:
            if table["headers"][: len(headers)] == list(headers):
                return table["rows"]
        raise AssertionError(f"{self.route}: no table with headers {headers}: {[t['headers'] for t in self.tables]}")


def open_page(browser, url: str, route: str, shot: Path) -> ShownPage:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems = watch(page)
    page.goto(url, wait_until="networkidle")
    page.locator("h1").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)  # let charts finish their animation before the screenshot
    screenshot(page, shot)
    shown = ShownPage(
        route=route,
        title=page.title(),
        body=page.inner_text("article"),
        errors=problems.errors(),
        cards={title: card for title, card in visible_kpi_cards(page).items()},
        tables=visible_tables(page),
        sku_links=page.eval_on_selector_all("a.sku-link", "(links) => links.map((a) => a.getAttribute('href'))"),
    )
    page.close()
    return shown


@pytest.fixture(scope="module")
def report_pages(demo_run, artifacts_dir: Path) -> Iterator[dict[str, ShownPage]]:
    """Every page of the built report (and the drill-down page of each top SKU), opened once."""
    assert demo_run.outcome.success, "\n".join(demo_run.outcome.failures)
    pages: dict[str, ShownPage] = {}
    with serve_directory(demo_run.settings.reports_dir / "build") as server, chromium() as browser:
        for route in REPORT_PAGES:
            name = route.strip("/") or "overview"
            pages[route] = open_page(browser, server.page_url(route), route, artifacts_dir / f"e2e-report-{name}.png")
        for href in pages["/products"].sku_links:
            name = "product-" + href.rstrip("/").rsplit("/", 1)[-1]
            pages[href] = open_page(browser, server.page_url(href), href, artifacts_dir / f"e2e-report-{name}.png")
    yield pages


@pytest.fixture(scope="module")
def warehouse(demo_run) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(demo_run.settings.warehouse_path), read_only=True) as con:
        yield con


def one(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, object]:
    cursor = con.execute(sql)
    row = cursor.fetchone()
    assert row is not None, sql
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def month_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def test_every_page_opens_without_errors_or_failed_queries(report_pages: dict[str, ShownPage]) -> None:
    assert len(report_pages) == len(REPORT_PAGES) + TOP_SKU_PAGES
    problems = {}
    for route, shown in report_pages.items():
        found = shown.errors + [f"{text!r} on the page" for text in ERROR_TEXTS if text in shown.body]
        if route in REPORT_PAGES and shown.title != REPORT_PAGES[route]:
            found.append(f"title {shown.title!r}")
        if not shown.cards and route != "/glossary":
            found.append("no key numbers")
        if found:
            problems[route] = found
    assert problems == {}


def test_overview_shows_the_period_comparisons_of_the_metric_layer(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    cards = report_pages["/"].cards
    rows = warehouse.execute(
        "select metric_name, value, previous_value from metrics.kpi_period_comparisons where period_key = 'last_30d'"
    ).fetchall()
    values = {name: (value, previous) for name, value, previous in rows}
    for title, metric in KPI_TITLES.items():
        value, previous = values[metric]
        assert cards[title]["value"] == format_value(metric, value), title
        assert cards[title]["comparison"].startswith(format_metric_change(metric, value, previous)), title


def test_sales_page_shows_the_monthly_and_province_saved_queries(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    shown = report_pages["/sales"]
    complete = one(
        warehouse,
        "select * from metrics.monthly_sales where metric_month + interval 1 month - interval 1 day <= "
        "(select data_as_of from metrics.report_meta) order by metric_month desc limit 1",
    )
    assert shown.cards["净销售额"]["value"] == format_value("net_sales", complete["net_sales"])
    assert shown.cards["支付订单数"]["value"] == format_count(complete["paid_orders"])
    assert shown.cards["客单价"]["value"] == format_price(complete["average_order_value"])
    assert shown.cards["退款率"]["value"] == format_percent(complete["refund_rate"])
    month = one(warehouse, "select * from metrics.monthly_sales order by metric_month desc limit 1")
    assert shown.table("月份", "支付金额")[0] == [
        month_label(month["metric_month"]),  # type: ignore[arg-type]
        format_wan(month["paid_gmv"]),
        format_wan(month["net_sales"]),
        format_count(month["paid_orders"]),
        format_price(month["average_order_value"]),
        format_percent(month["refund_rate"]),
        format_percent(month["gross_margin_rate"]),
    ]
    province = one(warehouse, "select * from metrics.sales_by_province order by net_sales desc limit 1")
    assert shown.table("排名", "省份")[0][:4] == [
        "1",
        province["receiver_province"],
        format_wan(province["net_sales"]),
        format_wan(province["paid_gmv"]),
    ]
    categories = warehouse.execute("select count(*) from metrics.sales_by_category").fetchone()[0]  # type: ignore[index]
    assert len(shown.table("品类", "销售件数")) == categories


def test_products_page_classifies_skus_from_the_product_saved_query(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    shown = report_pages["/products"]
    sales = warehouse.execute(
        "select product, costed_product_sales, units_sold from metrics.sales_by_product "
        "where costed_product_sales > 0 order by costed_product_sales desc, product"
    ).fetchall()
    total = sum(row[1] for row in sales)
    running, classes = Decimal(0), {"A": 0, "B": 0, "C": 0}
    for _, amount, _ in sales:
        running += amount
        share = running / total
        classes["A" if share <= Decimal("0.8") else "B" if share <= Decimal("0.95") else "C"] += 1
    for abc_class, count in classes.items():
        assert shown.cards[f"{abc_class} 类 SKU 数"]["value"] == format_count(count)
    top = shown.table("排名", "SKU")
    assert [row[1] for row in top] == [row[0] for row in sales[:TOP_SKU_PAGES]]
    assert shown.sku_links == [f"/products/{row[0]}" for row in sales[:TOP_SKU_PAGES]]


def test_each_top_sku_has_a_page_with_its_metrics(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    for href in report_pages["/products"].sku_links:
        sku = href.rsplit("/", 1)[-1]
        product = one(warehouse, f"select * from metrics.sales_by_product where product = '{sku}'")
        cards = report_pages[href].cards
        assert cards["销售件数"]["value"] == format_count(product["units_sold"]), sku
        assert cards["毛利率"]["value"] == format_percent(product["gross_margin_rate"]), sku
        assert sku in report_pages[href].body


def test_customers_page_shows_the_last_complete_month_and_rfm_segments(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    shown = report_pages["/customers"]
    month = one(
        warehouse,
        "select * from metrics.monthly_customer_kpis where metric_month + interval 1 month - interval 1 day <= "
        "(select data_as_of from metrics.report_meta) order by metric_month desc limit 1",
    )
    assert shown.cards["支付买家数"]["value"] == format_count(month["paying_customers"])
    assert shown.cards["新买家数"]["value"] == format_count(month["new_customers"])
    assert shown.cards["老买家数"]["value"] == format_count(month["returning_customers"])
    assert shown.cards["复购率"]["value"] == format_percent(month["repeat_purchase_rate"])
    segments = dict(
        warehouse.execute("select rfm_segment, paying_customers from metrics.sales_by_rfm_segment").fetchall()
    )
    rows = shown.table("分层", "客户数")
    assert {row[0]: row[1] for row in rows} == {name: format_count(n) for name, n in segments.items()}


def test_inventory_page_shows_the_stockout_metric_and_the_stock_lists(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    cards = report_pages["/inventory"].cards
    latest = one(warehouse, "select * from metrics.daily_stockout order by metric_date desc limit 1")
    assert cards["缺货SKU占比"]["value"] == format_percent(latest["stockout_sku_rate"])
    at_risk = warehouse.execute(
        "select count(*) from marts.inventory_health where stock_status in ('out_of_stock', 'stockout_risk')"
    ).fetchone()[0]  # type: ignore[index]
    assert cards["缺货及缺货风险 SKU"]["value"] == format_count(at_risk)


def test_inventory_page_shows_the_forecast_backtest_against_both_baselines(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    cards = report_pages["/inventory"].cards
    wape = {
        method: value
        for method, value in warehouse.execute(
            "select method, sum(abs_error) / sum(actual_units) from marts.forecast_backtest "
            "where sku_class = 'all' and method in ('chosen', 'mean_28d', 'seasonal_naive') group by method"
        ).fetchall()
    }
    assert cards["所选预测 WAPE（全部起点）"]["value"] == format_percent(wape["chosen"])
    assert cards["基准：近28天日均 WAPE"]["value"] == format_percent(wape["mean_28d"])
    assert cards["基准：季节性朴素 WAPE"]["value"] == format_percent(wape["seasonal_naive"])


def test_fulfilment_page_shows_the_fulfilment_metrics(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    shown = report_pages["/fulfilment"]
    summary = one(warehouse, "select * from metrics.fulfilment_summary")
    assert shown.cards["已发货订单数"]["value"] == format_count(summary["shipped_orders"])
    assert shown.cards["48小时发货率"]["value"] == format_percent(summary["ship_within_48h_rate"])
    warehouses = warehouse.execute(
        "select warehouse_name, ship_within_48h_rate from metrics.fulfilment_by_warehouse where shipped_orders > 0"
    ).fetchall()
    rows = shown.table("仓库", "已发货订单数")
    assert {row[0]: row[2] for row in rows} == {name: format_percent(rate) for name, rate in warehouses}


def test_reconciliation_page_shows_match_rate_and_categories(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    shown = report_pages["/reconciliation"]
    latest = one(
        warehouse, "select * from metrics.monthly_reconciliation_match_rate order by metric_month desc limit 1"
    )
    assert shown.cards["最近一个月对账一致率"]["value"] == format_percent(latest["reconciliation_match_rate"])
    items = [
        format_count(n)
        for (n,) in warehouse.execute(
            "select reconciliation_items from metrics.reconciliation_by_category order by reconciliation_items desc"
        ).fetchall()
    ]
    assert [row[1] for row in shown.table("类别", "对账项数")] == items
    for text in ("matched", "missing_in_erp", "amount_mismatch"):
        assert text not in shown.body, "categories are named in Chinese"


def test_quality_page_shows_the_latest_check_run(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    latest = one(
        warehouse,
        """select count(*) as checks, count(*) filter (where success) as passed
        from quality.check_results
        where run_id = (select run_id from quality.check_results order by checked_at desc limit 1)""",
    )
    cards = report_pages["/quality"].cards
    assert cards["检查项"]["value"] == format_count(latest["checks"])
    assert cards["通过"]["value"] == format_count(latest["passed"])
    datasets = warehouse.execute("select count(distinct dataset) from raw.ingest_log").fetchone()[0]  # type: ignore[index]
    assert len(report_pages["/quality"].table("数据源", "已加载文件")) == datasets


def test_glossary_lists_every_metric_of_the_metric_layer(
    report_pages: dict[str, ShownPage], warehouse: duckdb.DuckDBPyConnection
) -> None:
    names = [row[0] for row in warehouse.execute("select metric_name from metrics.metric_definitions").fetchall()]
    rows = report_pages["/glossary"].table("指标", "英文标识")
    assert sorted(row[1] for row in rows) == sorted(names)


def test_report_file_has_the_fixtures_columns_and_nothing_personal(demo_run) -> None:
    """The browser tests' fixture (tests/report) must describe the file the pipeline really writes."""
    database = demo_run.settings.reports_dir / "sources" / "warehouse" / "report.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        columns = {
            table: [f"{name} {kind.lower()}" for name, kind in zip(names, kinds, strict=True)]
            for table, names, kinds in con.execute(
                "select table_name, list(column_name order by column_index), list(data_type order by column_index) "
                "from duckdb_columns() where database_name = current_database() and schema_name = 'main' group by 1"
            ).fetchall()
        }
    for table, expected in EMPTY_TABLES.items():
        # column order aside: the fixture takes a saved query's columns from the contract, the file from MetricFlow
        assert sorted(columns.get(table, [])) == sorted(expected), table
    personal = {f"{t}.{c.split()[0]}" for t, cs in columns.items() for c in cs if c.split()[0] in PERSONAL_COLUMNS}
    assert personal == set()


ROWS_PER_DAY = 4
"""What a report source may return per day of data (the days of `daily_kpis`): a row per day, or per day and shop
or warehouse. A source with a row per order or customer exceeds it on the demo data (3,000 orders over a year)."""

SOURCE_ROW_BOUNDS: dict[str, Callable[[int, int], int]] = {
    # the sources bounded otherwise, by (days of data, SKUs in dim_products)
    "dim_products": lambda days, skus: skus,
    "inventory_health": lambda days, skus: skus,
    "replenishment_plan": lambda days, skus: 3 * skus,  # per SKU and warehouse
    "sales_by_product": lambda days, skus: skus,
    "monthly_sales_by_product": lambda days, skus: (days // 28 + 1) * skus,  # per month and SKU
    "reconciliation_exceptions": lambda days, skus: 6 * RECONCILIATION_LIST_LENGTH,  # top-N per category
    "pay_to_ship_hour_bins": lambda days, skus: PAY_TO_SHIP_HOUR_BINS_MOST,  # the histogram's bins
}
"""Per-source exceptions to ROWS_PER_DAY: the report grows with days and SKUs, never with orders
(docs/metric-tables.md)."""


def test_every_report_source_returns_rows_by_days_and_skus_not_by_orders(demo_run) -> None:
    database = demo_run.settings.reports_dir / "sources" / "warehouse" / "report.duckdb"
    sources = sorted((PROJECT_ROOT / "reports" / "sources" / "warehouse").glob("*.sql"))
    assert set(SOURCE_ROW_BOUNDS) <= {source.stem for source in sources}, "a bound for a source that is gone"
    with duckdb.connect(str(database), read_only=True) as con:
        days = con.execute("select count(distinct metric_date) from daily_kpis").fetchone()[0]  # type: ignore[index]
        skus = con.execute("select count(*) from dim_products").fetchone()[0]  # type: ignore[index]
        rows = {}
        for source in sources:
            query = f"select count(*) from (\n{source.read_text(encoding='utf-8')}\n)"
            rows[source.stem] = con.execute(query).fetchone()[0]  # type: ignore[index]
    assert days >= 300 and skus > 0, "the demo run covers about a year"
    too_many = {
        name: (count, bound)
        for name, count in rows.items()
        if count > (bound := SOURCE_ROW_BOUNDS.get(name, lambda d, s: ROWS_PER_DAY * d)(days, skus))
    }
    assert too_many == {}, f"rows (and the bound) over {days} days and {skus} SKUs"
