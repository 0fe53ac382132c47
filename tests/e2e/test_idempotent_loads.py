"""Loading the same inputs twice, or in another order, gives identical marts.

A later export re-delivers an order report in which some orders moved on (paid orders refunded and closed, unpaid
orders closed by Taobao). One warehouse loads the exports in the order they were made; the other loads the later
export first, then everything, then everything again. Every mart table must come out identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT

FINISHED, CLOSED, AWAITING_CONFIRMATION = "交易成功", "交易关闭", "卖家已发货，等待买家确认"


def later_export(report: Path, target: Path, per_kind: int = 5) -> dict[str, int]:
    """A copy of an order report (GBK) exported later: the first `per_kind` finished orders are refunded in full
    and closed, the first `per_kind` shipped orders are confirmed by the buyer. Returns the changes per kind."""
    text = report.read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [name.strip() for name in rows[0]]
    status, refund, total = header.index("订单状态"), header.index("退款金额"), header.index("总金额")
    reason, shipped, confirmed = header.index("订单关闭原因"), header.index("发货时间"), header.index("确认收货时间")
    changed = {"refunded": 0, "confirmed": 0}
    for row in rows[1:]:
        if row[status] == FINISHED and changed["refunded"] < per_kind:
            row[status], row[refund], row[reason] = CLOSED, row[total], "买家申请退款"
            changed["refunded"] += 1
        elif row[status] == AWAITING_CONFIRMATION and changed["confirmed"] < per_kind:
            shipped_at = dt.datetime.strptime(row[shipped].strip(), "%Y-%m-%d %H:%M:%S")
            row[status], row[confirmed] = FINISHED, f"{shipped_at + dt.timedelta(days=5):%Y-%m-%d %H:%M:%S}"
            changed["confirmed"] += 1
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    # the Tmall ids keep their ="…" wrapping: csv quoting would double it, so write the cells back as exported
    target.write_bytes(out.getvalue().replace('"=""', '="').replace('"""', '"').encode("gb18030"))
    return changed


def awaiting_confirmation(report: Path) -> int:
    return report.read_bytes().decode("gb18030").count(AWAITING_CONFIRMATION)


def build(warehouse: Path, loads: list[Path], target_path: Path) -> None:
    from orchestration.ingest.loader import ingest_landing

    with duckdb.connect(str(warehouse)) as con:
        for folder in loads:
            ingest_landing(con, folder)
    # seeds and models only: the data tests are not what this test is about, and cost minutes
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--quiet", "--resource-type", "seed",
         "--resource-type", "model", "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
         "--target-path", str(target_path)],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


def mart_differences(first: Path, second: Path, tables: list[str] | None = None) -> dict[str, int]:
    """Rows of each marts table (all of them, or `tables`: names in marts, or `schema.table`) that are in one
    warehouse and not the other (both directions, as multisets)."""
    differences: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first}' as one (read_only)")
        con.execute(f"attach '{second}' as two (read_only)")
        tables = tables or [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'one' and schema_name = 'marts' order by 1"
        ).fetchall()]
        assert tables, "no mart tables were built"
        for table in tables:
            name = table if "." in table else f"marts.{table}"
            count = con.execute(
                f"select (select count(*) from (select * from one.{name} except all "
                f"select * from two.{name})) + (select count(*) from (select * from two.{name} "
                f"except all select * from one.{name}))"
            ).fetchone()[0]
            if count:
                differences[table] = count
    return differences


@pytest.mark.e2e
def test_loading_twice_or_in_another_order_gives_identical_marts(tmp_path: Path, dbt_manifest: Path) -> None:
    from orchestration.demo_data import DemoConfig, generate

    generated, later = tmp_path / "generated", tmp_path / "later"
    # without the demo's planted bad input: this test re-exports a report itself (test_pipeline.py covers the bad input)
    generate(generated, DemoConfig(orders=300, days=45, skus=60, bad_input=False))
    report = max(generated.rglob("ExportOrderList*.csv"), key=awaiting_confirmation)
    stamp = int(report.stem.removeprefix("ExportOrderList"))
    changed = later_export(report, later / report.parent.name / f"ExportOrderList{stamp + 10_000:012d}.csv")
    assert changed == {"refunded": 5, "confirmed": 5}, "the demo report should hold both kinds of order"

    in_order, reordered = tmp_path / "in_order.duckdb", tmp_path / "reordered.duckdb"
    build(in_order, [generated, later], tmp_path / "target_in_order")
    build(reordered, [later, generated, generated], tmp_path / "target_reordered")

    assert mart_differences(in_order, reordered) == {}
    with duckdb.connect(str(reordered), read_only=True) as con:
        closed = con.execute(
            "select count(*) filter (where order_status = 'TRADE_CLOSED' and refund_amount = total_amount), "
            "count(*) filter (where order_status = 'TRADE_FINISHED' and confirmed_at is not null) "
            "from marts.fct_orders"
        ).fetchone()
        duplicates = con.execute("select count(*) - count(distinct order_id) from marts.fct_orders").fetchone()[0]
    assert duplicates == 0
    assert closed[0] >= changed["refunded"] and closed[1] >= changed["confirmed"], "the later state must win"
    shutil.rmtree(generated)
