"""Report tables aggregated by the export to what their page draws (orchestration/reports/page_aggregates.py): the
pay-to-ship histogram's bins are the bins Evidence's own Histogram draws, and a table of one row per order leaves the
export as at most a page's worth of rows, however many orders there are."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.export import export_report_database
from orchestration.reports.page_aggregates import (
    PAY_TO_SHIP_HOUR_BINS,
    PAY_TO_SHIP_HOUR_BINS_MOST,
    RECONCILIATION_LIST_LENGTH,
)

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"

# echarts-stat's histogram with the method Evidence 40's Hist component picks (core-components
# viz/histogram/Hist.svelte), as [start, end, count, midpoint] per bin; and the midpoints of our bins as
# BinnedHistogramBars.svelte computes them
ECSTAT_HISTOGRAM = """
const ecStat = require(process.argv[1] + '/node_modules/echarts-stat');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const [name, { values, ours }] of Object.entries(cases)) {
    const distinct = [...new Set(values)];
    const max = Math.max(...distinct);
    const method = distinct.length <= 1 ? 'squareRoot' : max < 10 ? 'freedmanDiaconis' : max < 40 ? 'sturges'
        : 'squareRoot';
    out[name] = {
        shown: ecStat.histogram(values, method).data.map((bin) => [bin[2], bin[3], bin[1], bin[0]]),
        ours: ours.map(([x0, x1, count, decimals]) => [x0, x1, count, +((x0 + x1) / 2).toFixed(decimals)]),
    };
}
process.stdout.write(JSON.stringify(out));
"""


def sql_bins(values: list[Decimal]) -> list[list[float]]:
    with duckdb.connect() as con:
        con.execute("create table hours as select unnest(?::decimal(18,4)[]) as pay_to_ship_hours", [values])
        rows = con.execute(
            f"with source as (select * from hours) select bin_start, bin_end, orders, bin_decimals "
            f"from ({PAY_TO_SHIP_HOUR_BINS}) order by bin_index"
        ).fetchall()
    return [[start, end, count, decimals] for start, end, count, decimals in rows]


def test_pay_to_ship_bins_are_the_bins_evidences_histogram_draws() -> None:
    rng = random.Random(18)
    exponential = [Decimal(str(round(rng.expovariate(1 / 20), 4))) for _ in range(5000)]
    cases = {
        "hours up to days (square root, capped at 50 bins)": exponential,
        "under 40 hours (Sturges)": [round(v / 10, 4) for v in exponential],
        "under 10 hours (Freedman-Diaconis)": [round(v / 40, 4) for v in exponential],
        "whole hours from zero": [Decimal(rng.randint(0, 72)) for _ in range(3000)],
        "up to 150 hours (the 50-bin cap decides the width)": [Decimal(rng.randint(0, 1500)) / 10 for _ in range(3000)],
        "400 orders (20 bins)": exponential[:400],
        "the most bins (a width of 2 where 50 bins would be 3.1 hours wide)": [Decimal(0), Decimal("157.9")] * 1500,
        "a few orders": exponential[:7],
        "one value": [Decimal(5)] * 4,
        "fractions of an hour": [Decimal(str(round(rng.random() * 0.05, 4))) for _ in range(300)],
    }
    ours = {name: sql_bins(values) for name, values in cases.items()}
    drawn = json.loads(
        subprocess.run(
            ["node", "-e", ECSTAT_HISTOGRAM, str(REPORTS_DIR)],
            input=json.dumps(
                {name: {"values": [float(v) for v in values], "ours": ours[name]} for name, values in cases.items()}
            ),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    )
    for name, values in cases.items():
        assert drawn[name]["ours"] == drawn[name]["shown"], name
        assert len(ours[name]) <= PAY_TO_SHIP_HOUR_BINS_MOST or max(values) < 10, name
        assert sum(row[2] for row in ours[name]) == len(values), name


@pytest.fixture
def order_warehouse(tmp_path: Path) -> Path:
    """Ten days of 400 orders a day (380 shipped), 300 reconciliation items a day in each of the seven categories,
    90 landing files of three datasets, and three quality runs of 40 checks."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_order_fulfilment as select 'T' || i as order_id, '旗舰店' as shop_name, "
            "date '2025-03-01' + cast(i % 10 as integer) as paid_date, '嘉兴总仓' as warehouse_name, "
            "i % 20 <> 0 as is_shipped, cast((i * 37 % 9000) / 50.0 as decimal(18,4)) as pay_to_ship_hours, "
            "true as is_shipped_within_48h, '收件人' as receiver_name from range(4000) as t(i)"
        )
        con.execute(
            "create table marts.fct_order_reconciliation as select 'R' || i as reconciliation_item_id, "
            "'tmall' as item_source, 'T' || i as order_id, 'E' || i as erp_order_id, 1 as erp_order_count, "
            "'旗舰店' as shop_name, date '2025-03-01' + cast(i % 10 as integer) as reconciliation_date, "
            "['matched', 'merged', 'split', 'amount_mismatch', 'missing_in_erp', 'missing_in_tmall', "
            "'closed_before_erp'][i % 7 + 1] as reconciliation_category, cast(i as decimal(18,2)) as tmall_amount, "
            "cast(i as decimal(18,2)) as group_tmall_amount, cast(i as decimal(18,2)) as group_erp_amount, "
            "cast(i % 997 as decimal(18,2)) as amount_at_stake from range(21000) as t(i)"
        )
        con.execute("create schema raw")
        con.execute(
            "create table raw.ingest_log as select ['tmall_orders', 'erp_shipments', 'erp_inventory'][i % 3 + 1] "
            "as dataset, 'landing/' || (i % 3) || '/file_' || lpad(i::varchar, 3, '0') || '.csv' as source_file, "
            "100 as rows_in, 99 as rows_loaded, 1 as rows_quarantined, "
            "case when i % 10 = 9 then 'skipped' else 'loaded' end as status, "
            "timestamp '2025-03-01 00:00:00' + to_hours(i) as finished_at from range(90) as t(i)"
        )
        con.execute("create schema quality")
        # run r checks at hour r; in run r, checks 0..r fail: even ones are errors (check 0 a source freshness
        # check, which only warns), odd ones warnings
        con.execute(
            "create table quality.check_results as select 'run-' || r as run_id, "
            "timestamp '2025-03-01 00:00:00' + to_hours(r) + to_seconds(c) as checked_at, "
            "case when c = 0 then 'dbt_source_freshness' else 'check_' || c end as check_name, 'raw/x' as asset_key, "
            "'raw_tmall_orders' as suite, 'expect_column_values_to_not_be_null' as expectation, "
            "'order_id' as column_name, case when c % 2 = 0 then 'error' else 'warning' end as severity, "
            "c > r as success, 10 as element_count, 0 as unexpected_count, '[]' as examples "
            "from range(3) as runs(r), range(40) as checks(c)"
        )
    return path


