"""Ingest of landing files into `raw`: nothing lost, nothing loaded twice, clear errors for what cannot be read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import LandingError, ingest_landing

ORDER_HEADER = [
    "订单编号",
    "买家会员名",
    "买家应付货款",
    "买家应付邮费",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "收货地址 ",
    "订单创建时间",
    "订单付款时间 ",
    "店铺名称",
    "退款金额",
]


def order_row(order_id: str, status: str = "交易成功", total: str = "128.00") -> list[str]:
    return [
        f'="{order_id}"',
        "tb_buyer_1",
        total,
        "0.00",
        total,
        total,
        status,
        "江苏省 南京市 建邺区 沙洲街道****",
        "2025-03-14 10:23:45",
        "2025-03-14 10:25:01",
        "暖居旗舰店",
        "无退款申请",
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "gbk") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def test_gbk_order_report_loads_with_ids_unescaped_and_lineage(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "ExportOrderList202503140000.csv", ORDER_HEADER, [order_row("5118609024991031607")])

    report = ingest_landing(con, tmp_path)

    assert report.totals("tmall_orders") == {
        "files_loaded": 1,
        "files_skipped": 0,
        "rows_in": 1,
        "rows_loaded": 1,
        "rows_quarantined": 0,
        "rows_held_back": 0,
    }
    row = con.execute(
        "select order_id, order_status, receiver_address, paid_at, _source_file, _source_row_number "
        "from raw.tmall_orders"
    ).fetchone()
    assert row == (
        "5118609024991031607",
        "交易成功",
        "江苏省 南京市 建邺区 沙洲街道****",
        "2025-03-14 10:25:01",
        "ExportOrderList202503140000.csv",
        1,
    )


def test_columns_absent_from_the_export_load_as_null(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])

    ingest_landing(con, tmp_path)

    assert con.execute("select shipped_at, waybill_no from raw.tmall_orders").fetchone() == (None, None)


def test_bad_rows_are_quarantined_with_reasons_and_accounted_for(tmp_path: Path, con) -> None:
    rows = [
        order_row("5118609024991031607"),
        order_row("5.11861E+18"),  # mangled by Excel
        order_row(""),  # no order id
        order_row("5118609024991031608")[:5],  # truncated line
        order_row("5118609024991031609"),
    ]
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    report = ingest_landing(con, tmp_path)

    totals = report.totals("tmall_orders")
    assert totals["rows_in"] == 5
    assert totals["rows_loaded"] == 2
    assert totals["rows_quarantined"] == 3
    assert totals["rows_in"] == totals["rows_loaded"] + totals["rows_quarantined"]
    reasons = dict(con.execute("select _source_row_number, reason from raw.quarantine order by 1").fetchall())
    assert "scientific notation" in reasons[2]
    assert "missing 订单编号" in reasons[3]
    assert "expected 12 fields" in reasons[4]
    logged = con.execute("select rows_in, rows_loaded, rows_quarantined from raw.ingest_log").fetchone()
    assert logged == (5, 2, 3)


def test_rows_with_invalid_gbk_bytes_are_quarantined_and_the_rest_loads(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    good = path.read_bytes()
    broken_line = ",".join(order_row("5118609024991031608")).encode("gbk").replace("暖".encode("gbk"), b"\xff\x30")
    path.write_bytes(good + broken_line + b"\r\n")

    report = ingest_landing(con, tmp_path)

    assert report.totals("tmall_orders")["rows_loaded"] == 1
    reason = con.execute("select reason from raw.quarantine").fetchone()[0]
    assert "not valid gb18030" in reason


def test_utf8_with_bom_and_item_report_line_numbers(tmp_path: Path, con) -> None:
    header = ["订单编号", "标题", "价格", "购买数量", "商品属性", "订单状态", "商家编码"]
    rows = [
        ['="5118609024991031607"', "羊毛毯", "199.00", "1", "颜色分类：白色;尺码：XL", "交易成功", "SKU001"],
        ['="5118609024991031607"', "抱枕", "39.90", "2", "-", "交易成功", ""],
        ['="5118609024991031608"', "抱枕", "39.90", "1", "-", "交易成功", "SKU002"],
    ]
    path = tmp_path / "ExportOrderDetailList202503140000.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(",".join(r) for r in [header, *rows]).encode("utf-8"))

    ingest_landing(con, tmp_path)

    lines = con.execute(
        "select order_id, line_number, merchant_sku_code from raw.tmall_order_items order by _source_row_number"
    ).fetchall()
    assert lines == [
        ("5118609024991031607", "1", "SKU001"),
        ("5118609024991031607", "2", None),
        ("5118609024991031608", "1", "SKU002"),
    ]


def test_reloading_the_same_folder_loads_nothing_twice(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    ingest_landing(con, tmp_path)

    second = ingest_landing(con, tmp_path)

    assert [f.status for f in second.files] == ["already_loaded"]
    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 1


def test_the_same_file_delivered_under_another_name_is_recorded_not_loaded(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "a" / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    write_csv(tmp_path / "b" / "orders_copy.csv", ORDER_HEADER, [order_row("5118609024991031607")])

    report = ingest_landing(con, tmp_path)

    assert sorted(f.status for f in report.files) == ["duplicate", "loaded"]
    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 1
    assert con.execute("select duplicate_of from raw.ingest_log where status = 'duplicate'").fetchone() == (
        "a/orders.csv",
    )


def test_an_unknown_header_is_listed_as_not_loaded_naming_the_closest_format_and_the_rest_loads(
    tmp_path: Path, con
) -> None:
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    write_csv(tmp_path / "mystery.csv", ["订单编号", "买家会员名", "总金额"], [['="5118609024991031607"', "x", "1"]])

    report = ingest_landing(con, tmp_path)

    assert [(f.source_file, f.status) for f in report.files] == [
        ("mystery.csv", "not_loaded"),
        ("orders.csv", "loaded"),
    ]
    (reason,) = con.execute("select reason from raw.ingest_log where source_file = 'mystery.csv'").fetchone()
    assert "closest is tmall_orders" in reason
    assert "订单创建时间" in reason
    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 1


def test_missing_and_empty_landing_folders_fail_clearly(tmp_path: Path, con) -> None:
    with pytest.raises(LandingError, match="does not exist"):
        ingest_landing(con, tmp_path / "nope")
    with pytest.raises(LandingError, match="holds no export files"):
        ingest_landing(con, tmp_path)


def test_a_failed_load_leaves_nothing_of_the_file_and_earlier_loads_intact(tmp_path: Path, con, monkeypatch) -> None:
    write_csv(tmp_path / "a.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    ingest_landing(con, tmp_path)
    write_csv(tmp_path / "b.csv", ORDER_HEADER, [order_row(str(5118609024991031700 + i)) for i in range(50)])

    import orchestration.ingest.loader as loader

    def explode(*args, **kwargs):
        raise RuntimeError("killed mid-load")

    monkeypatch.setattr(loader, "_log", explode)
    with pytest.raises(RuntimeError):
        ingest_landing(con, tmp_path)

    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.ingest_log").fetchone()[0] == 1


def test_an_xlsx_order_report_loads_like_its_csv(tmp_path: Path, con) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ORDER_HEADER)
    row = order_row("5118609024991031607")
    row[0] = "5118609024991031607"  # xlsx keeps long ids as text cells, without the ="…" escape
    sheet.append(row)
    workbook.save(tmp_path / "订单报表.xlsx")
    write_csv(tmp_path / "csv" / "ExportOrderList.csv", ORDER_HEADER, [order_row("5118609024991031608")])

    report = ingest_landing(con, tmp_path)

    assert {f.encoding for f in report.files} == {"xlsx", "gb18030"}
    rows = con.execute(
        "select order_id, order_status, total_amount, created_at from raw.tmall_orders order by order_id"
    ).fetchall()
    assert rows == [
        ("5118609024991031607", "交易成功", "128.00", "2025-03-14 10:23:45"),
        ("5118609024991031608", "交易成功", "128.00", "2025-03-14 10:23:45"),
    ]
