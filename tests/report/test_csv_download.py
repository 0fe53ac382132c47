"""CSV injection: a product whose name a spreadsheet would run as a formula (seen as an ERP 商品名称:
`=cmd|' /C calc'!A0`) is shown on the page as it is, and the CSV the table's download button writes carries it with a
leading single quote (OWASP), so Excel or WPS opens it as text.

Its own Evidence build: the report fixture database plus two products (reports/csv-download/, installed by the npm
postinstall script, is what makes the download safe).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.evidence import build_report, ensure_node_modules
from tests.report.report_fixture import write_report_database
from tests.support.browser import chromium, screenshot, serve_directory, watch
from tests.support.reports_project import REPORTS_DIR, stage_reports_project

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1500)]

HOSTILE = "=cmd|' /C calc'!A0"
PRODUCTS = (  # product_key, product_name, units, sales
    ("SKU-EVIL", HOSTILE, 3, "300.00"),
    ("SKU-PLAIN", "-5℃ 保暖围巾", 2, "120.00"),
)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("csv_download")
    database = write_report_database(root / "report.duckdb").database
    with duckdb.connect(str(database)) as con:
        # the fixture's tables are empty but for the export's placeholder row, which every page filters out
        con.execute("delete from main.sales_by_product where is_placeholder")
        con.execute("delete from main.dim_products where is_placeholder")
        for key, name, units, sales in PRODUCTS:
            con.execute(
                "insert into main.sales_by_product (product, units_sold, costed_product_sales, gross_margin, "
                "gross_margin_rate, is_placeholder) values (?, ?, ?, ?, 0.4, false)",
                [key, units, sales, str(float(sales) * 0.4)],
            )
            con.execute(
                "insert into main.dim_products (product_key, sku_id, merchant_sku_code, product_name, category, "
                "mapping_status, is_sold_on_tmall, is_placeholder) values (?, ?, ?, ?, '围巾', 'mapped', true, false)",
                [key, key, key, name],
            )
    ensure_node_modules(REPORTS_DIR)
    project = stage_reports_project(root / "reports")
    return build_report(project, database=database, install=False).build_dir


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_a_formula_in_a_product_name_is_shown_as_is_and_neutralised_in_the_downloaded_csv(
    built_site: Path, browser, artifacts_dir: Path, tmp_path: Path
) -> None:
    with serve_directory(built_site) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        problems = watch(page)
        page.goto(server.page_url("/products/"), wait_until="networkidle")
        cells = page.locator("td:visible", has_text=HOSTILE)
        cells.first.wait_for(state="visible", timeout=30_000)
        assert [cell.inner_text() for cell in cells.all()] == [HOSTILE, HOSTILE]  # both tables show it unchanged
        table = page.locator("div.table-container:visible").filter(has=cells.first).first  # 销售额前 20 的 SKU
        table.hover()  # the download button shows while the pointer is over the table
        download_button = table.locator("button.download-button")
        download_button.wait_for(state="visible", timeout=10_000)
        screenshot(page, artifacts_dir / "report-csv-download.png")
        with page.expect_download() as download_info:
            download_button.click()
        saved = tmp_path / "download.csv"
        download_info.value.save_as(saved)
        page.close()
    assert problems.errors() == []

    rows = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == len(PRODUCTS)
    names = {row["product_key"]: row["product_name"] for row in rows}
    assert names == {"SKU-EVIL": "'" + HOSTILE, "SKU-PLAIN": "'-5℃ 保暖围巾"}
    formula_start = ("=", "+", "-", "@", "\t", "\r")
    assert [v for row in rows for v in row.values() if v.startswith(formula_start)] == []
    # numbers stay numbers: only text cells are prefixed
    assert {row["product_key"]: row["units_sold"] for row in rows} == {"SKU-EVIL": "3", "SKU-PLAIN": "2"}