def test_tables_of_one_row_per_order_leave_the_export_as_what_the_page_draws(
    order_warehouse: Path, tmp_path: Path
) -> None:
    counts = export_report_database(order_warehouse, tmp_path / "report.duckdb")
    assert counts["pay_to_ship_hour_bins"] <= PAY_TO_SHIP_HOUR_BINS_MOST
    assert counts["reconciliation_exceptions"] == 6 * RECONCILIATION_LIST_LENGTH
    with duckdb.connect(str(tmp_path / "report.duckdb"), read_only=True) as con:
        assert con.execute("select sum(orders) from pay_to_ship_hour_bins").fetchone()[0] == 3800  # type: ignore[index]
        listed = set(
            con.execute(
                "select reconciliation_category, reconciliation_item_id from reconciliation_exceptions"
            ).fetchall()
        )
    with duckdb.connect(str(order_warehouse), read_only=True) as warehouse:
        items = warehouse.execute(
            "select reconciliation_category, reconciliation_item_id, amount_at_stake, reconciliation_date, order_id "
            "from marts.fct_order_reconciliation where reconciliation_category <> 'matched'"
        ).fetchall()
    # each category's list is its first RECONCILIATION_LIST_LENGTH items in the page's order
    expected = set()
    for category in {item[0] for item in items}:
        in_category = sorted((i for i in items if i[0] == category), key=lambda i: (-i[2], i[3], i[4], i[1]))
        expected |= {(category, i[1]) for i in in_category[:RECONCILIATION_LIST_LENGTH]}
    assert listed == expected


def test_the_load_log_leaves_the_export_as_one_row_per_dataset(order_warehouse: Path, tmp_path: Path) -> None:
    export_report_database(order_warehouse, tmp_path / "report.duckdb")
    with duckdb.connect(str(tmp_path / "report.duckdb"), read_only=True) as con:
        rows = con.execute("select * from ingest_freshness order by dataset").fetchall()
    # file i (hour i after 2025-03-01 08:00 China time) belongs to dataset i % 3; every tenth is skipped
    assert [row[:5] for row in rows] == [
        ("erp_inventory", 27, 3, 30 * 99, 30),
        ("erp_shipments", 27, 3, 30 * 99, 30),
        ("tmall_orders", 27, 3, 30 * 99, 30),
    ]
    # the last loaded file's time in China time (file_089 was skipped: erp_inventory's last load is file_086), and
    # the name of the last file of any status without its folder
    assert [(row[5], row[6]) for row in rows] == [
        (dt.datetime(2025, 3, 4, 22), "file_089.csv"),
        (dt.datetime(2025, 3, 5, 0), "file_088.csv"),
        (dt.datetime(2025, 3, 4, 23), "file_087.csv"),
    ]


def test_the_reconciliation_page_says_how_long_its_lists_are() -> None:
    page = (REPORTS_DIR / "pages" / "reconciliation.md").read_text(encoding="utf-8")
    assert f"每类最多列出差异金额最大的 {RECONCILIATION_LIST_LENGTH} 项" in page


def test_quality_results_leave_the_export_as_the_latest_run_and_one_row_per_run(
    order_warehouse: Path, tmp_path: Path
) -> None:
    export_report_database(order_warehouse, tmp_path / "report.duckdb")
    with duckdb.connect(str(tmp_path / "report.duckdb"), read_only=True) as con:
        latest = con.execute(
            "select distinct run_id, count(*) over (), count(*) filter (where is_blocking) over () "
            "from quality_check_results"
        ).fetchall()
        history = con.execute("select run_id, checks, failed, warned from quality_run_history order by 1").fetchall()
    assert latest == [("run-2", 40, 19)], "the latest run's 40 checks; its 20 errors but freshness block"
    # run r fails checks 0..r: the even ones but 0 are blocking
    assert history == [("run-0", 40, 0, 1), ("run-1", 40, 0, 2), ("run-2", 40, 1, 2)]
