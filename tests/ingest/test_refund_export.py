"""The seller center's refund export (退款管理) is recognised by its header, in the demo's layout and in the header
variants real downloads use, and every row of it is accounted for: rows in = loaded + quarantined."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.demo_data import formats
from orchestration.ingest.datasets import recognise
from orchestration.ingest.loader import ingest_landing

# an older download: other spellings, no 子订单编号, columns in another order
VARIANT_HEADER = ["退款单号", "订单编号", "退款申请时间", "退款金额", "退款状态", "退款原因", "买家会员名", "完结时间"]


def refund_row(refund_id: str, order_id: str, amount: str = "59.00") -> list[str]:
    """A row of the demo's header (formats.TMALL_REFUND_HEADER), ids Excel-escaped as the seller center writes."""
    cells = dict.fromkeys(formats.TMALL_REFUND_HEADER, "")
    cells.update(
        {
            "订单编号": f'="{order_id}"' if order_id else "",
            "退款编号": f'="{refund_id}"' if "E+" not in refund_id else refund_id,
            "订单付款时间": "2025-06-30 23:10:00",
            "宝贝标题": "栖木 棉麻抱枕套",
            "退款完结时间": "2025-07-03 12:00:00",
            "买家实际支付金额": amount,
            "买家退款金额": amount,
            "退款的申请时间": "2025-07-01 09:00:00",
            "退款状态": "退款成功",
            "买家会员名称": "tb_buyer_1",
            "买家真实姓名": "张伟",
            "买家退款原因": "质量问题",
            "子订单编号": '="5100000000000000101"',
        }
    )
    return [cells[h] for h in formats.TMALL_REFUND_HEADER]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode("gbk"))


@pytest.mark.parametrize(
    "header",
    [list(formats.TMALL_REFUND_HEADER), VARIANT_HEADER, [f" {h} " for h in VARIANT_HEADER]],
    ids=["demo", "variant", "padded"],
)
def test_a_refund_export_is_recognised_by_its_header(header: list[str]) -> None:
    recognition = recognise(header)
    assert recognition.dataset is not None and recognition.dataset.name == "tmall_refunds"
    assert set(recognition.column_map.values()) >= {"refund_id", "order_id", "refund_amount", "applied_at"}


def test_order_and_item_reports_are_not_refund_exports() -> None:
    assert recognise(list(formats.TMALL_ORDER_HEADER)).dataset.name == "tmall_orders"
    assert recognise(list(formats.TMALL_ITEM_HEADER)).dataset.name == "tmall_order_items"
    # without its refund id a refund export is nothing: the error names what it lacks
    without_id = recognise([h for h in formats.TMALL_REFUND_HEADER if h != "退款编号"])
    assert without_id.dataset is None and "退款编号" in without_id.explanation


def test_every_row_of_a_refund_export_is_loaded_or_quarantined(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_csv(
        landing / "tmall/退款管理_20250701_20250731.csv",
        list(formats.TMALL_REFUND_HEADER),
        [
            refund_row("919988870964793015", "5100000000000000001"),
            refund_row("919988870964793016", "5100000000000000002", "12.50"),
            refund_row("9.19989E+17", "5100000000000000003"),  # re-saved by Excel: the id is lost
            refund_row("919988870964793018", ""),  # no order
        ],
    )
    write_csv(
        landing / "tmall/old/refunds.csv",
        VARIANT_HEADER,
        [["919988870964793019", '="5100000000000000004"', "2025/7/2 9:30", "30", "退款关闭", "我不想要了", "tb_2", ""]],
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest_landing(con, landing)
        log = con.execute(
            "select source_file, dataset, rows_in, rows_loaded, rows_quarantined from raw.ingest_log order by 1"
        ).fetchall()
        loaded = con.execute(
            "select refund_id, order_id, sub_order_id, applied_at, refund_reason, finished_at "
            "from raw.tmall_refunds order by refund_id"
        ).fetchall()
        quarantined = con.execute(
            "select _source_row_number, reason from raw.quarantine where dataset = 'tmall_refunds' order by 1"
        ).fetchall()
    assert log == [
        ("tmall/old/refunds.csv", "tmall_refunds", 1, 1, 0),
        ("tmall/退款管理_20250701_20250731.csv", "tmall_refunds", 4, 2, 2),
    ]
    assert loaded == [
        ("919988870964793015", "5100000000000000001", "5100000000000000101", "2025-07-01 09:00:00", "质量问题",
         "2025-07-03 12:00:00"),
        ("919988870964793016", "5100000000000000002", "5100000000000000101", "2025-07-01 09:00:00", "质量问题",
         "2025-07-03 12:00:00"),
        ("919988870964793019", "5100000000000000004", None, "2025/7/2 9:30", "我不想要了", None),
    ]
    assert [row for row, _ in quarantined] == [3, 4]
    assert "scientific notation" in quarantined[0][1]
    assert "missing 订单编号 (order_id)" in quarantined[1][1]
