"""The whole Dagster job on generated data: nothing lost, every layer built and tested, metrics that add up."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.ingest.datasets import DATASETS

pytestmark = pytest.mark.e2e


def warehouse(demo_run) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo_run.settings.warehouse_path), read_only=True)


def test_the_job_succeeds(demo_run) -> None:
    assert demo_run.outcome.success, "\n".join(demo_run.outcome.failures)


def test_rows_in_equal_rows_loaded_plus_quarantined_for_every_raw_dataset(demo_run) -> None:
    """rows in = loaded + quarantined + held back, per dataset and per table, on the default demo's bad input."""
    generated = demo_run.generation.datasets
    totals = {"quarantined": 0, "held_back": 0}
    with warehouse(demo_run) as con:
        for dataset in DATASETS:
            rows_in, loaded, quarantined, held = con.execute(
                "select coalesce(sum(rows_in), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), "
                "coalesce(sum(rows_held_back), 0) from raw.ingest_log where dataset = ? and status = 'loaded'",
                [dataset.name],
            ).fetchone()
            in_table = con.execute(f"select count(*) from raw.{dataset.name}").fetchone()[0]
            in_quarantine = con.execute(
                "select count(*) from raw.quarantine where dataset = ?", [dataset.name]
            ).fetchone()[0]
            in_held = con.execute("select count(*) from raw.held_back where dataset = ?", [dataset.name]).fetchone()[0]
            assert rows_in == generated.get(dataset.name, 0), dataset.name
            assert rows_in == loaded + quarantined + held, dataset.name
            assert (in_table, in_quarantine, in_held) == (loaded, quarantined, held), dataset.name
            totals["quarantined"] += quarantined
            totals["held_back"] += held
    assert totals["quarantined"] > 0 and totals["held_back"] > 0, totals


def test_the_planted_bad_input_is_quarantined_held_back_or_not_loaded_and_nothing_loads_twice(demo_run) -> None:
    planted = demo_run.generation.bad_input
    bad_orders = {*planted["excel_mangled_order_ids"], planted["truncated_order_id"]}
    assert len(bad_orders) >= 2
    with warehouse(demo_run) as con:
        quarantined = con.execute(
            "select _source_file, reason from raw.quarantine where dataset = 'tmall_orders' order by 1, 2"
        ).fetchall()
        assert sorted(file for file, _ in quarantined) == sorted(
            [planted["mangled_file"]] * len(planted["excel_mangled_order_ids"]) + [planted["truncated_file"]]
        )
        assert sum("scientific notation by Excel" in r for _, r in quarantined) == len(
            planted["excel_mangled_order_ids"]
        )
        assert sum(r.startswith("the file ends mid-row") for _, r in quarantined) == 1
        loaded_ids = {r[0] for r in con.execute("select order_id from raw.tmall_orders").fetchall()}
        assert not bad_orders & loaded_ids
        # every item line of a quarantined order is held back, none is loaded
        held = con.execute(
            "select waiting_for, count(*) from raw.held_back where dataset = 'tmall_order_items' group by 1"
        ).fetchall()
        assert {k for k, _ in held} == bad_orders
        assert con.execute(
            "select count(*) from raw.tmall_order_items where order_id in (select unnest(?))", [sorted(bad_orders)]
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from raw.ingest_log where source_file = ? and truncated is not null",
            [planted["truncated_file"]],
        ).fetchone() == (1,)
        for note in planted["unknown_files"]:
            assert con.execute(
                "select status, rows_in, reason is not null from raw.ingest_log where source_file = ?", [note]
            ).fetchall() == [("not_loaded", 0, True)]
        # the export delivered twice: one copy loads, the other is logged as its duplicate with no rows
        rows_of = {f.path: f.rows for f in demo_run.generation.files}
        for copy, original in planted["duplicates"].items():
            logged = con.execute(
                "select status, rows_in, duplicate_of from raw.ingest_log where source_file in (?, ?) order by status",
                [copy, original],
            ).fetchall()
            assert [(status, rows) for status, rows, _ in logged] == [
                ("duplicate", 0),
                ("loaded", rows_of[original]),
            ]
            assert logged[0][2] in (copy, original)
        # loaded once: the table holds the generated rows, not the copy's rows a second time
        assert con.execute("select count(*) from raw.erp_sales_orders").fetchone() == (
            demo_run.generation.datasets["erp_sales_orders"],
        )


