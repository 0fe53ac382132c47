"""The whole pipeline on a landing folder holding only a reduced Tmall order report.

Sellers choose their export fields. Here the only file is an order report with the order id, the totals, the paid
amount, the address (for the province), the created and paid times and the refund: no item report, no ERP, no
traffic, no buyer nick, no shop. The run must succeed end to end (gates, dbt, metric tables, report); metrics that
need absent data are empty (null or no rows), never zero or wrong; the ones the report carries equal the raw file.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import pipeline_environment, small_settings

KEPT_COLUMNS = ("订单编号", "总金额", "买家实际支付金额", "收货地址", "订单创建时间", "订单付款时间", "退款金额")


def reduced_report(source: Path, target: Path) -> int:
    """Write `source` (a classic GBK order report) with only KEPT_COLUMNS, as a seller's narrower export would."""
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("gb18030"), newline="")))
    header = [name.strip() for name in rows[0]]
    keep = [header.index(name) for name in KEPT_COLUMNS]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([[row[i] for i in keep] for row in rows])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue().replace('"=""', '="').replace('"""', '"').encode("gb18030"))
    return len(rows) - 1


@pytest.mark.e2e
def test_a_reduced_order_report_alone_runs_end_to_end(tmp_path: Path, dbt_manifest: Path) -> None:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from orchestration.run import run_pipeline
    from orchestration.settings import PROJECT_ROOT
    from tests.support.reports_project import stage_reports_project

    generated = tmp_path / "generated"
    # without the demo's planted bad input: the reports are rewritten here (test_pipeline.py covers the bad input)
    generate(generated, DemoConfig(orders=400, days=60, skus=60, bad_input=False))
    ensure_node_modules(PROJECT_ROOT / "reports")
    settings = small_settings(tmp_path, stage_reports_project(tmp_path / "reports"))
    orders = 0
    for report in sorted(generated.rglob("ExportOrderList*.csv")):
        orders += reduced_report(report, settings.landing_dir / report.name)

    with pipeline_environment(tmp_path):
        outcome = run_pipeline(settings)
    assert outcome.success, outcome.failures

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone()[0] == orders
        raw_paid = con.execute(
            "select sum(cast(total_amount as decimal(18, 2))) from raw.tmall_orders "
            "where nullif(trim(paid_at), '') is not null"
        ).fetchone()[0]
        metric_paid = con.execute("select sum(paid_gmv) from metrics.daily_kpis").fetchone()[0]
        commerce = con.execute(
            "select count(*), count(units_sold), count(cogs), count(gross_margin_rate), count(paying_customers) "
            "from metrics.daily_commerce_kpis"
        ).fetchone()
        traffic = con.execute("select count(*) from marts.fct_daily_traffic").fetchone()[0]
        shipped = con.execute("select count(shipped_orders) from metrics.monthly_fulfilment_by_warehouse").fetchone()
    assert Decimal(metric_paid) == Decimal(raw_paid) > 0
    days, units, cogs, margin_rate, paying = commerce
    assert days > 0
    assert (units, cogs, margin_rate) == (0, 0, 0), "no item report or SKU master: no units, cost or margin"
    assert paying == 0, "no buyer nick: customer metrics are empty (null), not 0"
    assert traffic == 0 and shipped == (0,)

    build = settings.reports_dir / "build"
    assert (build / "index.html").is_file(), "the report is built on what there is"