def test_the_run_summary_shows_what_was_quarantined_held_back_cut_short_and_not_loaded(demo_run) -> None:
    from orchestration.ingest.loader import quote_name
    from orchestration.run import summary

    planted = demo_run.generation.bad_input
    text = summary(demo_run.settings)
    lines = text.splitlines()
    with warehouse(demo_run) as con:
        quarantined, held = con.execute(
            "select sum(rows_quarantined), sum(rows_held_back) from raw.ingest_log where status = 'loaded'"
        ).fetchone()
    assert any(line.endswith(f"quarantined {quarantined:,} + held back {held:,}") for line in lines), text
    assert "Quarantined rows (raw.quarantine), by reason:" in lines
    assert "scientific notation by Excel" in text
    held_section = lines.index(
        "Held back with their quarantined order until a corrected export arrives (raw.held_back):"
    )
    assert any(
        order in lines[held_section + 1]
        for order in planted["excel_mangled_order_ids"] + [planted["truncated_order_id"]]
    )
    truncated = lines.index("Truncated files (cut short: re-export them):")
    assert lines[truncated + 1].startswith(f"  {quote_name(planted['truncated_file'])}: its last record")
    not_loaded = lines.index("Files not loaded:")
    assert any(
        lines[not_loaded + 1 + k].startswith(f"  {quote_name(note)}: ")
        for k, note in enumerate(planted["unknown_files"])
    )


def test_every_mart_has_rows(demo_run) -> None:
    with warehouse(demo_run) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert {"dim_products", "dim_customers", "fct_orders", "fct_order_lines"} <= set(marts)
        for mart in marts:
            assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart


def test_every_dbt_test_and_the_quality_gate_ran_and_passed(demo_run) -> None:
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(
            demo_run.outcome.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    names = {e.check_name for e in evaluations}
    assert "gx_raw_tmall_orders" in names
    assert len(evaluations) >= 20, "dbt tests should arrive as asset checks"
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in evaluations
        if not e.passed and e.severity != dg.AssetCheckSeverity.WARN  # warnings alert, they do not fail a run
    ]
    assert failed == []


def read_gbk_order_reports(landing: Path) -> tuple[list[dict[str, str]], int]:
    """The order reports, parsed here independently of the product's ingest code, the way a careful reader does:
    a copy of a file already read (same bytes) is skipped, a last row without its line ending (a cut download) is
    not a row, and a row whose 订单编号 is no 16–19 digit id (Excel's `5.11861E+18`) is not an order. Returns the
    rows and how many rows were refused."""
    rows: list[dict[str, str]] = []
    seen: set[bytes] = set()
    refused = 0
    for path in sorted(landing.rglob("ExportOrderList*.csv")):
        data = path.read_bytes()
        if hashlib.sha256(data).digest() in seen:
            continue
        seen.add(hashlib.sha256(data).digest())
        if not data.endswith(b"\n"):
            data = data[: data.rindex(b"\n") + 1]
            refused += 1
        for record in csv.DictReader(io.StringIO(data.decode("gb18030"), newline="")):
            row = {k.strip(): v.strip().removeprefix('="').removesuffix('"') for k, v in record.items()}
            if re.fullmatch(r"[0-9]{16,19}", row["订单编号"]) is None:
                refused += 1
                continue
            rows.append(row)
    return rows, refused


def read_sub_order_exports(landing: Path) -> list[dict[str, str]]:
    """Orders delivered by the newer sub-order export (XLSX), summed per order the way its 口径 reads them:
    总金额 = Σ 买家应付货款 + 买家应付邮费, 退款金额 = Σ 退款金额 of sub-orders whose refund succeeded."""
    from openpyxl import load_workbook

    orders: dict[str, dict[str, str]] = {}
    for path in sorted(landing.rglob("*.xlsx")):
        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() for h in next(rows)]
        if "子订单编号" not in header:
            workbook.close()
            continue
        for values in rows:
            row = {h: "" if v is None else str(v) for h, v in zip(header, values, strict=False)}
            order = orders.setdefault(
                row["主订单编号"], {"订单付款时间": row["订单付款时间"], "总金额": row["买家应付邮费"], "退款金额": "0"}
            )
            order["总金额"] = str(Decimal(order["总金额"]) + Decimal(row["买家应付货款"]))
            if row["退款状态"] == "退款成功":
                order["退款金额"] = str(Decimal(order["退款金额"]) + Decimal(row["退款金额"]))
        workbook.close()
    return list(orders.values())


def money(value: str) -> Decimal:
    try:
        return Decimal(value)
    except ArithmeticError:
        return Decimal("0")


def independent_net_sales(rows: list[dict[str, str]], start: dt.date, end: dt.date) -> Decimal:
    """net_sales by its written 口径: paid orders dated by payment time, 总金额 less 退款金额."""
    total = Decimal("0")
    for row in rows:
        paid_at = row.get("订单付款时间", "")
        if not paid_at:
            continue
        paid_date = dt.datetime.strptime(paid_at[:10], "%Y-%m-%d").date()
        if start <= paid_date <= end:
            refund = row.get("退款金额", "")
            total += money(row["总金额"]) - (money(refund) if refund[:1].isdigit() else Decimal("0"))
    return total


def test_net_sales_from_metricflow_equals_an_independent_computation_from_the_raw_files(demo_run) -> None:
    from orchestration.metrics.metricflow import SemanticLayer

    classic, refused = read_gbk_order_reports(demo_run.settings.landing_dir)
    rows = classic + read_sub_order_exports(demo_run.settings.landing_dir)
    with warehouse(demo_run) as con:
        assert (refused,) == con.execute(
            "select count(*) from raw.quarantine where dataset = 'tmall_orders'"
        ).fetchone()
    assert refused > 0
    with warehouse(demo_run) as con:
        start, end, from_table = con.execute(
            "select start_date, end_date, net_sales from metrics.kpi_periods where period_key = 'last_30d'"
        ).fetchone()
    with SemanticLayer() as layer:
        sql = layer.sql_for(["net_sales"], [], start=start, end=end)
    with warehouse(demo_run) as con:
        from_metricflow = con.execute(sql).fetchone()[0]
    expected = independent_net_sales(rows, start, end)
    assert expected > 0
    assert Decimal(str(from_metricflow)).quantize(Decimal("0.01")) == expected
    assert from_table == expected


def test_no_personal_data_reaches_marts_or_metric_tables(demo_run) -> None:
    with warehouse(demo_run) as con:
        personal = set()
        for column in ("buyer_nick", "buyer_alipay_account", "receiver_name", "receiver_mobile", "receiver_phone"):
            query = f"select distinct {column} from raw.tmall_orders where {column} is not null"
            personal |= {r[0] for r in con.execute(query).fetchall()}
        personal |= {
            r[0].split(" ", 3)[3]
            for r in con.execute(
                "select receiver_address from raw.tmall_orders where receiver_address like '% % % %'"
            ).fetchall()
        }
        assert len(personal) > 100
        text_columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('marts', 'metrics') and data_type = 'VARCHAR'"
        ).fetchall()
        leaks = []
        for schema, table, column in text_columns:
            values = {r[0] for r in con.execute(f'select distinct "{column}" from {schema}.{table}').fetchall()}
            found = values & personal
            if found:
                leaks.append(f"{schema}.{table}.{column}: {sorted(found)[:3]}")
        assert leaks == []
